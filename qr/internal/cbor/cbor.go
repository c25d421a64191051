// Package cbor reads and writes the small subset of deterministic CBOR
// (RFC 8949 §4.2) that Uniform Resources use: unsigned integers, byte and
// text strings, arrays, maps, tags and booleans, always in the shortest
// form and never with indefinite lengths.
//
// Writing appends to a byte slice. Reading goes through a Reader that
// refuses non-shortest heads, indefinite lengths, reserved values and any
// length that runs past the end of the input, so a decoded item always
// re-encodes to the same bytes.
package cbor

import (
	"errors"
	"fmt"
	"math"
)

// Major types.
const (
	MajorUint   = 0
	MajorNegInt = 1
	MajorBytes  = 2
	MajorText   = 3
	MajorArray  = 4
	MajorMap    = 5
	MajorTag    = 6
	MajorSimple = 7
)

// ErrTruncated reports input that ends inside an item.
var ErrTruncated = errors.New("cbor: input ends inside an item")

// FormatError describes CBOR that is malformed or not deterministic.
type FormatError struct {
	Offset int    // byte offset of the offending head
	Reason string // what is wrong, lower case
}

func (e *FormatError) Error() string {
	return fmt.Sprintf("cbor: byte %d: %s", e.Offset, e.Reason)
}

// AppendHead appends the shortest head for major type major and argument n.
func AppendHead(b []byte, major byte, n uint64) []byte {
	m := major << 5
	switch {
	case n < 24:
		return append(b, m|byte(n))
	case n <= math.MaxUint8:
		return append(b, m|24, byte(n))
	case n <= math.MaxUint16:
		return append(b, m|25, byte(n>>8), byte(n))
	case n <= math.MaxUint32:
		return append(b, m|26, byte(n>>24), byte(n>>16), byte(n>>8), byte(n))
	default:
		return append(b, m|27, byte(n>>56), byte(n>>48), byte(n>>40), byte(n>>32),
			byte(n>>24), byte(n>>16), byte(n>>8), byte(n))
	}
}

// AppendUint appends an unsigned integer.
func AppendUint(b []byte, n uint64) []byte { return AppendHead(b, MajorUint, n) }

// AppendBytes appends a byte string.
func AppendBytes(b, data []byte) []byte {
	b = AppendHead(b, MajorBytes, uint64(len(data)))
	return append(b, data...)
}

// AppendText appends a UTF-8 text string.
func AppendText(b []byte, s string) []byte {
	b = AppendHead(b, MajorText, uint64(len(s)))
	return append(b, s...)
}

// AppendArray appends the head of an array of n items.
func AppendArray(b []byte, n int) []byte { return AppendHead(b, MajorArray, uint64(n)) }

// AppendMap appends the head of a map of n pairs.
func AppendMap(b []byte, n int) []byte { return AppendHead(b, MajorMap, uint64(n)) }

// AppendTag appends a tag head.
func AppendTag(b []byte, tag uint64) []byte { return AppendHead(b, MajorTag, tag) }

// AppendBool appends true or false.
func AppendBool(b []byte, v bool) []byte {
	if v {
		return append(b, 0xf5)
	}
	return append(b, 0xf4)
}

// Reader reads deterministic CBOR items from a byte slice.
type Reader struct {
	data []byte
	off  int
}

// NewReader returns a Reader over data. It does not copy data.
func NewReader(data []byte) *Reader { return &Reader{data: data} }

// Offset is the number of bytes consumed so far.
func (r *Reader) Offset() int { return r.off }

// Done reports whether all input was consumed.
func (r *Reader) Done() bool { return r.off == len(r.data) }

// ExpectEnd fails unless all input was consumed.
func (r *Reader) ExpectEnd() error {
	if !r.Done() {
		return &FormatError{Offset: r.off, Reason: fmt.Sprintf("%d bytes after the end of the item", len(r.data)-r.off)}
	}
	return nil
}

// PeekMajor returns the major type of the next item without consuming it.
func (r *Reader) PeekMajor() (byte, error) {
	if r.off >= len(r.data) {
		return 0, ErrTruncated
	}
	return r.data[r.off] >> 5, nil
}

