package wallet

import (
	"errors"
	"fmt"

	"github.com/btcsuite/btcd/btcec/v2"
	"github.com/btcsuite/btcd/btcec/v2/schnorr"
	"github.com/btcsuite/btcd/btcutil"
	"github.com/btcsuite/btcd/btcutil/hdkeychain"
)

// DeriveAt derives the child key/branch/index of an account key (an xpub,
// or a private key) whose own origin is origin, and returns the child's
// public key with its full origin: origin.Path/branch/index. branch and
// index must be unhardened. This is the signer's "given a fingerprint and
// path claim, re-derive the key" step.
func DeriveAt(key *hdkeychain.ExtendedKey, origin KeyOrigin, branch, index uint32) (*btcec.PublicKey, KeyOrigin, error) {
	if key == nil {
		return nil, KeyOrigin{}, errors.New("derive: no key")
	}
	if branch >= Hardened || index >= Hardened {
		return nil, KeyOrigin{}, fmt.Errorf("derive: branch %s and index %s must be unhardened", formatStep(branch, 'h'), formatStep(index, 'h'))
	}
	child, err := DerivePath(key, Path{branch, index})
	if err != nil {
		return nil, KeyOrigin{}, err
	}
	defer child.Zero()
	pub, err := child.ECPubKey()
	if err != nil {
		return nil, KeyOrigin{}, fmt.Errorf("derive: child public key: %v", err)
	}
	return pub, KeyOrigin{Fingerprint: origin.Fingerprint, Path: origin.Path.Child(branch, index)}, nil
}

// baseOrigin is the origin of the key expression's own key: the written
// origin, or else the key's own fingerprint with an empty path (what
// Bitcoin Core records for a key without origin).
func (k *DescriptorKey) baseOrigin() KeyOrigin {
	if k.hasOrigin {
		return KeyOrigin{Fingerprint: k.origin.Fingerprint, Path: k.origin.Path}
	}
	if k.xpub != nil {
		return KeyOrigin{Fingerprint: Fingerprint(k.xpub)}
	}
	return KeyOrigin{Fingerprint: PubKeyFingerprint(k.pub)}
}

// fixedSteps returns the steps after the extended key for the given
// multipath branch, without the wildcard.
func (k *DescriptorKey) fixedSteps(branch int) Path {
	p := make(Path, len(k.steps))
	for i, s := range k.steps {
		if s.alts != nil {
			p[i] = s.alts[branch]
		} else {
			p[i] = s.index
		}
	}
	return p
}

func (k *DescriptorKey) wildIndex(index uint32) uint32 {
	if k.wild == wildHardened {
		return index | Hardened
	}
	return index
}

// Derive returns the public key of this key expression for a branch (the
// position in its multipath step, 0 without one) and an index (the value
// of the wildcard, ignored without one), with its full origin.
func (k *DescriptorKey) Derive(branch, index uint32) (DerivedKey, error) {
	if err := k.checkBranch(branch); err != nil {
		return DerivedKey{}, err
	}
	if index >= Hardened {
		return DerivedKey{}, fmt.Errorf("index %d is out of range (at most 2147483647)", index)
	}
	c, err := newKeyCache(k, int(branch))
	if err != nil {
		return DerivedKey{}, err
	}
	return c.derive(index)
}

func (k *DescriptorKey) checkBranch(branch uint32) error {
	m := k.MultipathLen()
	if m == 0 && branch != 0 {
		return fmt.Errorf("branch %d asked of a key without a multipath step (only 0)", branch)
	}
	if m != 0 && branch >= uint32(m) {
		return fmt.Errorf("branch %d asked of a multipath step of %d elements", branch, m)
	}
	return nil
}

// keyCache holds a key expression derived down to the wildcard for one
// branch, so that each index costs one BIP32 step.
type keyCache struct {
	key    *DescriptorKey
	parent *pubParent  // extended key at the last fixed step; nil for hex keys
	origin KeyOrigin   // origin of parent (or of the hex key)
	fixed  *DerivedKey // the key itself when it has no wildcard
}

