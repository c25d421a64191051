package sign

import (
	"crypto/rand"
	"encoding/binary"
	"fmt"

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
