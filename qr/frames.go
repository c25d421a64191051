package qr

import (
	"errors"
	"fmt"
	"runtime"
	"strconv"
	"strings"
	"sync"

	"github.com/coffer-custody/coffer/qr/bbqr"
	"github.com/coffer-custody/coffer/qr/internal/qrcap"
	"github.com/coffer-custody/coffer/qr/ur"
)

// Format is an animated-QR format.
type Format int

// Formats.
const (
	FormatUR   Format = iota // Uniform Resources (BCR-2020-005)
	FormatBBQr               // BBQr (Coldcard)
)

func (f Format) String() string {
	switch f {
	case FormatUR:
		return "ur"
	case FormatBBQr:
		return "bbqr"
	}
	return "format(" + strconv.Itoa(int(f)) + ")"
}

// ParseFormat reads "ur" or "bbqr".
func ParseFormat(s string) (Format, error) {
	switch strings.ToLower(s) {
	case "ur":
		return FormatUR, nil
	case "bbqr":
		return FormatBBQr, nil
	}
	return 0, fmt.Errorf("QR format %q is not ur or bbqr", s)
}

// Defaults for FrameOptions.
const (
	// DefaultFragmentLen is the UR fragment length: about 450 characters a
	// frame, a version 11 to 12 code at level L, which phones and desk
	// scanners read at a glance.
	DefaultFragmentLen = 200
	// DefaultBBQrMaxVersion bounds BBQr frames when no density is given
	// (BBQr.md: avoid very dense codes); larger files move to version 40.
	DefaultBBQrMaxVersion = 15
)

// FrameOptions choose how a file becomes frames. The zero value makes
// ur:bytes frames at level L.
type FrameOptions struct {
	Format Format
	// URType is the UR type: ur.TypeBytes (default) for files,
	// ur.TypeCryptoPSBT or ur.TypePSBT for PSBTs.
	URType string
	// BBQrType is the BBQr file type; default bbqr.Binary.
	BBQrType bbqr.FileType
	// BBQrEncoding forces a BBQr encoding; default: Z when smaller, else 2.
	BBQrEncoding bbqr.Encoding
	// Level is the error correction level; default L.
	Level Level
	// Version forces the QR version of every frame (1 to 40); 0 uses the
	// smallest version that holds the largest frame.
	Version int
	// MaxFragmentLen is the density: payload bytes per frame. Default
	// DefaultFragmentLen for UR; for BBQr, default versions 5 to
	// DefaultBBQrMaxVersion. With Version set and no MaxFragmentLen, each
	// frame holds as much as that version takes.
	MaxFragmentLen int
	// Parts is the number of UR frames: 0 means the fragments once plus
	// half as many fountain parts again (a single-part UR is one frame).
	Parts int
}

// TextFrames encodes data as the texts of an animation, upper case so that
// they use the alphanumeric QR mode.
func TextFrames(data []byte, opt FrameOptions) ([]string, error) {
	if len(data) == 0 {
		return nil, errors.New("qr: no data")
	}
	if !opt.Level.valid() {
		return nil, fmt.Errorf("qr: error correction level %d out of range", int(opt.Level))
	}
	if opt.Version < 0 || opt.Version > 40 {
		return nil, fmt.Errorf("qr: version %d is not within 1 to 40", opt.Version)
	}
	switch opt.Format {
	case FormatUR:
		return urFrames(data, opt)
	case FormatBBQr:
		return bbqrFrames(data, opt)
	}
	return nil, fmt.Errorf("qr: unknown format %d", int(opt.Format))
}

func urFrames(data []byte, opt FrameOptions) ([]string, error) {
	typ := opt.URType
	if typ == "" {
		typ = ur.TypeBytes
	}
	u, err := ur.NewBytes(typ, data)
	if err != nil {
		return nil, err
	}
	frag := opt.MaxFragmentLen
	if frag == 0 && opt.Version != 0 {
		frag = urFragmentFor(opt.Version, opt.Level, u.Type, len(u.CBOR), opt.Parts)
		if frag < 1 {
			return nil, fmt.Errorf("%w: version %d at level %v is too small for a UR part", ErrTooLong, opt.Version, opt.Level)
		}
	}
	if frag == 0 {
		frag = DefaultFragmentLen
	}
	if frag < 1 {
		return nil, fmt.Errorf("qr: fragment length %d is below 1", frag)
	}
	e, err := ur.NewEncoder(u, ur.EncoderOptions{MaxFragmentLen: frag})
	if err != nil {
		return nil, err
	}
	n := opt.Parts
	if n <= 0 {
		n = e.SeqLen() + e.SeqLen()/2
	}
	if e.IsSinglePart() {
		n = 1
	}
	out := make([]string, n)
	for i := range out {
		out[i] = strings.ToUpper(e.NextPart())
	}
	return out, nil
}

