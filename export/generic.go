package export

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/btcsuite/btcd/btcutil/hdkeychain"

	"github.com/coffer-custody/coffer/wallet"
)

// The generic JSON wallet export, as Coldcard's firmware writes it
// (shared/export.py, generate_generic_export; docs/generic-wallet-export.md)
// and Sparrow's ColdcardSinglesig importer reads it:
//
//	{"chain": "BTC", "xfp": "73C5DA0A", "account": 0, "xpub": "<master xpub>",
//	 "bip84": {"name": "p2wpkh", "xfp": "<account key fingerprint>",
//	           "deriv": "m/84h/0h/0h", "xpub": "xpub...", "desc": "wpkh(...)#...",
//	           "_pub": "zpub...", "first": "bc1q..."}, ...}
//
// Entries come in Coldcard's order (bip49, bip84, bip86, bip48_1,
// bip48_2): Sparrow takes the first entry of the script type it wants and
// stops reading there. Multisig entries carry a descriptor template with M
// and "..." for the other cosigners, and no "first" address.

// field and object write a JSON object with keys in a fixed order.
type field struct {
	key   string
	value any
}

type object []field

func (o object) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	b.WriteByte('{')
	for i, f := range o {
		if i > 0 {
			b.WriteByte(',')
		}
		k, err := compactJSON(f.key)
		if err != nil {
			return nil, err
		}
		v, err := compactJSON(f.value)
		if err != nil {
			return nil, err
		}
		b.Write(k)
		b.WriteByte(':')
		b.Write(v)
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

func compactJSON(v any) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(b.Bytes(), []byte("\n")), nil
}

// chainCode is Coldcard's name of the chain: BTC, XTN (testnet, signet) or XRT.
func chainCode(n wallet.Network) string {
	switch n {
	case wallet.Mainnet:
		return "BTC"
	case wallet.Regtest:
		return "XRT"
	}
	return "XTN"
}

// genericEntry is the key and address-type name of a script type.
func genericEntry(st wallet.ScriptType) (key, name string) {
	switch st {
	case wallet.ScriptSHWPKH:
		return "bip49", "p2sh-p2wpkh"
	case wallet.ScriptWPKH:
		return "bip84", "p2wpkh"
	case wallet.ScriptTR:
		return "bip86", "p2tr"
	case wallet.ScriptSHWSHMulti:
		return "bip48_1", "p2sh-p2wsh"
	case wallet.ScriptWSHMulti:
		return "bip48_2", "p2wsh"
	}
	return "", ""
}

func upperFP(fp [4]byte) string { return strings.ToUpper(wallet.FormatFingerprint(fp)) }

// GenericJSON is the "generic-json" export: master is the master key's
// public half (depth 0; its fingerprint is the "xfp"), accounts the
// accounts to list, all on network net, with one account number, on the
// standard path of their script type (the entry names say which BIP), at
// most one per script type.
func GenericJSON(master *hdkeychain.ExtendedKey, net wallet.Network, accounts ...Account) ([]byte, error) {
	if master == nil || master.IsPrivate() {
		return nil, errors.New("generic json: give the master key's public half")
	}
	if master.Depth() != 0 {
		return nil, fmt.Errorf("generic json: master key is at depth %d, not 0", master.Depth())
	}
	f, ok := wallet.KeyNetworkFormat(master)
	if !ok {
		return nil, errors.New("generic json: master key has an unknown version")
	}
	if err := f.CheckNetwork(net); err != nil {
		return nil, fmt.Errorf("generic json: master key: %w", err)
	}
	if len(accounts) == 0 {
		return nil, errors.New("generic json: no accounts")
	}
	masterFP := wallet.Fingerprint(master)
	byScript := make(map[wallet.ScriptType]Account)
	for i, a := range accounts {
		switch {
		case a.Network != net:
			return nil, fmt.Errorf("generic json: account %d is on %s, not %s", i+1, a.Network, net)
		case a.Fingerprint != masterFP:
			return nil, fmt.Errorf("generic json: account %d has master fingerprint %s, not %s", i+1, wallet.FormatFingerprint(a.Fingerprint), wallet.FormatFingerprint(masterFP))
		case a.Account != accounts[0].Account:
			return nil, fmt.Errorf("generic json: account %d is number %d, but account 1 is number %d; the format holds one account number", i+1, a.Account, accounts[0].Account)
		}
		if _, dup := byScript[a.Script]; dup {
			return nil, fmt.Errorf("generic json: two %s accounts", a.Script)
		}
		std, err := wallet.AccountPath(a.Script, a.Network, a.Account)
		if err != nil {
			return nil, err
		}
		if p, _ := a.AccountPath(); !p.Equal(std) {
			return nil, fmt.Errorf("generic json: %s account path %s is not the standard %s the format implies", a.Script, p, std)
		}
		if err := a.check(); err != nil {
			return nil, err
		}
		byScript[a.Script] = a
	}

	doc := object{
		{"chain", chainCode(net)},
		{"xfp", upperFP(masterFP)},
		{"account", accounts[0].Account},
		{"xpub", master.String()},
	}
	for _, st := range []wallet.ScriptType{wallet.ScriptSHWPKH, wallet.ScriptWPKH, wallet.ScriptTR, wallet.ScriptSHWSHMulti, wallet.ScriptWSHMulti} {
		a, ok := byScript[st]
		if !ok {
			continue
		}
		entry, err := genericAccount(a)
		if err != nil {
			return nil, err
		}
		key, _ := genericEntry(st)
		doc = append(doc, field{key, entry})
	}
	return marshalJSON(doc)
}

func genericAccount(a Account) (object, error) {
	_, name := genericEntry(a.Script)
	p, _ := a.AccountPath()
	e := object{
		{"name", name},
		{"xfp", upperFP(wallet.Fingerprint(a.XPub))},
		{"deriv", p.String()},
		{"xpub", a.XPub.String()},
	}
	if a.Script.IsMultisig() {
		tmpl := "[" + wallet.FormatFingerprint(a.Fingerprint) + "/" + p.Unprefixed() + "]" + a.XPub.String() + "/0/*"
		switch a.Script {
		case wallet.ScriptWSHMulti:
			tmpl = "wsh(sortedmulti(M," + tmpl + ",...))"
		case wallet.ScriptSHWSHMulti:
			tmpl = "sh(wsh(sortedmulti(M," + tmpl + ",...)))"
		}
		e = append(e, field{"desc", tmpl})
	} else {
		d, err := a.Descriptor()
		if err != nil {
			return nil, err
		}
		e = append(e, field{"desc", d.String()})
	}
	if slip, ok := wallet.SLIP132(a.XPub, a.Script); ok {
		e = append(e, field{"_pub", slip})
	}
	if !a.Script.IsMultisig() {
		d, _ := a.Descriptor()
		addr, err := d.Address(0, 0, a.Network)
		if err != nil {
			return nil, fmt.Errorf("generic json: first address: %w", err)
		}
		e = append(e, field{"first", addr.EncodeAddress()})
	}
	return e, nil
}
