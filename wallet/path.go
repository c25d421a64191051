package wallet

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/btcsuite/btcd/btcutil/hdkeychain"
)

// Hardened is added to a path step to make it hardened (BIP32 index 2^31).
const Hardened uint32 = hdkeychain.HardenedKeyStart

// maxPathDepth is the deepest a BIP32 key can be (its depth is one byte).
const maxPathDepth = 255

// Path is a BIP32 derivation path from a master key; hardened steps carry
// the Hardened bit. The empty path is the master key itself ("m").
type Path []uint32

// ParsePath reads a derivation path such as "m/84'/1'/0'", "m/84h/1h/0h",
// "84H/1H/0H" or "m". Each step is a decimal below 2^31, hardened when it
// ends in h, H or '. The leading "m/" is optional.
func ParsePath(s string) (Path, error) {
	rest := s
	switch {
	case rest == "m" || rest == "M":
		return Path{}, nil
	case strings.HasPrefix(rest, "m/") || strings.HasPrefix(rest, "M/"):
		rest = rest[2:]
	case rest == "":
		return nil, fmt.Errorf("path is empty; write m for the master key")
	}
	parts := strings.Split(rest, "/")
	if len(parts) > maxPathDepth {
		return nil, fmt.Errorf("path %q has %d steps, more than %d", s, len(parts), maxPathDepth)
	}
	p := make(Path, 0, len(parts))
	for i, part := range parts {
		v, err := parseStep(part, "hH'")
		if err != nil {
			return nil, fmt.Errorf("path %q: step %d: %w", s, i+1, err)
		}
		p = append(p, v)
	}
	return p, nil
}

// parseStep reads one path step: a decimal below 2^31 optionally followed by
// one of the hardened markers given.
func parseStep(s, markers string) (uint32, error) {
	num, hard := s, false
	if n := len(s); n > 0 && strings.IndexByte(markers, s[n-1]) >= 0 {
		num, hard = s[:n-1], true
	}
	if num == "" {
		return 0, fmt.Errorf("%q is not a number", s)
	}
	for i := 0; i < len(num); i++ {
		if num[i] < '0' || num[i] > '9' {
			if len(s) > 12 {
				// Long text in a path step may be a key pasted in the
				// wrong place: do not repeat it.
				return 0, fmt.Errorf("a %d-character step is not a number with an optional hardened marker (%s)", len(s), markersList(markers))
			}
			return 0, fmt.Errorf("%q is not a number with an optional hardened marker (%s)", s, markersList(markers))
		}
	}
	if len(num) > 10 {
		return 0, fmt.Errorf("a %d-digit index is out of range (at most 2147483647)", len(num))
	}
	v, err := strconv.ParseUint(num, 10, 32)
	if err != nil || v >= uint64(Hardened) {
		return 0, fmt.Errorf("index %s is out of range (at most 2147483647)", num)
	}
	if hard {
		return uint32(v) | Hardened, nil
	}
	return uint32(v), nil
}

func markersList(markers string) string {
	out := make([]string, len(markers))
	for i := range markers {
		out[i] = markers[i : i+1]
	}
	return strings.Join(out, " ")
}

// String writes p as "m/84h/1h/0h" ("m" for the empty path).
func (p Path) String() string { return p.format(true, 'h') }

// Unprefixed writes p as "84h/1h/0h", the form used inside a descriptor's
// key origin; the empty path gives "".
func (p Path) Unprefixed() string { return p.format(false, 'h') }

// Apostrophe writes p as "m/84'/1'/0'", the form some wallets want.
func (p Path) Apostrophe() string { return p.format(true, '\'') }

func (p Path) format(prefix bool, mark byte) string {
	var b strings.Builder
	if prefix {
		b.WriteByte('m')
	}
	for i, v := range p {
		if prefix || i > 0 {
			b.WriteByte('/')
		}
		b.WriteString(formatStep(v, mark))
	}
	return b.String()
}

func formatStep(v uint32, mark byte) string {
	if v >= Hardened {
		return strconv.FormatUint(uint64(v-Hardened), 10) + string(mark)
	}
	return strconv.FormatUint(uint64(v), 10)
}

// Child returns a new path: p followed by steps. p is not modified.
func (p Path) Child(steps ...uint32) Path {
	out := make(Path, 0, len(p)+len(steps))
	return append(append(out, p...), steps...)
}

// Equal reports whether p and q have the same steps.
func (p Path) Equal(q Path) bool {
	if len(p) != len(q) {
		return false
	}
	for i := range p {
		if p[i] != q[i] {
			return false
		}
	}
	return true
}

// HasPrefix reports whether p starts with the steps of q.
func (p Path) HasPrefix(q Path) bool { return len(p) >= len(q) && p[:len(q)].Equal(q) }

// IsHardened reports whether any step of p is hardened.
func (p Path) IsHardened() bool {
	for _, v := range p {
		if v >= Hardened {
			return true
		}
	}
	return false
}
