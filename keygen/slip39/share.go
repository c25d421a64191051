package slip39

import (
	"crypto/subtle"
	"fmt"
)

const (
	idBits            = 15
	idExpWords        = 2 // identifier, extendable flag and iteration exponent
	metadataWords     = 7 // four words of header and three of checksum
	minSecretBytes    = 16
	maxSecretBytes    = 64 // a BIP-32 seed is at most 512 bits
	maxShares         = 16
	minMnemonicWords  = metadataWords + (minSecretBytes*8+radixBits-1)/radixBits // 20
	maxMnemonicWords  = metadataWords + (maxSecretBytes*8+radixBits-1)/radixBits // 59
	maxMnemonicLength = maxMnemonicWords * 24                                    // bytes, generous for spacing
)

// Share is one SLIP-39 share: the parameters printed in its first words and
// the secret share value. Create shares with Split or ParseShare; the zero
// value is not a share. The value never leaves through String or Format;
// call Mnemonic to write the share down and Wipe when done with it.
//
// Indices are the x values of the specification, counted from 0; messages
// for people count from 1.
type Share struct {
	Identifier        uint16 // 15-bit random identifier common to the set
	Extendable        bool   // extendable backup flag
	IterationExponent int    // PBKDF2 iterations are 10000·2^IterationExponent
	GroupIndex        int    // 0..15
	GroupThreshold    int    // groups needed, 1..16
	GroupCount        int    // groups in the set, 1..16
	MemberIndex       int    // 0..15
	MemberThreshold   int    // shares of this group needed, 1..16

	value []byte
	_     [0]func() // not comparable with ==
}

// SecretBits is the length of the shared (encrypted master) secret in bits.
func (s *Share) SecretBits() int { return 8 * len(s.value) }

// Wipe zeroes the share value. The share is unusable afterwards.
func (s *Share) Wipe() {
	if s == nil {
		return
	}
	wipe(s.value)
	s.value = nil
}

// String describes the share without its value.
func (s *Share) String() string {
	if s == nil {
		return "slip39.Share(nil)"
	}
	return fmt.Sprintf("slip39 share (identifier %d, group %d of %d needing %d, member %d needing %d, %d-bit value redacted)",
		s.Identifier, s.GroupIndex+1, s.GroupCount, s.GroupThreshold, s.MemberIndex+1, s.MemberThreshold, s.SecretBits())
}

// Format prints String for every verb, so %v, %+v, %#v and %x never show
// the value.
func (s *Share) Format(f fmt.State, _ rune) { fmt.Fprint(f, s.String()) }

// sameValue reports whether two shares carry equal values, in constant time.
func (s *Share) sameValue(o *Share) bool {
	return subtle.ConstantTimeCompare(s.value, o.value) == 1
}

// Mnemonic returns the share as words separated by single spaces, in a new
// buffer the caller wipes after use.
func (s *Share) Mnemonic() ([]byte, error) {
	t, err := loadWords()
	if err != nil {
		return nil, err
	}
	if err := s.check(); err != nil {
		return nil, err
	}
	idx := s.wordIndices()
	defer wipeInts(idx)
	size := 0
	for _, i := range idx {
		size += len(t.words[i]) + 1
	}
	out := make([]byte, 0, size)
	for k, i := range idx {
		if k > 0 {
			out = append(out, ' ')
		}
		out = append(out, t.words[i]...)
	}
	return out, nil
}

// check validates the fields of a share built in this package or by a caller.
func (s *Share) check() error {
	switch {
	case s == nil || s.value == nil:
		return &FormatError{Reason: "share has no value (wiped or not made by Split or ParseShare)"}
	case s.Identifier >= 1<<idBits:
		return &FormatError{Reason: fmt.Sprintf("identifier %d does not fit in 15 bits", s.Identifier)}
	case s.IterationExponent < 0 || s.IterationExponent > maxIterationExp:
		return &FormatError{Reason: fmt.Sprintf("iteration exponent %d is outside 0..15", s.IterationExponent)}
	case s.GroupCount < 1 || s.GroupCount > maxShares:
		return &FormatError{Reason: fmt.Sprintf("group count %d is outside 1..16", s.GroupCount)}
	case s.GroupThreshold < 1 || s.GroupThreshold > s.GroupCount:
		return &FormatError{Reason: fmt.Sprintf("group threshold %d is outside 1..%d (the group count)", s.GroupThreshold, s.GroupCount)}
	case s.GroupIndex < 0 || s.GroupIndex >= s.GroupCount:
		return &FormatError{Reason: fmt.Sprintf("group %d is outside 1..%d (the group count)", s.GroupIndex+1, s.GroupCount)}
	case s.MemberThreshold < 1 || s.MemberThreshold > maxShares:
		return &FormatError{Reason: fmt.Sprintf("member threshold %d is outside 1..16", s.MemberThreshold)}
	case s.MemberIndex < 0 || s.MemberIndex >= maxShares:
		return &FormatError{Reason: fmt.Sprintf("member %d is outside 1..16", s.MemberIndex+1)}
	case len(s.value) < minSecretBytes || len(s.value) > maxSecretBytes || len(s.value)%2 != 0:
		return &FormatError{Reason: fmt.Sprintf("share value of %d bits: SLIP-39 needs an even number of bytes, 128 to 512 bits", 8*len(s.value))}
	}
	return nil
}

