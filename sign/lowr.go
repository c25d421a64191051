package sign

import (
	"crypto/rand"
	"encoding/binary"
	"fmt"
	"slices"

	"github.com/btcsuite/btcd/btcec/v2"
	"github.com/btcsuite/btcd/btcec/v2/ecdsa"
	"github.com/btcsuite/btcd/btcec/v2/schnorr"
)

// signECDSA signs a 32-byte hash the way Bitcoin Core's CKey::Sign does:
// RFC6979 nonces (libsecp256k1's nonce_function_rfc6979), low S, and
// ground for a low R — the first attempt has no extra data, then attempt
// n passes a 32-byte buffer holding n as a little-endian uint32 in its
// first four bytes, until R's x coordinate mod n is below 2^255. A low R
// DER-encodes in 32 bytes, so the signature with its sighash byte is at
// most 71 bytes, and for the same key and hash it equals Core's byte for
// byte.
//
// btcec's ecdsa.Sign does the first attempt only (about half its
// signatures are 72 bytes).
func signECDSA(key *btcec.PrivateKey, hash []byte) (*ecdsa.Signature, error) {
	if len(hash) != 32 {
		return nil, fmt.Errorf("ecdsa: hash is %d bytes, not 32", len(hash))
	}
	if key.Key.IsZero() {
		return nil, fmt.Errorf("ecdsa: private key is zero")
	}
	d := key.Key.Bytes()
	defer clear(d[:])

	// libsecp256k1 feeds the message reduced mod n to the nonce function.
	var e btcec.ModNScalar
	e.SetByteSlice(hash)
	msg := e.Bytes()

	var extra [32]byte
	for counter := uint32(0); counter < 1<<20; counter++ {
		var data []byte
		if counter > 0 {
			binary.LittleEndian.PutUint32(extra[:4], counter)
			data = extra[:]
		}
		for iter := uint32(0); ; iter++ {
			k := btcec.NonceRFC6979(d[:], msg[:], data, nil, iter)
			sig, ok := signWithNonce(&key.Key, k, &e)
			k.Zero()
			if !ok {
				continue
			}
			if sig.lowR {
				return ecdsa.NewSignature(&sig.r, &sig.s), nil
			}
			break
		}
	}
	return nil, fmt.Errorf("ecdsa: no low-R signature found")
}

type rawSig struct {
	r, s btcec.ModNScalar
	lowR bool
}

// signWithNonce computes (r, s) = (x(kG) mod n, k⁻¹(e + r·d) mod n), with s
// normalized to the lower half. ok is false when r or s is zero.
func signWithNonce(d, k, e *btcec.ModNScalar) (rawSig, bool) {
	var out rawSig
	var R btcec.JacobianPoint
	btcec.ScalarBaseMultNonConst(k, &R)
	R.ToAffine()
	xb := R.X.Bytes()
	out.r.SetBytes(xb)
	if out.r.IsZero() {
		return out, false
	}
	// Core's SigHasLowR looks at the first byte of r in the compact
	// (64-byte) serialization, which holds r = x mod n.
	rb := out.r.Bytes()
	out.lowR = rb[0] < 0x80

	var kinv btcec.ModNScalar
	kinv.InverseValNonConst(k)
	out.s.Mul2(&out.r, d).Add(e).Mul(&kinv)
	kinv.Zero()
	if out.s.IsZero() {
		return out, false
	}
	if out.s.IsOverHalfOrder() {
		out.s.Negate()
	}
	return out, true
}

// signSchnorr makes a BIP340 signature with 32 bytes of auxiliary
// randomness from crypto/rand, as BIP340 recommends.
func signSchnorr(key *btcec.PrivateKey, hash []byte) (*schnorr.Signature, error) {
	var aux [32]byte
	if _, err := rand.Read(aux[:]); err != nil {
		return nil, fmt.Errorf("schnorr: reading auxiliary randomness: %w", err)
	}
	return signSchnorrAux(key, hash, aux)
}

// signSchnorrAux makes a BIP340 signature with the given auxiliary data.
func signSchnorrAux(key *btcec.PrivateKey, hash []byte, aux [32]byte) (*schnorr.Signature, error) {
	if len(hash) != 32 {
		return nil, fmt.Errorf("schnorr: hash is %d bytes, not 32", len(hash))
	}
	// FastSign skips btcec's own check of the signature: Sign executes
	// the input's script on every signature it makes.
	sig, err := schnorr.Sign(key, hash, schnorr.CustomNonce(aux), schnorr.FastSign())
	if err != nil {
		return nil, fmt.Errorf("schnorr: signing failed: %v", err)
	}
	return sig, nil
}

// ecdsaReq is one ECDSA signature for signECDSABatch to make.
type ecdsaReq struct {
	key  *btcec.PrivateKey // the caller owns and zeroes it
	hash []byte
	sig  *ecdsa.Signature // set by signECDSABatch
	err  error            // set by signECDSABatch
}

// lowRState is the grinding state of one request of a batch.
type lowRState struct {
	req     *ecdsaReq
	d       [32]byte // the private key's bytes, for the nonce function
	e       btcec.ModNScalar
	msg     [32]byte // e's bytes: the message as libsecp256k1 feeds it to RFC6979
	counter uint32
	k       btcec.ModNScalar
	r       btcec.JacobianPoint
}

