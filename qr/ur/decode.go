package ur

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/coffer-custody/coffer/qr/bytewords"
	"github.com/coffer-custody/coffer/qr/fountain"
)

// ErrNotUR reports text that is not a UR at all.
var ErrNotUR = errors.New("not a UR (no \"ur:\" prefix)")

// PartError reports a UR string that is malformed or corrupt. It is not
// used.
type PartError struct {
	Reason string
	Err    error // the underlying cause, if any (e.g. bytewords.ErrChecksum)
}

func (e *PartError) Error() string {
	if e.Err != nil {
		return "ur: " + e.Reason + ": " + e.Err.Error()
	}
	return "ur: " + e.Reason
}

func (e *PartError) Unwrap() error { return e.Err }

// OtherMessageError reports a part of another message than the one being
// decoded. It is not used.
type OtherMessageError struct {
	Field     string // "type", "seqLen", "messageLen", "checksum", "fragment length" or "single part"
	Got, Want string
}

func (e *OtherMessageError) Error() string {
	if e.Field == "single part" {
		return fmt.Sprintf("ur: single-part %s received while decoding a multipart %s", e.Got, e.Want)
	}
	return fmt.Sprintf("ur: part of another message: %s is %s, not %s", e.Field, e.Got, e.Want)
}

// MessageError reports parts that rebuilt a message failing its checksum.
type MessageError struct {
	Err error // a *fountain.ChecksumError
}

func (e *MessageError) Error() string { return "ur: " + e.Err.Error() }

func (e *MessageError) Unwrap() error { return e.Err }

// Limits bound what a Decoder accepts. Zero fields take the defaults.
type Limits struct {
	// MaxMessageLen is the longest CBOR message, in bytes. Default 64 MiB.
	MaxMessageLen int
	// MaxSeqLen is the largest number of fragments. Default 16384.
	MaxSeqLen int
	// MaxPartLen is the longest part string, in bytes. Default 16 KiB
	// (a version 40 QR code holds 4296 alphanumeric characters); a
	// single-part UR longer than that is refused.
	MaxPartLen int
}

func (l Limits) withDefaults() Limits {
	if l.MaxMessageLen <= 0 {
		l.MaxMessageLen = fountain.DefaultMaxMessageLen
	}
	if l.MaxSeqLen <= 0 {
		l.MaxSeqLen = fountain.DefaultMaxSeqLen
	}
	if l.MaxPartLen <= 0 {
		l.MaxPartLen = 16 << 10
	}
	return l
}

// parsed is one UR string split into its components.
type parsed struct {
	typ    string
	multi  bool
	seqNum uint64
	seqLen uint64
	body   []byte // bytewords-decoded
}

func parse(s string, maxLen int) (parsed, error) {
	s = strings.TrimSpace(s)
	if len(s) < 3 || !strings.EqualFold(s[:3], "ur:") {
		return parsed{}, ErrNotUR
	}
	if len(s) > maxLen {
		return parsed{}, &PartError{Reason: fmt.Sprintf("%d characters is longer than the limit of %d", len(s), maxLen)}
	}
	s = toLower(s[3:])
	comps := strings.Split(s, "/")
	var p parsed
	switch len(comps) {
	case 2:
	case 3:
		p.multi = true
		n, m, ok := strings.Cut(comps[1], "-")
		if !ok {
			return parsed{}, &PartError{Reason: fmt.Sprintf("sequence %q is not seqNum-seqLen", comps[1])}
		}
		var err1, err2 error
		p.seqNum, err1 = parseDecimal(n)
		p.seqLen, err2 = parseDecimal(m)
		if err1 != nil || err2 != nil || p.seqNum == 0 || p.seqLen == 0 {
			return parsed{}, &PartError{Reason: fmt.Sprintf("sequence %q is not seqNum-seqLen with both above 0", comps[1])}
		}
	default:
		return parsed{}, &PartError{Reason: fmt.Sprintf("%d path components, want type/body or type/seq/body", len(comps))}
	}
	p.typ = comps[0]
	if !validType(p.typ) {
		return parsed{}, &PartError{Reason: fmt.Sprintf("type %q is not letters, digits and hyphens (at most %d)", p.typ, maxTypeLen)}
	}
	body, err := bytewords.Decode(bytewords.Minimal, comps[len(comps)-1])
	if err != nil {
		return parsed{}, &PartError{Reason: "body", Err: err}
	}
	p.body = body
	return p, nil
}

// parseDecimal reads a plain decimal number of at most 10 digits.
func parseDecimal(s string) (uint64, error) {
	if s == "" || len(s) > 10 {
		return 0, strconv.ErrSyntax
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0, strconv.ErrSyntax
		}
	}
	return strconv.ParseUint(s, 10, 64)
}

// Parse decodes a single-part UR string. A multipart string is refused
// with a *PartError: use a Decoder.
func Parse(s string, lim Limits) (UR, error) {
	lim = lim.withDefaults()
	p, err := parse(s, lim.MaxPartLen)
	if err != nil {
		return UR{}, err
	}
	if p.multi {
		return UR{}, &PartError{Reason: "multipart UR: use a Decoder"}
	}
	if len(p.body) > lim.MaxMessageLen {
		return UR{}, &PartError{Reason: fmt.Sprintf("message of %d bytes is longer than the limit of %d", len(p.body), lim.MaxMessageLen)}
	}
	return UR{Type: p.typ, CBOR: p.body}, nil
}

