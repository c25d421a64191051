package wallet

import (
	"encoding/hex"
	"errors"
	"fmt"
	"strings"

	"github.com/btcsuite/btcd/btcutil/hdkeychain"
)

// AccountKey is an account-level extended public key with its origin: the
// master fingerprint and the account path (m/84h/0h/0h, m/48h/0h/0h/2h, ...).
type AccountKey struct {
	Origin KeyOrigin
	XPub   *hdkeychain.ExtendedKey
}

// String writes the key as in a descriptor: "[73c5da0a/84h/0h/0h]xpub...".
// A private key is never written: it gives "[...](private key)".
func (a AccountKey) String() string {
	if a.XPub == nil || a.XPub.IsPrivate() {
		return "[" + a.Origin.String() + "](private key)"
	}
	return "[" + a.Origin.String() + "]" + a.XPub.String()
}

func (a AccountKey) check(i int) error {
	if a.XPub == nil {
		return fmt.Errorf("key %d: no extended key", i+1)
	}
	if a.XPub.IsPrivate() {
		return fmt.Errorf("key %d: %w", i+1, ErrPrivateKey)
	}
	if _, ok := KeyNetworkFormat(a.XPub); !ok {
		return fmt.Errorf("key %d: extended key has an unknown version", i+1)
	}
	return nil
}

// SingleSigDescriptor is the watch-only descriptor of a single-key account
// (wpkh, sh-wpkh or tr) with receive and change in one BIP389 multipath
// descriptor: e.g. wpkh([73c5da0a/84h/1h/0h]tpub.../<0;1>/*). Expand gives
// the receive (/0/*) and change (/1/*) descriptors.
func SingleSigDescriptor(st ScriptType, key AccountKey) (*Descriptor, error) {
	if err := key.check(0); err != nil {
		return nil, err
	}
	k := key.String() + "/<0;1>/*"
	var s string
	switch st {
	case ScriptWPKH:
		s = "wpkh(" + k + ")"
	case ScriptSHWPKH:
		s = "sh(wpkh(" + k + "))"
	case ScriptTR:
		s = "tr(" + k + ")"
	default:
		return nil, fmt.Errorf("script type %s is not a single-key type", st)
	}
	return ParseDescriptor(s)
}

// MultisigDescriptor is the watch-only descriptor of a threshold-of-n
// multisig account (wsh-multi or sh-wsh-multi), sortedmulti as BIP48 and
// BIP67 have it, with receive and change in one multipath descriptor:
// wsh(sortedmulti(2,[fp/48h/0h/0h/2h]xpub.../<0;1>/*,...)).
func MultisigDescriptor(st ScriptType, threshold int, keys []AccountKey) (*Descriptor, error) {
	if len(keys) == 0 {
		return nil, errors.New("multisig has no keys")
	}
	parts := make([]string, len(keys))
	for i, k := range keys {
		if err := k.check(i); err != nil {
			return nil, err
		}
		parts[i] = k.String() + "/<0;1>/*"
	}
	inner := fmt.Sprintf("sortedmulti(%d,%s)", threshold, strings.Join(parts, ","))
	switch st {
	case ScriptWSHMulti:
		return ParseDescriptor("wsh(" + inner + ")")
	case ScriptSHWSHMulti:
		return ParseDescriptor("sh(wsh(" + inner + "))")
	}
	return nil, fmt.Errorf("script type %s is not a multisig type", st)
}

// FormatFingerprint writes a fingerprint as 8 lower-case hex characters.
func FormatFingerprint(fp [4]byte) string { return hex.EncodeToString(fp[:]) }

// ParseFingerprint reads 8 hex characters.
func ParseFingerprint(s string) ([4]byte, error) {
	var fp [4]byte
	if len(s) != 8 || !isHex(s) {
		return fp, fmt.Errorf("fingerprint %q is not 8 hex characters", s)
	}
	b, _ := hex.DecodeString(s)
	copy(fp[:], b)
	return fp, nil
}
