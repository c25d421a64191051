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

// Batch derivation.
//
// Deriving N children of one public key costs N fixed-base multiplications
// IL·G. btcec computes each with 32 Jacobian additions and then one field
// inversion to serialize the point. For a range of children, childrenBatch
// instead adds the 32 byte-window points in affine coordinates for all the
// children at once, sharing one field inversion per window across the
// batch (Montgomery's trick). The points involved are public, so variable
// time is fine; the results are checked against hdkeychain in the tests,
// and any child that meets an exceptional case (two equal x coordinates)
// is derived by the plain path instead.

type affinePoint struct{ x, y btcec.FieldVal } // normalized

// baseTable holds b·256^w·G for windows w = 0..31 and bytes b = 1..255.
type baseTable [32][255]affinePoint

func newBaseTable() *baseTable {
	var one btcec.ModNScalar
	one.SetInt(1)
	var g btcec.JacobianPoint
	btcec.ScalarBaseMultNonConst(&one, &g)
	jac := make([]btcec.JacobianPoint, 32*255)
	base := g
	for w := 0; w < 32; w++ {
		cur := base
		for b := 0; b < 255; b++ {
			jac[w*255+b] = cur
			var next btcec.JacobianPoint
			btcec.AddNonConst(&cur, &base, &next)
			cur = next
		}
		base = cur // 256·base
	}
	aff := batchToAffine(jac)
	t := new(baseTable)
	for w := 0; w < 32; w++ {
		copy(t[w][:], aff[w*255:(w+1)*255])
	}
	return t
}

// batchToAffine converts Jacobian points (none at infinity) to affine with
// one field inversion.
func batchToAffine(pts []btcec.JacobianPoint) []affinePoint {
	n := len(pts)
	out := make([]affinePoint, n)
	if n == 0 {
		return out
	}
	prefix := make([]btcec.FieldVal, n)
	prefix[0].Set(&pts[0].Z)
	for i := 1; i < n; i++ {
		prefix[i].Mul2(&prefix[i-1], &pts[i].Z)
	}
	var inv btcec.FieldVal
	inv.Set(&prefix[n-1]).Inverse()
	for i := n - 1; i >= 0; i-- {
		var zInv btcec.FieldVal
		if i > 0 {
			zInv.Mul2(&inv, &prefix[i-1])
			inv.Mul(&pts[i].Z)
		} else {
			zInv.Set(&inv)
		}
		var z2 btcec.FieldVal
		z2.SquareVal(&zInv)
		out[i].x.Mul2(&pts[i].X, &z2).Normalize()
		out[i].y.Mul2(&pts[i].Y, z2.Mul(&zInv)).Normalize()
	}
	return out
}

// batchAdd sets acc[j] += add[j] for every j in idx, in affine
// coordinates with one shared inversion. The caller guarantees that
// acc[j].x != add[j].x for every j.
func batchAdd(acc []affinePoint, add []*affinePoint, idx []int, scratch []btcec.FieldVal) {
	n := len(idx)
	if n == 0 {
		return
	}
	// scratch[k] = prefix product of the denominators x2 - x1.
	den := func(k int, out *btcec.FieldVal) {
		j := idx[k]
		out.NegateVal(&acc[j].x, 1).Add(&add[j].x) // x2 - x1, magnitude 3
	}
	var d btcec.FieldVal
	den(0, &scratch[0])
	for k := 1; k < n; k++ {
		den(k, &d)
		scratch[k].Mul2(&scratch[k-1], &d)
	}
	var inv btcec.FieldVal
	inv.Set(&scratch[n-1]).Inverse()
	for k := n - 1; k >= 0; k-- {
		j := idx[k]
		var dInv btcec.FieldVal
		if k > 0 {
			dInv.Mul2(&inv, &scratch[k-1])
			den(k, &d)
			inv.Mul(&d)
		} else {
			dInv.Set(&inv)
		}
		p, q := &acc[j], add[j]
		// λ = (y2 - y1) / (x2 - x1)
		var lambda btcec.FieldVal
		lambda.NegateVal(&p.y, 1).Add(&q.y).Mul(&dInv)
		// x3 = λ² - x1 - x2
		var x3, t btcec.FieldVal
		t.Set(&p.x).Add(&q.x).Negate(2)
		x3.SquareVal(&lambda).Add(&t).Normalize()
		// y3 = λ(x1 - x3) - y1
		var y3 btcec.FieldVal
		t.NegateVal(&x3, 1).Add(&p.x)
		y3.Mul2(&lambda, &t)
		t.NegateVal(&p.y, 1)
		y3.Add(&t).Normalize()
		p.x.Set(&x3)
		p.y.Set(&y3)
	}
}

