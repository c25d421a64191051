package prompt

import (
	"crypto/subtle"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/coffer-custody/coffer/internal/secret"
	"golang.org/x/term"
)

// MaxLen is the longest passphrase or secret line accepted, in bytes.
const MaxLen = 1024

// maxLineLen is the longest ordinary answer accepted by ReadLine, in bytes.
const maxLineLen = 4096

var (
	// ErrEmpty is returned when an empty passphrase is given.
	ErrEmpty = errors.New("the passphrase is empty")
	// ErrMismatch is returned by NewPassphrase when the confirmation differs.
	ErrMismatch = errors.New("the two passphrases do not match")
)

// Prompter reads answers from In and writes prompts to Out. Out should be
// standard error so that prompts never mix with a command's output.
type Prompter struct {
	In  io.Reader
	Out io.Writer
}

// fder is what *os.File offers to find its file descriptor.
type fder interface{ Fd() uintptr }

// terminalFd returns In's file descriptor if In is a terminal.
func (p *Prompter) terminalFd() (int, bool) {
	f, ok := p.In.(fder)
	if !ok {
		return 0, false
	}
	fd := int(f.Fd())
	if uintptr(fd) != f.Fd() || !term.IsTerminal(fd) {
		return 0, false
	}
	return fd, true
}

// IsTerminal reports whether In is a terminal, so that passphrases are read
// without echo. Commands that need an officer at the keyboard (the backup
// quiz) can use it to refuse a pipe.
func (p *Prompter) IsTerminal() bool {
	_, ok := p.terminalFd()
	return ok
}

// errEnded is io.EOF in the officer's words, without Go's "EOF".
var errEnded error = endedError{}

type endedError struct{}

func (endedError) Error() string        { return "no answer: the input ended" }
func (endedError) Is(target error) bool { return target == io.EOF }

// endLine ends the prompt's line when a question fails on input that is not
// a terminal (nothing echoed the officer's Enter), so that the error printed
// next starts a line of its own.
func (p *Prompter) endLine() {
	if _, tty := p.terminalFd(); !tty {
		io.WriteString(p.Out, "\n")
	}
}

// ReadSecret writes prompt to Out and reads one line from In without echo
// (when In is a terminal). The line may be empty. Wipe the result after use.
func (p *Prompter) ReadSecret(prompt string) ([]byte, error) {
	if _, err := io.WriteString(p.Out, prompt); err != nil {
		return nil, fmt.Errorf("cannot write the prompt: %w", err)
	}
	fd, tty := p.terminalFd()
	if !tty {
		b, err := readLine(p.In, MaxLen, "the secret")
		if err != nil {
			p.endLine()
		}
		return b, err
	}
	b, err := term.ReadPassword(fd)
	// Echo was off, so the officer's Enter did not move the cursor.
	io.WriteString(p.Out, "\n")
	if err != nil {
		secret.Wipe(b)
		if errors.Is(err, io.EOF) {
			return nil, errEnded
		}
		return nil, fmt.Errorf("cannot read from the terminal: %w", err)
	}
	if len(b) > MaxLen {
		secret.Wipe(b)
		return nil, fmt.Errorf("the secret is longer than %d bytes", MaxLen)
	}
	return b, nil
}

// ReadPassphrase asks for a passphrase once, without echo on a terminal, and
// refuses an empty one with [ErrEmpty]. Wipe the result after use.
func (p *Prompter) ReadPassphrase(prompt string) ([]byte, error) {
	b, err := p.ReadSecret(prompt)
	if err != nil {
		return nil, err
	}
	if len(b) == 0 {
		p.endLine()
		return nil, ErrEmpty
	}
	return b, nil
}

// NewPassphrase asks for a new passphrase twice (prompt, then confirm) and
// returns it if both entries match; otherwise it returns [ErrMismatch]. An
// empty passphrase is refused with [ErrEmpty]. Wipe the result after use.
func (p *Prompter) NewPassphrase(prompt, confirm string) ([]byte, error) {
	first, err := p.ReadPassphrase(prompt)
	if err != nil {
		return nil, err
	}
	second, err := p.ReadSecret(confirm)
	if err != nil {
		secret.Wipe(first)
		return nil, err
	}
	defer secret.Wipe(second)
	if subtle.ConstantTimeCompare(first, second) != 1 {
		secret.Wipe(first)
		p.endLine()
		return nil, ErrMismatch
	}
	return first, nil
}

// ReadSecretLine writes prompt to Out and reads one line from In with echo,
// for secrets the officer must see while typing (mnemonic words). The line
// break is removed; the rest is returned as typed. Wipe the result after use.
func (p *Prompter) ReadSecretLine(prompt string) ([]byte, error) {
	if _, err := io.WriteString(p.Out, prompt); err != nil {
		return nil, fmt.Errorf("cannot write the prompt: %w", err)
	}
	b, err := readLine(p.In, MaxLen, "the answer")
	if err != nil {
		p.endLine()
	}
	return b, err
}

