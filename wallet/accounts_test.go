package wallet

import (
	"encoding/hex"
	"fmt"
	"testing"

	"github.com/btcsuite/btcd/btcutil"
)

type accountVectors struct {
	Mnemonic   string `json:"mnemonic"`
	Passphrase string `json:"passphrase"`
	Network    string `json:"network"`
	RootPriv   string `json:"rootpriv"`
	RootPub    string `json:"rootpub"`
	MasterSeed string `json:"masterseed"`
	Account    struct {
		Path string `json:"path"`
		Xprv string `json:"xprv"`
		Xpub string `json:"xpub"`
	} `json:"account"`
	Addresses []struct {
		Label        string `json:"label"`
		Path         string `json:"path"`
		Privkey      string `json:"privkey"`
		PrivkeyHex   string `json:"privkey_hex"`
		Pubkey       string `json:"pubkey"`
		Keyhash      string `json:"keyhash"`
		RedeemScript string `json:"redeem_script"`
		ScriptHash   string `json:"script_hash"`
		Xprv         string `json:"xprv"`
		Xpub         string `json:"xpub"`
		InternalKey  string `json:"internal_key"`
		OutputKey    string `json:"output_key"`
		ScriptPubKey string `json:"script_pubkey"`
		Address      string `json:"address"`
	} `json:"addresses"`
}

