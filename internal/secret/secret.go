package secret

import (
	"fmt"
	"io"
	"os"
	"runtime"
)

// Redacted is what a [Buffer] prints instead of its content.
const Redacted = "[REDACTED]"

// Wipe overwrites b with zeros. The compiler does not elide it even when b
// is not read again.
func Wipe(b []byte) {
	clear(b)
	runtime.KeepAlive(b)
}

// Lock locks the pages holding b in memory so they are not swapped out, as
// far as the OS allows. It never fails: where locking is not possible the
// returned func does nothing. Call the returned func (once) to unlock; it
// does not wipe b.
func Lock(b []byte) (unlock func()) {
	if len(b) == 0 {
		return func() {}
	}
	return lock(b)
}

// Buffer holds one secret of fixed size in memory that is locked where the
// OS allows and wiped by Destroy. The zero value and a nil *Buffer are empty
// buffers. A Buffer is not safe for concurrent use.
type Buffer struct {
	_      [0]func() // forbid ==
	b      []byte    // the secret, len n
	unlock func()
}

// New returns a zeroed buffer of n bytes (0 if n is negative). Its memory
// is on pages of its own, locked where the OS allows.
func New(n int) *Buffer {
	if n <= 0 {
		return &Buffer{b: []byte{}, unlock: func() {}}
	}
	page := os.Getpagesize()
	size := (n + page - 1) / page * page
	// One page of slack so the secret can start on a page boundary: the
	// locked pages then belong to this buffer alone.
	raw := make([]byte, size+page)
	off := 0
	if rem := int(uintptrOf(raw) % uintptr(page)); rem != 0 {
		off = page - rem
	}
	pages := raw[off : off+size : off+size]
	return &Buffer{b: pages[:n:n], unlock: Lock(pages)}
}

// Bytes returns the secret's bytes, to fill or read in place. The slice is
// valid until Destroy; do not append to it. It is nil after Destroy.
func (b *Buffer) Bytes() []byte {
	if b == nil {
		return nil
	}
	return b.b
}

// Len returns the size of the secret in bytes (0 after Destroy).
func (b *Buffer) Len() int {
	if b == nil {
		return 0
	}
	return len(b.b)
}

// Destroy wipes the secret and unlocks its memory. It is safe to call more
// than once and on a nil *Buffer.
func (b *Buffer) Destroy() {
	if b == nil {
		return
	}
	Wipe(b.b)
	b.b = nil
	if b.unlock != nil {
		b.unlock()
		b.unlock = nil
	}
}

// String returns [Redacted], never the secret.
func (b *Buffer) String() string { return Redacted }

// GoString returns [Redacted], never the secret, for %#v.
func (b *Buffer) GoString() string { return Redacted }

// Format prints [Redacted] for every verb, so no fmt verb shows the secret.
func (b *Buffer) Format(f fmt.State, _ rune) { io.WriteString(f, Redacted) }
