//go:build linux

package prompt

import (
	"bytes"
	"fmt"
	"os"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// openPTY opens a pseudo-terminal pair: the master (what a terminal
// emulator holds) and the slave (what a program reads as its stdin).
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

// TestTerminalNoEcho types a passphrase on a real pseudo-terminal and checks
// that it is read with echo off: the typing starts only once ECHO is clear
// and nothing of it comes back on the screen.
func TestTerminalNoEcho(t *testing.T) {
	master, slave := openPTY(t)
	var out bytes.Buffer
	p := &Prompter{In: slave, Out: &out}
	if !p.IsTerminal() {
		t.Fatal("a pseudo-terminal is not reported as a terminal")
	}
	typed := make(chan error, 1)
	go func() {
		// Wait (bounded) for echo to go off, then type.
		for range 10000 {
			tio, err := unix.IoctlGetTermios(int(slave.Fd()), unix.TCGETS)
			if err != nil {
				typed <- err
				return
			}
			if tio.Lflag&unix.ECHO == 0 {
				_, err := master.Write([]byte("hunter2-zebra\n"))
				typed <- err
				return
			}
			time.Sleep(time.Millisecond)
		}
		typed <- fmt.Errorf("echo never went off")
	}()
	got, err := p.ReadPassphrase("passphrase: ")
	if terr := <-typed; terr != nil {
		t.Fatalf("typing: %v", terr)
	}
	if err != nil {
		t.Fatalf("ReadPassphrase: %v", err)
	}
	if string(got) != "hunter2-zebra" {
		t.Fatalf("got %q", got)
	}
	if out.String() != "passphrase: \n" {
		t.Errorf("prompt output = %q, want the prompt and a line break", out.String())
	}
	// Echo is back on after the read.
	tio, err := unix.IoctlGetTermios(int(slave.Fd()), unix.TCGETS)
	if err != nil || tio.Lflag&unix.ECHO == 0 {
		t.Errorf("echo not restored after the read (err %v)", err)
	}
	// Whatever the terminal showed is waiting on the master side; poll it
	// so that an empty screen does not block the test.
	fds := []unix.PollFd{{Fd: int32(master.Fd()), Events: unix.POLLIN}}
	if n, err := unix.Poll(fds, 200); err != nil || n == 0 {
		return // nothing on the screen at all
	}
	screen := make([]byte, 256)
	n, _ := unix.Read(int(master.Fd()), screen)
	if n > 0 && bytes.Contains(screen[:n], []byte("zebra")) {
		t.Errorf("the terminal echoed the passphrase: %q", screen[:n])
	}
}
