package atomicfile

import (
	"bytes"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// listDir returns the names in dir, to check that no temporary file is left.
func listDir(t *testing.T, dir string) []string {
	t.Helper()
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range ents {
		names = append(names, e.Name())
	}
	return names
}

func TestWrite(t *testing.T) {
	tests := []struct {
		name    string
		old     []byte // nil: no file before
		data    []byte
		perm    os.FileMode
		wantErr bool
	}{
		{name: "create", data: []byte("hello\n"), perm: 0o600},
		{name: "replace", old: []byte("old content that is longer"), data: []byte("new"), perm: 0o600},
		{name: "empty", old: []byte("x"), data: []byte{}, perm: 0o600},
		{name: "perm 0400", data: []byte("x"), perm: 0o400},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, "f.json")
			if tt.old != nil {
				if err := os.WriteFile(path, tt.old, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			if err := Write(path, tt.data, tt.perm); err != nil {
				t.Fatalf("Write: %v", err)
			}
			got, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, tt.data) {
				t.Errorf("content = %q, want %q", got, tt.data)
			}
			fi, err := os.Stat(path)
			if err != nil {
				t.Fatal(err)
			}
			// Owner bits only: no sane umask clears them.
			if fi.Mode().Perm() != tt.perm {
				t.Errorf("mode = %04o, want %04o", fi.Mode().Perm(), tt.perm)
			}
			if names := listDir(t, dir); len(names) != 1 || names[0] != "f.json" {
				t.Errorf("folder holds %q, want only f.json", names)
			}
		})
	}
}

func TestWriteNew(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "keystore.json")
	if err := WriteNew(path, []byte("first"), 0o600); err != nil {
		t.Fatalf("WriteNew on a new name: %v", err)
	}
	err := WriteNew(path, []byte("second"), 0o600)
	if !errors.Is(err, fs.ErrExist) {
		t.Fatalf("WriteNew on an existing file: err = %v, want fs.ErrExist", err)
	}
	if !strings.Contains(err.Error(), path) {
		t.Errorf("error %q does not name the file", err)
	}
	got, _ := os.ReadFile(path)
	if string(got) != "first" {
		t.Errorf("content = %q after a refused WriteNew, want %q", got, "first")
	}
	if names := listDir(t, dir); len(names) != 1 {
		t.Errorf("folder holds %q, want only keystore.json", names)
	}
	fi, _ := os.Stat(path)
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("mode = %04o, want 0600", fi.Mode().Perm())
	}
}

// TestWriteNewRace checks that of many concurrent WriteNew calls on one name
// exactly one wins and the file holds the winner's data whole.
func TestWriteNewRace(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "f")
	const n = 8
	var wg sync.WaitGroup
	errs := make([]error, n)
	for i := range n {
		wg.Go(func() {
			errs[i] = WriteNew(path, bytes.Repeat([]byte{byte('a' + i)}, 4096), 0o600)
		})
	}
	wg.Wait()
	wins := 0
	for _, err := range errs {
		switch {
		case err == nil:
			wins++
		case !errors.Is(err, fs.ErrExist):
			t.Errorf("unexpected error: %v", err)
		}
	}
	if wins != 1 {
		t.Fatalf("%d writers succeeded, want exactly 1", wins)
	}
	got, _ := os.ReadFile(path)
	if len(got) != 4096 || !bytes.Equal(got, bytes.Repeat(got[:1], 4096)) {
		t.Errorf("file is not one writer's data whole")
	}
	if names := listDir(t, dir); len(names) != 1 {
		t.Errorf("folder holds %q, want only f", names)
	}
}

