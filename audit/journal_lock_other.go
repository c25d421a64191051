//go:build !unix

package audit

import "os"

// lockFile does nothing where flock(2) does not exist: Coffer is built for
// Linux, and a single signer process per vault is assumed elsewhere.
func lockFile(f *os.File) error { return nil }

func unlockFile(f *os.File) {}
