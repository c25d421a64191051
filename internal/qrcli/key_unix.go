//go:build unix

package qrcli

import (
	"errors"
	"os"

	"golang.org/x/sys/unix"
)

const keySupported = true

// waitKey returns a channel closed when a key is pressed on f (a terminal
// in raw mode) or when done is closed. It polls, so that it never leaves a
// read pending that would take a key meant for a later prompt.
func waitKey(f *os.File, done <-chan struct{}) <-chan struct{} {
	stop := make(chan struct{})
	fd := int(f.Fd())
	go func() {
		defer close(stop)
		fds := []unix.PollFd{{Fd: int32(fd), Events: unix.POLLIN}}
		for {
			select {
			case <-done:
				return
			default:
			}
			n, err := unix.Poll(fds, 100)
			if errors.Is(err, unix.EINTR) {
				continue
			}
			if err != nil {
				return
			}
			if n > 0 {
				var b [64]byte
				_, _ = unix.Read(fd, b[:]) // the key and any sequence it sent
				return
			}
		}
	}()
	return stop
}
