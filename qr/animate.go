package qr

import (
	"errors"
	"fmt"
	"io"
	"math"
	"strings"
	"time"
)

// AnimateOptions tune Animate.
type AnimateOptions struct {
	// FPS is the frame rate; default DefaultFPS.
	FPS float64
	// Inverted draws light modules, for terminals with a dark background.
	Inverted bool
	// Loops stops after that many passes over the frames; 0 runs until
	// stop is closed.
	Loops int
}

// Animate shows codes in turn on a terminal, redrawing in place, with a
// frame counter under each, until stop is closed (or Loops passes are
// done). A single code is drawn once and stays until stop. Codes must be
// the same size (EncodeSeries makes them so).
func Animate(w io.Writer, codes []*Code, opt AnimateOptions, stop <-chan struct{}) error {
	if len(codes) == 0 {
		return errors.New("qr: no frames")
	}
	for i, c := range codes {
		if c.Size() != codes[0].Size() {
			return fmt.Errorf("qr: frame %d is %d modules wide, frame 1 is %d: encode them with EncodeSeries", i+1, c.Size(), codes[0].Size())
		}
	}
	fps := opt.FPS
	if fps <= 0 || math.IsNaN(fps) || math.IsInf(fps, 0) {
		fps = DefaultFPS
	}
	period := time.Duration(float64(time.Second) / fps)
	lines := codes[0].TerminalLines() + 1
	var sb strings.Builder
	draw := func(i int, first bool) error {
		sb.Reset()
		if !first {
			fmt.Fprintf(&sb, "\x1b[%dA\r", lines) // back to the top of the frame
		}
		sb.WriteString(codes[i].Terminal(opt.Inverted))
		fmt.Fprintf(&sb, "\x1b[2Kframe %d/%d\n", i+1, len(codes))
		_, err := io.WriteString(w, sb.String())
		return err
	}
	if err := draw(0, true); err != nil {
		return err
	}
	if len(codes) == 1 {
		if opt.Loops > 0 {
			return nil
		}
		<-stop
		return nil
	}
	t := time.NewTicker(period)
	defer t.Stop()
	shown := 1
	for {
		if opt.Loops > 0 && shown >= opt.Loops*len(codes) {
			return nil
		}
		select {
		case <-stop:
			return nil
		case <-t.C:
		}
		if err := draw(shown%len(codes), false); err != nil {
			return err
		}
		shown++
	}
}