func (st *lowRState) wipe() {
	clear(st.d[:])
	st.k.Zero()
}

// signECDSABatch makes the signature of every request exactly as
// signECDSA would (the same RFC6979 nonces tried in the same order, so
// the same bytes as Bitcoin Core). It only computes them differently: in
// each round it makes the next nonce point of every request still
// without a low R, then brings all those points to affine coordinates
// with one field inversion (Montgomery's trick: one constant-time
// inversion of the product of their Z coordinates, then three
// multiplications per point) instead of one inversion each, and it
// computes s only for the attempt that is kept. A batch of 16 requests
// costs about 5 inversions instead of about 32. The rare cases signECDSA
// handles with a further RFC6979 iteration (r or s zero, probability
// about 2^-256) go to signECDSA itself.
func signECDSABatch(reqs []ecdsaReq) {
	states := make([]lowRState, 0, len(reqs))
	defer func() {
		for i := range states {
			states[i].wipe()
		}
	}()
	for i := range reqs {
		q := &reqs[i]
		q.sig, q.err = nil, nil
		if len(q.hash) != 32 {
			q.err = fmt.Errorf("ecdsa: hash is %d bytes, not 32", len(q.hash))
			continue
		}
		if q.key.Key.IsZero() {
			q.err = fmt.Errorf("ecdsa: private key is zero")
			continue
		}
		states = append(states, lowRState{req: q})
		st := &states[len(states)-1]
		st.d = q.key.Key.Bytes()
		st.e.SetByteSlice(q.hash)
		st.msg = st.e.Bytes()
	}
	pending := make([]*lowRState, len(states))
	for i := range states {
		pending[i] = &states[i]
	}
	prefix := make([]btcec.FieldVal, len(pending))
	var extra [32]byte
	for len(pending) > 0 {
		// The next nonce point of every pending request.
		batch := pending[:0:0]
		for _, st := range pending {
			var data []byte
			if st.counter > 0 {
				binary.LittleEndian.PutUint32(extra[:4], st.counter)
				data = extra[:]
			}
			k := btcec.NonceRFC6979(st.d[:], st.msg[:], data, nil, 0)
			st.k.Set(k)
			k.Zero()
			btcec.ScalarBaseMultNonConst(&st.k, &st.r)
			if st.r.Z.IsZero() {
				st.req.sig, st.req.err = signECDSA(st.req.key, st.req.hash)
				continue
			}
			batch = append(batch, st)
		}
		// One inversion for the whole batch: prefix[i] = Z_0 ··· Z_i.
		pending = pending[:0]
		if len(batch) == 0 {
			break
		}
		prefix[0].Set(&batch[0].r.Z)
		for i := 1; i < len(batch); i++ {
			prefix[i].Mul2(&prefix[i-1], &batch[i].r.Z)
		}
		var inv btcec.FieldVal
		inv.Set(&prefix[len(batch)-1]).Inverse()
		for i := len(batch) - 1; i >= 0; i-- {
			st := batch[i]
			// zInv = 1/Z_i; then inv becomes 1/(Z_0 ··· Z_{i-1}).
			var zInv btcec.FieldVal
			if i > 0 {
				zInv.Mul2(&inv, &prefix[i-1])
				inv.Mul(&st.r.Z)
			} else {
				zInv.Set(&inv)
			}
			if done := st.finish(&zInv); !done {
				pending = append(pending, st)
			}
		}
		// Keep the order of the requests (it does not change any result,
		// only which nonce points share an inversion).
		slices.Reverse(pending)
	}
}

// finish takes the affine x of the nonce point (zInv is 1/Z) and either
// completes the signature (low R) or moves on to the next counter. It
// reports whether the request is done.
func (st *lowRState) finish(zInv *btcec.FieldVal) bool {
	q := st.req
	var z2, x btcec.FieldVal
	z2.SquareVal(zInv)
	x.Mul2(&st.r.X, &z2).Normalize()
	xb := x.Bytes()
	var r btcec.ModNScalar
	r.SetBytes(xb)
	// t = e + r·d; s = k⁻¹·t. signECDSA's signWithNonce treats a zero r
	// or s as a failed attempt and iterates RFC6979: leave that to it.
	var t btcec.ModNScalar
	t.Mul2(&r, &q.key.Key).Add(&st.e)
	if r.IsZero() || t.IsZero() {
		q.sig, q.err = signECDSA(q.key, q.hash)
		return true
	}
	rb := r.Bytes()
	if rb[0] >= 0x80 {
		st.counter++
		if st.counter >= 1<<20 {
			q.err = fmt.Errorf("ecdsa: no low-R signature found")
			return true
		}
		return false
	}
	var kinv, s btcec.ModNScalar
	kinv.InverseValNonConst(&st.k)
	s.Mul2(&t, &kinv)
	kinv.Zero()
	t.Zero()
	if s.IsOverHalfOrder() {
		s.Negate()
	}
	q.sig = ecdsa.NewSignature(&r, &s)
	return true
}
