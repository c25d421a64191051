package fountain

import "github.com/coffer-custody/coffer/qr/internal/xoshiro"

// sampler draws indexes from a discrete distribution with the Walker-Vose
// alias method, built exactly as the reference implementation builds it
// (index lists filled from the highest index down, floating point
// operations in the same order) so that both sides pick the same degrees.
type sampler struct {
	probs   []float64
	aliases []int
}

func newSampler(weights []float64) *sampler {
	n := len(weights)
	sum := 0.0
	for _, w := range weights {
		sum += w
	}
	p := make([]float64, n)
	for i, w := range weights {
		p[i] = w * float64(n) / sum
	}
	small := make([]int, 0, n)
	large := make([]int, 0, n)
	for i := n - 1; i >= 0; i-- {
		if p[i] < 1 {
			small = append(small, i)
		} else {
			large = append(large, i)
		}
	}
	s := &sampler{probs: make([]float64, n), aliases: make([]int, n)}
	for len(small) > 0 && len(large) > 0 {
		a := small[len(small)-1]
		small = small[:len(small)-1]
		g := large[len(large)-1]
		large = large[:len(large)-1]
		s.probs[a] = p[a]
		s.aliases[a] = g
		p[g] += p[a] - 1
		if p[g] < 1 {
			small = append(small, g)
		} else {
			large = append(large, g)
		}
	}
	for _, i := range large {
		s.probs[i] = 1
	}
	for _, i := range small {
		s.probs[i] = 1
	}
	return s
}

func (s *sampler) next(x *xoshiro.Rand) int {
	r1 := x.NextDouble()
	r2 := x.NextDouble()
	n := len(s.probs)
	i := int(float64(n) * r1)
	if i >= n { // only when r1 == 1.0, where the reference reads past the end
		i = n - 1
	}
	if r2 < s.probs[i] {
		return i
	}
	return s.aliases[i]
}

// degreeSampler returns the sampler for chooseDegree: weight 1/i for a
// degree of i, for i in 1..seqLen.
func degreeSampler(seqLen int) *sampler {
	w := make([]float64, seqLen)
	for i := range w {
		w[i] = 1 / float64(i+1)
	}
	return newSampler(w)
}
