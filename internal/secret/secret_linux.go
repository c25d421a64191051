//go:build linux

package secret

import (
	"fmt"

	"golang.org/x/sys/unix"
)

// Harden disables core dumps (RLIMIT_CORE 0) and marks the process
// non-dumpable (PR_SET_DUMPABLE 0), which also keeps other processes of the
// same user from attaching with ptrace or reading /proc/PID/mem. Call it at
// start, before any secret is read.
func Harden() error {
	if err := unix.Setrlimit(unix.RLIMIT_CORE, &unix.Rlimit{Cur: 0, Max: 0}); err != nil {
		return fmt.Errorf("cannot disable core dumps (setrlimit RLIMIT_CORE): %w", err)
	}
	if err := unix.Prctl(unix.PR_SET_DUMPABLE, 0, 0, 0, 0); err != nil {
		return fmt.Errorf("cannot mark the process non-dumpable (prctl PR_SET_DUMPABLE): %w", err)
	}
	return nil
}

func lock(b []byte) func() {
	if err := unix.Mlock(b); err != nil {
		// Over RLIMIT_MEMLOCK or not permitted: best effort, go on.
		return func() {}
	}
	done := false
	return func() {
		if !done {
			done = true
			_ = unix.Munlock(b)
		}
	}
}
