package qr

import (
	"bytes"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"image/gif"
	_ "image/jpeg" // registers JPEG for image.Decode
	_ "image/png"  // registers PNG for image.Decode
	"io"

	"github.com/makiuchi-d/gozxing"
	zxmulti "github.com/makiuchi-d/gozxing/multi/qrcode"
)

// ErrNoCode reports an image in which no QR code could be read.
var ErrNoCode = errors.New("qr: no QR code found in the image")

// ImageError reports an image that cannot be read or is over the limits.
type ImageError struct {
	Reason string
}

func (e *ImageError) Error() string { return "qr: image: " + e.Reason }

// ImageLimits bound ScanImage. Zero fields take the defaults.
type ImageLimits struct {
	MaxFileBytes   int64 // default 64 MiB
	MaxPixels      int   // per frame; default 25 million (5000 x 5000)
	MaxFrames      int   // GIF frames; default 10000
	MaxTotalPixels int64 // all GIF frames together; default 256 million
}

func (l ImageLimits) withDefaults() ImageLimits {
	if l.MaxFileBytes <= 0 {
		l.MaxFileBytes = 64 << 20
	}
	if l.MaxPixels <= 0 {
		l.MaxPixels = 25_000_000
	}
	if l.MaxFrames <= 0 {
		l.MaxFrames = 10000
	}
	if l.MaxTotalPixels <= 0 {
		l.MaxTotalPixels = 256_000_000
	}
	return l
}

// Found is one QR code read from an image.
type Found struct {
	Frame   int    // 1 for a still image; the GIF frame, from 1
	Content []byte // the bytes of the code
}

// ScanImage reads the QR codes of a PNG, JPEG or GIF image (every frame of
// an animated GIF; every code of a still image that shows several). It
// returns ErrNoCode when it finds none.
func ScanImage(r io.Reader, lim ImageLimits) ([]Found, error) {
	lim = lim.withDefaults()
	data, err := io.ReadAll(io.LimitReader(r, lim.MaxFileBytes+1))
	if err != nil {
		return nil, &ImageError{Reason: err.Error()}
	}
	if int64(len(data)) > lim.MaxFileBytes {
		return nil, &ImageError{Reason: fmt.Sprintf("file is larger than the limit of %d bytes", lim.MaxFileBytes)}
	}
	cfg, format, err := image.DecodeConfig(bytes.NewReader(data))
	if err != nil {
		return nil, &ImageError{Reason: "not a PNG, JPEG or GIF image: " + err.Error()}
	}
	if cfg.Width <= 0 || cfg.Height <= 0 || int64(cfg.Width)*int64(cfg.Height) > int64(lim.MaxPixels) {
		return nil, &ImageError{Reason: fmt.Sprintf("%d x %d pixels is over the limit of %d pixels", cfg.Width, cfg.Height, lim.MaxPixels)}
	}
	var found []Found
	if format == "gif" {
		found, err = scanGIF(data, lim)
	} else {
		found, err = scanStill(data)
	}
	if err != nil {
		return nil, err
	}
	if len(found) == 0 {
		return nil, ErrNoCode
	}
	return found, nil
}

func scanStill(data []byte) (found []Found, err error) {
	img, _, err := image.Decode(bytes.NewReader(data))
	if err != nil {
		return nil, &ImageError{Reason: err.Error()}
	}
	for _, c := range decodeAll(img) {
		found = append(found, Found{Frame: 1, Content: c})
	}
	return found, nil
}

// decodeAll reads every code it can from img: all codes with the multi
// reader, else one with the thorough single reader, else one from the
// inverted image (light on dark).
func decodeAll(img image.Image) (out [][]byte) {
	defer func() {
		if r := recover(); r != nil { // gozxing bugs are not our caller's problem
			out = nil
		}
	}()
	src := gozxing.NewLuminanceSourceFromImage(img)
	hints := map[gozxing.DecodeHintType]interface{}{
		gozxing.DecodeHintType_CHARACTER_SET: "ISO-8859-1",
		gozxing.DecodeHintType_TRY_HARDER:    true,
	}
	for _, s := range []gozxing.LuminanceSource{src, gozxing.NewInvertedLuminanceSource(src)} {
		bmp, err := gozxing.NewBinaryBitmap(gozxing.NewHybridBinarizer(s))
		if err != nil {
			continue
		}
		if res, err := zxmulti.NewQRCodeMultiReader().DecodeMultiple(bmp, hints); err == nil && len(res) > 0 {
			for _, r := range res {
				out = append(out, textBytes(r.GetText()))
			}
			return out
		}
		if c, err := decodeBitmap(bmp, hints); err == nil {
			return [][]byte{c}
		}
	}
	return nil
}

