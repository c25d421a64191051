package secret

import (
	"bytes"
	"fmt"
	"os"
	"reflect"
	"strings"
	"testing"
)

func TestWipe(t *testing.T) {
	for _, n := range []int{0, 1, 16, 32, 4097} {
		b := bytes.Repeat([]byte{0xa5}, n)
		Wipe(b)
		if !bytes.Equal(b, make([]byte, n)) {
			t.Errorf("Wipe of %d bytes left non-zero bytes", n)
		}
	}
	Wipe(nil) // must not panic
}

func TestBufferRedacts(t *testing.T) {
	b := New(32)
	defer b.Destroy()
	copy(b.Bytes(), "correct horse battery staple 123")
	type holder struct {
		Key *Buffer
	}
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%X", "%d", "%10.3s", "%T %[1]v"} {
		for _, arg := range []any{b, holder{Key: b}, []*Buffer{b}} {
			got := fmt.Sprintf(verb, arg)
			if strings.Contains(got, "horse") || strings.Contains(got, "686f727365") || strings.Contains(got, "104 111") {
				t.Errorf("Sprintf(%q) of %T shows the secret: %s", verb, arg, got)
			}
		}
		if got := fmt.Sprintf(verb, b); !strings.Contains(got, Redacted) {
			t.Errorf("Sprintf(%q) = %q, want it to contain %s", verb, got, Redacted)
		}
	}
	if b.String() != Redacted || b.GoString() != Redacted {
		t.Errorf("String/GoString do not redact")
	}
}

func TestBufferNotComparable(t *testing.T) {
	if reflect.TypeFor[Buffer]().Comparable() {
		t.Error("Buffer is comparable with ==; want the _ [0]func() field to forbid it")
	}
}

func TestBufferLifecycle(t *testing.T) {
	page := os.Getpagesize()
	for _, n := range []int{-1, 0, 1, 32, 64, page - 1, page, page + 1, 3*page + 5} {
		t.Run(fmt.Sprint(n), func(t *testing.T) {
			b := New(n)
			want := max(n, 0)
			if b.Len() != want || len(b.Bytes()) != want {
				t.Fatalf("Len = %d, len(Bytes) = %d, want %d", b.Len(), len(b.Bytes()), want)
			}
			if cap(b.Bytes()) != want {
				t.Errorf("cap(Bytes) = %d, want %d so an append cannot write past the secret", cap(b.Bytes()), want)
			}
			if !bytes.Equal(b.Bytes(), make([]byte, want)) {
				t.Errorf("new buffer is not zeroed")
			}
			if want > 0 && uintptrOf(b.Bytes())%uintptr(page) != 0 {
				t.Errorf("buffer does not start on a page boundary")
			}
			view := b.Bytes()
			for i := range view {
				view[i] = 0xff
			}
			b.Destroy()
			if !bytes.Equal(view, make([]byte, want)) {
				t.Errorf("Destroy did not wipe the secret")
			}
			if b.Bytes() != nil || b.Len() != 0 {
				t.Errorf("Bytes after Destroy = %v, want nil", b.Bytes())
			}
			b.Destroy() // twice is fine
		})
	}
	var nilBuf *Buffer
	nilBuf.Destroy()
	if nilBuf.Bytes() != nil || nilBuf.Len() != 0 || nilBuf.String() != Redacted {
		t.Error("nil *Buffer is not an empty buffer")
	}
	var zero Buffer
	zero.Destroy()
	if zero.Bytes() != nil {
		t.Error("zero Buffer is not empty")
	}
}

func TestLockNeverFails(t *testing.T) {
	for _, b := range [][]byte{nil, {}, make([]byte, 10), make([]byte, 1<<20)} {
		unlock := Lock(b)
		if unlock == nil {
			t.Fatal("Lock returned a nil func")
		}
		unlock()
		unlock() // twice is fine
	}
}
