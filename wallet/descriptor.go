package wallet

import (
	"encoding/hex"
	"fmt"
	"strings"

	"github.com/btcsuite/btcd/btcec/v2"
	"github.com/btcsuite/btcd/btcutil/hdkeychain"
)

// KeyOrigin is where a key sits below a master key: the master's
// fingerprint and the derivation path from it.
type KeyOrigin struct {
	Fingerprint [4]byte
	Path        Path
}

// String writes the origin as inside a descriptor's brackets:
// "73c5da0a/84h/1h/0h" (just the fingerprint for an empty path).
func (o KeyOrigin) String() string {
	s := hex.EncodeToString(o.Fingerprint[:])
	if len(o.Path) > 0 {
		s += "/" + o.Path.Unprefixed()
	}
	return s
}

// Equal reports whether o and p name the same place.
func (o KeyOrigin) Equal(p KeyOrigin) bool {
	return o.Fingerprint == p.Fingerprint && o.Path.Equal(p.Path)
}

// fn is a descriptor script function.
type fn uint8

const (
	fnPK fn = iota + 1
	fnPKH
	fnWPKH
	fnSH
	fnWSH
	fnMulti
	fnSortedMulti
	fnTR
	fnRaw
)

func (f fn) String() string {
	switch f {
	case fnPK:
		return "pk"
	case fnPKH:
		return "pkh"
	case fnWPKH:
		return "wpkh"
	case fnSH:
		return "sh"
	case fnWSH:
		return "wsh"
	case fnMulti:
		return "multi"
	case fnSortedMulti:
		return "sortedmulti"
	case fnTR:
		return "tr"
	case fnRaw:
		return "raw"
	}
	return "?"
}

// node is one script expression.
type node struct {
	fn        fn
	keys      []*DescriptorKey // pk, pkh, wpkh, tr: one; multi: n
	threshold int              // multi, sortedmulti
	sub       *node            // sh, wsh
	raw       []byte           // raw
}

// Descriptor is a parsed output script descriptor (BIP380-386, with BIP389
// multipath keys) over public keys only. Coffer's subset: pk, pkh, wpkh,
// sh, wsh, multi, sortedmulti, tr(KEY) without a script tree, raw.
// A Descriptor is immutable once parsed and safe to share.
type Descriptor struct {
	root         *node
	multipathLen int // number of alternatives of the multipath keys; 0 if none
}

// wildcard is the final /* of a ranged key.
type wildcard uint8

const (
	wildNone wildcard = iota
	wildNormal
	wildHardened
)

// keyStep is one derivation step after an extended key: a fixed index, or
// a BIP389 multipath tuple.
type keyStep struct {
	index uint32
	alts  []uint32 // multipath alternatives; nil for a fixed step
}

// DescriptorKey is one key expression of a descriptor: an optional origin
// and either a hex public key or an extended public key with derivation
// steps, at most one multipath step, and an optional final wildcard.
type DescriptorKey struct {
	origin    KeyOrigin
	hasOrigin bool
	pub       []byte                  // hex key: 33, 65 or (in tr) 32 bytes
	pubKey    *btcec.PublicKey        // the hex key parsed
	xpub      *hdkeychain.ExtendedKey // extended key (public, xpub or tpub version)
	steps     []keyStep
	wild      wildcard
}

// Origin returns the key origin written in the descriptor, if any.
func (k *DescriptorKey) Origin() (KeyOrigin, bool) {
	if !k.hasOrigin {
		return KeyOrigin{}, false
	}
	return KeyOrigin{Fingerprint: k.origin.Fingerprint, Path: k.origin.Path.Child()}, true
}

// ExtendedKey returns the extended public key, or nil for a hex key. It
// is the descriptor's own key: read it, never wipe it.
func (k *DescriptorKey) ExtendedKey() *hdkeychain.ExtendedKey { return k.xpub }