// wordIndices encodes the share as 10-bit word indices, checksum included.
func (s *Share) wordIndices() []int {
	valueWords := (8*len(s.value) + radixBits - 1) / radixBits
	pad := valueWords*radixBits - 8*len(s.value)
	idx := make([]int, 0, metadataWords+valueWords)

	ext := 0
	if s.Extendable {
		ext = 1
	}
	head := uint64(s.Identifier)<<25 | uint64(ext)<<24 | uint64(s.IterationExponent)<<20 |
		uint64(s.GroupIndex)<<16 | uint64(s.GroupThreshold-1)<<12 | uint64(s.GroupCount-1)<<8 |
		uint64(s.MemberIndex)<<4 | uint64(s.MemberThreshold-1)
	for k := 3; k >= 0; k-- {
		idx = append(idx, int(head>>(radixBits*k))&(radix-1))
	}

	// Left-pad the value with zero bits to a multiple of 10 bits.
	var acc uint32
	n := pad
	for _, b := range s.value {
		acc = acc<<8 | uint32(b)
		n += 8
		for n >= radixBits {
			n -= radixBits
			idx = append(idx, int(acc>>n)&(radix-1))
		}
		acc &= 1<<n - 1
	}
	cs := rs1024Checksum(s.Extendable, idx)
	idx = append(idx, cs[:]...)
	return idx
}

// ParseShare decodes one share mnemonic: words of the SLIP-39 list separated
// by spaces, tabs or line breaks, in any letter case. It checks the word
// count, every word, the checksum, the padding and the field values. The
// returned share holds a copy of the value; m is not retained.
func ParseShare(m []byte) (*Share, error) {
	t, err := loadWords()
	if err != nil {
		return nil, err
	}
	if len(m) > maxMnemonicLength {
		return nil, &FormatError{Reason: fmt.Sprintf("input of %d bytes is too long for a share (at most %d words)", len(m), maxMnemonicWords)}
	}
	idx := make([]int, 0, maxMnemonicWords)
	defer func() { wipeInts(idx[:cap(idx)]) }()
	var word [maxMnemonicLength]byte
	count := 0
	for i := 0; i < len(m); {
		if isSpace(m[i]) {
			i++
			continue
		}
		j := i
		for j < len(m) && !isSpace(m[j]) {
			j++
		}
		count++
		if count > maxMnemonicWords {
			wipe(word[:])
			return nil, &FormatError{Reason: fmt.Sprintf("more than %d words", maxMnemonicWords)}
		}
		w := word[:j-i]
		for k := range w {
			c := m[i+k]
			if 'A' <= c && c <= 'Z' {
				c += 'a' - 'A'
			}
			w[k] = c
		}
		v, ok := t.index(w)
		if !ok {
			err := &WordError{Position: count, Suggestions: t.suggest(w)}
			wipe(word[:])
			return nil, err
		}
		idx = append(idx, v)
		i = j
	}
	wipe(word[:])
	return decodeIndices(idx)
}

func isSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f'
}

func decodeIndices(idx []int) (*Share, error) {
	n := len(idx)
	if n < minMnemonicWords {
		return nil, &FormatError{Reason: fmt.Sprintf("%d words, a share has at least %d", n, minMnemonicWords)}
	}
	valueWords := n - metadataWords
	pad := (radixBits * valueWords) % 16
	if pad > 8 {
		return nil, &FormatError{Reason: fmt.Sprintf("%d words is not a possible share size", n)}
	}
	ext := idx[1]>>4&1 == 1
	if !rs1024Verify(ext, idx) {
		return nil, fmt.Errorf("share of %d words: %w", n, ErrChecksum)
	}
	head := uint64(idx[0])<<30 | uint64(idx[1])<<20 | uint64(idx[2])<<10 | uint64(idx[3])
	s := &Share{
		Identifier:        uint16(head >> 25),
		Extendable:        ext,
		IterationExponent: int(head>>20) & 15,
		GroupIndex:        int(head>>16) & 15,
		GroupThreshold:    int(head>>12)&15 + 1,
		GroupCount:        int(head>>8)&15 + 1,
		MemberIndex:       int(head>>4) & 15,
		MemberThreshold:   int(head)&15 + 1,
	}

	data := idx[4 : n-checksumWords]
	value := make([]byte, 0, (radixBits*valueWords-pad)/8)
	var acc uint32
	bits := 0
	first := true
	var padBits uint32
	for _, w := range data {
		acc = acc<<radixBits | uint32(w)
		bits += radixBits
		if first {
			first = false
			padBits = acc >> (bits - pad)
			bits -= pad
			acc &= 1<<bits - 1
		}
		for bits >= 8 {
			bits -= 8
			value = append(value, byte(acc>>bits))
		}
		acc &= 1<<bits - 1
	}
	if padBits != 0 {
		wipe(value)
		return nil, &FormatError{Reason: "padding bits are not zero"}
	}
	s.value = value
	if err := s.check(); err != nil {
		s.Wipe()
		return nil, err
	}
	return s, nil
}

func wipeInts(v []int) {
	clear(v)
}