// urFragmentFor returns the largest fragment whose multipart UR fits in
// the version: "UR:" type "/" seqNum "-" seqLen "/" then bytewords (two
// letters a byte) of the part CBOR (at most 22 bytes of header) and of
// the 4-byte checksum.
func urFragmentFor(version int, level Level, typ string, messageLen, parts int) int {
	chars := qrcap.Alphanumeric(version, int(level))
	digits := len(strconv.Itoa(messageLen))
	seqDigits := len(strconv.Itoa(max(parts, 2*messageLen)))
	fixed := len("ur:") + len(typ) + 1 + seqDigits + 1 + digits + 1
	return (chars-fixed)/2 - 22 - 4
}

func bbqrFrames(data []byte, opt FrameOptions) ([]string, error) {
	ft := opt.BBQrType
	if ft == 0 {
		ft = bbqr.Binary
	}
	o := bbqr.Options{Encoding: opt.BBQrEncoding, Level: "LMQH"[opt.Level]}
	switch {
	case opt.Version != 0:
		o.MinVersion, o.MaxVersion = opt.Version, opt.Version
	case opt.MaxFragmentLen > 0:
		// Characters for that many bytes in Base32, plus the header.
		chars := 8 + (opt.MaxFragmentLen*8+4)/5
		o.MinVersion, o.MaxVersion = 1, 40
		for v := 1; v <= 40; v++ {
			if qrcap.Alphanumeric(v, int(opt.Level)) >= chars {
				o.MaxVersion = v
				break
			}
		}
	default:
		o.MaxVersion = DefaultBBQrMaxVersion
	}
	s, err := bbqr.Encode(data, ft, o)
	if err != nil && opt.Version == 0 && opt.MaxFragmentLen == 0 {
		o.MaxVersion = 40
		s, err = bbqr.Encode(data, ft, o)
	}
	if err != nil {
		return nil, err
	}
	return s.Parts, nil
}

// Frames encodes data as QR codes of one version, each decoded back and
// checked.
func Frames(data []byte, opt FrameOptions) ([]*Code, error) {
	texts, err := TextFrames(data, opt)
	if err != nil {
		return nil, err
	}
	return EncodeSeries(texts, opt.Version, opt.Level)
}

// EncodeSeries encodes texts as QR codes all of the same version (the
// given one, or the smallest that holds every text when version is 0), as
// BBQr.md asks of an animation, each decoded back and checked.
func EncodeSeries(texts []string, version int, level Level) ([]*Code, error) {
	if len(texts) == 0 {
		return nil, errors.New("qr: no frames")
	}
	if !level.valid() {
		return nil, fmt.Errorf("qr: error correction level %d out of range", int(level))
	}
	if version == 0 {
		for i, t := range texts {
			v := smallestVersion(t, level)
			if v == 0 {
				return nil, fmt.Errorf("%w: frame %d (%d characters) at level %v", ErrTooLong, i+1, len(t), level)
			}
			version = max(version, v)
		}
	}
	// Frames are independent: encode and check them on every CPU.
	codes := make([]*Code, len(texts))
	errs := make([]error, len(texts))
	next := make(chan int)
	var wg sync.WaitGroup
	for w := 0; w < min(runtime.GOMAXPROCS(0), len(texts)); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				codes[i], errs[i] = EncodeVersion([]byte(texts[i]), version, level)
			}
		}()
	}
	for i := range texts {
		next <- i
	}
	close(next)
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			return nil, fmt.Errorf("frame %d: %w", i+1, err)
		}
	}
	return codes, nil
}

// smallestVersion estimates the smallest version holding t in one
// segment: alphanumeric mode when t allows it, else byte mode. The encoder
// may pack it tighter, never looser.
func smallestVersion(t string, level Level) int {
	alnum := qrcap.IsAlphanumeric(t)
	for v := 1; v <= 40; v++ {
		if alnum && qrcap.Alphanumeric(v, int(level)) >= len(t) || !alnum && qrcap.Bytes(v, int(level)) >= len(t) {
			return v
		}
	}
	return 0
}
