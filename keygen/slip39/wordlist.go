package slip39

import (
	_ "embed"
	"errors"
	"sort"
	"strings"
	"sync"
)

// wordlist.txt is a byte-for-byte copy of satoshilabs/slips
// slip-0039/wordlist.txt (see testdata/slip39/SOURCE); a test checks that
// it equals the copy kept under testdata.
//
//go:embed wordlist.txt
var wordlistText string

const (
	radixBits = 10
	radix     = 1 << radixBits // 1024 words
)

// wordTable is the parsed word list. It is built once and never changed.
type wordTable struct {
	words [radix]string
}

var errCorruptWordlist = errors.New("embedded SLIP-39 word list is corrupt")

// loadWords parses the embedded list once; it is read-only afterwards.
var loadWords = sync.OnceValues(func() (*wordTable, error) {
	lines := strings.Split(strings.TrimSuffix(wordlistText, "\n"), "\n")
	if len(lines) != radix {
		return nil, errCorruptWordlist
	}
	t := &wordTable{}
	for i, w := range lines {
		if len(w) < 4 || len(w) > 8 || (i > 0 && w <= lines[i-1]) {
			return nil, errCorruptWordlist
		}
		for j := range len(w) {
			if w[j] < 'a' || w[j] > 'z' {
				return nil, errCorruptWordlist
			}
		}
		t.words[i] = w
	}
	return t, nil
})

// index returns the position of word (lower-case ASCII) in the list.
func (t *wordTable) index(word []byte) (int, bool) {
	i := sort.Search(radix, func(i int) bool { return t.words[i] >= string(word) })
	if i < radix && t.words[i] == string(word) {
		return i, true
	}
	return 0, false
}

const maxSuggestions = 4

// suggest returns up to maxSuggestions words of the list close to word: the
// word with the same first four letters (every word has a unique 4-letter
// prefix), else the words at the smallest edit distance (at most 2).
func (t *wordTable) suggest(word []byte) []string {
	if len(word) >= 4 {
		prefix := string(word[:4])
		i := sort.SearchStrings(t.words[:], prefix)
		if i < radix && strings.HasPrefix(t.words[i], prefix) {
			return []string{t.words[i]}
		}
	}
	if len(word) > 16 {
		return nil
	}
	var best []string
	bestDist := 3
	for _, w := range t.words {
		d := editDistance(word, w)
		switch {
		case d < bestDist:
			bestDist = d
			best = append(best[:0], w)
		case d == bestDist && len(best) < maxSuggestions:
			best = append(best, w)
		}
	}
	return best
}

// editDistance is the optimal-string-alignment distance (insertions,
// deletions, substitutions and transpositions of adjacent letters).
func editDistance(a []byte, b string) int {
	n, m := len(a), len(b)
	// Three rows of the dynamic-programming table suffice.
	prev2 := make([]int, m+1)
	prev := make([]int, m+1)
	cur := make([]int, m+1)
	for j := range m + 1 {
		prev[j] = j
	}
	for i := 1; i <= n; i++ {
		cur[0] = i
		for j := 1; j <= m; j++ {
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
	return prev[m]
}