func newKeyCache(k *DescriptorKey, branch int) (*keyCache, error) {
	c := &keyCache{key: k}
	base := k.baseOrigin()
	if k.xpub == nil {
		c.fixed = &DerivedKey{PubKey: k.pubKey, Serialized: k.pub, Origin: base}
		return c, nil
	}
	steps := k.fixedSteps(branch)
	parent, err := DerivePath(k.xpub, steps)
	if err != nil {
		return nil, err
	}
	c.origin = KeyOrigin{Fingerprint: base.Fingerprint, Path: base.Path.Child(steps...)}
	if k.wild == wildNone {
		pub, err := parent.ECPubKey()
		if err != nil {
			return nil, fmt.Errorf("derive: %v", err)
		}
		c.fixed = &DerivedKey{PubKey: pub, Serialized: pub.SerializeCompressed(), Origin: c.origin}
		return c, nil
	}
	if k.wild == wildHardened {
		return nil, fmt.Errorf("derive: hardened wildcard /*h: %w", ErrHardenedFromPublic)
	}
	c.parent, err = newPubParent(parent)
	if err != nil {
		return nil, err
	}
	return c, nil
}

func (c *keyCache) derive(index uint32) (DerivedKey, error) {
	if c.fixed != nil {
		return *c.fixed, nil
	}
	pub, err := c.parent.child(index)
	if err != nil {
		return DerivedKey{}, fmt.Errorf("derive index %d: %w", index, err)
	}
	return DerivedKey{PubKey: pub, Serialized: pub.SerializeCompressed(), Origin: KeyOrigin{
		Fingerprint: c.origin.Fingerprint, Path: c.origin.Path.Child(c.key.wildIndex(index)),
	}}, nil
}

// BranchDeriver derives the outputs of one branch of a descriptor index by
// index. It derives each extended key down to its last fixed step once, so
// each index costs one BIP32 step per key. Make one per branch and use it
// from one goroutine; it caches nothing beyond itself.
type BranchDeriver struct {
	d      *Descriptor
	caches map[*DescriptorKey]*keyCache
	table  *baseTable // built by the first large DeriveRange
}

// batchThreshold is the range size from which DeriveRange uses the batch
// method: below it, building the 8,160-point table costs more than it saves.
const batchThreshold = 256

// Branch prepares the derivation of a branch: the position in the
// multipath steps (0 for receive, 1 for change with <0;1>), 0 for a
// descriptor without multipath.
func (d *Descriptor) Branch(branch uint32) (*BranchDeriver, error) {
	if branch >= uint32(d.Branches()) {
		return nil, fmt.Errorf("branch %d asked of a descriptor with %d", branch, d.Branches())
	}
	bd := &BranchDeriver{d: d, caches: make(map[*DescriptorKey]*keyCache)}
	for i, k := range d.Keys() {
		b := int(branch)
		if k.MultipathLen() == 0 {
			b = 0
		}
		c, err := newKeyCache(k, b)
		if err != nil {
			return nil, fmt.Errorf("key %d: %w", i+1, err)
		}
		bd.caches[k] = c
	}
	return bd, nil
}

// Derive returns the scripts and keys of the output at index. A descriptor
// without wildcard has only index 0.
func (bd *BranchDeriver) Derive(index uint32) (*OutputScripts, error) {
	if index >= Hardened {
		return nil, fmt.Errorf("index %d is out of range (at most 2147483647)", index)
	}
	if index != 0 && !bd.d.IsRange() {
		return nil, fmt.Errorf("index %d asked of a descriptor without wildcard (only 0)", index)
	}
	return bd.output(index, func(k *DescriptorKey) (DerivedKey, error) { return bd.caches[k].derive(index) })
}

func (bd *BranchDeriver) output(index uint32, lookup func(*DescriptorKey) (DerivedKey, error)) (*OutputScripts, error) {
	out := &OutputScripts{}
	spk, err := bd.build(bd.d.root, out, lookup)
	if err != nil {
		return nil, err
	}
	out.ScriptPubKey = spk
	return out, nil
}