// ReadLine writes prompt to Out and reads one line from In, for answers that
// are not secret. See [ReadLine].
func (p *Prompter) ReadLine(prompt string) (string, error) {
	return ReadLine(p.In, p.Out, prompt)
}

// ReadLine writes prompt to out and reads one line from in, echoed as
// usual, for answers that are not secret ("yes", a number). The line break
// ("\n" or "\r\n") is removed; spaces are kept. It reads no further than the
// line break, so in can be shared by later prompts. A line longer than 4096
// bytes is refused. If in ends before a line break, the bytes read so far
// are the answer; if it ends before any byte, the error wraps [io.EOF].
func ReadLine(in io.Reader, out io.Writer, prompt string) (string, error) {
	if _, err := io.WriteString(out, prompt); err != nil {
		return "", fmt.Errorf("cannot write the prompt: %w", err)
	}
	b, err := readLine(in, maxLineLen, "the answer")
	if err != nil {
		// The error printed next starts a line of its own.
		io.WriteString(out, "\n")
		return "", err
	}
	return string(b), nil
}

// readLine reads up to and including '\n' from r, one byte at a time, into a
// buffer of fixed capacity so that no copy of a secret line is left behind.
// It strips "\n" or "\r\n". what names the line in errors.
func readLine(r io.Reader, maxLen int, what string) ([]byte, error) {
	buf := make([]byte, 0, maxLen+1)
	var one [1]byte
	idle := 0
	for {
		n, err := r.Read(one[:])
		if n == 1 {
			idle = 0
			if one[0] == '\n' {
				if l := len(buf); l > 0 && buf[l-1] == '\r' {
					buf[l-1] = 0
					buf = buf[:l-1]
				}
				return buf, nil
			}
			if len(buf) == maxLen {
				secret.Wipe(buf[:cap(buf)])
				one[0] = 0
				return nil, fmt.Errorf("%s is longer than %d bytes", what, maxLen)
			}
			buf = append(buf, one[0])
			one[0] = 0
			continue
		}
		switch {
		case errors.Is(err, io.EOF):
			if len(buf) == 0 {
				return nil, errEnded
			}
			if l := len(buf); buf[l-1] == '\r' {
				buf[l-1] = 0
				buf = buf[:l-1]
			}
			return buf, nil
		case err != nil:
			secret.Wipe(buf[:cap(buf)])
			return nil, fmt.Errorf("cannot read %s: %w", what, err)
		}
		if idle++; idle > 100 {
			secret.Wipe(buf[:cap(buf)])
			return nil, fmt.Errorf("cannot read %s: %w", what, io.ErrNoProgress)
		}
	}
}

// ReadPassphraseFile reads a passphrase from the file at path, for
// --passphrase-file. One trailing "\n" or "\r\n" is removed (editors add
// one). The file must then hold a passphrase of 1 to [MaxLen] bytes with no
// other line break. Errors name the file, never its content. Wipe the
// result after use.
func ReadPassphraseFile(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("passphrase file %s: %w", path, unwrapPathError(err))
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("passphrase file %s: %w", path, unwrapPathError(err))
	}
	if fi.IsDir() {
		return nil, fmt.Errorf("passphrase file %s is a folder", path)
	}
	// Room for MaxLen bytes, "\r\n" and one more byte to detect a longer file.
	buf := make([]byte, MaxLen+3)
	n, err := io.ReadFull(f, buf)
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, io.EOF) {
		secret.Wipe(buf)
		return nil, fmt.Errorf("passphrase file %s: %w", path, unwrapPathError(err))
	}
	b := buf[:n]
	switch {
	case len(b) >= 2 && b[len(b)-2] == '\r' && b[len(b)-1] == '\n':
		b = b[:len(b)-2]
	case len(b) >= 1 && b[len(b)-1] == '\n':
		b = b[:len(b)-1]
	}
	for _, c := range b {
		if c == '\n' || c == '\r' {
			secret.Wipe(buf)
			return nil, fmt.Errorf("passphrase file %s holds more than one line; a passphrase is the first line, ended by at most one line break", path)
		}
	}
	switch {
	case len(b) == 0:
		secret.Wipe(buf)
		return nil, fmt.Errorf("passphrase file %s: %w", path, ErrEmpty)
	case len(b) > MaxLen:
		secret.Wipe(buf)
		return nil, fmt.Errorf("passphrase file %s holds a passphrase longer than %d bytes", path, MaxLen)
	}
	secret.Wipe(buf[len(b):])
	return b[:len(b):len(b)], nil
}

// unwrapPathError drops the *os.PathError layer, whose message repeats the
// path in Go's wording, keeping the cause for errors.Is.
func unwrapPathError(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}