// Head reads one item head and returns its major type and argument.
// It refuses indefinite lengths, reserved additional information and
// arguments not written in their shortest form.
func (r *Reader) Head() (major byte, arg uint64, err error) {
	start := r.off
	if r.off >= len(r.data) {
		return 0, 0, ErrTruncated
	}
	ib := r.data[r.off]
	r.off++
	major, ai := ib>>5, ib&0x1f
	var size int
	switch {
	case ai < 24:
		return major, uint64(ai), nil
	case ai == 24:
		size = 1
	case ai == 25:
		size = 2
	case ai == 26:
		size = 4
	case ai == 27:
		size = 8
	case ai == 31:
		r.off = start
		return 0, 0, &FormatError{Offset: start, Reason: "indefinite length is not deterministic CBOR"}
	default:
		r.off = start
		return 0, 0, &FormatError{Offset: start, Reason: fmt.Sprintf("reserved additional information %d", ai)}
	}
	if len(r.data)-r.off < size {
		r.off = start
		return 0, 0, ErrTruncated
	}
	for i := 0; i < size; i++ {
		arg = arg<<8 | uint64(r.data[r.off+i])
	}
	r.off += size
	if major == MajorSimple {
		// Floats and simple values: only the shortest-form rule for
		// simple values applies here; callers reject floats.
		return major, arg, nil
	}
	var min uint64
	switch size {
	case 1:
		min = 24
	case 2:
		min = 1 << 8
	case 4:
		min = 1 << 16
	case 8:
		min = 1 << 32
	}
	if arg < min {
		r.off = start
		return 0, 0, &FormatError{Offset: start, Reason: "integer or length not in its shortest form"}
	}
	return major, arg, nil
}

func (r *Reader) expect(want byte, what string) (uint64, error) {
	start := r.off
	major, arg, err := r.Head()
	if err != nil {
		return 0, err
	}
	if major != want {
		r.off = start
		return 0, &FormatError{Offset: start, Reason: fmt.Sprintf("expected %s, found major type %d", what, major)}
	}
	return arg, nil
}

// Uint reads an unsigned integer.
func (r *Reader) Uint() (uint64, error) { return r.expect(MajorUint, "an unsigned integer") }

// Bytes reads a byte string of at most max bytes. The result aliases the
// input.
func (r *Reader) Bytes(max int) ([]byte, error) {
	start := r.off
	n, err := r.expect(MajorBytes, "a byte string")
	if err != nil {
		return nil, err
	}
	return r.take(start, n, max, "byte string")
}

// Text reads a text string of at most max bytes.
func (r *Reader) Text(max int) (string, error) {
	start := r.off
	n, err := r.expect(MajorText, "a text string")
	if err != nil {
		return "", err
	}
	b, err := r.take(start, n, max, "text string")
	return string(b), err
}

func (r *Reader) take(start int, n uint64, max int, what string) ([]byte, error) {
	if n > uint64(max) {
		r.off = start
		return nil, &FormatError{Offset: start, Reason: fmt.Sprintf("%s of %d bytes is longer than the limit of %d", what, n, max)}
	}
	if uint64(len(r.data)-r.off) < n {
		r.off = start
		return nil, ErrTruncated
	}
	b := r.data[r.off : r.off+int(n)]
	r.off += int(n)
	return b, nil
}

// Array reads an array head and returns its length, at most max.
func (r *Reader) Array(max int) (int, error) {
	start := r.off
	n, err := r.expect(MajorArray, "an array")
	if err != nil {
		return 0, err
	}
	if n > uint64(max) {
		r.off = start
		return 0, &FormatError{Offset: start, Reason: fmt.Sprintf("array of %d items is longer than the limit of %d", n, max)}
	}
	return int(n), nil
}

// Map reads a map head and returns its number of pairs, at most max.
func (r *Reader) Map(max int) (int, error) {
	start := r.off
	n, err := r.expect(MajorMap, "a map")
	if err != nil {
		return 0, err
	}
	if n > uint64(max) {
		r.off = start
		return 0, &FormatError{Offset: start, Reason: fmt.Sprintf("map of %d pairs is longer than the limit of %d", n, max)}
	}
	return int(n), nil
}

// Tag reads a tag head and returns the tag number.
func (r *Reader) Tag() (uint64, error) { return r.expect(MajorTag, "a tag") }

// Bool reads true or false.
func (r *Reader) Bool() (bool, error) {
	start := r.off
	if r.off >= len(r.data) {
		return false, ErrTruncated
	}
	switch r.data[r.off] {
	case 0xf4:
		r.off++
		return false, nil
	case 0xf5:
		r.off++
		return true, nil
	}
	return false, &FormatError{Offset: start, Reason: "expected true or false"}
}