// DeriveRange derives the outputs at indexes start .. start+count-1. For
// large ranges it shares work between indexes (see BenchmarkDeriveAddresses);
// the results are those of Derive.
func (bd *BranchDeriver) DeriveRange(start, count uint32) ([]*OutputScripts, error) {
	if uint64(start)+uint64(count) > uint64(Hardened) {
		return nil, fmt.Errorf("range %d+%d goes past index 2147483647", start, count)
	}
	if !bd.d.IsRange() && (start != 0 || count > 1) {
		return nil, fmt.Errorf("range asked of a descriptor without wildcard (only index 0)")
	}
	outs := make([]*OutputScripts, 0, count)
	if count < batchThreshold && bd.table == nil {
		for i := uint32(0); i < count; i++ {
			o, err := bd.Derive(start + i)
			if err != nil {
				return nil, err
			}
			outs = append(outs, o)
		}
		return outs, nil
	}
	if bd.table == nil {
		bd.table = newBaseTable()
	}
	pubs := make(map[*DescriptorKey][]*btcec.PublicKey)
	for k, c := range bd.caches {
		if c.parent == nil {
			continue
		}
		ps, err := c.parent.childrenBatch(bd.table, start, int(count))
		if err != nil {
			return nil, fmt.Errorf("derive: %w", err)
		}
		pubs[k] = ps
	}
	for i := uint32(0); i < count; i++ {
		index := start + i
		o, err := bd.output(index, func(k *DescriptorKey) (DerivedKey, error) {
			c := bd.caches[k]
			ps, ok := pubs[k]
			if !ok {
				return c.derive(index)
			}
			pub := ps[i]
			return DerivedKey{PubKey: pub, Serialized: pub.SerializeCompressed(), Origin: KeyOrigin{
				Fingerprint: c.origin.Fingerprint, Path: c.origin.Path.Child(k.wildIndex(index)),
			}}, nil
		})
		if err != nil {
			return nil, err
		}
		outs = append(outs, o)
	}
	return outs, nil
}

// ScriptPubKeys returns the output scripts at indexes start .. start+count-1
// (DeriveRange without the rest).
func (bd *BranchDeriver) ScriptPubKeys(start, count uint32) ([][]byte, error) {
	outs, err := bd.DeriveRange(start, count)
	if err != nil {
		return nil, err
	}
	spks := make([][]byte, len(outs))
	for i, o := range outs {
		spks[i] = o.ScriptPubKey
	}
	return spks, nil
}

// ScriptPubKey returns the output script at index.
func (bd *BranchDeriver) ScriptPubKey(index uint32) ([]byte, error) {
	out, err := bd.Derive(index)
	if err != nil {
		return nil, err
	}
	return out.ScriptPubKey, nil
}

func (bd *BranchDeriver) build(n *node, out *OutputScripts, lookup func(*DescriptorKey) (DerivedKey, error)) ([]byte, error) {
	key := func(k *DescriptorKey) (DerivedKey, error) {
		dk, err := lookup(k)
		if err != nil {
			return DerivedKey{}, err
		}
		out.Keys = append(out.Keys, dk)
		return dk, nil
	}
	switch n.fn {
	case fnPK, fnPKH:
		dk, err := key(n.keys[0])
		if err != nil {
			return nil, err
		}
		if n.fn == fnPK {
			return PKScript(dk.Serialized), nil
		}
		return P2PKHScript(dk.Serialized), nil
	case fnWPKH:
		dk, err := key(n.keys[0])
		if err != nil {
			return nil, err
		}
		return P2WPKHScript(dk.PubKey), nil
	case fnTR:
		dk, err := key(n.keys[0])
		if err != nil {
			return nil, err
		}
		out.Keys[len(out.Keys)-1].Serialized = schnorr.SerializePubKey(dk.PubKey)
		return P2TRScript(dk.PubKey), nil
	case fnSH:
		inner, err := bd.build(n.sub, out, lookup)
		if err != nil {
			return nil, err
		}
		out.RedeemScript = inner
		return P2SHScript(inner), nil
	case fnWSH:
		inner, err := bd.build(n.sub, out, lookup)
		if err != nil {
			return nil, err
		}
		out.WitnessScript = inner
		return P2WSHScript(inner), nil
	case fnMulti, fnSortedMulti:
		sers := make([][]byte, len(n.keys))
		for i, k := range n.keys {
			dk, err := key(k)
			if err != nil {
				return nil, err
			}
			sers[i] = dk.Serialized
		}
		return MultisigScript(n.threshold, sers, n.fn == fnSortedMulti)
	case fnRaw:
		return append([]byte(nil), n.raw...), nil
	}
	return nil, fmt.Errorf("descriptor function %s cannot be derived", n.fn)
}

