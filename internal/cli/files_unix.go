//go:build unix

package cli

import "syscall"

// writable says whether this process may create a file in dir.
func writable(dir string) error {
	const wOK = 0x2 // W_OK
	return syscall.Access(dir, wOK)
}
