package urtypes

import (
	"errors"
	"fmt"
	"math"

	"github.com/coffer-custody/coffer/qr/internal/cbor"
)

// UR types and CBOR tags (BCR-2020-006, version 1 names, which deployed
// wallets use).
const (
	TypeHDKey  = "crypto-hdkey"
	TypeOutput = "crypto-output"

	TagHDKey    = 303
	TagKeypath  = 304
	TagCoinInfo = 305
	TagECKey    = 306
	TagOutput   = 308
)

// Tags of the output descriptor expressions (BCR-2020-010).
const (
	tagSH          = 400
	tagWSH         = 401
	tagPK          = 402
	tagPKH         = 403
	tagWPKH        = 404
	tagCombo       = 405
	tagMulti       = 406
	tagSortedMulti = 407
	tagRaw         = 408
	tagTaproot     = 409
	tagCosigner    = 410
)

// Bounds on what ParseOutput accepts.
const (
	maxNesting    = 4   // sh(wsh(...)) and the like
	maxKeys       = 100 // keys of one multisig expression
	maxComponents = 64  // derivation steps in one key path
	maxText       = 4096
	maxScript     = 10000
)

// ErrPrivateKey reports private key material, which this package never
// reads or writes.
var ErrPrivateKey = errors.New("urtypes: private key refused: only public keys cross the air gap")

// FormatError reports a structure that is not valid.
type FormatError struct {
	Field  string // e.g. "crypto-hdkey key-data"
	Reason string
}

func (e *FormatError) Error() string { return "urtypes: " + e.Field + ": " + e.Reason }

func formatErr(field, format string, args ...any) error {
	return &FormatError{Field: field, Reason: fmt.Sprintf(format, args...)}
}

// wrap turns a cbor error into a FormatError for field.
func wrap(field string, err error) error {
	if err == nil {
		return nil
	}
	var fe *FormatError
	if errors.As(err, &fe) || errors.Is(err, ErrPrivateKey) {
		return err
	}
	return &FormatError{Field: field, Reason: err.Error()}
}

// Step is one component of a key path.
type Step struct {
	Kind     StepKind
	Index    uint32 // StepIndex; for StepPair, the external (receive) child
	High     uint32 // StepRange: last index of the range; StepPair: the internal (change) child
	Hardened bool   // for every kind
	// HardenedHigh is the hardening of the internal child of a StepPair.
	HardenedHigh bool
}

// StepKind tells the kinds of path component apart.
type StepKind int

// Kinds of path component.
const (
	StepIndex    StepKind = iota // a single child, e.g. 84'
	StepWildcard                 // *
	StepRange                    // a range of children, Index..High
	StepPair                     // <Index;High>, external and internal children
)

// Keypath is a crypto-keypath: derivation steps, the fingerprint of the key
// they start from, and the depth of the key.
type Keypath struct {
	Steps             []Step
	SourceFingerprint uint32 // 0: absent
	Depth             int    // -1: absent
}

// CoinInfo is a crypto-coininfo. The zero value is mainnet bitcoin.
type CoinInfo struct {
	Type    uint32 // SLIP-44 coin type; 0 is bitcoin
	Network int    // 0 mainnet, 1 testnet
}

// HDKey is a public crypto-hdkey (a BIP32 extended public key and what is
// known of its derivation).
type HDKey struct {
	KeyData           []byte    // 33-byte compressed public key
	ChainCode         []byte    // 32 bytes, or nil
	UseInfo           *CoinInfo // nil: mainnet bitcoin
	Origin            *Keypath  // how the key was derived
	Children          *Keypath  // what children to derive, e.g. 0/*
	ParentFingerprint uint32    // 0: absent
	Name, Note        string
}

// ECKey is a public crypto-eckey: a compressed public key.
type ECKey struct {
	Data []byte // 33 bytes
}

// Key is a key expression: exactly one of HD and EC is set.
type Key struct {
	HD *HDKey
	EC *ECKey
}

// ScriptKind is the function of an output expression.
type ScriptKind int

// Output expression functions.
const (
	SH          ScriptKind = iota // sh(Inner)
	WSH                           // wsh(Inner)
	PK                            // pk(Key)
	PKH                           // pkh(Key)
	WPKH                          // wpkh(Key)
	Combo                         // combo(Key)
	Multi                         // multi(Threshold, Keys...)
	SortedMulti                   // sortedmulti(Threshold, Keys...)
	Raw                           // raw(Script)
	Taproot                       // tr(Inner)
	Cosigner                      // cosigner(Key)
)

var kindTags = [...]uint64{tagSH, tagWSH, tagPK, tagPKH, tagWPKH, tagCombo, tagMulti, tagSortedMulti, tagRaw, tagTaproot, tagCosigner}

func (k ScriptKind) tag() uint64 { return kindTags[k] }

