package fountain

import (
	"fmt"
	"math/bits"

	"github.com/coffer-custody/coffer/qr/bytewords"
)

// Limits bound what a decoder accepts. Zero fields take the defaults.
type Limits struct {
	// MaxMessageLen is the longest message accepted, in bytes.
	// Default 64 MiB.
	MaxMessageLen int
	// MaxSeqLen is the largest number of fragments accepted. The decoder
	// holds up to MaxSeqLen rows of MaxSeqLen bits (32 MiB at the
	// default of 16384) besides the fragments themselves.
	MaxSeqLen int
}

// Default limits.
const (
	DefaultMaxMessageLen = 64 << 20
	DefaultMaxSeqLen     = 16384
)

func (l Limits) withDefaults() Limits {
	if l.MaxMessageLen <= 0 {
		l.MaxMessageLen = DefaultMaxMessageLen
	}
	if l.MaxSeqLen <= 0 {
		l.MaxSeqLen = DefaultMaxSeqLen
	}
	return l
}

// MismatchError reports a part of another message: one of its header
// fields differs from the parts received before.
type MismatchError struct {
	Field     string // "seqLen", "messageLen", "checksum" or "fragment length"
	Got, Want uint64
}

func (e *MismatchError) Error() string {
	return fmt.Sprintf("fountain part belongs to another message: %s is %d, not %d", e.Field, e.Got, e.Want)
}

// InconsistentError reports a part whose data contradicts the parts
// already received: it covers fragments that are already known, and its
// data is not what they XOR to. The part is not used.
type InconsistentError struct {
	SeqNum uint32
}

func (e *InconsistentError) Error() string {
	return fmt.Sprintf("fountain part %d contradicts the parts already received", e.SeqNum)
}

// ChecksumError reports a rebuilt message whose CRC-32 is not the one its
// parts announced, or whose last fragment is not padded with zeros.
type ChecksumError struct {
	Got, Want  uint32
	BadPadding bool
}

func (e *ChecksumError) Error() string {
	if e.BadPadding {
		return "fountain: rebuilt message is not padded with zeros after its last byte"
	}
	return fmt.Sprintf("fountain: rebuilt message has checksum %08x, not %08x", e.Got, e.Want)
}

// row is one equation: the XOR of the fragments whose bits are set equals
// data. A row with one fragment keeps no bit set (single).
type row struct {
	bits   []uint64
	data   []byte
	single bool
}

// Progress describes how far a decoder is.
type Progress struct {
	Received int // valid parts of this message received, repeats included
	Useful   int // independent equations held (fragments' worth of information)
	SeqLen   int // fragments in the message, 0 before the first part
}

// Percent estimates completion from 0 to 100.
func (p Progress) Percent() float64 {
	if p.SeqLen == 0 {
		return 0
	}
	return 100 * float64(p.Useful) / float64(p.SeqLen)
}

// Decoder rebuilds one message from its parts.
type Decoder struct {
	lim Limits

	started    bool
	seqLen     int
	messageLen int
	fragLen    int
	checksum   uint32
	words      int
	sampler    *sampler

	pivots   []*row
	rank     int
	received int

	message []byte
	err     error
}

// NewDecoder returns a decoder bounded by lim.
func NewDecoder(lim Limits) *Decoder { return &Decoder{lim: lim.withDefaults()} }

// Reset forgets everything received.
func (d *Decoder) Reset() { *d = Decoder{lim: d.lim} }

// Started reports whether a first part has fixed the message.
func (d *Decoder) Started() bool { return d.started }

// Complete reports whether the message is rebuilt.
func (d *Decoder) Complete() bool { return d.message != nil }

// Checksum is the CRC-32 announced by the first part.
func (d *Decoder) Checksum() uint32 { return d.checksum }

// MessageLen is the message length announced by the first part.
func (d *Decoder) MessageLen() int { return d.messageLen }

// Progress reports the parts received so far.
func (d *Decoder) Progress() Progress {
	return Progress{Received: d.received, Useful: d.rank, SeqLen: d.seqLen}
}

// Message returns the rebuilt message, or nil before completion.
func (d *Decoder) Message() []byte { return d.message }

// Err returns the error that stopped the decoder (a *ChecksumError), if
// any.
func (d *Decoder) Err() error { return d.err }

