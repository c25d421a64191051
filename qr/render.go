package qr

import (
	"bytes"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/gif"
	"image/png"
	"io"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/coffer-custody/coffer/internal/atomicfile"
)

// Terminal renders the code with Unicode half blocks, two rows of modules
// per line of text. Normal mode draws dark modules, for dark text on a
// light background; inverted draws light modules (the quiet zone
// included), for light text on a dark background.
func (c *Code) Terminal(inverted bool) string {
	var sb strings.Builder
	n := len(c.modules)
	sb.Grow((n + 1) / 2 * (n*3 + 1))
	ink := func(x, y int) bool {
		if y >= n {
			return inverted // below the symbol: light
		}
		return c.modules[y][x] != inverted
	}
	for y := 0; y < n; y += 2 {
		for x := 0; x < n; x++ {
			top, bottom := ink(x, y), ink(x, y+1)
			switch {
			case top && bottom:
				sb.WriteString("█")
			case top:
				sb.WriteString("▀")
			case bottom:
				sb.WriteString("▄")
			default:
				sb.WriteByte(' ')
			}
		}
		sb.WriteByte('\n')
	}
	return sb.String()
}

// TerminalLines is the number of lines Terminal writes.
func (c *Code) TerminalLines() int { return (len(c.modules) + 1) / 2 }

// WritePNG writes the code as a PNG image, dark on light, scale pixels per
// module.
func (c *Code) WritePNG(w io.Writer, scale int) error {
	if err := png.Encode(w, c.Image(scale, false)); err != nil {
		return fmt.Errorf("qr: writing PNG: %w", err)
	}
	return nil
}

// Default scales, in pixels per module.
const (
	DefaultPNGScale = 8
	DefaultGIFScale = 4
)

// FrameName is the file name of frame i (from 1) of n: frame-0001.png and
// so on, zero-padded so that a glob lists them in order.
func FrameName(i, n int) string {
	width := max(4, len(strconv.Itoa(n)))
	return fmt.Sprintf("frame-%0*d.png", width, i)
}

// WritePNGFrames writes codes to dir (created if missing) as
// frame-0001.png, frame-0002.png, and so on, and returns the paths. It
// refuses a folder that already holds frame files, so that frames of two
// runs never mix. Each file is written atomically. scale 0 means
// DefaultPNGScale.
func WritePNGFrames(dir string, codes []*Code, scale int) ([]string, error) {
	if len(codes) == 0 {
		return nil, errors.New("qr: no frames")
	}
	if scale <= 0 {
		scale = DefaultPNGScale
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("qr: frame folder: %w", err)
	}
	old, err := filepath.Glob(filepath.Join(dir, "frame-*.png"))
	if err != nil {
		return nil, err
	}
	if len(old) > 0 {
		return nil, fmt.Errorf("qr: folder %s already holds %s (and %d more frame files): use an empty folder", dir, filepath.Base(old[0]), len(old)-1)
	}
	paths := make([]string, 0, len(codes))
	var buf bytes.Buffer
	for i, c := range codes {
		buf.Reset()
		if err := c.WritePNG(&buf, scale); err != nil {
			return paths, err
		}
		p := filepath.Join(dir, FrameName(i+1, len(codes)))
		if err := atomicfile.WriteNew(p, buf.Bytes(), 0o644); err != nil {
			if errors.Is(err, fs.ErrExist) {
				return paths, fmt.Errorf("qr: %s appeared while writing frames", p)
			}
			return paths, fmt.Errorf("qr: writing %s: %w", p, err)
		}
		paths = append(paths, p)
	}
	return paths, nil
}

// DefaultFPS is the default frame rate: 250 ms a frame, as BBQr.md
// recommends for the Coldcard Q, which phones also follow.
const DefaultFPS = 4.0

// WriteGIF writes codes as an animated GIF that loops forever, scale
// pixels per module (0 means DefaultGIFScale) at fps frames per second (0
// means DefaultFPS; GIF delays are in hundredths of a second, at least 2).
// All codes must be the same size.
func WriteGIF(w io.Writer, codes []*Code, scale int, fps float64) error {
	if len(codes) == 0 {
		return errors.New("qr: no frames")
	}
	if scale <= 0 {
		scale = DefaultGIFScale
	}
	if fps <= 0 || math.IsNaN(fps) || math.IsInf(fps, 0) {
		fps = DefaultFPS
	}
	delay := int(math.Round(100 / fps))
	delay = min(max(delay, 2), 6000)
	g := &gif.GIF{LoopCount: 0}
	size := codes[0].Size()
	for i, c := range codes {
		if c.Size() != size {
			return fmt.Errorf("qr: frame %d is %d modules wide, frame 1 is %d: encode them with EncodeSeries", i+1, c.Size(), size)
		}
		g.Image = append(g.Image, c.Image(scale, false))
		g.Delay = append(g.Delay, delay)
		g.Disposal = append(g.Disposal, gif.DisposalNone)
	}
	n := size * scale
	g.Config = image.Config{ColorModel: color.Palette{color.Gray{Y: 0xff}, color.Gray{Y: 0}}, Width: n, Height: n}
	if err := gif.EncodeAll(w, g); err != nil {
		return fmt.Errorf("qr: writing GIF: %w", err)
	}
	return nil
}
