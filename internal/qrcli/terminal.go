package qrcli

import (
	"bytes"
	"fmt"
	"io"
	"os"

	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/coffer-custody/coffer/internal/cli"
	"github.com/coffer-custody/coffer/qr"
)

// terminalFile returns the file behind v when it is a terminal.
func terminalFile(v any) (*os.File, bool) {
	f, ok := v.(*os.File)
	if !ok || f == nil || !term.IsTerminal(int(f.Fd())) {
		return nil, false
	}
	return f, true
}

// show animates codes on stderr (stdout stays for results and JSON). On a
// terminal, with stdin a terminal too, it runs until a key is pressed
// (stdin in raw mode meanwhile); otherwise it draws --qr-loops passes
// (NonTTYLoops by default).
func (o *OutFlags) show(cmd *cobra.Command, codes []*qr.Code) error {
	w := cmd.ErrOrStderr()
	opt := qr.AnimateOptions{FPS: o.fps, Inverted: o.inverted, Loops: o.loops}
	out, outTTY := terminalFile(w)
	in, inTTY := terminalFile(cmd.InOrStdin())
	if !outTTY || !inTTY || !keySupported {
		if opt.Loops == 0 {
			opt.Loops = NonTTYLoops
		}
		return qr.Animate(w, codes, opt, nil)
	}
	prog := cmd.Root().Name()
	if cols, rows, err := term.GetSize(int(out.Fd())); err == nil {
		need := codes[0].TerminalLines() + 2
		if cols < codes[0].Size() || rows < need {
			cli.Warn(w, prog, "the QR code needs %dx%d characters and the terminal has %dx%d: enlarge it, or lower --qr-density", codes[0].Size(), need, cols, rows)
		}
	}
	fmt.Fprintln(w, "press any key when the other side has read the codes")
	fd := int(in.Fd())
	state, err := term.MakeRaw(fd)
	if err != nil {
		if opt.Loops == 0 {
			opt.Loops = NonTTYLoops
		}
		cli.Warn(w, prog, "cannot read a key press (%v): showing %d passes", err, opt.Loops)
		return qr.Animate(w, codes, opt, nil)
	}
	defer term.Restore(fd, state)
	done := make(chan struct{})
	defer close(done)
	stop := waitKey(in, done)
	io.WriteString(w, "\x1b[?25l") // hide the cursor
	defer io.WriteString(w, "\x1b[?25h")
	// Raw mode turns off the terminal's newline translation.
	return qr.Animate(crlfWriter{w}, codes, opt, stop)
}

// crlfWriter writes "\r\n" for every "\n", for a terminal in raw mode.
type crlfWriter struct{ w io.Writer }

func (c crlfWriter) Write(p []byte) (int, error) {
	if _, err := c.w.Write(bytes.ReplaceAll(p, []byte("\n"), []byte("\r\n"))); err != nil {
		return 0, err
	}
	return len(p), nil
}
