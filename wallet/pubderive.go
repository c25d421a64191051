package wallet

import (
	"crypto/hmac"
	"crypto/sha512"
	"encoding/binary"
	"fmt"

	"github.com/btcsuite/btcd/btcec/v2"
	"github.com/btcsuite/btcd/btcutil/hdkeychain"
)

// pubParent is an extended public key prepared for deriving many
// unhardened children: its point is parsed once, where hdkeychain's Derive
// re-parses (and so re-decompresses) the parent on every call. The result
// is BIP32 CKDpub, checked against hdkeychain in the tests.
type pubParent struct {
	point     btcec.JacobianPoint
	pub       [33]byte
	chainCode []byte
}

func newPubParent(k *hdkeychain.ExtendedKey) (*pubParent, error) {
	pk, err := k.ECPubKey()
	if err != nil {
		return nil, fmt.Errorf("derive: %v", err)
	}
	p := &pubParent{chainCode: k.ChainCode()}
	copy(p.pub[:], pk.SerializeCompressed())
	pk.AsJacobian(&p.point)
	return p, nil
}

// child is CKDpub(parent, i) for unhardened i.
func (p *pubParent) child(i uint32) (*btcec.PublicKey, error) {
	if i >= Hardened {
		return nil, ErrHardenedFromPublic
	}
	var data [37]byte
	copy(data[:33], p.pub[:])
	binary.BigEndian.PutUint32(data[33:], i)
	mac := hmac.New(sha512.New, p.chainCode)
	mac.Write(data[:])
	il := mac.Sum(nil)[:32]
	var s btcec.ModNScalar
	if overflow := s.SetByteSlice(il); overflow || s.IsZero() {
		return nil, ErrInvalidChild
	}
	var ilG, sum btcec.JacobianPoint
	btcec.ScalarBaseMultNonConst(&s, &ilG)
	btcec.AddNonConst(&ilG, &p.point, &sum)
	if (sum.X.IsZero() && sum.Y.IsZero()) || sum.Z.IsZero() {
		return nil, ErrInvalidChild
	}
	sum.ToAffine()
	return btcec.NewPublicKey(&sum.X, &sum.Y), nil
}