// PubKey returns a copy of a hex key's bytes, or nil for an extended key.
func (k *DescriptorKey) PubKey() []byte {
	if k.pub == nil {
		return nil
	}
	return append([]byte(nil), k.pub...)
}

// HasDerivation reports whether derivation steps or a wildcard follow the
// extended key (false for a bare xpub and for hex keys).
func (k *DescriptorKey) HasDerivation() bool { return len(k.steps) > 0 || k.wild != wildNone }

// IsRange reports whether the key ends in a wildcard (/* or /*h).
func (k *DescriptorKey) IsRange() bool { return k.wild != wildNone }

// MultipathLen is the number of alternatives of the key's multipath step,
// 0 when it has none.
func (k *DescriptorKey) MultipathLen() int {
	for _, s := range k.steps {
		if s.alts != nil {
			return len(s.alts)
		}
	}
	return 0
}

// String writes the key expression in canonical form ('h' for hardened).
func (k *DescriptorKey) String() string {
	var b strings.Builder
	if k.hasOrigin {
		b.WriteByte('[')
		b.WriteString(k.origin.String())
		b.WriteByte(']')
	}
	if k.xpub == nil {
		b.WriteString(hex.EncodeToString(k.pub))
		return b.String()
	}
	b.WriteString(k.xpub.String())
	for _, s := range k.steps {
		b.WriteByte('/')
		if s.alts == nil {
			b.WriteString(formatStep(s.index, 'h'))
			continue
		}
		b.WriteByte('<')
		for i, a := range s.alts {
			if i > 0 {
				b.WriteByte(';')
			}
			b.WriteString(formatStep(a, 'h'))
		}
		b.WriteByte('>')
	}
	switch k.wild {
	case wildNormal:
		b.WriteString("/*")
	case wildHardened:
		b.WriteString("/*h")
	}
	return b.String()
}

// withBranch returns a copy of k whose multipath step is replaced by its
// alternative number branch.
func (k *DescriptorKey) withBranch(branch int) *DescriptorKey {
	c := *k
	c.steps = make([]keyStep, len(k.steps))
	for i, s := range k.steps {
		if s.alts != nil {
			c.steps[i] = keyStep{index: s.alts[branch]}
		} else {
			c.steps[i] = s
		}
	}
	return &c
}

func (n *node) write(b *strings.Builder) {
	b.WriteString(n.fn.String())
	b.WriteByte('(')
	switch n.fn {
	case fnSH, fnWSH:
		n.sub.write(b)
	case fnMulti, fnSortedMulti:
		b.WriteString(itoa(n.threshold))
		for _, k := range n.keys {
			b.WriteByte(',')
			b.WriteString(k.String())
		}
	case fnRaw:
		b.WriteString(hex.EncodeToString(n.raw))
	default:
		b.WriteString(n.keys[0].String())
	}
	b.WriteByte(')')
}

func itoa(v int) string { return formatStep(uint32(v), 'h') }

// mapKeys returns a copy of the tree with every key replaced by f(key).
func (n *node) mapKeys(f func(*DescriptorKey) *DescriptorKey) *node {
	c := *n
	if n.sub != nil {
		c.sub = n.sub.mapKeys(f)
	}
	if n.keys != nil {
		c.keys = make([]*DescriptorKey, len(n.keys))
		for i, k := range n.keys {
			c.keys[i] = f(k)
		}
	}
	return &c
}

func (n *node) collectKeys(out []*DescriptorKey) []*DescriptorKey {
	out = append(out, n.keys...)
	if n.sub != nil {
		out = n.sub.collectKeys(out)
	}
	return out
}

// String writes the descriptor in canonical form with its checksum:
// hardened steps as 'h', hex in lower case, keys as xpub/tpub.
func (d *Descriptor) String() string {
	body := d.WithoutChecksum()
	sum, err := DescriptorChecksum(body)
	if err != nil {
		// Unreachable: a canonical descriptor uses only checksum characters.
		return body
	}
	return body + "#" + sum
}