func decodeBitmap(bmp *gozxing.BinaryBitmap, hints map[gozxing.DecodeHintType]interface{}) ([]byte, error) {
	res, err := newReader().Decode(bmp, hints)
	if err != nil {
		return nil, err
	}
	return textBytes(res.GetText()), nil
}

// scanGIF composes the frames of a GIF as a viewer shows them and reads
// each.
func scanGIF(data []byte, lim ImageLimits) ([]Found, error) {
	if err := checkGIF(data, lim); err != nil {
		return nil, err
	}
	g, err := gif.DecodeAll(bytes.NewReader(data))
	if err != nil {
		return nil, &ImageError{Reason: err.Error()}
	}
	bounds := image.Rect(0, 0, g.Config.Width, g.Config.Height)
	canvas := image.NewRGBA(bounds)
	draw.Draw(canvas, bounds, image.NewUniform(color.White), image.Point{}, draw.Src)
	var saved *image.RGBA
	var found []Found
	for i, frame := range g.Image {
		disposal := byte(0)
		if i < len(g.Disposal) {
			disposal = g.Disposal[i]
		}
		if disposal == gif.DisposalPrevious {
			saved = image.NewRGBA(bounds)
			copy(saved.Pix, canvas.Pix)
		}
		draw.Draw(canvas, frame.Bounds(), frame, frame.Bounds().Min, draw.Over)
		for _, c := range decodeAll(canvas) {
			found = append(found, Found{Frame: i + 1, Content: c})
		}
		switch disposal {
		case gif.DisposalBackground:
			draw.Draw(canvas, frame.Bounds(), image.NewUniform(color.White), image.Point{}, draw.Src)
		case gif.DisposalPrevious:
			copy(canvas.Pix, saved.Pix)
		}
	}
	return found, nil
}

// checkGIF walks the blocks of a GIF to count its frames and their sizes
// before anything is decoded.
func checkGIF(data []byte, lim ImageLimits) error {
	bad := func(why string) error { return &ImageError{Reason: "GIF: " + why} }
	if len(data) < 13 {
		return bad("truncated header")
	}
	pos := 13
	if flags := data[10]; flags&0x80 != 0 {
		pos += 3 << ((flags & 7) + 1)
	}
	skipSubBlocks := func() bool {
		for {
			if pos >= len(data) {
				return false
			}
			n := int(data[pos])
			pos++
			if n == 0 {
				return true
			}
			pos += n
		}
	}
	frames := 0
	total := int64(0)
	for pos < len(data) {
		switch data[pos] {
		case 0x21: // extension: label, then sub-blocks
			pos += 2
			if !skipSubBlocks() {
				return bad("truncated extension")
			}
		case 0x2c: // image descriptor
			if pos+10 > len(data) {
				return bad("truncated image descriptor")
			}
			w := int(data[pos+5]) | int(data[pos+6])<<8
			h := int(data[pos+7]) | int(data[pos+8])<<8
			flags := data[pos+9]
			pos += 10
			if flags&0x80 != 0 {
				pos += 3 << ((flags & 7) + 1)
			}
			pos++ // LZW minimum code size
			frames++
			total += int64(w) * int64(h)
			if frames > lim.MaxFrames {
				return bad(fmt.Sprintf("more than the limit of %d frames", lim.MaxFrames))
			}
			if total > lim.MaxTotalPixels {
				return bad(fmt.Sprintf("frames hold more than the limit of %d pixels", lim.MaxTotalPixels))
			}
			if !skipSubBlocks() {
				return bad("truncated image data")
			}
		case 0x3b: // trailer
			return nil
		default:
			return bad(fmt.Sprintf("unknown block 0x%02x", data[pos]))
		}
	}
	return nil
}
