package slip39

// Arithmetic in GF(256) with the Rijndael reduction polynomial
// x^8 + x^4 + x^3 + x + 1, as SLIP-39 prescribes. Addition and subtraction
// are XOR. Multiplication and inversion run in constant time (no table
// lookups indexed by secret bytes), because share values are secret.

// gfMul returns a·b in GF(256).
func gfMul(a, b byte) byte {
	var p byte
	for range 8 {
		p ^= -(b & 1) & a
		carry := a >> 7
		a = a<<1 ^ (0x1b & -carry)
		b >>= 1
	}
	return p
}

// gfInv returns the multiplicative inverse of a (a^254); the inverse of 0
// is 0, so callers must never divide by zero.
func gfInv(a byte) byte {
	// a^254 = a^(2+4+8+16+32+64+128).
	a2 := gfMul(a, a)
	r := a2
	p := a2
	for range 6 {
		p = gfMul(p, p)
		r = gfMul(r, p)
	}
	return r
}

// point is one share of a secret split byte-wise: x is the share index and
// y[k] is the value of the k-th polynomial at x.
type point struct {
	x byte
	y []byte
}

// interpolate returns the value vector of the polynomials through points at
// x (Lagrange interpolation, applied to every byte). The x values of points
// must be pairwise distinct and all y vectors the same length; callers check.
func interpolate(x byte, points []point) []byte {
	out := make([]byte, len(points[0].y))
	for i, pi := range points {
		// basis = prod over j != i of (x - x_j) / (x_i - x_j).
		var num, den byte = 1, 1
		for j, pj := range points {
			if j == i {
				continue
			}
			num = gfMul(num, x^pj.x)
			den = gfMul(den, pi.x^pj.x)
		}
		basis := gfMul(num, gfInv(den))
		for k, v := range pi.y {
			out[k] ^= gfMul(basis, v)
		}
	}
	return out
}