// Progress describes how far a Decoder is.
type Progress struct {
	Type     string // UR type, "" before the first part
	Received int    // valid parts of this message received, repeats included
	Useful   int    // fragments' worth of information held
	SeqLen   int    // fragments in the message (1 for a single-part UR)
}

// Percent estimates completion from 0 to 100.
func (p Progress) Percent() float64 {
	if p.SeqLen == 0 {
		return 0
	}
	return 100 * float64(p.Useful) / float64(p.SeqLen)
}

// Decoder rebuilds one UR from its parts.
type Decoder struct {
	lim    Limits
	typ    string
	fd     *fountain.Decoder
	result *UR
	err    error
}

// NewDecoder returns a Decoder bounded by lim.
func NewDecoder(lim Limits) *Decoder {
	lim = lim.withDefaults()
	return &Decoder{lim: lim, fd: fountain.NewDecoder(fountain.Limits{MaxMessageLen: lim.MaxMessageLen, MaxSeqLen: lim.MaxSeqLen})}
}

// Reset forgets everything received.
func (d *Decoder) Reset() {
	d.typ, d.result, d.err = "", nil, nil
	d.fd.Reset()
}

// Complete reports whether the UR is rebuilt.
func (d *Decoder) Complete() bool { return d.result != nil }

// Progress reports the parts received so far.
func (d *Decoder) Progress() Progress {
	if d.result != nil && !d.fd.Started() {
		return Progress{Type: d.typ, Received: 1, Useful: 1, SeqLen: 1}
	}
	fp := d.fd.Progress()
	return Progress{Type: d.typ, Received: fp.Received, Useful: fp.Useful, SeqLen: fp.SeqLen}
}

// Result returns the rebuilt UR.
func (d *Decoder) Result() (UR, error) {
	if d.err != nil {
		return UR{}, d.err
	}
	if d.result == nil {
		p := d.Progress()
		return UR{}, fmt.Errorf("ur: incomplete: %d of %d fragments' worth received", p.Useful, p.SeqLen)
	}
	return UR{Type: d.result.Type, CBOR: append([]byte(nil), d.result.CBOR...)}, nil
}

// Receive adds one scanned string. It returns nil for a part that was
// used or was a harmless repeat, and after completion ignores further
// parts of the same message.
func (d *Decoder) Receive(s string) error {
	if d.err != nil {
		return d.err
	}
	p, err := parse(s, d.lim.MaxPartLen)
	if err != nil {
		return err
	}
	if d.typ != "" && p.typ != d.typ {
		return &OtherMessageError{Field: "type", Got: p.typ, Want: d.typ}
	}
	if !p.multi {
		if d.fd.Started() {
			return &OtherMessageError{Field: "single part", Got: "ur:" + p.typ, Want: "ur:" + d.typ}
		}
		if d.result != nil {
			if string(d.result.CBOR) != string(p.body) {
				return &OtherMessageError{Field: "single part", Got: "ur:" + p.typ + " with other content", Want: "ur:" + d.typ}
			}
			return nil
		}
		if len(p.body) > d.lim.MaxMessageLen {
			return &PartError{Reason: fmt.Sprintf("message of %d bytes is longer than the limit of %d", len(p.body), d.lim.MaxMessageLen)}
		}
		d.typ = p.typ
		d.result = &UR{Type: p.typ, CBOR: p.body}
		return nil
	}
	if d.result != nil && !d.fd.Started() {
		return &OtherMessageError{Field: "single part", Got: "multipart ur:" + p.typ, Want: "single-part ur:" + d.typ}
	}
	part, err := fountain.ParsePart(p.body, fountain.Limits{MaxMessageLen: d.lim.MaxMessageLen, MaxSeqLen: d.lim.MaxSeqLen})
	if err != nil {
		return &PartError{Reason: fmt.Sprintf("part %d-%d", p.seqNum, p.seqLen), Err: err}
	}
	if uint64(part.SeqNum) != p.seqNum || uint64(part.SeqLen) != p.seqLen {
		return &PartError{Reason: fmt.Sprintf("sequence %d-%d disagrees with the part's CBOR (%d-%d)", p.seqNum, p.seqLen, part.SeqNum, part.SeqLen)}
	}
	_, err = d.fd.Receive(part)
	var me *fountain.MismatchError
	var ie *fountain.InconsistentError
	var ce *fountain.ChecksumError
	switch {
	case err == nil:
	case errors.As(err, &me):
		return &OtherMessageError{Field: me.Field, Got: strconv.FormatUint(me.Got, 10), Want: strconv.FormatUint(me.Want, 10)}
	case errors.As(err, &ie):
		return &PartError{Reason: fmt.Sprintf("part %d-%d", p.seqNum, p.seqLen), Err: err}
	case errors.As(err, &ce):
		d.err = &MessageError{Err: err}
		return d.err
	default:
		return &PartError{Reason: fmt.Sprintf("part %d-%d", p.seqNum, p.seqLen), Err: err}
	}
	d.typ = p.typ
	if d.result == nil && d.fd.Complete() {
		d.result = &UR{Type: p.typ, CBOR: d.fd.Message()}
	}
	return nil
}
