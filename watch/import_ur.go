package watch

import (
	"encoding/binary"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/btcsuite/btcd/btcutil/hdkeychain"
	"github.com/btcsuite/btcd/chaincfg"

	"github.com/coffer-custody/coffer/qr/urtypes"
	"github.com/coffer-custody/coffer/wallet"
)

// ParseWalletUR reads a watch-only wallet that arrived as a UR of a CBOR
// structure (a camera or scanner reading another wallet's screen):
//
//   - ur:crypto-output (BCR-2020-010): the output expression is written as
//     a descriptor (sh, wsh, wpkh, pkh, multi, sortedmulti; tr(pk(KEY)) as
//     tr(KEY)) and read as ParseWalletFile reads one, so the same checks
//     hold: every key an xpub with its origin, receive and change.
//   - ur:crypto-hdkey (BCR-2020-007): one account key; the script is
//     script (wpkh, tr or sh-wpkh) or, when script is "", the one its
//     origin's purpose names (84h wpkh, 86h tr, 49h sh-wpkh). A BIP48 key
//     (48h) is one cosigner's key: ErrKeyRecord.
//   - ur:crypto-account (BCR-2020-015): the account of several script
//     types; script picks one (wpkh when ""), whose key takes the
//     account's master fingerprint. A script the account does not carry
//     is refused with the list of those it does; a multisig entry (sh,
//     wsh, sh(wsh) over a key) is one cosigner's key: ErrKeyRecord.
//
// A key without children to derive serves /<0;1>/*; children 0/* or
// <0;1>/* are taken as they are, and anything else is refused. cbor is the
// UR's message; typ its type, without "ur:".
func ParseWalletUR(typ string, cbor []byte, script string) (*Imported, error) {
	if len(cbor) > MaxImportFile {
		return nil, fmt.Errorf("the UR's message is larger than %d bytes", MaxImportFile)
	}
	var text string
	switch typ {
	case urtypes.TypeOutput:
		o, err := urtypes.ParseOutput(cbor)
		if err != nil {
			return nil, urError(typ, err)
		}
		if text, err = outputText(o, 0); err != nil {
			return nil, fmt.Errorf("ur:%s: %w", typ, err)
		}
	case urtypes.TypeHDKey:
		k, err := urtypes.ParseHDKey(cbor)
		if err != nil {
			return nil, urError(typ, err)
		}
		if text, err = hdKeyDescriptor(k, script); err != nil {
			return nil, fmt.Errorf("ur:%s: %w", typ, err)
		}
	case urtypes.TypeAccount:
		a, err := urtypes.ParseAccount(cbor)
		if err != nil {
			return nil, urError(typ, err)
		}
		if text, err = accountDescriptor(a, script); err != nil {
			return nil, fmt.Errorf("ur:%s: %w", typ, err)
		}
	default:
		return nil, fmt.Errorf("ur:%s is not a wallet: want ur:crypto-output, ur:crypto-account or ur:crypto-hdkey (or a file of coffer export as ur:bytes)", typ)
	}
	withSum, err := wallet.AddChecksum(text)
	if err != nil {
		return nil, fmt.Errorf("ur:%s: %v", typ, err)
	}
	d, err := multipathOf(withSum)
	if err != nil {
		return nil, fmt.Errorf("ur:%s: %w", typ, err)
	}
	return &Imported{Descriptor: d, Format: "ur:" + typ}, nil
}

// privateError is urtypes.ErrPrivateKey (for errors.Is) worded without
// its package prefix.
type privateError struct{}

func (privateError) Error() string        { return "private key material" }
func (privateError) Is(target error) bool { return target == urtypes.ErrPrivateKey }

