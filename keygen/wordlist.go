package keygen

import (
	"cmp"
	_ "embed"
	"slices"
	"strings"

	"github.com/coffer-custody/coffer/internal/secret"
)

// englishTxt is the BIP39 English word list, byte for byte the file
// bip-0039/english.txt of bitcoin/bips (sha256 2f5eed53…24dbda; the tests
// check it). A string cannot be changed, so the list is no mutable state.
//
//go:embed english.txt
var englishTxt string

const (
	wordCount    = 2048 // words in a BIP39 list
	bitsPerWord  = 11   // log2(wordCount)
	maxSuggested = 3    // closest words offered for a mistyped one
)

// wordList is the English list split into words. It is built for each call
// that needs it (a few microseconds) so that the package holds no state.
type wordList []string

func english() wordList {
	return wordList(strings.Split(strings.TrimSuffix(englishTxt, "\n"), "\n"))
}

// index returns the position of w in the list. The English list is sorted,
// so a binary search finds it.
func (l wordList) index(w []byte) (int, bool) {
	return slices.BinarySearchFunc(l, w, func(e string, t []byte) int {
		return -compare(t, e)
	})
}

// compare orders b and s like strings.Compare without converting b to a
// string, which would leave an unwipeable copy of a secret word.
func compare(b []byte, s string) int {
	for i := 0; i < len(b) && i < len(s); i++ {
		switch {
		case b[i] < s[i]:
			return -1
		case b[i] > s[i]:
			return 1
		}
	}
	return len(b) - len(s)
}

// hasPrefix reports whether s starts with the bytes of p.
func hasPrefix(s string, p []byte) bool {
	return len(s) >= len(p) && compare(p, s[:len(p)]) == 0
}

// suggest returns up to maxSuggested list words closest to the unknown word
// w: first the word that shares its first four letters (every English word is
// unique in its first four), then the words at the smallest edit distance
// (insertions, deletions, substitutions and swaps of neighbours), at most 2;
// ties go to the longer common prefix (typing slips are rarer at the start of
// a word), then to list order. Upper case ASCII is compared as lower case.
func (l wordList) suggest(w []byte) []string {
	if len(w) > 32 {
		return nil // far longer than any list word (8 letters at most)
	}
	var low [32]byte
	typed := low[:len(w)]
	for i, c := range w {
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		typed[i] = c
	}
	defer secret.Wipe(typed)

	type candidate struct {
		word           string
		rank, distance int // rank 0: same first four letters
		prefix         int // letters in common at the start
	}
	var cands []candidate
	for _, word := range l {
		if abs(len(word)-len(typed)) > maxEditDistance {
			continue
		}
		c := candidate{word: word, rank: 1, distance: editDistance(typed, word), prefix: commonPrefix(typed, word)}
		if len(typed) >= 4 && c.prefix >= 4 {
			c.rank = 0
		}
		if c.rank == 0 || c.distance <= maxEditDistance {
			cands = append(cands, c)
		}
	}
	if len(typed) >= 4 { // the prefix match may be longer than the distance allows
		if i, _ := l.index(typed[:4]); i < len(l) && hasPrefix(l[i], typed[:4]) && abs(len(l[i])-len(typed)) > maxEditDistance {
			cands = append(cands, candidate{word: l[i], rank: 0})
		}
	}
	slices.SortStableFunc(cands, func(a, b candidate) int {
		return cmp.Or(cmp.Compare(a.rank, b.rank), cmp.Compare(a.distance, b.distance), cmp.Compare(b.prefix, a.prefix))
	})
	var out []string
	for _, c := range cands[:min(len(cands), maxSuggested)] {
		out = append(out, c.word)
	}
	return out
}

// maxEditDistance is the farthest a suggested word may be from the typed one.
const maxEditDistance = 2

// commonPrefix returns how many leading bytes a and b share.
func commonPrefix(a []byte, b string) int {
	n := 0
	for n < len(a) && n < len(b) && a[n] == b[n] {
		n++
	}
	return n
}

// editDistance is the optimal string alignment distance between a and b:
// the fewest insertions, deletions, substitutions and swaps of two
// neighbouring letters that turn a into b. Both are at most 32 bytes.
func editDistance(a []byte, b string) int {
	// Three rows of the dynamic programme: two back, one back, current.
	var r0, r1, r2 [33]int
	prev2, prev, cur := r0[:len(b)+1], r1[:len(b)+1], r2[:len(b)+1]
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && a[i-1] == b[j-2] && a[i-2] == b[j-1] {
				cur[j] = min(cur[j], prev2[j-2]+1)
			}
		}
		prev2, prev, cur = prev, cur, prev2
	}
	return prev[len(b)]
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}
