package prompt

import (
	"bytes"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/iotest"
)

func TestReadLine(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		want    string
		wantEOF bool
		wantErr bool
	}{
		{name: "plain", in: "yes\n", want: "yes"},
		{name: "crlf", in: "yes\r\n", want: "yes"},
		{name: "spaces kept", in: "  a b \n", want: "  a b "},
		{name: "empty line", in: "\n", want: ""},
		{name: "no line break", in: "abc", want: "abc"},
		{name: "no line break cr", in: "abc\r", want: "abc"},
		{name: "only first line", in: "one\ntwo\n", want: "one"},
		{name: "eof", in: "", wantEOF: true},
		{name: "longest", in: strings.Repeat("a", maxLineLen) + "\n", want: strings.Repeat("a", maxLineLen)},
		{name: "too long", in: strings.Repeat("a", maxLineLen+1) + "\n", wantErr: true},
		{name: "utf-8", in: "日本語\n", want: "日本語"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out bytes.Buffer
			got, err := ReadLine(strings.NewReader(tt.in), &out, "continue? ")
			// A failed answer ends the prompt's line, so the error printed
			// next starts a line of its own.
			wantOut := "continue? "
			if tt.wantEOF || tt.wantErr {
				wantOut += "\n"
			}
			if out.String() != wantOut {
				t.Errorf("prompt written = %q, want %q", out.String(), wantOut)
			}
			switch {
			case tt.wantEOF:
				if !errors.Is(err, io.EOF) {
					t.Errorf("err = %v, want io.EOF", err)
				}
			case tt.wantErr:
				if err == nil || errors.Is(err, io.EOF) {
					t.Errorf("err = %v, want a length error", err)
				}
			case err != nil:
				t.Errorf("err = %v", err)
			case got != tt.want:
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

// TestSharedStream checks that one prompt does not read ahead into the next
// answer, so that several prompts can share stdin.
func TestSharedStream(t *testing.T) {
	in := iotest.HalfReader(strings.NewReader("yes\nhunter2\r\nhunter2\nword\nlast"))
	var out bytes.Buffer
	p := &Prompter{In: in, Out: &out}
	if a, err := p.ReadLine("proceed? "); err != nil || a != "yes" {
		t.Fatalf("ReadLine = %q, %v", a, err)
	}
	pw, err := p.NewPassphrase("passphrase: ", "again: ")
	if err != nil || string(pw) != "hunter2" {
		t.Fatalf("NewPassphrase = %q, %v", pw, err)
	}
	w, err := p.ReadSecretLine("word #3: ")
	if err != nil || string(w) != "word" {
		t.Fatalf("ReadSecretLine = %q, %v", w, err)
	}
	if a, err := ReadLine(in, &out, "last? "); err != nil || a != "last" {
		t.Fatalf("ReadLine = %q, %v", a, err)
	}
	if _, err := p.ReadLine("more? "); !errors.Is(err, io.EOF) || err.Error() != "no answer: the input ended" {
		t.Fatalf("ReadLine at the end: err = %v, want io.EOF, said as \"no answer: the input ended\"", err)
	}
	if want := "proceed? passphrase: again: word #3: last? more? \n"; out.String() != want {
		t.Errorf("prompts = %q, want %q", out.String(), want)
	}
	if p.IsTerminal() {
		t.Errorf("a strings.Reader is reported as a terminal")
	}
}

func TestPassphrases(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		confirm bool // NewPassphrase instead of ReadPassphrase
		want    string
		wantErr error
	}{
		{name: "read", in: "correct horse\n", want: "correct horse"},
		{name: "read keeps spaces", in: " pw \n", want: " pw "},
		{name: "read empty", in: "\n", wantErr: ErrEmpty},
		{name: "read eof", in: "", wantErr: io.EOF},
		{name: "read too long", in: strings.Repeat("x", MaxLen+1) + "\n", wantErr: errAny},
		{name: "read longest", in: strings.Repeat("x", MaxLen) + "\n", want: strings.Repeat("x", MaxLen)},
		{name: "new", in: "s3cret-zebra\ns3cret-zebra\n", confirm: true, want: "s3cret-zebra"},
		{name: "new mismatch", in: "s3cret-zebra\ns3cret-zebrA\n", confirm: true, wantErr: ErrMismatch},
		{name: "new confirm prefix", in: "s3cret-zebra\ns3cret\n", confirm: true, wantErr: ErrMismatch},
		{name: "new empty", in: "\n\n", confirm: true, wantErr: ErrEmpty},
		{name: "new no confirmation", in: "s3cret-zebra\n", confirm: true, wantErr: io.EOF},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out bytes.Buffer
			p := &Prompter{In: strings.NewReader(tt.in), Out: &out}
			var got []byte
			var err error
			if tt.confirm {
				got, err = p.NewPassphrase("new passphrase: ", "repeat it: ")
			} else {
				got, err = p.ReadPassphrase("passphrase: ")
			}
			switch {
			case tt.wantErr == errAny:
				if err == nil {
					t.Fatalf("got %d bytes, want an error", len(got))
				}
			case tt.wantErr != nil:
				if !errors.Is(err, tt.wantErr) {
					t.Fatalf("err = %v, want %v", err, tt.wantErr)
				}
			case err != nil:
				t.Fatalf("err = %v", err)
			case string(got) != tt.want:
				t.Fatalf("got %q, want %q", got, tt.want)
			}
			if err != nil {
				if got != nil {
					t.Errorf("a secret is returned with an error")
				}
				if strings.Contains(err.Error(), "zebra") || strings.Contains(err.Error(), "xxxx") {
					t.Errorf("error %q shows the passphrase", err)
				}
			}
			if strings.Contains(out.String(), "zebra") {
				t.Errorf("output %q shows the passphrase", out.String())
			}
		})
	}
}