// urError words a urtypes error: a private key is named as such, a
// malformed structure by its field (urtypes never quotes key material).
func urError(typ string, err error) error {
	if errors.Is(err, urtypes.ErrPrivateKey) {
		return fmt.Errorf("ur:%s carries a private key: refused, only public keys are imported (%w)", typ, privateError{})
	}
	return fmt.Errorf("ur:%s is not a valid structure: %s", typ, strings.TrimPrefix(err.Error(), "urtypes: "))
}

// outputText writes a crypto-output expression as descriptor text.
func outputText(o urtypes.Output, key int) (string, error) {
	switch o.Kind {
	case urtypes.SH, urtypes.WSH:
		if o.Key != nil {
			return "", fmt.Errorf("%w: %s() over a key names one signer's key for a multisig wallet", ErrKeyRecord, o.Kind)
		}
		if o.Inner == nil {
			return "", fmt.Errorf("%s() has no inner expression", o.Kind)
		}
		inner, err := outputText(*o.Inner, key)
		if err != nil {
			return "", err
		}
		return o.Kind.String() + "(" + inner + ")", nil
	case urtypes.Taproot:
		// A key path only taproot output is tr(KEY) (as accounts write
		// it) or tr(pk(KEY)).
		if o.Key != nil {
			k, err := keyText(*o.Key, key+1)
			if err != nil {
				return "", err
			}
			return "tr(" + k + ")", nil
		}
		if o.Inner == nil || o.Inner.Kind != urtypes.PK || o.Inner.Key == nil {
			return "", errors.New("tr() with a script tree is not a wallet coffer-watch follows (key path only)")
		}
		k, err := keyText(*o.Inner.Key, key+1)
		if err != nil {
			return "", err
		}
		return "tr(" + k + ")", nil
	case urtypes.PK, urtypes.PKH, urtypes.WPKH:
		if o.Key == nil {
			return "", fmt.Errorf("%s() has no key", o.Kind)
		}
		k, err := keyText(*o.Key, key+1)
		if err != nil {
			return "", err
		}
		return o.Kind.String() + "(" + k + ")", nil
	case urtypes.Multi, urtypes.SortedMulti:
		parts := []string{strconv.Itoa(o.Threshold)}
		for i, k := range o.Keys {
			t, err := keyText(k, key+i+1)
			if err != nil {
				return "", err
			}
			parts = append(parts, t)
		}
		return o.Kind.String() + "(" + strings.Join(parts, ",") + ")", nil
	case urtypes.Cosigner:
		return "", fmt.Errorf("%w: cosigner() names one signer's key for a multisig wallet", ErrKeyRecord)
	}
	return "", fmt.Errorf("%s() is not a wallet coffer-watch follows", o.Kind)
}

// keyText writes key number n as "[fingerprint/path]xpub/children".
func keyText(k urtypes.Key, n int) (string, error) {
	if k.HD == nil {
		return "", fmt.Errorf("key %d is a bare public key, not an extended key with its origin: no signer could recognise its coins", n)
	}
	t, err := hdKeyText(*k.HD)
	if err != nil {
		return "", fmt.Errorf("key %d: %w", n, err)
	}
	return t, nil
}

