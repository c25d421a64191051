package bbqr

import (
	"bytes"
	"compress/flate"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"strings"
)

// ErrNotBBQr reports text without the "B$" header.
var ErrNotBBQr = errors.New("not a BBQr part (no \"B$\" header)")

// PartError reports a malformed part, or a repeat of an index with other
// content. It is not used.
type PartError struct {
	Index  int // part index from the header, -1 if unknown
	Reason string
}

func (e *PartError) Error() string {
	if e.Index < 0 {
		return "bbqr: " + e.Reason
	}
	return fmt.Sprintf("bbqr: part %d: %s", e.Index, e.Reason)
}

// OtherSeriesError reports a part of another series: its first six
// header characters differ.
type OtherSeriesError struct {
	Got, Want string // the headers, e.g. "B$ZP05" and "B$2P05"
}

func (e *OtherSeriesError) Error() string {
	return fmt.Sprintf("bbqr: part of another series: header %s, not %s", e.Got, e.Want)
}

// DataError reports joined parts that do not decode.
type DataError struct {
	Reason string
}

func (e *DataError) Error() string { return "bbqr: " + e.Reason }

// Limits bound a Decoder. Zero fields take the defaults.
type Limits struct {
	// MaxPartLen is the longest part accepted, in characters. Default
	// 16 KiB (a version 40 QR code holds 4296 alphanumeric characters).
	MaxPartLen int
	// MaxDataLen is the longest decoded (and inflated) file. Default 64 MiB.
	MaxDataLen int
}

func (l Limits) withDefaults() Limits {
	if l.MaxPartLen <= 0 {
		l.MaxPartLen = 16 << 10
	}
	if l.MaxDataLen <= 0 {
		l.MaxDataLen = 64 << 20
	}
	return l
}

// Progress describes how far a Decoder is.
type Progress struct {
	Received int // distinct parts held
	Total    int // parts in the series, 0 before the first
}

// Percent estimates completion from 0 to 100.
func (p Progress) Percent() float64 {
	if p.Total == 0 {
		return 0
	}
	return 100 * float64(p.Received) / float64(p.Total)
}

// Decoder collects the parts of one series.
type Decoder struct {
	lim      Limits
	header   string // first six characters, "" before the first part
	enc      Encoding
	ft       FileType
	parts    []string
	received int
	size     int // characters held
}

// NewDecoder returns a Decoder bounded by lim.
func NewDecoder(lim Limits) *Decoder { return &Decoder{lim: lim.withDefaults()} }

// Reset forgets everything received.
func (d *Decoder) Reset() { *d = Decoder{lim: d.lim} }

// Complete reports whether every part is held.
func (d *Decoder) Complete() bool { return d.header != "" && d.received == len(d.parts) }

// FileType is the file type of the series, 0 before the first part.
func (d *Decoder) FileType() FileType { return d.ft }

// Progress reports the parts received so far.
func (d *Decoder) Progress() Progress { return Progress{Received: d.received, Total: len(d.parts)} }

type part struct {
	header string
	enc    Encoding
	ft     FileType
	total  int
	index  int
	body   string
}

func parsePart(s string, maxLen int) (part, error) {
	s = strings.TrimSpace(s)
	if len(s) < 2 || s[0] != 'B' && s[0] != 'b' || s[1] != '$' {
		return part{}, ErrNotBBQr
	}
	if len(s) > maxLen {
		return part{}, &PartError{Index: -1, Reason: fmt.Sprintf("%d characters is longer than the limit of %d", len(s), maxLen)}
	}
	s = strings.ToUpper(s)
	if len(s) < headerLen {
		return part{}, &PartError{Index: -1, Reason: fmt.Sprintf("header of %d characters, want %d", len(s), headerLen)}
	}
	p := part{header: s[:6], enc: Encoding(s[2]), ft: FileType(s[3]), body: s[headerLen:]}
	if !p.enc.valid() {
		return part{}, &PartError{Index: -1, Reason: fmt.Sprintf("encoding %q is not H, 2 or Z", s[2])}
	}
	if !p.ft.valid() {
		return part{}, &PartError{Index: -1, Reason: fmt.Sprintf("file type %q is not one of P, T, J, C, U, B, X", s[3])}
	}
	var ok1, ok2 bool
	p.total, ok1 = parseBase36(s[4:6])
	p.index, ok2 = parseBase36(s[6:8])
	if !ok1 || !ok2 {
		return part{}, &PartError{Index: -1, Reason: fmt.Sprintf("count %q or index %q is not base 36", s[4:6], s[6:8])}
	}
	if p.total == 0 {
		return part{}, &PartError{Index: p.index, Reason: "series of 0 parts"}
	}
	if p.index >= p.total {
		return part{}, &PartError{Index: p.index, Reason: fmt.Sprintf("index out of a series of %d parts", p.total)}
	}
	if p.body == "" {
		return part{}, &PartError{Index: p.index, Reason: "no data"}
	}
	if _, err := decodeBody(p.enc, p.body); err != nil {
		return part{}, &PartError{Index: p.index, Reason: err.Error()}
	}
	return p, nil
}

