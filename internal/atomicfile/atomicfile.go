package atomicfile

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"
)

// hooks lets tests inject a failure between two steps of a write. Production
// code passes a zero hooks; there is no package-level state.
// errExist is fs.ErrExist in words that do not repeat themselves: "write
// F: the file already exists", not "...: file already exists".
var errExist error = existError{}

type existError struct{}

func (existError) Error() string        { return "the file already exists" }
func (existError) Is(target error) bool { return target == fs.ErrExist }

type hooks struct {
	// afterTemp runs once the temporary file is written and synced, just
	// before it is moved into place. A non-nil error aborts the write.
	afterTemp func(tmp string) error
}

// Write writes data to path atomically: readers and a crash at any moment
// see either the old file or the whole new one. An existing file is replaced
// and the new one has permission bits perm (subject to the umask).
func Write(path string, data []byte, perm os.FileMode) error {
	return write(path, data, perm, hooks{})
}

// WriteNew is like [Write] but refuses to replace an existing file: if path
// exists, it returns an error wrapping [fs.ErrExist] and changes nothing.
// The check and the creation are one step, so it is free of races.
func WriteNew(path string, data []byte, perm os.FileMode) error {
	return writeNew(path, data, perm, hooks{})
}

func write(path string, data []byte, perm os.FileMode, h hooks) (err error) {
	tmp, err := writeTemp(path, data, perm)
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			os.Remove(tmp)
		}
	}()
	if h.afterTemp != nil {
		if err := h.afterTemp(tmp); err != nil {
			return fmt.Errorf("write %s: %w", path, err)
		}
	}
	if err := os.Rename(tmp, path); err != nil {
		return fmt.Errorf("write %s: cannot move the new file into place: %w", path, unwrapPathError(err))
	}
	if err := syncDir(filepath.Dir(path)); err != nil {
		// The file is in place; only its durability across a power loss is
		// in doubt. Report it, but the old content is gone already.
		return fmt.Errorf("write %s: the file is written but its folder could not be synced: %w", path, err)
	}
	return nil
}

func writeNew(path string, data []byte, perm os.FileMode, h hooks) error {
	// Fail early, without writing anything, in the common case; the link
	// below is what makes it race-free.
	if _, err := os.Lstat(path); err == nil {
		return fmt.Errorf("write %s: %w", path, errExist)
	}
	tmp, err := writeTemp(path, data, perm)
	if err != nil {
		return err
	}
	defer os.Remove(tmp)
	if h.afterTemp != nil {
		if err := h.afterTemp(tmp); err != nil {
			return fmt.Errorf("write %s: %w", path, err)
		}
	}
	err = os.Link(tmp, path)
	switch {
	case err == nil:
	case errors.Is(err, fs.ErrExist):
		return fmt.Errorf("write %s: %w", path, errExist)
	case linksUnsupported(err):
		if err := writeInPlace(path, data, perm); err != nil {
			return err
		}
	default:
		return fmt.Errorf("write %s: cannot move the new file into place: %w", path, unwrapPathError(err))
	}
	if err := os.Remove(tmp); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("write %s: the file is written but the temporary file %s could not be removed: %w", path, tmp, unwrapPathError(err))
	}
	if err := syncDir(filepath.Dir(path)); err != nil {
		return fmt.Errorf("write %s: the file is written but its folder could not be synced: %w", path, err)
	}
	return nil
}

// writeTemp writes data to a new temporary file next to path and syncs it.
// It returns the temporary file's name; on error nothing is left behind.
func writeTemp(path string, data []byte, perm os.FileMode) (tmp string, err error) {
	dir, base := filepath.Split(path)
	if base == "" {
		return "", fmt.Errorf("write %q: the path names a folder, not a file", path)
	}
	var f *os.File
	for range 10 {
		var r [8]byte
		if _, err := rand.Read(r[:]); err != nil {
			return "", fmt.Errorf("write %s: cannot name a temporary file: %w", path, err)
		}
		tmp = filepath.Join(dir, "."+base+".tmp-"+hex.EncodeToString(r[:]))
		f, err = os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_EXCL, perm)
		if err == nil || !errors.Is(err, fs.ErrExist) {
			break
		}
	}
	if err != nil {
		return "", fmt.Errorf("write %s: cannot create a temporary file: %w", path, unwrapPathError(err))
	}
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(tmp)
		}
	}()
	if _, err := f.Write(data); err != nil {
		return "", fmt.Errorf("write %s: %w", path, unwrapPathError(err))
	}
	if err := f.Sync(); err != nil {
		return "", fmt.Errorf("write %s: cannot flush to disk: %w", path, unwrapPathError(err))
	}
	if err := f.Close(); err != nil {
		return "", fmt.Errorf("write %s: %w", path, unwrapPathError(err))
	}
	return tmp, nil
}

// writeInPlace creates path with O_EXCL and writes data into it, for file
// systems without hard links. A failure removes the partial file.
func writeInPlace(path string, data []byte, perm os.FileMode) (err error) {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, perm)
	if errors.Is(err, fs.ErrExist) {
		return fmt.Errorf("write %s: %w", path, errExist)
	}
	if err != nil {
		return fmt.Errorf("write %s: %w", path, unwrapPathError(err))
	}
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(path)
		}
	}()
	if _, err := f.Write(data); err != nil {
		return fmt.Errorf("write %s: %w", path, unwrapPathError(err))
	}
	if err := f.Sync(); err != nil {
		return fmt.Errorf("write %s: cannot flush to disk: %w", path, unwrapPathError(err))
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("write %s: %w", path, unwrapPathError(err))
	}
	return nil
}

// linksUnsupported reports whether link(2) failed because the file system
// has no hard links, rather than for a reason a fallback would not fix.
func linksUnsupported(err error) bool {
	return errors.Is(err, errors.ErrUnsupported) ||
		errors.Is(err, syscall.EPERM) ||
		errors.Is(err, syscall.ENOTSUP) ||
		errors.Is(err, syscall.EOPNOTSUPP) ||
		errors.Is(err, syscall.ENOSYS) ||
		errors.Is(err, syscall.EMLINK)
}

// unwrapPathError drops the *fs.PathError or *os.LinkError layer, whose
// message repeats the path in Go's wording, keeping the cause.
func unwrapPathError(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	var le *os.LinkError
	if errors.As(err, &le) {
		return le.Err
	}
	return err
}
