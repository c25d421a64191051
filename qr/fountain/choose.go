package fountain

import (
	"encoding/binary"

	"github.com/coffer-custody/coffer/qr/internal/xoshiro"
)

// chooseDegree returns how many fragments a mixed part combines.
func chooseDegree(s *sampler, x *xoshiro.Rand) int { return s.next(x) + 1 }

// shufflePrefix returns the first take items of the reference shuffle of
// 0..n-1: repeatedly remove the item at nextInt(0, remaining-1) from the
// ordered remaining list. A Fenwick tree finds the k-th remaining item in
// O(log n), so the draws (and so the result) are exactly the reference's.
func shufflePrefix(n, take int, x *xoshiro.Rand) []int {
	tree := make([]int32, n+1)
	for i := 1; i <= n; i++ {
		tree[i] = int32(i & -i)
	}
	top := 1
	for top*2 <= n {
		top *= 2
	}
	out := make([]int, 0, take)
	for remaining := n; len(out) < take; remaining-- {
		k := int32(x.NextInt(0, uint64(remaining-1)))
		pos := 0
		for step := top; step > 0; step >>= 1 {
			if pos+step <= n && tree[pos+step] <= k {
				pos += step
				k -= tree[pos]
			}
		}
		out = append(out, pos) // item pos (0-based) is at 1-based pos+1
		for i := pos + 1; i <= n; i += i & -i {
			tree[i]--
		}
	}
	return out
}

// chooseFragments returns the fragment indexes mixed into part seqNum.
func chooseFragments(seqNum uint32, seqLen int, checksum uint32, s *sampler) []int {
	if uint64(seqNum) <= uint64(seqLen) {
		return []int{int(seqNum) - 1}
	}
	var seed [8]byte
	binary.BigEndian.PutUint32(seed[:4], seqNum)
	binary.BigEndian.PutUint32(seed[4:], checksum)
	x := xoshiro.New(seed[:])
	degree := chooseDegree(s, x)
	return shufflePrefix(seqLen, degree, x)
}