// WithoutChecksum writes the descriptor in canonical form without "#checksum".
func (d *Descriptor) WithoutChecksum() string {
	var b strings.Builder
	d.root.write(&b)
	return b.String()
}

// Keys returns the key expressions in the order they are written.
func (d *Descriptor) Keys() []*DescriptorKey { return d.root.collectKeys(nil) }

// IsRange reports whether the descriptor has a wildcard key (/*), so that
// it describes one output per index.
func (d *Descriptor) IsRange() bool {
	for _, k := range d.Keys() {
		if k.IsRange() {
			return true
		}
	}
	return false
}

// MultipathLen is the number of descriptors a BIP389 multipath descriptor
// stands for (2 for <0;1>), or 0 when it has no multipath step.
func (d *Descriptor) MultipathLen() int { return d.multipathLen }

// Branches is the number of branches ScriptPubKey and Derive accept: the
// multipath length, or 1.
func (d *Descriptor) Branches() int {
	if d.multipathLen == 0 {
		return 1
	}
	return d.multipathLen
}

// Expand splits a multipath descriptor into one descriptor per
// alternative, in order (receive first, then change, for <0;1>). A
// descriptor without a multipath step gives itself.
func (d *Descriptor) Expand() []*Descriptor {
	if d.multipathLen == 0 {
		return []*Descriptor{d}
	}
	out := make([]*Descriptor, d.multipathLen)
	for i := range out {
		out[i] = &Descriptor{root: d.root.mapKeys(func(k *DescriptorKey) *DescriptorKey {
			if k.MultipathLen() == 0 {
				return k
			}
			return k.withBranch(i)
		})}
	}
	return out
}

// Threshold is the number of signatures a multi() or sortedmulti()
// descriptor needs, 0 for other descriptors.
func (d *Descriptor) Threshold() int {
	if m := d.multisig(); m != nil {
		return m.threshold
	}
	return 0
}

// Sorted reports whether the descriptor is a sortedmulti().
func (d *Descriptor) Sorted() bool {
	m := d.multisig()
	return m != nil && m.fn == fnSortedMulti
}

func (d *Descriptor) multisig() *node {
	for n := d.root; n != nil; n = n.sub {
		if n.fn == fnMulti || n.fn == fnSortedMulti {
			return n
		}
	}
	return nil
}

// ScriptType maps the descriptor to one of Coffer's account script types:
// wpkh(KEY), sh(wpkh(KEY)), tr(KEY), wsh(multi|sortedmulti) and
// sh(wsh(multi|sortedmulti)). Anything else gives ScriptUnknown.
func (d *Descriptor) ScriptType() ScriptType {
	r := d.root
	switch {
	case r.fn == fnWPKH:
		return ScriptWPKH
	case r.fn == fnTR:
		return ScriptTR
	case r.fn == fnSH && r.sub.fn == fnWPKH:
		return ScriptSHWPKH
	case r.fn == fnWSH && isMulti(r.sub):
		return ScriptWSHMulti
	case r.fn == fnSH && r.sub.fn == fnWSH && isMulti(r.sub.sub):
		return ScriptSHWSHMulti
	}
	return ScriptUnknown
}

func isMulti(n *node) bool { return n != nil && (n.fn == fnMulti || n.fn == fnSortedMulti) }

// CheckNetwork verifies that every extended key of the descriptor is for
// network n (xpub on mainnet, tpub on test networks); hex keys fit any
// network. The error wraps ErrWrongNetwork and names the key by position.
func (d *Descriptor) CheckNetwork(n Network) error {
	if !n.Valid() {
		return fmt.Errorf("%s is not a network", n)
	}
	for i, k := range d.Keys() {
		if k.xpub == nil {
			continue
		}
		f, ok := KeyNetworkFormat(k.xpub)
		if !ok {
			return fmt.Errorf("key %d: unknown extended key version", i+1)
		}
		if err := f.CheckNetwork(n); err != nil {
			return fmt.Errorf("key %d: %w", i+1, err)
		}
	}
	return nil
}
