package sign

import (
	"crypto/hmac"
	"crypto/sha512"
	"encoding/binary"
	"errors"
	"fmt"
	"sync"

	"github.com/btcsuite/btcd/btcec/v2"
	"github.com/btcsuite/btcd/btcutil"
	"github.com/btcsuite/btcd/btcutil/hdkeychain"
)

// KeySource hands Sign the vault's private keys. Sign asks only for paths
// whose derivation in the PSBT carries MasterFingerprint, and zeroes every
// key it gets once the signature is made. Implementations must be safe
// for concurrent use: Sign asks from several goroutines.
type KeySource interface {
	// MasterFingerprint is the BIP32 fingerprint of the master key: the
	// first 4 bytes of HASH160 of its compressed public key.
	MasterFingerprint() [4]byte
	// PrivateKey derives the key at path (from the master). The caller
	// owns the result and zeroes it. A source that does not hold the key
	// returns an error wrapping ErrNoKey, and Sign skips that key.
	PrivateKey(path []uint32) (*btcec.PrivateKey, error)
}

// ErrNoKey: a KeySource does not hold the key at that path. Sign skips
// such a key instead of failing (a source may hold only some of the
// vault's keys).
var ErrNoKey = errors.New("no key at this path")

// ErrKeysZeroed: the HDKeys was used after Zero.
var ErrKeysZeroed = errors.New("keys were wiped")

// HDKeys is a KeySource over a BIP32 master private key. It keeps the
// parents of the keys it derived (m/84h/0h/0h/0 for m/84h/0h/0h/0/7) with
// their public keys, so a thousand inputs of one account cost one walk
// down the hardened path and then one HMAC-SHA512 and one scalar addition
// each. Call Zero when done (not while Sign runs): it wipes the master
// copy and every cached key. The value cannot be compared with == and
// prints no key material.
type HDKeys struct {
	_      [0]func()
	fp     [4]byte
	mu     sync.Mutex
	master *hdkeychain.ExtendedKey
	cache  map[string]*node
	zeroed bool
}

// node is a cached extended private key, ready for child derivation.
type node struct {
	priv  btcec.ModNScalar
	chain [32]byte
	pub   [33]byte // compressed
}

func (n *node) zero() {
	n.priv.Zero()
	clear(n.chain[:])
	clear(n.pub[:])
}

// maxCachedParents bounds the parent cache; a PSBT naming more distinct
// parents than this just derives them again.
const maxCachedParents = 4096

// NewHDKeys makes a KeySource from a BIP32 master private key (depth 0).
// It works on its own copy; the caller still owns and wipes master.
func NewHDKeys(master *hdkeychain.ExtendedKey) (*HDKeys, error) {
	if master == nil || !master.IsPrivate() {
		return nil, fmt.Errorf("hd keys: a master private key is required")
	}
	if master.Depth() != 0 {
		return nil, fmt.Errorf("hd keys: key has depth %d; the master key (depth 0) is required", master.Depth())
	}
	priv, err := master.ECPrivKey()
	if err != nil {
		return nil, fmt.Errorf("hd keys: master key is not usable")
	}
	kb := priv.Key.Bytes()
	priv.Zero()
	// NewExtendedKey keeps the slices it is given: hand it its own copies.
	cp := hdkeychain.NewExtendedKey(master.Version(), append([]byte(nil), kb[:]...),
		append([]byte(nil), master.ChainCode()...), make([]byte, 4), 0, 0, true)
	clear(kb[:])
	pub, err := cp.ECPubKey()
	if err != nil {
		cp.Zero()
		return nil, fmt.Errorf("hd keys: master key is not usable")
	}
	h := &HDKeys{master: cp, cache: make(map[string]*node)}
	copy(h.fp[:], btcutil.Hash160(pub.SerializeCompressed())[:4])
	return h, nil
}

// MasterFingerprint implements KeySource.
func (h *HDKeys) MasterFingerprint() [4]byte { return h.fp }

// PrivateKey implements KeySource.
func (h *HDKeys) PrivateKey(path []uint32) (*btcec.PrivateKey, error) {
	if len(path) == 0 {
		return nil, fmt.Errorf("hd keys: refusing to hand out the master key itself")
	}
	parent, owned, err := h.parent(path[:len(path)-1])
	if err != nil {
		return nil, err
	}
	if owned {
		defer parent.zero()
	}
	k, err := parent.child(path[len(path)-1], nil)
	if err != nil {
		return nil, fmt.Errorf("hd keys: %s cannot be derived: %w", hexPath(path), err)
	}
	priv := btcec.PrivKeyFromScalar(k) // copies the scalar
	k.Zero()
	return priv, nil
}