var errAny = errors.New("any error")

func TestReadError(t *testing.T) {
	boom := errors.New("device gone")
	p := &Prompter{In: iotest.ErrReader(boom), Out: io.Discard}
	if _, err := p.ReadPassphrase("pw: "); !errors.Is(err, boom) {
		t.Errorf("err = %v, want the reader's error", err)
	}
	p = &Prompter{In: strings.NewReader("x\n"), Out: failWriter{}}
	if _, err := p.ReadPassphrase("pw: "); err == nil {
		t.Errorf("a prompt that cannot be written is not an error")
	}
	p = &Prompter{In: zeroReader{}, Out: io.Discard}
	if _, err := p.ReadLine("? "); !errors.Is(err, io.ErrNoProgress) {
		t.Errorf("err = %v, want io.ErrNoProgress from a reader that returns nothing", err)
	}
}

type failWriter struct{}

func (failWriter) Write([]byte) (int, error) { return 0, errors.New("closed") }

type zeroReader struct{}

func (zeroReader) Read([]byte) (int, error) { return 0, nil }

func TestReadPassphraseFile(t *testing.T) {
	long := strings.Repeat("z", MaxLen)
	tests := []struct {
		name    string
		content string
		want    string
		wantErr error // errAny: some error
	}{
		{name: "bare", content: "s3cret zebra", want: "s3cret zebra"},
		{name: "lf", content: "s3cret zebra\n", want: "s3cret zebra"},
		{name: "crlf", content: "s3cret zebra\r\n", want: "s3cret zebra"},
		{name: "spaces kept", content: " zebra \n", want: " zebra "},
		{name: "utf-8", content: "zebra-日本\n", want: "zebra-日本"},
		{name: "longest", content: long + "\r\n", want: long},
		{name: "too long", content: long + "z", wantErr: errAny},
		{name: "too long with lf", content: long + "z\n", wantErr: errAny},
		{name: "much too long", content: strings.Repeat(long, 5), wantErr: errAny},
		{name: "empty", content: "", wantErr: ErrEmpty},
		{name: "only lf", content: "\n", wantErr: ErrEmpty},
		{name: "only crlf", content: "\r\n", wantErr: ErrEmpty},
		{name: "two line breaks", content: "zebra\n\n", wantErr: errAny},
		{name: "two lines", content: "zebra\nzebra2\n", wantErr: errAny},
		{name: "lone cr", content: "zebra\r", wantErr: errAny},
		{name: "cr inside", content: "zeb\rra\n", wantErr: errAny},
	}
	dir := t.TempDir()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(dir, strings.ReplaceAll(tt.name, " ", "-"))
			if err := os.WriteFile(path, []byte(tt.content), 0o600); err != nil {
				t.Fatal(err)
			}
			got, err := ReadPassphraseFile(path)
			if tt.wantErr == nil {
				if err != nil {
					t.Fatalf("err = %v", err)
				}
				if string(got) != tt.want {
					t.Fatalf("got %q, want %q", got, tt.want)
				}
				if cap(got) != len(got) {
					t.Errorf("cap %d > len %d: an append could reach wiped bytes", cap(got), len(got))
				}
				return
			}
			if err == nil {
				t.Fatalf("got %d bytes, want an error", len(got))
			}
			if tt.wantErr != errAny && !errors.Is(err, tt.wantErr) {
				t.Errorf("err = %v, want %v", err, tt.wantErr)
			}
			if !strings.Contains(err.Error(), path) {
				t.Errorf("error %q does not name the file", err)
			}
			if strings.Contains(err.Error(), "zebra") || strings.Contains(err.Error(), "zzzz") {
				t.Errorf("error %q shows the file's content", err)
			}
		})
	}
	missing := filepath.Join(dir, "missing")
	if _, err := ReadPassphraseFile(missing); !errors.Is(err, fs.ErrNotExist) || !strings.Contains(err.Error(), missing) {
		t.Errorf("missing file: err = %v, want fs.ErrNotExist naming the file", err)
	}
	if _, err := ReadPassphraseFile(dir); err == nil || !strings.Contains(err.Error(), dir) {
		t.Errorf("folder: err = %v, want an error naming it", err)
	}
}

// FuzzReadLine feeds arbitrary input to the line reader: it never panics,
// never returns a line break or more than the limit, and never reads past
// the first line break.
func FuzzReadLine(f *testing.F) {
	for _, s := range []string{"", "\n", "yes\n", "a\r\n", "no newline", "\r\r\n\n", strings.Repeat("x", 40)} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		r := bytes.NewReader(in)
		got, err := readLine(r, 32, "the answer")
		if err != nil {
			if got != nil {
				t.Fatal("data returned with an error")
			}
			return
		}
		if len(got) > 32 || bytes.IndexByte(got, '\n') >= 0 {
			t.Fatalf("bad line %q", got)
		}
		consumed := len(in) - r.Len()
		if i := bytes.IndexByte(in, '\n'); i >= 0 && consumed != i+1 {
			t.Fatalf("consumed %d bytes, want %d (up to the first line break)", consumed, i+1)
		}
	})
}