// Receive adds a part. It reports whether the part added information.
// Parts of the same message received after completion are ignored. A part that is malformed,
// of another message or inconsistent is refused with an error and leaves
// the decoder as it was.
func (d *Decoder) Receive(p Part) (bool, error) {
	if d.err != nil {
		return false, d.err
	}
	if err := p.check(); err != nil {
		return false, err
	}
	if p.SeqLen > d.lim.MaxSeqLen {
		return false, &PartError{Reason: fmt.Sprintf("seqLen %d is above the limit of %d", p.SeqLen, d.lim.MaxSeqLen)}
	}
	if p.MessageLen > d.lim.MaxMessageLen {
		return false, &PartError{Reason: fmt.Sprintf("messageLen %d is above the limit of %d", p.MessageLen, d.lim.MaxMessageLen)}
	}
	if !d.started {
		d.start(p)
	} else if err := d.matches(p); err != nil {
		return false, err
	}
	if d.message != nil {
		return false, nil
	}
	d.received++

	r := &row{data: append([]byte(nil), p.Data...)}
	idx := chooseFragments(p.SeqNum, d.seqLen, d.checksum, d.sampler)
	if len(idx) == 1 {
		if d.pivots[idx[0]] == nil {
			r.single = true
			d.place(idx[0], r)
			return true, d.finish()
		}
		r.bits = make([]uint64, d.words)
		r.bits[idx[0]/64] |= 1 << (idx[0] % 64)
	} else {
		r.bits = make([]uint64, d.words)
		for _, i := range idx {
			r.bits[i/64] |= 1 << (i % 64)
		}
	}
	useful, err := d.insert(r, p.SeqNum)
	if err != nil || !useful {
		return false, err
	}
	return true, d.finish()
}

func (d *Decoder) start(p Part) {
	d.started = true
	d.seqLen = p.SeqLen
	d.messageLen = p.MessageLen
	d.fragLen = len(p.Data)
	d.checksum = p.Checksum
	d.words = (p.SeqLen + 63) / 64
	d.pivots = make([]*row, p.SeqLen)
	d.sampler = degreeSampler(p.SeqLen)
}

func (d *Decoder) matches(p Part) error {
	switch {
	case p.Checksum != d.checksum:
		return &MismatchError{Field: "checksum", Got: uint64(p.Checksum), Want: uint64(d.checksum)}
	case p.MessageLen != d.messageLen:
		return &MismatchError{Field: "messageLen", Got: uint64(p.MessageLen), Want: uint64(d.messageLen)}
	case p.SeqLen != d.seqLen:
		return &MismatchError{Field: "seqLen", Got: uint64(p.SeqLen), Want: uint64(d.seqLen)}
	case len(p.Data) != d.fragLen:
		return &MismatchError{Field: "fragment length", Got: uint64(len(p.Data)), Want: uint64(d.fragLen)}
	}
	return nil
}

func (d *Decoder) place(c int, r *row) {
	d.pivots[c] = r
	d.rank++
}

// insert reduces r by the rows held (each pivot row's lowest set bit is
// its pivot, so the lowest set bit of r only moves up) and keeps it under
// its new pivot if anything is left.
func (d *Decoder) insert(r *row, seqNum uint32) (bool, error) {
	w := 0
	for {
		for w < d.words && r.bits[w] == 0 {
			w++
		}
		if w == d.words {
			for _, b := range r.data {
				if b != 0 {
					return false, &InconsistentError{SeqNum: seqNum}
				}
			}
			return false, nil
		}
		c := w*64 + bits.TrailingZeros64(r.bits[w])
		p := d.pivots[c]
		if p == nil {
			ones := 0
			for _, x := range r.bits[w:] {
				ones += bits.OnesCount64(x)
			}
			if ones == 1 {
				r.bits, r.single = nil, true
			}
			d.place(c, r)
			return true, nil
		}
		xorInto(r.data, p.data)
		if p.single {
			r.bits[w] &^= 1 << (c % 64)
		} else {
			for i := w; i < d.words; i++ {
				r.bits[i] ^= p.bits[i]
			}
		}
	}
}

// finish rebuilds the message once every fragment has a pivot.
func (d *Decoder) finish() error {
	if d.rank < d.seqLen {
		return nil
	}
	// Back-substitute from the highest pivot down: every bit above c
	// refers to a fragment already solved.
	for c := d.seqLen - 1; c >= 0; c-- {
		r := d.pivots[c]
		if r.single {
			continue
		}
		for w := c / 64; w < d.words; w++ {
			x := r.bits[w]
			if w == c/64 {
				x &^= (uint64(2) << (c % 64)) - 1 // keep bits above c
			}
			for x != 0 {
				j := w*64 + bits.TrailingZeros64(x)
				x &= x - 1
				xorInto(r.data, d.pivots[j].data)
			}
		}
		r.bits, r.single = nil, true
	}
	msg := make([]byte, d.seqLen*d.fragLen)
	for i, r := range d.pivots {
		copy(msg[i*d.fragLen:], r.data)
	}
	pad, msg := msg[d.messageLen:], msg[:d.messageLen]
	got := bytewords.Checksum(msg)
	if got != d.checksum {
		d.err = &ChecksumError{Got: got, Want: d.checksum}
		return d.err
	}
	for _, b := range pad {
		if b != 0 {
			d.err = &ChecksumError{Got: got, Want: d.checksum, BadPadding: true}
			return d.err
		}
	}
	d.pivots = nil
	d.message = msg
	return nil
}