// childrenBatch derives children start .. start+count-1 of p with the
// affine batch method; tab is a base table from newBaseTable.
func (p *pubParent) childrenBatch(tab *baseTable, start uint32, count int) ([]*btcec.PublicKey, error) {
	if uint64(start)+uint64(count) > uint64(Hardened) {
		return nil, ErrHardenedFromPublic
	}
	scalars := make([][32]byte, count)
	mac := hmac.New(sha512.New, p.chainCode)
	var data [37]byte
	copy(data[:33], p.pub[:])
	for j := range scalars {
		binary.BigEndian.PutUint32(data[33:], start+uint32(j))
		mac.Reset()
		mac.Write(data[:])
		il := mac.Sum(nil)[:32]
		var s btcec.ModNScalar
		if overflow := s.SetByteSlice(il); overflow || s.IsZero() {
			return nil, fmt.Errorf("child %d: %w", start+uint32(j), ErrInvalidChild)
		}
		copy(scalars[j][:], il)
	}

	var parent affinePoint
	parent.x.Set(&p.point.X).Normalize()
	parent.y.Set(&p.point.Y).Normalize()
	acc, slow := batchMulAdd(tab, scalars, &parent)

	out := make([]*btcec.PublicKey, count)
	for j := range out {
		if slow[j] {
			pk, err := p.child(start + uint32(j))
			if err != nil {
				return nil, fmt.Errorf("child %d: %w", start+uint32(j), err)
			}
			out[j] = pk
			continue
		}
		out[j] = btcec.NewPublicKey(&acc[j].x, &acc[j].y)
	}
	return out, nil
}

// batchMulAdd computes s·G + addend for every big-endian scalar s (nonzero,
// below the group order). slow[j] is set where an exceptional case (equal x
// coordinates: a doubling or a point at infinity) stopped the affine
// method; acc[j] is then meaningless and the caller must compute it
// another way.
func batchMulAdd(tab *baseTable, scalars [][32]byte, addend *affinePoint) (acc []affinePoint, slow []bool) {
	count := len(scalars)
	acc = make([]affinePoint, count)
	slow = make([]bool, count)
	has := make([]bool, count)
	add := make([]*affinePoint, count)
	idx := make([]int, 0, count)
	scratch := make([]btcec.FieldVal, count)
	step := func() {
		batchAdd(acc, add, idx, scratch)
		idx = idx[:0]
	}
	queue := func(j int, q *affinePoint) {
		if !has[j] {
			acc[j], has[j] = *q, true
			return
		}
		if acc[j].x.Equals(&q.x) {
			slow[j] = true // doubling or cancelling: leave it to the plain path
			return
		}
		add[j] = q
		idx = append(idx, j)
	}
	for w := 0; w < 32; w++ {
		for j := range scalars {
			b := scalars[j][31-w]
			if b == 0 || slow[j] {
				continue
			}
			queue(j, &tab[w][b-1])
		}
		step()
	}
	for j := range scalars {
		if !slow[j] {
			queue(j, addend)
		}
	}
	step()
	return acc, slow
}