// hdKeyText writes a crypto-hdkey as a descriptor key expression.
func hdKeyText(k urtypes.HDKey) (string, error) {
	if k.ChainCode == nil {
		return "", errors.New("no chain code: a public key, not an extended key")
	}
	var params *chaincfg.Params
	switch {
	case k.UseInfo != nil && k.UseInfo.Type != 0:
		return "", fmt.Errorf("coin type %d is not bitcoin (0)", k.UseInfo.Type)
	case k.UseInfo == nil || k.UseInfo.Network == 0:
		params = &chaincfg.MainNetParams
	case k.UseInfo.Network == 1:
		params = &chaincfg.TestNet3Params
	default:
		return "", fmt.Errorf("network %d is neither mainnet (0) nor testnet (1)", k.UseInfo.Network)
	}
	o := k.Origin
	if o == nil || o.SourceFingerprint == 0 {
		return "", errors.New("no origin fingerprint: every key must name its master's fingerprint and path, or no signer could recognise its coins")
	}
	path := make(wallet.Path, 0, len(o.Steps))
	for i, s := range o.Steps {
		if s.Kind != urtypes.StepIndex {
			return "", fmt.Errorf("origin step %d is not a single child", i+1)
		}
		c := s.Index
		if s.Hardened {
			c += wallet.Hardened
		}
		path = append(path, c)
	}
	if o.Depth >= 0 && o.Depth != len(path) {
		return "", fmt.Errorf("the origin path has %d steps but the key's depth is %d: the path from the master is not whole", len(path), o.Depth)
	}
	if len(path) > 255 {
		return "", fmt.Errorf("the origin path has %d steps, more than 255", len(path))
	}
	var fp [4]byte
	binary.BigEndian.PutUint32(fp[:], o.SourceFingerprint)
	var parent [4]byte
	switch {
	case k.ParentFingerprint != 0:
		binary.BigEndian.PutUint32(parent[:], k.ParentFingerprint)
	case len(path) == 1:
		parent = fp
	}
	var child uint32
	if len(path) > 0 {
		child = path[len(path)-1]
	}
	if len(path) == 0 {
		parent = [4]byte{}
	}
	xpub := hdkeychain.NewExtendedKey(params.HDPublicKeyID[:], k.KeyData, k.ChainCode, parent[:], uint8(len(path)), child, false)
	children, err := childrenText(k.Children)
	if err != nil {
		return "", err
	}
	origin := wallet.KeyOrigin{Fingerprint: fp, Path: path}
	return "[" + origin.String() + "]" + xpub.String() + children, nil
}

// childrenText writes the children to derive: /<0;1>/* when the key names
// none, else 0/* or <0;1>/* as given.
func childrenText(c *urtypes.Keypath) (string, error) {
	if c == nil || len(c.Steps) == 0 {
		return "/<0;1>/*", nil
	}
	s := c.Steps
	if len(s) == 2 && s[1].Kind == urtypes.StepWildcard && !s[1].Hardened {
		switch {
		case s[0].Kind == urtypes.StepIndex && !s[0].Hardened && s[0].Index == 0:
			return "/0/*", nil
		case s[0].Kind == urtypes.StepPair && !s[0].Hardened && !s[0].HardenedHigh && s[0].Index == 0 && s[0].High == 1:
			return "/<0;1>/*", nil
		}
	}
	return "", fmt.Errorf("the key's children are %s, not the receive and change branches 0/* and 1/*", keypathText(c))
}

func keypathText(c *urtypes.Keypath) string {
	var parts []string
	for _, s := range c.Steps {
		h := ""
		if s.Hardened {
			h = "h"
		}
		switch s.Kind {
		case urtypes.StepIndex:
			parts = append(parts, strconv.FormatUint(uint64(s.Index), 10)+h)
		case urtypes.StepWildcard:
			parts = append(parts, "*"+h)
		case urtypes.StepRange:
			parts = append(parts, fmt.Sprintf("%d-%d%s", s.Index, s.High, h))
		case urtypes.StepPair:
			hh := ""
			if s.HardenedHigh {
				hh = "h"
			}
			parts = append(parts, fmt.Sprintf("<%d%s;%d%s>", s.Index, h, s.High, hh))
		}
	}
	return strings.Join(parts, "/")
}

// purposeScripts maps an account path's purpose to its single-key script.
var purposeScripts = map[uint32]string{84: "wpkh", 86: "tr", 49: "sh-wpkh"}

