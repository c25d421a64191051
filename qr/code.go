package qr

import (
	"errors"
	"fmt"
	"image"
	"image/color"
	"strings"
	"unicode/utf8"

	"github.com/makiuchi-d/gozxing"
	zxqr "github.com/makiuchi-d/gozxing/qrcode"
	"github.com/skip2/go-qrcode"
)

// Level is a QR error correction level.
type Level int

// Error correction levels: the share of the symbol that can be damaged
// and still read.
const (
	LevelL Level = iota // about 7%: the densest, for screens (the default for animations)
	LevelM              // about 15%: the default for single codes
	LevelQ              // about 25%
	LevelH              // about 30%
)

// ParseLevel reads "L", "M", "Q" or "H" (any case).
func ParseLevel(s string) (Level, error) {
	switch strings.ToUpper(s) {
	case "L":
		return LevelL, nil
	case "M":
		return LevelM, nil
	case "Q":
		return LevelQ, nil
	case "H":
		return LevelH, nil
	}
	return 0, fmt.Errorf("error correction level %q is not L, M, Q or H", s)
}

func (l Level) String() string {
	if l < LevelL || l > LevelH {
		return fmt.Sprintf("Level(%d)", int(l))
	}
	return "LMQH"[l : l+1]
}

func (l Level) valid() bool { return l >= LevelL && l <= LevelH }

func (l Level) lib() qrcode.RecoveryLevel {
	return [...]qrcode.RecoveryLevel{qrcode.Low, qrcode.Medium, qrcode.High, qrcode.Highest}[l]
}

// MismatchError reports a QR code that, decoded back, does not give the
// content it was made from. It means a bug in the encoder or the decoder;
// the code must not be shown.
type MismatchError struct {
	Version int
	Reason  string
}

func (e *MismatchError) Error() string {
	return fmt.Sprintf("qr: version %d code does not decode back to its content: %s", e.Version, e.Reason)
}

// ErrTooLong reports content that does not fit in a QR code (or in the
// version asked for).
var ErrTooLong = errors.New("qr: content does not fit")

// Code is a QR code that was decoded back and matched its content.
type Code struct {
	content []byte
	version int
	level   Level
	modules [][]bool // true is dark; includes the 4-module quiet zone
}

// Version is the QR version, 1 to 40.
func (c *Code) Version() int { return c.version }

// Level is the error correction level.
func (c *Code) Level() Level { return c.level }

// Content returns a copy of the encoded bytes.
func (c *Code) Content() []byte { return append([]byte(nil), c.content...) }

// Size is the width of the symbol in modules, quiet zone included.
func (c *Code) Size() int { return len(c.modules) }

// Dark reports whether the module at column x, row y (quiet zone
// included) is dark.
func (c *Code) Dark(x, y int) bool { return c.modules[y][x] }

// Encode makes the smallest QR code holding content at level, and checks
// it by decoding it back. Content made only of the alphanumeric set
// (0-9, A-Z, space, $%*+-./:) is encoded in alphanumeric mode.
func Encode(content []byte, level Level) (*Code, error) { return EncodeVersion(content, 0, level) }

