//go:build linux

package secret

import (
	"bufio"
	"os"
	"strconv"
	"strings"
	"testing"

	"golang.org/x/sys/unix"
)

// lockedKB reads VmLck (memory locked by this process) from /proc.
func lockedKB(t *testing.T) int {
	t.Helper()
	f, err := os.Open("/proc/self/status")
	if err != nil {
		t.Skipf("no /proc: %v", err)
	}
	defer f.Close()
	s := bufio.NewScanner(f)
	for s.Scan() {
		if rest, ok := strings.CutPrefix(s.Text(), "VmLck:"); ok {
			n, err := strconv.Atoi(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")))
			if err != nil {
				t.Fatalf("cannot parse VmLck line %q", s.Text())
			}
			return n
		}
	}
	t.Skip("no VmLck in /proc/self/status")
	return 0
}

func TestBufferIsLocked(t *testing.T) {
	probe := make([]byte, 1)
	if err := unix.Mlock(probe); err != nil {
		t.Skipf("mlock not permitted here: %v", err)
	}
	unix.Munlock(probe)
	before := lockedKB(t)
	b := New(3 * os.Getpagesize())
	during := lockedKB(t)
	b.Destroy()
	after := lockedKB(t)
	wantKB := 3 * os.Getpagesize() / 1024
	if during-before < wantKB {
		t.Errorf("VmLck grew by %d kB for a %d kB buffer", during-before, wantKB)
	}
	if after != before {
		t.Errorf("VmLck = %d kB after Destroy, want %d kB as before", after, before)
	}
}

func TestHarden(t *testing.T) {
	if err := Harden(); err != nil {
		t.Fatalf("Harden: %v", err)
	}
	var rl unix.Rlimit
	if err := unix.Getrlimit(unix.RLIMIT_CORE, &rl); err != nil {
		t.Fatal(err)
	}
	if rl.Cur != 0 || rl.Max != 0 {
		t.Errorf("RLIMIT_CORE = %d/%d after Harden, want 0/0", rl.Cur, rl.Max)
	}
	d, err := unix.PrctlRetInt(unix.PR_GET_DUMPABLE, 0, 0, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	if d != 0 {
		t.Errorf("PR_GET_DUMPABLE = %d after Harden, want 0", d)
	}
	// The process can still find and read its own binary (coffer version
	// hashes it) once it is not dumpable.
	exe, err := os.Executable()
	if err != nil {
		t.Errorf("os.Executable after Harden: %v", err)
	} else if f, err := os.Open(exe); err != nil {
		t.Errorf("cannot open the running binary after Harden: %v", err)
	} else {
		f.Close()
	}
	// A second call (e.g. from a test harness and from main) must succeed.
	if err := Harden(); err != nil {
		t.Errorf("second Harden: %v", err)
	}
}