// hdKeyDescriptor makes the descriptor of a single-key account from a
// crypto-hdkey.
func hdKeyDescriptor(k urtypes.HDKey, script string) (string, error) {
	key, err := hdKeyText(k)
	if err != nil {
		return "", err
	}
	purpose := uint32(0)
	if o := k.Origin; len(o.Steps) > 0 && o.Steps[0].Hardened {
		purpose = o.Steps[0].Index
	}
	if script == "" {
		switch {
		case purpose == 48:
			return "", fmt.Errorf("%w: a key at a BIP48 path (48h) is one cosigner's key for a multisig wallet", ErrKeyRecord)
		case purposeScripts[purpose] != "":
			script = purposeScripts[purpose]
		default:
			return "", fmt.Errorf("the key's path does not start with 84h, 86h or 49h, so its script is unknown: pass --script wpkh, tr or sh-wpkh")
		}
	}
	switch script {
	case "wpkh":
		return "wpkh(" + key + ")", nil
	case "tr":
		return "tr(" + key + ")", nil
	case "sh-wpkh":
		return "sh(wpkh(" + key + "))", nil
	}
	return "", fmt.Errorf("--script %q is not one of wpkh, tr, sh-wpkh", script)
}

// accountScript names the script type of an account's output, as
// --script spells it: wpkh, sh-wpkh, tr, pkh, and for a multisig
// cosigner's key sh-multi, sh-wsh-multi, wsh-multi.
func accountScript(o urtypes.Output) string {
	switch {
	case o.Kind == urtypes.WPKH:
		return "wpkh"
	case o.Kind == urtypes.PKH:
		return "pkh"
	case o.Kind == urtypes.Taproot && o.Key != nil:
		return "tr"
	case o.Kind == urtypes.SH && o.Inner != nil && o.Inner.Kind == urtypes.WPKH:
		return "sh-wpkh"
	case o.Kind == urtypes.SH && o.Key != nil:
		return "sh-multi"
	case o.Kind == urtypes.SH && o.Inner != nil && o.Inner.Kind == urtypes.WSH && o.Inner.Key != nil:
		return "sh-wsh-multi"
	case o.Kind == urtypes.WSH && o.Key != nil:
		return "wsh-multi"
	}
	return o.Kind.String()
}

// accountDescriptor picks the account of script (wpkh when "") from a
// crypto-account and writes it as a descriptor.
func accountDescriptor(a urtypes.Account, script string) (string, error) {
	if script == "" {
		script = "wpkh"
	}
	var names []string
	for i, o := range a.Outputs {
		name := accountScript(o)
		names = append(names, name)
		if name != script {
			continue
		}
		if strings.HasSuffix(name, "-multi") {
			return "", fmt.Errorf("%w: the account's %s entry is a cosigner's key for a multisig wallet", ErrKeyRecord, name)
		}
		o, err := withMaster(o, a.MasterFingerprint)
		if err != nil {
			return "", fmt.Errorf("output %d (%s): %w", i+1, name, err)
		}
		return outputText(o, 0)
	}
	return "", fmt.Errorf("--script %s: the account carries no such script type, only %s", script, strings.Join(names, ", "))
}

// withMaster returns a copy of an account's output whose key origin names
// the account's master fingerprint (BCR-2020-015 leaves it out of the
// keys). An origin naming another fingerprint is refused.
func withMaster(o urtypes.Output, master uint32) (urtypes.Output, error) {
	if o.Inner != nil {
		inner, err := withMaster(*o.Inner, master)
		if err != nil {
			return urtypes.Output{}, err
		}
		o.Inner = &inner
		return o, nil
	}
	if o.Key == nil || o.Key.HD == nil || o.Key.HD.Origin == nil {
		return o, nil // outputText names what is missing
	}
	hd := *o.Key.HD
	origin := *hd.Origin
	switch origin.SourceFingerprint {
	case 0:
		origin.SourceFingerprint = master
	case master:
	default:
		return urtypes.Output{}, fmt.Errorf("the key's origin fingerprint %08x is not the account's master fingerprint %08x", origin.SourceFingerprint, master)
	}
	hd.Origin = &origin
	o.Key = &urtypes.Key{HD: &hd}
	return o, nil
}
