package slip39

import (
	"crypto/hmac"
	"crypto/sha256"
	"fmt"
	"io"
)

const (
	digestIndex = 254 // x of the share that carries the digest
	secretIndex = 255 // x of the share that carries the secret
	digestBytes = 4
)

// shareDigest is the first 4 bytes of HMAC-SHA256(key=r, msg=secret).
func shareDigest(r, secret []byte) []byte {
	mac := hmac.New(sha256.New, r)
	mac.Write(secret)
	return mac.Sum(nil)[:digestBytes]
}

// splitSecret is SplitSecret(T, N, S) of the specification: it returns the
// share values for x = 0..count-1. Arguments are checked by the caller.
func splitSecret(threshold, count int, secret []byte, rng io.Reader) ([][]byte, error) {
	out := make([][]byte, count)
	if threshold == 1 {
		for i := range out {
			out[i] = append([]byte(nil), secret...)
		}
		return out, nil
	}
	n := len(secret)
	r := make([]byte, n-digestBytes)
	if _, err := io.ReadFull(rng, r); err != nil {
		return nil, fmt.Errorf("reading randomness: %w", err)
	}
	d := append(shareDigest(r, secret), r...)
	wipe(r)

	points := make([]point, 0, threshold)
	for x := range threshold - 2 {
		y := make([]byte, n)
		if _, err := io.ReadFull(rng, y); err != nil {
			wipePoints(points)
			wipe(d)
			return nil, fmt.Errorf("reading randomness: %w", err)
		}
		points = append(points, point{x: byte(x), y: y})
	}
	for x := range threshold - 2 {
		out[x] = append([]byte(nil), points[x].y...)
	}
	points = append(points, point{x: digestIndex, y: d}, point{x: secretIndex, y: secret})
	for x := threshold - 2; x < count; x++ {
		out[x] = interpolate(byte(x), points)
	}
	wipePoints(points[:len(points)-1]) // the last one is the caller's secret
	return out, nil
}

// recoverSecret is RecoverSecret(T, points): the points must number exactly
// threshold, with distinct x and equal lengths (the caller checks). It
// fails with errDigest when the digest share does not match.
func recoverSecret(threshold int, points []point) ([]byte, bool) {
	if threshold == 1 {
		return append([]byte(nil), points[0].y...), true
	}
	secret := interpolate(secretIndex, points)
	d := interpolate(digestIndex, points)
	ok := hmac.Equal(shareDigest(d[digestBytes:], secret), d[:digestBytes])
	wipe(d)
	if !ok {
		wipe(secret)
		return nil, false
	}
	return secret, true
}

func wipePoints(ps []point) {
	for _, p := range ps {
		wipe(p.y)
	}
}