// EncodeVersion is like Encode with the version forced (1 to 40); 0 picks
// the smallest.
func EncodeVersion(content []byte, version int, level Level) (c *Code, err error) {
	if !level.valid() {
		return nil, fmt.Errorf("qr: error correction level %d out of range", int(level))
	}
	if version < 0 || version > 40 {
		return nil, fmt.Errorf("qr: version %d is not within 1 to 40", version)
	}
	if len(content) == 0 {
		return nil, errors.New("qr: no content")
	}
	if len(content) > maxContent {
		return nil, fmt.Errorf("%w: %d bytes is more than any QR code holds", ErrTooLong, len(content))
	}
	defer func() {
		// go-qrcode panics on internal inconsistencies; never let that
		// reach a caller.
		if r := recover(); r != nil {
			c, err = nil, fmt.Errorf("qr: encoder failed: %v", r)
		}
	}()
	var q *qrcode.QRCode
	if version == 0 {
		q, err = qrcode.New(string(content), level.lib())
	} else {
		q, err = qrcode.NewWithForcedVersion(string(content), version, level.lib())
	}
	if err != nil {
		if version != 0 {
			return nil, fmt.Errorf("%w in a version %d code at level %v (%d bytes)", ErrTooLong, version, level, len(content))
		}
		return nil, fmt.Errorf("%w: %d bytes at level %v", ErrTooLong, len(content), level)
	}
	c = &Code{content: append([]byte(nil), content...), version: q.VersionNumber, level: level, modules: q.Bitmap()}
	if err := c.verify(); err != nil {
		return nil, err
	}
	return c, nil
}

// maxContent is the most any QR code holds: 7089 digits in numeric mode.
const maxContent = 7089

// verifyScale is the number of pixels per module of the image decoded back.
const verifyScale = 2

// verify decodes the code back from an image of it.
func (c *Code) verify() error {
	img := c.Image(verifyScale, false)
	got, err := decodeImage(img, true)
	if err != nil {
		// The pure-barcode reader failed: try the full detector.
		got, err = decodeImage(img, false)
	}
	if err != nil {
		return &MismatchError{Version: c.version, Reason: err.Error()}
	}
	if string(got) != string(c.content) {
		return &MismatchError{Version: c.version, Reason: fmt.Sprintf("decoded %d bytes that differ from the %d encoded", len(got), len(c.content))}
	}
	return nil
}

// Image renders the code with scale pixels per module (at least 1), dark
// on light, or light on dark when inverted.
func (c *Code) Image(scale int, inverted bool) *image.Paletted {
	if scale < 1 {
		scale = 1
	}
	n := len(c.modules) * scale
	light, dark := color.Gray{Y: 0xff}, color.Gray{Y: 0}
	if inverted {
		light, dark = dark, light
	}
	img := image.NewPaletted(image.Rect(0, 0, n, n), color.Palette{light, dark})
	for y, row := range c.modules {
		for x, on := range row {
			if !on {
				continue
			}
			for dy := 0; dy < scale; dy++ {
				off := (y*scale+dy)*img.Stride + x*scale
				for dx := 0; dx < scale; dx++ {
					img.Pix[off+dx] = 1
				}
			}
		}
	}
	return img
}

// decodeImage reads one QR code from img with gozxing. Byte-mode content
// is read as ISO-8859-1, so every byte comes back as itself.
func decodeImage(img image.Image, pure bool) (out []byte, err error) {
	defer func() {
		if r := recover(); r != nil {
			out, err = nil, fmt.Errorf("qr decoder failed: %v", r)
		}
	}()
	bmp, err := gozxing.NewBinaryBitmapFromImage(img)
	if err != nil {
		return nil, err
	}
	hints := map[gozxing.DecodeHintType]interface{}{
		gozxing.DecodeHintType_CHARACTER_SET: "ISO-8859-1",
	}
	if pure {
		hints[gozxing.DecodeHintType_PURE_BARCODE] = true
	} else {
		hints[gozxing.DecodeHintType_TRY_HARDER] = true
	}
	res, err := newReader().Decode(bmp, hints)
	if err != nil {
		return nil, err
	}
	return textBytes(res.GetText()), nil
}

// textBytes turns decoded text back into bytes: runes below 256 are the
// ISO-8859-1 bytes they were read from; text with other runes (an ECI
// switched to another charset) is returned as UTF-8.
func textBytes(s string) []byte {
	out := make([]byte, 0, len(s))
	for _, r := range s {
		if r > 0xff || r == utf8.RuneError {
			return []byte(s)
		}
		out = append(out, byte(r))
	}
	return out
}

func newReader() gozxing.Reader { return zxqr.NewQRCodeReader() }