func kindOf(tag uint64) (ScriptKind, bool) {
	for i, t := range kindTags {
		if t == tag {
			return ScriptKind(i), true
		}
	}
	return 0, false
}

var kindNames = [...]string{"sh", "wsh", "pk", "pkh", "wpkh", "combo", "multi", "sortedmulti", "raw", "tr", "cosigner"}

func (k ScriptKind) String() string {
	if k < 0 || int(k) >= len(kindNames) {
		return fmt.Sprintf("ScriptKind(%d)", int(k))
	}
	return kindNames[k]
}

// Output is a crypto-output expression.
//
// SH, WSH and Taproot wrap either an expression (Inner) or, as
// BCR-2020-015 accounts and the wallets that write them do, a key directly
// (Key): tr(KEY) for a single-key taproot account, sh(KEY), wsh(KEY) and
// sh(wsh(KEY)) for a multisig account's key. Exactly one is set.
type Output struct {
	Kind      ScriptKind
	Inner     *Output // SH, WSH, Taproot: a script expression
	Key       *Key    // PK, PKH, WPKH, Combo, Cosigner; or SH, WSH, Taproot over a key
	Threshold int     // Multi, SortedMulti
	Keys      []Key   // Multi, SortedMulti
	Script    []byte  // Raw
}

// ---- writing ----

// MarshalCBOR encodes the expression (tagged with its function, untagged
// as a crypto-output: the UR type says that).
func (o Output) MarshalCBOR() ([]byte, error) { return o.append(nil, 0) }

func (o Output) append(b []byte, depth int) ([]byte, error) {
	if o.Kind < 0 || int(o.Kind) >= len(kindTags) {
		return nil, formatErr("crypto-output", "unknown function %d", int(o.Kind))
	}
	if depth > maxNesting {
		return nil, formatErr("crypto-output", "nested deeper than %d", maxNesting)
	}
	b = cbor.AppendTag(b, o.Kind.tag())
	switch o.Kind {
	case SH, WSH, Taproot:
		switch {
		case o.Inner != nil && o.Key == nil:
			return o.Inner.append(b, depth+1)
		case o.Key != nil && o.Inner == nil:
			return o.Key.append(b)
		}
		return nil, formatErr("crypto-output "+o.Kind.String(), "exactly one of an inner expression and a key must be set")
	case PK, PKH, WPKH, Combo, Cosigner:
		if o.Key == nil {
			return nil, formatErr("crypto-output "+o.Kind.String(), "no key")
		}
		return o.Key.append(b)
	case Multi, SortedMulti:
		if len(o.Keys) == 0 || len(o.Keys) > maxKeys {
			return nil, formatErr("crypto-output "+o.Kind.String(), "%d keys, want 1 to %d", len(o.Keys), maxKeys)
		}
		if o.Threshold < 1 || o.Threshold > len(o.Keys) {
			return nil, formatErr("crypto-output "+o.Kind.String(), "threshold %d of %d keys", o.Threshold, len(o.Keys))
		}
		b = cbor.AppendMap(b, 2)
		b = cbor.AppendUint(cbor.AppendUint(b, 1), uint64(o.Threshold))
		b = cbor.AppendArray(cbor.AppendUint(b, 2), len(o.Keys))
		var err error
		for i := range o.Keys {
			if b, err = o.Keys[i].append(b); err != nil {
				return nil, err
			}
		}
		return b, nil
	default: // Raw
		if len(o.Script) > maxScript {
			return nil, formatErr("crypto-output raw", "script of %d bytes", len(o.Script))
		}
		return cbor.AppendBytes(b, o.Script), nil
	}
}

func (k Key) append(b []byte) ([]byte, error) {
	switch {
	case k.HD != nil && k.EC == nil:
		b = cbor.AppendTag(b, TagHDKey)
		return k.HD.append(b)
	case k.EC != nil && k.HD == nil:
		if err := checkPublicKey("crypto-eckey data", k.EC.Data); err != nil {
			return nil, err
		}
		b = cbor.AppendTag(b, TagECKey)
		b = cbor.AppendMap(b, 1)
		return cbor.AppendBytes(cbor.AppendUint(b, 3), k.EC.Data), nil
	}
	return nil, formatErr("key expression", "exactly one of an hdkey and an eckey must be set")
}

func checkPublicKey(field string, k []byte) error {
	if len(k) != 33 || (k[0] != 2 && k[0] != 3) {
		return formatErr(field, "not a 33-byte compressed public key")
	}
	return nil
}

// MarshalCBOR encodes the key as an untagged crypto-hdkey.
func (k HDKey) MarshalCBOR() ([]byte, error) { return k.append(nil) }

