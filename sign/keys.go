package sign

import (
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
	// owns the result and zeroes it.
	PrivateKey(path []uint32) (*btcec.PrivateKey, error)
}

// HDKeys is a KeySource over a BIP32 master private key. It keeps the
// parents of the keys it derived (m/84h/0h/0h/0 for m/84h/0h/0h/0/7) so a
// thousand inputs of one account cost one hardened derivation, not a
// thousand. Call Zero when done: it wipes the master copy and every cached
// key. The value cannot be compared with == and prints no key material.
type HDKeys struct {
	_      [0]func()
	fp     [4]byte
	mu     sync.Mutex
	master *hdkeychain.ExtendedKey
	cache  map[string]*hdkeychain.ExtendedKey
	zeroed bool
}

// maxCachedParents bounds the parent cache; a PSBT naming more distinct
// parents than this just derives them again.
const maxCachedParents = 4096

// ErrNoKey: a KeySource does not hold the key at that path. Sign skips
// such a key instead of failing (a source may hold only some of the
// vault's keys).
var ErrNoKey = errors.New("no key at this path")

// ErrKeysZeroed: the HDKeys was used after Zero.
var ErrKeysZeroed = errors.New("keys were wiped")

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
	pfp := make([]byte, 4)
	// NewExtendedKey keeps the slice it is given: hand it its own copy.
	cp := hdkeychain.NewExtendedKey(master.Version(), append([]byte(nil), kb[:]...), append([]byte(nil), master.ChainCode()...), pfp, 0, 0, true)
	clear(kb[:])
	pub, err := cp.ECPubKey() // also caches the public key inside cp
	if err != nil {
		cp.Zero()
		return nil, fmt.Errorf("hd keys: master key is not usable")
	}
	h := &HDKeys{master: cp, cache: make(map[string]*hdkeychain.ExtendedKey)}
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
	child, err := parent.Derive(path[len(path)-1])
	if owned {
		parent.Zero()
	}
	if err != nil {
		return nil, fmt.Errorf("hd keys: %s cannot be derived: %v", hexPath(path), err)
	}
	priv, err := child.ECPrivKey()
	child.Zero()
	if err != nil {
		return nil, fmt.Errorf("hd keys: %s gives no private key", hexPath(path))
	}
	return priv, nil
}

// parent returns the extended private key at prefix, from the cache or
// derived from the deepest cached ancestor. Its public key is computed
// under the lock, so concurrent Derive calls only read it. owned is true
// when the key is not cached and the caller must zero it.
func (h *HDKeys) parent(prefix []uint32) (k *hdkeychain.ExtendedKey, owned bool, err error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.zeroed {
		return nil, false, ErrKeysZeroed
	}
	if len(prefix) == 0 {
		return h.master, false, nil
	}
	if c, ok := h.cache[pathKey(prefix)]; ok {
		return c, false, nil
	}
	k, start := h.master, 0
	for n := len(prefix) - 1; n > 0; n-- {
		if c, ok := h.cache[pathKey(prefix[:n])]; ok {
			k, start = c, n
			break
		}
	}
	owned = false
	for j := start; j < len(prefix); j++ {
		next, err := k.Derive(prefix[j])
		if err == nil {
			_, err = next.ECPubKey()
		}
		if owned {
			k.Zero() // an intermediate the cache did not take
		}
		if err != nil {
			if next != nil {
				next.Zero()
			}
			return nil, false, fmt.Errorf("hd keys: %s cannot be derived: %v", hexPath(prefix[:j+1]), err)
		}
		k, owned = next, true
		if len(h.cache) < maxCachedParents {
			h.cache[pathKey(prefix[:j+1])] = k
			owned = false
		}
	}
	return k, owned, nil
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
		v.Zero()
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
