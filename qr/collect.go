package qr

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"

	"github.com/coffer-custody/coffer/qr/bbqr"
	"github.com/coffer-custody/coffer/qr/ur"
)

// ErrNoise reports text that is neither a UR nor a BBQr part.
var ErrNoise = errors.New("qr: not a UR or BBQr part")

// FormatError reports a part of the other format than the message being
// collected (a BBQr part while collecting a UR, or the reverse). It is not
// used.
type FormatError struct {
	Got, Want Format
}

func (e *FormatError) Error() string {
	return fmt.Sprintf("qr: %s part while collecting a %s message", e.Got, e.Want)
}

// Limits bound a Collector. Zero fields take the defaults of package ur
// and package bbqr.
type Limits struct {
	UR   ur.Limits
	BBQr bbqr.Limits
}

// Payload is a message collected from parts.
type Payload struct {
	Format Format
	// URType is the UR type (FormatUR).
	URType string
	// BBQrType is the BBQr file type (FormatBBQr).
	BBQrType bbqr.FileType
	// Data is the file: the BBQr data, or the payload of a UR whose CBOR is
	// a byte string (bytes, crypto-psbt, psbt). It is nil for a UR of
	// another structure, whose CBOR the caller must read.
	Data []byte
	// CBOR is the message of a UR.
	CBOR []byte
}

// Progress describes how far a Collector is.
type Progress struct {
	Format   Format
	Started  bool
	Type     string  // UR type or BBQr file type name
	Received int     // valid parts received (UR: repeats included)
	Needed   int     // parts that make the message: UR fragments or BBQr parts
	Percent  float64 // estimate, 0 to 100
	Rejected int     // parts refused (corrupt or of another message)
}

// Collector gathers the parts of one message, UR or BBQr, from scanned
// text: the first valid part fixes the format and the message; noise,
// corrupt parts and parts of other messages are refused with an error and
// never merged.
type Collector struct {
	lim      Limits
	started  bool
	format   Format
	ur       *ur.Decoder
	bb       *bbqr.Decoder
	rejected int
}

// NewCollector returns an empty Collector bounded by lim.
func NewCollector(lim Limits) *Collector {
	return &Collector{lim: lim, ur: ur.NewDecoder(lim.UR), bb: bbqr.NewDecoder(lim.BBQr)}
}

// Reset forgets everything received.
func (c *Collector) Reset() {
	c.started, c.rejected = false, 0
	c.ur.Reset()
	c.bb.Reset()
}

// stripPrefix removes what scanners put before the data: zbarimg and
// zbarcam (without --raw) write "QR-Code:".
func stripPrefix(b []byte) []byte {
	b = bytes.TrimSpace(b)
	if len(b) >= 8 && bytes.EqualFold(b[:8], []byte("QR-Code:")) {
		b = b[8:]
	}
	return b
}

func classify(b []byte) (Format, bool) {
	switch {
	case len(b) >= 3 && bytes.EqualFold(b[:3], []byte("ur:")):
		return FormatUR, true
	case len(b) >= 2 && (b[0] == 'B' || b[0] == 'b') && b[1] == '$':
		return FormatBBQr, true
	}
	return 0, false
}

// Add feeds one scanned text (a line, or the content of one QR code). It
// returns nil for a part that was used or an identical repeat, ErrNoise
// for other text, and the error of package ur or bbqr (or a
// *FormatError) for a part that was refused.
func (c *Collector) Add(text []byte) error {
	b := stripPrefix(text)
	f, ok := classify(b)
	if !ok {
		return ErrNoise
	}
	if c.started && f != c.format {
		c.rejected++
		return &FormatError{Got: f, Want: c.format}
	}
	var err error
	if f == FormatUR {
		err = c.ur.Receive(string(b))
	} else {
		err = c.bb.Receive(string(b))
	}
	if err != nil {
		c.rejected++
		return err
	}
	c.started, c.format = true, f
	return nil
}

// Complete reports whether the message is whole.
func (c *Collector) Complete() bool {
	if !c.started {
		return false
	}
	if c.format == FormatUR {
		return c.ur.Complete()
	}
	return c.bb.Complete()
}

// Progress reports how far the collection is.
func (c *Collector) Progress() Progress {
	p := Progress{Format: c.format, Started: c.started, Rejected: c.rejected}
	if !c.started {
		return p
	}
	if c.format == FormatUR {
		up := c.ur.Progress()
		p.Type, p.Received, p.Needed, p.Percent = up.Type, up.Received, up.SeqLen, up.Percent()
	} else {
		bp := c.bb.Progress()
		p.Type, p.Received, p.Needed, p.Percent = c.bb.FileType().Name(), bp.Received, bp.Total, bp.Percent()
	}
	return p
}

// Result returns the collected message.
func (c *Collector) Result() (*Payload, error) {
	if !c.started {
		return nil, errors.New("qr: no part received")
	}
	if c.format == FormatBBQr {
		ft, data, err := c.bb.Result()
		if err != nil {
			return nil, err
		}
		return &Payload{Format: FormatBBQr, BBQrType: ft, Data: data}, nil
	}
	u, err := c.ur.Result()
	if err != nil {
		return nil, err
	}
	p := &Payload{Format: FormatUR, URType: u.Type, CBOR: u.CBOR}
	if data, err := u.Payload(); err == nil {
		p.Data = data
	}
	return p, nil
}

// MaxLineLen is the longest line ScanLines reads; longer lines are
// reported and skipped.
const MaxLineLen = 64 << 10

// LineEvent reports what ScanLines did with one non-empty line.
type LineEvent struct {
	Line     int   // line number, from 1
	Err      error // nil when the part was used; ErrNoise for other text
	Progress Progress
}

// ScanLines reads text lines (a USB scanner that types as a keyboard,
// `zbarcam --raw`, a file of parts) into c until the message is complete,
// calling report (if not nil) after every non-empty line. It returns the
// payload, or an error when the input ends first or a message fails its
// checksum.
func ScanLines(r io.Reader, c *Collector, report func(LineEvent)) (*Payload, error) {
	br := bufio.NewReaderSize(r, 4096)
	for line := 1; ; line++ {
		text, tooLong, err := readLine(br)
		if len(bytes.TrimSpace(text)) > 0 || tooLong {
			var addErr error
			if tooLong {
				addErr = fmt.Errorf("qr: line longer than %d bytes", MaxLineLen)
			} else {
				addErr = c.Add(text)
			}
			if report != nil {
				report(LineEvent{Line: line, Err: addErr, Progress: c.Progress()})
			}
			var me *ur.MessageError
			if errors.As(addErr, &me) {
				return nil, addErr
			}
			if c.Complete() {
				return c.Result()
			}
		}
		if err == io.EOF {
			p := c.Progress()
			if !p.Started {
				return nil, errors.New("qr: input ended before any UR or BBQr part")
			}
			return nil, fmt.Errorf("qr: input ended with %d of %d parts (%.0f%%)", p.Received, p.Needed, p.Percent)
		}
		if err != nil {
			return nil, fmt.Errorf("qr: reading lines: %w", err)
		}
	}
}

// readLine reads one line of at most MaxLineLen bytes; a longer line is
// consumed and reported as too long.
func readLine(br *bufio.Reader) (line []byte, tooLong bool, err error) {
	for {
		chunk, isPrefix, err := br.ReadLine()
		if !tooLong {
			if len(line)+len(chunk) > MaxLineLen {
				tooLong, line = true, nil
			} else {
				line = append(line, chunk...)
			}
		}
		if err != nil || !isPrefix {
			return line, tooLong, err
		}
	}
}