func (k HDKey) append(b []byte) ([]byte, error) {
	if err := checkPublicKey("crypto-hdkey key-data", k.KeyData); err != nil {
		return nil, err
	}
	if k.ChainCode != nil && len(k.ChainCode) != 32 {
		return nil, formatErr("crypto-hdkey chain-code", "%d bytes, want 32", len(k.ChainCode))
	}
	n := 1
	for _, present := range []bool{k.ChainCode != nil, k.UseInfo != nil, k.Origin != nil, k.Children != nil, k.ParentFingerprint != 0, k.Name != "", k.Note != ""} {
		if present {
			n++
		}
	}
	b = cbor.AppendMap(b, n)
	b = cbor.AppendBytes(cbor.AppendUint(b, 3), k.KeyData)
	if k.ChainCode != nil {
		b = cbor.AppendBytes(cbor.AppendUint(b, 4), k.ChainCode)
	}
	if k.UseInfo != nil {
		b = k.UseInfo.append(cbor.AppendUint(b, 5))
	}
	var err error
	if k.Origin != nil {
		if b, err = k.Origin.append(cbor.AppendUint(b, 6), "origin"); err != nil {
			return nil, err
		}
	}
	if k.Children != nil {
		if b, err = k.Children.append(cbor.AppendUint(b, 7), "children"); err != nil {
			return nil, err
		}
	}
	if k.ParentFingerprint != 0 {
		b = cbor.AppendUint(cbor.AppendUint(b, 8), uint64(k.ParentFingerprint))
	}
	if k.Name != "" {
		b = cbor.AppendText(cbor.AppendUint(b, 9), k.Name)
	}
	if k.Note != "" {
		b = cbor.AppendText(cbor.AppendUint(b, 10), k.Note)
	}
	return b, nil
}

func (c CoinInfo) append(b []byte) []byte {
	b = cbor.AppendTag(b, TagCoinInfo)
	n := 0
	if c.Type != 0 {
		n++
	}
	if c.Network != 0 {
		n++
	}
	b = cbor.AppendMap(b, n)
	if c.Type != 0 {
		b = cbor.AppendUint(cbor.AppendUint(b, 1), uint64(c.Type))
	}
	if c.Network != 0 {
		b = cbor.AppendUint(b, 2)
		if c.Network < 0 {
			b = cbor.AppendHead(b, cbor.MajorNegInt, uint64(-1-c.Network))
		} else {
			b = cbor.AppendUint(b, uint64(c.Network))
		}
	}
	return b
}

func (p Keypath) append(b []byte, name string) ([]byte, error) {
	field := "crypto-keypath " + name
	if len(p.Steps) > maxComponents {
		return nil, formatErr(field, "%d steps, at most %d", len(p.Steps), maxComponents)
	}
	if p.Depth > math.MaxUint8 {
		return nil, formatErr(field, "depth %d above 255", p.Depth)
	}
	n := 1
	if p.SourceFingerprint != 0 {
		n++
	}
	if p.Depth >= 0 {
		n++
	}
	b = cbor.AppendTag(b, TagKeypath)
	b = cbor.AppendMap(b, n)
	b = cbor.AppendUint(b, 1)
	size := 0
	for _, s := range p.Steps {
		if s.Kind == StepPair {
			size++
		} else {
			size += 2
		}
	}
	b = cbor.AppendArray(b, size)
	for i, s := range p.Steps {
		if s.Index >= 1<<31 || s.High >= 1<<31 {
			return nil, formatErr(field, "step %d: index at or above 2^31 (use Hardened)", i+1)
		}
		switch s.Kind {
		case StepIndex:
			b = cbor.AppendBool(cbor.AppendUint(b, uint64(s.Index)), s.Hardened)
		case StepWildcard:
			b = cbor.AppendBool(cbor.AppendArray(b, 0), s.Hardened)
		case StepRange:
			if s.Index >= s.High {
				return nil, formatErr(field, "step %d: range %d-%d is empty", i+1, s.Index, s.High)
			}
			b = cbor.AppendArray(b, 2)
			b = cbor.AppendUint(cbor.AppendUint(b, uint64(s.Index)), uint64(s.High))
			b = cbor.AppendBool(b, s.Hardened)
		case StepPair:
			b = cbor.AppendArray(b, 4)
			b = cbor.AppendBool(cbor.AppendUint(b, uint64(s.Index)), s.Hardened)
			b = cbor.AppendBool(cbor.AppendUint(b, uint64(s.High)), s.HardenedHigh)
		default:
			return nil, formatErr(field, "step %d: unknown kind %d", i+1, int(s.Kind))
		}
	}
	if p.SourceFingerprint != 0 {
		b = cbor.AppendUint(cbor.AppendUint(b, 2), uint64(p.SourceFingerprint))
	}
	if p.Depth >= 0 {
		b = cbor.AppendUint(cbor.AppendUint(b, 3), uint64(p.Depth))
	}
	return b, nil
}