// checkAccount re-derives a BIP84/49/86 test vector file from its mnemonic
// through the public API: master key, account path, account keys in
// xpub and SLIP-132 form, a descriptor with key origin, and the addresses.
func checkAccount(t *testing.T, file string, st ScriptType, privVer uint32) {
	var v accountVectors
	loadJSON(t, &v, file)
	n, err := ParseNetwork(v.Network)
	if err != nil {
		t.Fatal(err)
	}
	master, err := MasterFromSeed(bip39Seed(v.Mnemonic, v.Passphrase), n)
	if err != nil {
		t.Fatal(err)
	}
	defer WipeKey(master)
	root := v.RootPriv
	if root == "" {
		root = v.MasterSeed
	}
	if got := privString(t, master, privVer); got != root {
		t.Errorf("master private key mismatch")
	}
	if v.RootPub != "" {
		got, ok := SLIP132(neuter(t, master), st)
		if st == ScriptTR {
			got, ok = neuter(t, master).String(), true
		}
		if !ok || got != v.RootPub {
			t.Errorf("master public key %s, want %s", got, v.RootPub)
		}
	}

	accPath, err := AccountPath(st, n, 0)
	if err != nil {
		t.Fatal(err)
	}
	if want, _ := ParsePath(v.Account.Path); !accPath.Equal(want) {
		t.Fatalf("AccountPath = %s, vector says %s", accPath, v.Account.Path)
	}
	acct, err := DerivePath(master, accPath)
	if err != nil {
		t.Fatal(err)
	}
	defer WipeKey(acct)
	if got := privString(t, acct, privVer); got != v.Account.Xprv {
		t.Errorf("account private key mismatch")
	}
	xpub := neuter(t, acct)
	shown := xpub.String()
	if st != ScriptTR {
		var ok bool
		shown, ok = SLIP132(xpub, st)
		if !ok {
			t.Fatalf("no SLIP-132 form for %s", st)
		}
	} else if _, ok := SLIP132(xpub, st); ok {
		t.Error("SLIP132 gave a form for tr")
	}
	if shown != v.Account.Xpub {
		t.Errorf("account public key %s, want %s", shown, v.Account.Xpub)
	}
	// The published form parses back to our key, naming its script type.
	parsed, f, err := ParseExtendedKey(v.Account.Xpub)
	if err != nil {
		t.Fatal(err)
	}
	wantScript := st
	if st == ScriptTR {
		wantScript = ScriptUnknown
	}
	if parsed.String() != xpub.String() || f.Script != wantScript || !f.IsFor(n) {
		t.Errorf("ParseExtendedKey(%s) = %s %+v", v.Account.Xpub, parsed, f)
	}

	fp := Fingerprint(master)
	var desc string
	switch st {
	case ScriptWPKH:
		desc = "wpkh([%s/%s]%s/<0;1>/*)"
	case ScriptSHWPKH:
		desc = "sh(wpkh([%s/%s]%s/<0;1>/*))"
	case ScriptTR:
		desc = "tr([%s/%s]%s/<0;1>/*)"
	}
	d, err := ParseDescriptor(fmt.Sprintf(desc, hex.EncodeToString(fp[:]), accPath.Unprefixed(), xpub))
	if err != nil {
		t.Fatal(err)
	}
	if d.ScriptType() != st {
		t.Errorf("descriptor script type %s, want %s", d.ScriptType(), st)
	}
	for _, a := range v.Addresses {
		p, err := ParsePath(a.Path)
		if err != nil {
			t.Fatal(err)
		}
		branch, index, ok := d.MatchKeyPath(fp, p)
		if !ok {
			t.Fatalf("%s: MatchKeyPath found no key for %s", a.Label, a.Path)
		}
		out, err := d.Derive(branch, index)
		if err != nil {
			t.Fatal(err)
		}
		addr, err := d.Address(branch, index, n)
		if err != nil || addr.EncodeAddress() != a.Address {
			t.Errorf("%s: address %v, %v; want %s", a.Label, addr, err, a.Address)
		}
		if len(out.Keys) != 1 || !out.Keys[0].Origin.Equal(KeyOrigin{Fingerprint: fp, Path: p}) {
			t.Errorf("%s: key origin %v", a.Label, out.Keys)
		}
		// The same key through DeriveAt from the bare account key.
		pub, origin, err := DeriveAt(xpub, KeyOrigin{Fingerprint: fp, Path: accPath}, branch, index)
		if err != nil || !pub.IsEqual(out.Keys[0].PubKey) || !origin.Equal(out.Keys[0].Origin) {
			t.Errorf("%s: DeriveAt: %v", a.Label, err)
		}
		single, err := SingleKeyScripts(st, pub, origin)
		if err != nil || hex.EncodeToString(single.ScriptPubKey) != hex.EncodeToString(out.ScriptPubKey) ||
			hex.EncodeToString(single.RedeemScript) != hex.EncodeToString(out.RedeemScript) {
			t.Errorf("%s: SingleKeyScripts differs from the descriptor: %v", a.Label, err)
		}
		if a.Pubkey != "" && hex.EncodeToString(out.Keys[0].Serialized) != a.Pubkey {
			t.Errorf("%s: pubkey %x, want %s", a.Label, out.Keys[0].Serialized, a.Pubkey)
		}
		if a.Keyhash != "" && hex.EncodeToString(btcutil.Hash160(out.Keys[0].Serialized)) != a.Keyhash {
			t.Errorf("%s: keyhash mismatch", a.Label)
		}
		if a.RedeemScript != "" && hex.EncodeToString(out.RedeemScript) != a.RedeemScript {
			t.Errorf("%s: redeem script %x, want %s", a.Label, out.RedeemScript, a.RedeemScript)
		}
		if a.ScriptHash != "" && hex.EncodeToString(btcutil.Hash160(out.RedeemScript)) != a.ScriptHash {
			t.Errorf("%s: script hash mismatch", a.Label)
		}
		if a.InternalKey != "" && hex.EncodeToString(out.Keys[0].Serialized) != a.InternalKey {
			t.Errorf("%s: internal key %x, want %s", a.Label, out.Keys[0].Serialized, a.InternalKey)
		}
		if a.OutputKey != "" && hex.EncodeToString(TaprootOutputKey(out.Keys[0].PubKey)) != a.OutputKey {
			t.Errorf("%s: output key mismatch", a.Label)
		}
		if a.ScriptPubKey != "" && hex.EncodeToString(out.ScriptPubKey) != a.ScriptPubKey {
			t.Errorf("%s: scriptPubKey %x, want %s", a.Label, out.ScriptPubKey, a.ScriptPubKey)
		}
		// Private side: the key at the full path from the master.
		k, err := DerivePath(master, p)
		if err != nil {
			t.Fatal(err)
		}
		if a.Xprv != "" && k.String() != a.Xprv {
			t.Errorf("%s: xprv mismatch", a.Label)
		}
		if a.Xpub != "" && neuter(t, k).String() != a.Xpub {
			t.Errorf("%s: xpub mismatch", a.Label)
		}
		priv, err := k.ECPrivKey()
		if err != nil {
			t.Fatal(err)
		}
		if !priv.PubKey().IsEqual(pub) {
			t.Errorf("%s: private key does not match the public derivation", a.Label)
		}
		if a.Privkey != "" {
			wif, err := btcutil.NewWIF(priv, n.Params(), true)
			if err != nil || wif.String() != a.Privkey {
				t.Errorf("%s: WIF mismatch", a.Label)
			}
		}
		if a.PrivkeyHex != "" && hex.EncodeToString(priv.Serialize()) != a.PrivkeyHex {
			t.Errorf("%s: private key hex mismatch", a.Label)
		}
		priv.Zero()
		WipeKey(k)
	}
}

func TestBIP84Vectors(t *testing.T) { checkAccount(t, "bip84/bip84-vectors.json", ScriptWPKH, verZprv) }
func TestBIP49Vectors(t *testing.T) {
	checkAccount(t, "bip49/bip49-vectors.json", ScriptSHWPKH, verUprv)
}
func TestBIP86Vectors(t *testing.T) { checkAccount(t, "bip86/bip86-vectors.json", ScriptTR, verXprv) }