// errInvalidChild: BIP32 gives no key at this index (probability about
// 2^-127).
var errInvalidChild = errors.New("bip32 gives no valid key at this index")

// child is BIP32's CKDpriv from a cached parent: one HMAC-SHA512 and one
// scalar addition (the parent's public key is cached). It returns the
// child key and, when chain is non-nil, fills in the child chain code.
func (n *node) child(i uint32, chain *[32]byte) (*btcec.ModNScalar, error) {
	var data [37]byte
	if i >= hdkeychain.HardenedKeyStart {
		kb := n.priv.Bytes()
		copy(data[1:33], kb[:])
		clear(kb[:])
	} else {
		copy(data[:33], n.pub[:])
	}
	binary.BigEndian.PutUint32(data[33:], i)
	mac := hmac.New(sha512.New, n.chain[:])
	mac.Write(data[:])
	I := mac.Sum(nil)
	clear(data[:])
	defer clear(I)
	var k btcec.ModNScalar
	if overflow := k.SetByteSlice(I[:32]); overflow {
		k.Zero()
		return nil, errInvalidChild
	}
	k.Add(&n.priv)
	if k.IsZero() {
		return nil, errInvalidChild
	}
	if chain != nil {
		copy(chain[:], I[32:])
	}
	return &k, nil
}

// parent returns the node at prefix, from the cache or derived from the
// deepest cached ancestor. owned is true when the cache did not take it
// and the caller must zero it.
func (h *HDKeys) parent(prefix []uint32) (n *node, owned bool, err error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.zeroed {
		return nil, false, ErrKeysZeroed
	}
	if c, ok := h.cache[pathKey(prefix)]; ok {
		return c, false, nil
	}
	start := 0
	var cur *node
	for l := len(prefix) - 1; l >= 0; l-- {
		if c, ok := h.cache[pathKey(prefix[:l])]; ok {
			cur, start = c, l
			break
		}
	}
	if cur == nil {
		if cur, err = nodeOf(h.master); err != nil {
			return nil, false, err
		}
		h.cache[pathKey(nil)] = cur
	}
	for j := start; j < len(prefix); j++ {
		next := &node{}
		k, err := cur.child(prefix[j], &next.chain)
		if err != nil {
			if owned {
				cur.zero()
			}
			return nil, false, fmt.Errorf("hd keys: %s cannot be derived: %w", hexPath(prefix[:j+1]), err)
		}
		next.priv = *k
		k.Zero()
		tmp := btcec.PrivKeyFromScalar(&next.priv)
		copy(next.pub[:], tmp.PubKey().SerializeCompressed())
		tmp.Zero()
		if owned {
			cur.zero() // an intermediate the cache did not take
		}
		cur, owned = next, true
		if len(h.cache) < maxCachedParents {
			h.cache[pathKey(prefix[:j+1])] = cur
			owned = false
		}
	}
	return cur, owned, nil
}

// nodeOf turns an extended private key into a node.
func nodeOf(k *hdkeychain.ExtendedKey) (*node, error) {
	priv, err := k.ECPrivKey()
	if err != nil {
		return nil, fmt.Errorf("hd keys: key is not usable")
	}
	n := &node{priv: priv.Key}
	copy(n.pub[:], priv.PubKey().SerializeCompressed())
	priv.Zero()
	copy(n.chain[:], k.ChainCode())
	return n, nil
}

func pathKey(path []uint32) string {
	b := make([]byte, 4*len(path))
	for i, s := range path {
		binary.LittleEndian.PutUint32(b[4*i:], s)
	}
	return string(b)
}

// Zero wipes the master copy and every cached key. The HDKeys refuses to
// derive afterwards.
func (h *HDKeys) Zero() {
	h.mu.Lock()
	defer h.mu.Unlock()
	for k, v := range h.cache {
		v.zero()
		delete(h.cache, k)
	}
	if h.master != nil {
		h.master.Zero()
	}
	h.zeroed = true
}

// String names the key source by fingerprint only.
func (h *HDKeys) String() string { return fmt.Sprintf("HDKeys{%x}", h.fp) }

// GoString is String, so %#v prints no key material either.
func (h *HDKeys) GoString() string { return h.String() }

// Format prints String for every verb.
func (h *HDKeys) Format(f fmt.State, verb rune) { fmt.Fprint(f, h.String()) }