// Derive returns the scripts and keys of the output at (branch, index):
// branch is the position in the multipath steps (0 without one), index
// the wildcard value (0 without wildcard). For many indexes of one branch,
// Branch is faster.
func (d *Descriptor) Derive(branch, index uint32) (*OutputScripts, error) {
	bd, err := d.Branch(branch)
	if err != nil {
		return nil, err
	}
	return bd.Derive(index)
}

// ScriptPubKey returns the output script at (branch, index), as Derive.
func (d *Descriptor) ScriptPubKey(branch, index uint32) ([]byte, error) {
	out, err := d.Derive(branch, index)
	if err != nil {
		return nil, err
	}
	return out.ScriptPubKey, nil
}

// Address returns the address at (branch, index) on network n, after
// checking that the descriptor's extended keys are for n. Descriptors
// without an address form (bare multi, pk, most raw) fail with ErrNoAddress.
func (d *Descriptor) Address(branch, index uint32, n Network) (btcutil.Address, error) {
	if err := d.CheckNetwork(n); err != nil {
		return nil, err
	}
	spk, err := d.ScriptPubKey(branch, index)
	if err != nil {
		return nil, err
	}
	return AddressFromScript(spk, n)
}

// MatchKeyPath finds where a (master fingerprint, full path) claim, as
// found in a PSBT's BIP32 derivation fields, falls in the descriptor: the
// branch and index whose key derivation is exactly that path, for one of
// the descriptor's keys. ok is false when no key of the descriptor can
// have that origin. Derive(branch, index) then gives the scripts to compare.
func (d *Descriptor) MatchKeyPath(fp [4]byte, path Path) (branch, index uint32, ok bool) {
	for _, k := range d.Keys() {
		if b, i, ok := k.MatchKeyPath(fp, path); ok {
			return b, i, true
		}
	}
	return 0, 0, false
}

// MatchKeyPath is Descriptor.MatchKeyPath for one key expression.
func (k *DescriptorKey) MatchKeyPath(fp [4]byte, path Path) (branch, index uint32, ok bool) {
	base := k.baseOrigin()
	if fp != base.Fingerprint || !path.HasPrefix(base.Path) {
		return 0, 0, false
	}
	rest := path[len(base.Path):]
	want := len(k.steps)
	if k.wild != wildNone {
		want++
	}
	if len(rest) != want {
		return 0, 0, false
	}
	for i, s := range k.steps {
		if s.alts == nil {
			if rest[i] != s.index {
				return 0, 0, false
			}
			continue
		}
		found := false
		for j, a := range s.alts {
			if rest[i] == a {
				branch, found = uint32(j), true
				break
			}
		}
		if !found {
			return 0, 0, false
		}
	}
	switch k.wild {
	case wildNormal:
		if rest[want-1] >= Hardened {
			return 0, 0, false
		}
		index = rest[want-1]
	case wildHardened:
		if rest[want-1] < Hardened {
			return 0, 0, false
		}
		index = rest[want-1] - Hardened
	}
	return branch, index, true
}

// FindScript searches indexes 0 to limit-1 of every branch for the output
// script spk (a gap-limit search). ok is false when it is not found.
func (d *Descriptor) FindScript(spk []byte, limit uint32) (branch, index uint32, ok bool, err error) {
	if !d.IsRange() {
		limit = 1
	}
	for b := 0; b < d.Branches(); b++ {
		bd, err := d.Branch(uint32(b))
		if err != nil {
			return 0, 0, false, err
		}
		for i := uint32(0); i < limit; i++ {
			s, err := bd.ScriptPubKey(i)
			if errors.Is(err, ErrInvalidChild) {
				continue
			}
			if err != nil {
				return 0, 0, false, err
			}
			if string(s) == string(spk) {
				return uint32(b), i, true, nil
			}
		}
	}
	return 0, 0, false, nil
}