// The first addresses named in the issue, through the plain API.
func TestIssueAddresses(t *testing.T) {
	seed := bip39Seed("abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about", "")
	master, err := MasterFromSeed(seed, Mainnet)
	if err != nil {
		t.Fatal(err)
	}
	if fp := Fingerprint(master); hex.EncodeToString(fp[:]) != "73c5da0a" {
		t.Errorf("master fingerprint %x, want 73c5da0a", fp)
	}
	for _, tt := range []struct {
		st   ScriptType
		want string
	}{
		{ScriptWPKH, "bc1qcr8te4kr609gcawutmrza0j4xv80jy8z306fyu"},
		{ScriptTR, "bc1p5cyxnuxmeuwuvkwfem96lqzszd02n6xdcjrs20cac6yqjjwudpxqkedrcr"},
		{ScriptSHWPKH, "37VucYSaXLCAsxYyAPfbSi9eh4iEcbShgf"},
	} {
		p, _ := AccountPath(tt.st, Mainnet, 0)
		acct, err := DerivePath(master, p)
		if err != nil {
			t.Fatal(err)
		}
		pub, origin, err := DeriveAt(neuter(t, acct), KeyOrigin{Fingerprint: Fingerprint(master), Path: p}, 0, 0)
		if err != nil {
			t.Fatal(err)
		}
		out, err := SingleKeyScripts(tt.st, pub, origin)
		if err != nil {
			t.Fatal(err)
		}
		addr, err := AddressFromScript(out.ScriptPubKey, Mainnet)
		if err != nil || addr.EncodeAddress() != tt.want {
			t.Errorf("%s: %v %v, want %s", tt.st, addr, err, tt.want)
		}
		if origin.Path.String() != p.Child(0, 0).String() {
			t.Errorf("%s: origin %s", tt.st, origin)
		}
	}
}

type slip132File struct {
	Mnemonic string `json:"mnemonic"`
	Accounts []struct {
		Path         string `json:"path"`
		Script       string `json:"script"`
		Xprv         string `json:"xprv"`
		Xpub         string `json:"xpub"`
		FirstAddress string `json:"first_address"`
	} `json:"accounts"`
}

func TestSLIP132Vectors(t *testing.T) {
	var f slip132File
	loadJSON(t, &f, "slip132", "slip132-vectors.json")
	master, err := MasterFromSeed(bip39Seed(f.Mnemonic, ""), Mainnet)
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range f.Accounts {
		p, err := ParsePath(a.Path)
		if err != nil {
			t.Fatal(err)
		}
		acct, err := DerivePath(master, p)
		if err != nil {
			t.Fatal(err)
		}
		xpub := neuter(t, acct)
		var desc string
		switch a.Script {
		case "pkh":
			if xpub.String() != a.Xpub || acct.String() != a.Xprv {
				t.Errorf("%s: keys mismatch", a.Path)
			}
			desc = "pkh(%s/0/*)"
		default:
			st, err := ParseScriptType(a.Script)
			if err != nil {
				t.Fatal(err)
			}
			got, ok := SLIP132(xpub, st)
			if !ok || got != a.Xpub {
				t.Errorf("%s: SLIP132 = %s, want %s", a.Path, got, a.Xpub)
			}
			k, f, err := ParseExtendedPrivateKey([]byte(a.Xprv))
			if err != nil || f.Script != st || k.String() != acct.String() {
				t.Errorf("%s: private SLIP-132 form: %v %+v", a.Path, err, f)
			}
			desc = map[ScriptType]string{ScriptWPKH: "wpkh(%s/0/*)", ScriptSHWPKH: "sh(wpkh(%s/0/*))"}[st]
		}
		d, err := ParseDescriptor(fmt.Sprintf(desc, xpub))
		if err != nil {
			t.Fatal(err)
		}
		addr, err := d.Address(0, 0, Mainnet)
		if err != nil || addr.EncodeAddress() != a.FirstAddress {
			t.Errorf("%s: first address %v %v, want %s", a.Path, addr, err, a.FirstAddress)
		}
	}
}

// Every SLIP-132 version converts to and from its plain form, on both
// network kinds, and the multisig ones name their script types.
func TestSLIP132RoundTrip(t *testing.T) {
	for _, n := range []Network{Mainnet, Regtest} {
		master, err := MasterFromSeed(make([]byte, 32), n)
		if err != nil {
			t.Fatal(err)
		}
		xpub := neuter(t, master)
		for _, st := range ScriptTypes() {
			s, ok := SLIP132(xpub, st)
			if st == ScriptTR {
				if ok {
					t.Errorf("%s: SLIP132 for tr", n)
				}
				continue
			}
			k, f, err := ParseExtendedKey(s)
			if !ok || err != nil || f.Script != st || !f.IsFor(n) || k.String() != xpub.String() {
				t.Errorf("%s %s: %s -> %v %+v", n, st, s, err, f)
			}
		}
		if _, ok := SLIP132(master, ScriptWPKH); ok {
			t.Error("SLIP132 of a private key")
		}
	}
}
