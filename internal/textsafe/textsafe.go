// Package textsafe makes outside text fit to quote in a message: a policy
// file's value, a key's comment, a name from a PSBT. Call Clip before text
// that Coffer did not write reaches a terminal.
//
// # Security
//
// Control characters (C0, DEL, C1) and Unicode format characters (bidi
// overrides and isolates, zero-width joiners) are replaced with '?', so
// quoted text cannot move the cursor, recolour the terminal, or reorder what
// the officer reads.
package textsafe

import (
	"strings"
	"unicode"
)

// Clip returns s with every control and format character replaced by '?',
// cut to at most max runes (then ending in "…").
func Clip(s string, max int) string {
	var b strings.Builder
	n := 0
	for _, r := range s {
		if n == max {
			b.WriteString("…")
			break
		}
		if unicode.IsControl(r) || unicode.Is(unicode.Cf, r) || r == unicode.ReplacementChar {
			r = '?'
		}
		b.WriteRune(r)
		n++
	}
	return b.String()
}
