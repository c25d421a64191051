package cbor

import (
	"encoding/hex"
	"errors"
	"testing"
)

func TestAppendHeadShortest(t *testing.T) {
	tests := []struct {
		n    uint64
		want string
	}{
		{0, "00"}, {23, "17"}, {24, "1818"}, {255, "18ff"}, {256, "190100"},
		{65535, "19ffff"}, {65536, "1a00010000"}, {0xffffffff, "1affffffff"},
		{0x100000000, "1b0000000100000000"},
	}
	for _, tc := range tests {
		b := AppendUint(nil, tc.n)
		if hex.EncodeToString(b) != tc.want {
			t.Errorf("AppendUint(%d) = %x, want %s", tc.n, b, tc.want)
		}
		got, err := NewReader(b).Uint()
		if err != nil || got != tc.n {
			t.Errorf("Uint(%x) = %d, %v", b, got, err)
		}
	}
	// RFC 8949 appendix A examples for the other writers.
	if got := hex.EncodeToString(AppendText(nil, "IETF")); got != "6449455446" {
		t.Errorf("text: %s", got)
	}
	if got := hex.EncodeToString(AppendBytes(nil, []byte{1, 2, 3, 4})); got != "4401020304" {
		t.Errorf("bytes: %s", got)
	}
	if got := hex.EncodeToString(AppendTag(AppendArray(AppendMap(nil, 1), 2), 1)); got != "a182c1" {
		t.Errorf("heads: %s", got)
	}
	if got := hex.EncodeToString(AppendBool(AppendBool(nil, false), true)); got != "f4f5" {
		t.Errorf("bools: %s", got)
	}
}

func TestReaderRefuses(t *testing.T) {
	var fe *FormatError
	tests := []struct {
		name string
		hex  string
		read func(r *Reader) error
		want error // ErrTruncated, or nil for a *FormatError
	}{
		{"non-minimal 1-byte", "1817", func(r *Reader) error { _, err := r.Uint(); return err }, nil},
		{"non-minimal 2-byte", "1900ff", func(r *Reader) error { _, err := r.Uint(); return err }, nil},
		{"non-minimal 4-byte", "1a0000ffff", func(r *Reader) error { _, err := r.Uint(); return err }, nil},
		{"non-minimal 8-byte", "1b00000000ffffffff", func(r *Reader) error { _, err := r.Uint(); return err }, nil},
		{"reserved", "1c", func(r *Reader) error { _, err := r.Uint(); return err }, nil},
		{"indefinite bytes", "5f41ff", func(r *Reader) error { _, err := r.Bytes(10); return err }, nil},
		{"wrong major", "40", func(r *Reader) error { _, err := r.Uint(); return err }, nil},
		{"bytes over limit", "43010203", func(r *Reader) error { _, err := r.Bytes(2); return err }, nil},
		{"array over limit", "83010203", func(r *Reader) error { _, err := r.Array(2); return err }, nil},
		{"map over limit", "a20102", func(r *Reader) error { _, err := r.Map(1); return err }, nil},
		{"not a bool", "f6", func(r *Reader) error { _, err := r.Bool(); return err }, nil},
		{"trailing", "0000", func(r *Reader) error { r.Uint(); return r.ExpectEnd() }, nil},
		{"truncated head", "19ff", func(r *Reader) error { _, err := r.Uint(); return err }, ErrTruncated},
		{"truncated bytes", "4301", func(r *Reader) error { _, err := r.Bytes(10); return err }, ErrTruncated},
		{"empty", "", func(r *Reader) error { _, err := r.Tag(); return err }, ErrTruncated},
		{"huge length", "5bffffffffffffffff", func(r *Reader) error { _, err := r.Bytes(1 << 30); return err }, nil},
	}
	for _, tc := range tests {
		b, _ := hex.DecodeString(tc.hex)
		r := NewReader(b)
		err := tc.read(r)
		if tc.want != nil {
			if !errors.Is(err, tc.want) {
				t.Errorf("%s: %v, want %v", tc.name, err, tc.want)
			}
		} else if !errors.As(err, &fe) {
			t.Errorf("%s: %v, want *FormatError", tc.name, err)
		}
	}
	// A refused head is not consumed.
	r := NewReader([]byte{0x40})
	if _, err := r.Uint(); err == nil || r.Offset() != 0 {
		t.Errorf("offset %d after a refused head", r.Offset())
	}
	if b, err := r.Bytes(0); err != nil || len(b) != 0 || !r.Done() {
		t.Errorf("empty byte string: %v", err)
	}
	tx, err := NewReader([]byte("\x64IETF")).Text(4)
	if err != nil || tx != "IETF" {
		t.Errorf("text %q %v", tx, err)
	}
}
