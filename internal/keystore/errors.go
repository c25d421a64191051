package keystore

import (
	"errors"
	"fmt"
)

// ErrWrongPassphrase is returned when the keystore does not decrypt. This is
// almost always a wrong passphrase, but authenticated encryption cannot tell
// it apart from a keystore whose clear fields or ciphertext were altered in a
// way that still parses: both fail the same authentication check. Structural
// damage is reported as a *CorruptError instead.
var ErrWrongPassphrase = errors.New("wrong passphrase")

// CorruptError reports a keystore file that is damaged, truncated, edited
// or of an unsupported version: it names the file and what is wrong with it.
// No secret is ever part of Reason.
type CorruptError struct {
	Path   string // the keystore file
	Reason string // what is wrong, e.g. `field "salt" is not valid base64`
}

func (e *CorruptError) Error() string {
	return fmt.Sprintf("keystore %s is corrupted: %s", e.Path, e.Reason)
}

func corrupt(path, format string, args ...any) *CorruptError {
	return &CorruptError{Path: path, Reason: fmt.Sprintf(format, args...)}
}