// TestInterruptedWrite injects a failure after the temporary file is
// written and synced but before it is moved into place: the old file must
// be intact and no temporary file left behind.
func TestInterruptedWrite(t *testing.T) {
	errCrash := errors.New("simulated crash")
	for _, tt := range []struct {
		name  string
		write func(path string, data []byte, perm os.FileMode, h hooks) error
		old   []byte
	}{
		{"write replaces", write, []byte("old content")},
		{"write creates", write, nil},
		{"writeNew", writeNew, nil},
	} {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, "keystore.json")
			if tt.old != nil {
				if err := os.WriteFile(path, tt.old, 0o600); err != nil {
					t.Fatal(err)
				}
			}
			sawTemp := false
			h := hooks{afterTemp: func(tmp string) error {
				got, err := os.ReadFile(tmp)
				if err != nil || string(got) != "new content" {
					t.Errorf("temporary file holds %q, %v before the move", got, err)
				}
				if filepath.Dir(tmp) != dir {
					t.Errorf("temporary file %s is not in %s", tmp, dir)
				}
				sawTemp = true
				return errCrash
			}}
			err := tt.write(path, []byte("new content"), 0o600, h)
			if !errors.Is(err, errCrash) {
				t.Fatalf("err = %v, want the injected failure", err)
			}
			if !sawTemp {
				t.Fatal("the hook did not run")
			}
			got, err := os.ReadFile(path)
			switch {
			case tt.old == nil && !errors.Is(err, fs.ErrNotExist):
				t.Errorf("target exists after an interrupted create: %q, %v", got, err)
			case tt.old != nil && !bytes.Equal(got, tt.old):
				t.Errorf("target = %q, %v; want the old content intact", got, err)
			}
			want := 0
			if tt.old != nil {
				want = 1
			}
			if names := listDir(t, dir); len(names) != want {
				t.Errorf("folder holds %q, want %d file(s) and no temporary file", names, want)
			}
		})
	}
}

func TestWriteErrors(t *testing.T) {
	dir := t.TempDir()
	missing := filepath.Join(dir, "no-such-folder", "f")
	if err := Write(missing, []byte("x"), 0o600); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("Write into a missing folder: err = %v, want fs.ErrNotExist", err)
	} else if !strings.Contains(err.Error(), missing) {
		t.Errorf("error %q does not name the file", err)
	}
	if err := WriteNew(missing, []byte("x"), 0o600); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("WriteNew into a missing folder: err = %v, want fs.ErrNotExist", err)
	}
	if err := Write(dir+string(filepath.Separator), []byte("x"), 0o600); err == nil {
		t.Errorf("Write to a folder path succeeded")
	}
	// Replacing a folder by a file must fail and leave the folder.
	sub := filepath.Join(dir, "sub")
	if err := os.Mkdir(sub, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := Write(sub, []byte("x"), 0o600); err == nil {
		t.Errorf("Write over a folder succeeded")
	}
	if fi, err := os.Stat(sub); err != nil || !fi.IsDir() {
		t.Errorf("folder %s gone after a failed Write", sub)
	}
	if names := listDir(t, dir); len(names) != 1 {
		t.Errorf("folder holds %q, want only sub", names)
	}
}

func TestWriteNewDanglingSymlink(t *testing.T) {
	dir := t.TempDir()
	link := filepath.Join(dir, "ks")
	target := filepath.Join(dir, "elsewhere")
	if err := os.Symlink(target, link); err != nil {
		t.Skipf("no symlinks here: %v", err)
	}
	if err := WriteNew(link, []byte("x"), 0o600); !errors.Is(err, fs.ErrExist) {
		t.Errorf("WriteNew over a dangling symlink: err = %v, want fs.ErrExist", err)
	}
	if _, err := os.Lstat(target); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("WriteNew followed the symlink and created %s", target)
	}
}

// TestWriteNewExistsMessage: the refusal of an existing file says so once,
// and callers still see fs.ErrExist.
func TestWriteNewExistsMessage(t *testing.T) {
	path := filepath.Join(t.TempDir(), "out")
	if err := os.WriteFile(path, []byte("old"), 0o600); err != nil {
		t.Fatal(err)
	}
	err := WriteNew(path, []byte("new"), 0o600)
	if !errors.Is(err, fs.ErrExist) {
		t.Fatalf("WriteNew over a file: %v, want fs.ErrExist", err)
	}
	if want := "write " + path + ": the file already exists"; err.Error() != want {
		t.Errorf("WriteNew over a file:\n got %q\nwant %q", err, want)
	}
}
