package wallet

import (
	"fmt"
	"strings"
)

// ScriptType is the kind of output an account pays to. The zero value,
// ScriptUnknown, is no script type.
type ScriptType uint8

// The script types Coffer derives accounts for.
const (
	ScriptUnknown    ScriptType = iota
	ScriptWPKH                  // P2WPKH, BIP84: "wpkh"
	ScriptSHWPKH                // P2WPKH nested in P2SH, BIP49: "sh-wpkh"
	ScriptTR                    // P2TR key path only, BIP86: "tr"
	ScriptWSHMulti              // P2WSH sortedmulti, BIP48 script 2': "wsh-multi"
	ScriptSHWSHMulti            // P2WSH in P2SH sortedmulti, BIP48 script 1': "sh-wsh-multi"
)

// ScriptTypes lists every script type in a fixed order.
func ScriptTypes() []ScriptType {
	return []ScriptType{ScriptWPKH, ScriptSHWPKH, ScriptTR, ScriptWSHMulti, ScriptSHWSHMulti}
}

// ParseScriptType reads a script type name: wpkh, sh-wpkh, tr, wsh-multi or
// sh-wsh-multi.
func ParseScriptType(name string) (ScriptType, error) {
	for _, st := range ScriptTypes() {
		if st.String() == name {
			return st, nil
		}
	}
	names := make([]string, 0, 5)
	for _, st := range ScriptTypes() {
		names = append(names, st.String())
	}
	return ScriptUnknown, fmt.Errorf("script type %q is not one of %s", name, strings.Join(names, ", "))
}

// String returns the name ParseScriptType reads.
func (st ScriptType) String() string {
	switch st {
	case ScriptWPKH:
		return "wpkh"
	case ScriptSHWPKH:
		return "sh-wpkh"
	case ScriptTR:
		return "tr"
	case ScriptWSHMulti:
		return "wsh-multi"
	case ScriptSHWSHMulti:
		return "sh-wsh-multi"
	}
	return fmt.Sprintf("script(%d)", uint8(st))
}

// Valid reports whether st is one of the constants other than ScriptUnknown.
func (st ScriptType) Valid() bool { return st >= ScriptWPKH && st <= ScriptSHWSHMulti }

// IsMultisig reports whether st is a multisig script type.
func (st ScriptType) IsMultisig() bool { return st == ScriptWSHMulti || st == ScriptSHWSHMulti }

// Purpose is the BIP43 purpose of st's accounts: 84, 49, 86, or 48 for the
// multisig types (0 for ScriptUnknown).
func (st ScriptType) Purpose() uint32 {
	switch st {
	case ScriptWPKH:
		return 84
	case ScriptSHWPKH:
		return 49
	case ScriptTR:
		return 86
	case ScriptWSHMulti, ScriptSHWSHMulti:
		return 48
	}
	return 0
}

// AccountPath is the standard path of account number account for st on n:
// m/84'/c'/a' (BIP84), m/49'/c'/a' (BIP49), m/86'/c'/a' (BIP86),
// m/48'/c'/a'/2' (BIP48 P2WSH) or m/48'/c'/a'/1' (BIP48 P2SH-P2WSH), where c
// is n's coin type.
func AccountPath(st ScriptType, n Network, account uint32) (Path, error) {
	if !st.Valid() {
		return nil, fmt.Errorf("script type %s has no account path", st)
	}
	if !n.Valid() {
		return nil, fmt.Errorf("%s is not a network", n)
	}
	if account >= Hardened {
		return nil, fmt.Errorf("account %d is out of range (at most 2147483647)", account)
	}
	p := Path{st.Purpose() | Hardened, n.CoinType() | Hardened, account | Hardened}
	switch st {
	case ScriptWSHMulti:
		p = append(p, 2|Hardened)
	case ScriptSHWSHMulti:
		p = append(p, 1|Hardened)
	}
	return p, nil
}