// decodeBody decodes one part's characters to whole bytes.
func decodeBody(enc Encoding, body string) ([]byte, error) {
	if enc == Hex {
		if len(body)%2 != 0 {
			return nil, fmt.Errorf("%d hex digits do not make whole bytes", len(body))
		}
		b, err := hex.DecodeString(body)
		if err != nil {
			return nil, errors.New("not hex")
		}
		return b, nil
	}
	b, err := b32.DecodeString(body)
	if err != nil || b32.EncodeToString(b) != body {
		// The round trip refuses lengths that leave a partial byte and
		// trailing bits that are not zero.
		return nil, fmt.Errorf("%d characters are not unpadded Base32 of whole bytes", len(body))
	}
	return b, nil
}

// Receive adds one scanned string. It returns nil for a part that was
// used or is an identical repeat.
func (d *Decoder) Receive(s string) error {
	p, err := parsePart(s, d.lim.MaxPartLen)
	if err != nil {
		return err
	}
	if d.header == "" {
		d.header, d.enc, d.ft = p.header, p.enc, p.ft
		d.parts = make([]string, p.total)
	} else if p.header != d.header {
		return &OtherSeriesError{Got: p.header, Want: d.header}
	}
	if held := d.parts[p.index]; held != "" {
		if held != p.body {
			return &PartError{Index: p.index, Reason: "repeat with other content than the part already held"}
		}
		return nil
	}
	if d.size+len(p.body) > 2*d.lim.MaxDataLen+16 {
		return &PartError{Index: p.index, Reason: "series is longer than the limit"}
	}
	d.parts[p.index] = p.body
	d.received++
	d.size += len(p.body)
	return nil
}

// Result decodes the complete series: its file type and bytes.
func (d *Decoder) Result() (FileType, []byte, error) {
	if !d.Complete() {
		return 0, nil, fmt.Errorf("bbqr: incomplete: %d of %d parts received", d.received, len(d.parts))
	}
	// BBQr.md: all parts but the last have the same length.
	for i := 1; i < len(d.parts)-1; i++ {
		if len(d.parts[i]) != len(d.parts[0]) {
			return 0, nil, &DataError{Reason: fmt.Sprintf("part %d has %d characters, part 0 has %d: parts must be equal but for the last", i, len(d.parts[i]), len(d.parts[0]))}
		}
	}
	if n := len(d.parts); n > 1 && len(d.parts[n-1]) > len(d.parts[0]) {
		return 0, nil, &DataError{Reason: fmt.Sprintf("last part has %d characters, more than the others' %d", len(d.parts[n-1]), len(d.parts[0]))}
	}
	var raw []byte
	for i, body := range d.parts {
		b, err := decodeBody(d.enc, body)
		if err != nil {
			return 0, nil, &DataError{Reason: fmt.Sprintf("part %d: %v", i, err)}
		}
		raw = append(raw, b...)
	}
	if d.enc == Zlib {
		var err error
		if raw, err = inflate(raw, d.lim.MaxDataLen); err != nil {
			return 0, nil, err
		}
	}
	if len(raw) > d.lim.MaxDataLen {
		return 0, nil, &DataError{Reason: fmt.Sprintf("%d bytes is longer than the limit of %d", len(raw), d.lim.MaxDataLen)}
	}
	return d.ft, raw, nil
}

// inflate reads raw deflate, at most max bytes of output.
func inflate(z []byte, max int) ([]byte, error) {
	r := flate.NewReader(bytes.NewReader(z))
	defer r.Close()
	out, err := io.ReadAll(io.LimitReader(r, int64(max)+1))
	if err != nil {
		return nil, &DataError{Reason: "deflate data is corrupt: " + err.Error()}
	}
	if len(out) > max {
		return nil, &DataError{Reason: fmt.Sprintf("inflates to more than the limit of %d bytes", max)}
	}
	return out, nil
}

// Join decodes a complete set of parts, given in any order, with
// identical repeats allowed.
func Join(parts []string, lim Limits) (FileType, []byte, error) {
	d := NewDecoder(lim)
	for _, p := range parts {
		if err := d.Receive(p); err != nil {
			return 0, nil, err
		}
	}
	return d.Result()
}
