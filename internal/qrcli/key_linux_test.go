//go:build linux

package qrcli

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/spf13/cobra"
	"golang.org/x/sys/unix"
)

// openPTY opens a pseudo-terminal pair: the master (what a terminal
// emulator holds) and the slave (the program's stdin and stderr).
func openPTY(t *testing.T) (master, slave *os.File) {
	t.Helper()
	m, err := os.OpenFile("/dev/ptmx", os.O_RDWR|unix.O_NOCTTY, 0)
	if err != nil {
		t.Skipf("no pseudo-terminals here: %v", err)
	}
	t.Cleanup(func() { m.Close() })
	if err := unix.IoctlSetPointerInt(int(m.Fd()), unix.TIOCSPTLCK, 0); err != nil {
		t.Skipf("cannot unlock the pseudo-terminal: %v", err)
	}
	n, err := unix.IoctlGetInt(int(m.Fd()), unix.TIOCGPTN)
	if err != nil {
		t.Skipf("cannot name the pseudo-terminal: %v", err)
	}
	s, err := os.OpenFile(fmt.Sprintf("/dev/pts/%d", n), os.O_RDWR|unix.O_NOCTTY, 0)
	if err != nil {
		t.Skipf("cannot open the pseudo-terminal: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return m, s
}

// TestTerminalKeyStops runs the animation on a real pseudo-terminal: it
// runs (with no loop limit) until a key is typed, in raw mode meanwhile,
// with the cursor hidden; afterwards the terminal is as it was.
func TestTerminalKeyStops(t *testing.T) {
	master, slave := openPTY(t)
	if err := unix.IoctlSetWinsize(int(slave.Fd()), unix.TIOCSWINSZ, &unix.Winsize{Row: 100, Col: 200}); err != nil {
		t.Fatal(err)
	}
	before, err := unix.IoctlGetTermios(int(slave.Fd()), unix.TCGETS)
	if err != nil {
		t.Fatal(err)
	}
	f := filepath.Join(t.TempDir(), "a.psbt")
	os.WriteFile(f, bbqrData(t, "1in10out.psbt"), 0o644)

	// The terminal emulator: reads the screen, types a key once the second
	// frame is up, and reports when the cursor comes back.
	screen := make(chan []byte, 1)
	go func() {
		var got []byte
		typed := false
		buf := make([]byte, 1<<16)
		for {
			n, err := master.Read(buf)
			got = append(got, buf[:n]...)
			if !typed && bytes.Contains(got, []byte("frame 2/")) {
				typed = true
				master.Write([]byte("q"))
			}
			if err != nil || bytes.Contains(got, []byte("\x1b[?25h")) {
				screen <- got
				return
			}
		}
	}()

	asJSON := false
	root := &cobra.Command{Use: "coffer", SilenceErrors: true, SilenceUsage: true}
	root.PersistentFlags().BoolVar(&asJSON, "json", false, "")
	root.AddCommand(NewCommand("coffer", &asJSON))
	var out bytes.Buffer
	root.SetArgs([]string{"qr", "encode", f, "--qr-out", "terminal", "--qr-fps", "100"})
	root.SetIn(slave)
	root.SetErr(slave)
	root.SetOut(&out)
	if err := root.Execute(); err != nil {
		t.Fatal(err)
	}
	got := string(<-screen)
	if !strings.HasPrefix(out.String(), "showed ") {
		t.Errorf("stdout %q", out.String())
	}
	start := strings.Index(got, "press any key when the other side has read the codes")
	hide := strings.Index(got, "\x1b[?25l")
	if start < 0 || hide < start {
		t.Fatalf("no key prompt before the animation:\n%q", got)
	}
	anim := got[hide:]
	if !strings.Contains(anim, "frame 2/") {
		t.Error("the animation did not run")
	}
	if i := strings.Index(strings.ReplaceAll(anim, "\r\n", ""), "\n"); i >= 0 {
		t.Error("a bare newline in raw mode: lines would not return to column 1")
	}
	after, err := unix.IoctlGetTermios(int(slave.Fd()), unix.TCGETS)
	if err != nil {
		t.Fatal(err)
	}
	if after.Lflag != before.Lflag || after.Oflag != before.Oflag || after.Iflag != before.Iflag {
		t.Errorf("terminal not restored: lflag %x oflag %x iflag %x, was %x %x %x", after.Lflag, after.Oflag, after.Iflag, before.Lflag, before.Oflag, before.Iflag)
	}
	if after.Lflag&unix.ICANON == 0 || after.Lflag&unix.ECHO == 0 {
		t.Error("canonical mode or echo still off")
	}
}
