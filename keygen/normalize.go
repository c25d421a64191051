package keygen

import (
	"runtime"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"

	"github.com/coffer-custody/coffer/internal/secret"
)

// Canonical returns the canonical form of a mnemonic as BIP39 hashes it:
// Unicode NFKD, the words split on any run of Unicode white space (including
// tabs, new lines and the ideographic space U+3000) and joined with one ASCII
// space, with no space at either end. It does not check the words. The result
// is a new slice; m is not changed. The caller wipes both.
func Canonical(m []byte) []byte {
	d := nfkd(m)
	defer secret.Wipe(d)

	n := 0 // length of the result
	forEachWord(d, func(w []byte) {
		if n > 0 {
			n++
		}
		n += len(w)
	})
	out := make([]byte, 0, n) // exact size: append never moves the secret
	forEachWord(d, func(w []byte) {
		if len(out) > 0 {
			out = append(out, ' ')
		}
		out = append(out, w...)
	})
	return out
}

// forEachWord calls f with each run of bytes between Unicode white space.
// Bytes that are not valid UTF-8 belong to words.
func forEachWord(b []byte, f func(word []byte)) {
	start := -1
	for i := 0; i < len(b); {
		r, size := utf8.DecodeRune(b[i:])
		if unicode.IsSpace(r) {
			if start >= 0 {
				f(b[start:i])
				start = -1
			}
		} else if start < 0 {
			start = i
		}
		i += size
	}
	if start >= 0 {
		f(b[start:])
	}
}

// nfkd returns the NFKD form of b in a new slice of exactly its size. It
// walks b twice with a norm.Iter, which keeps its working copies inside the
// Iter value, so that they can be wiped; norm.NFKD.Bytes would grow buffers
// and leave copies of the secret behind.
func nfkd(b []byte) []byte {
	var it norm.Iter
	defer func() { // wipe the iterator's buffers
		it = norm.Iter{}
		runtime.KeepAlive(&it)
	}()

	n := 0
	it.Init(norm.NFKD, b)
	for !it.Done() {
		n += len(it.Next())
	}
	out := make([]byte, 0, n)
	it.Init(norm.NFKD, b)
	for !it.Done() {
		out = append(out, it.Next()...)
	}
	return out
}
