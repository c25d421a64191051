package cli

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
)

// CheckNewFile refuses, before any work is done, an output file that the
// command could not create at its end: a path that exists (PROG never
// overwrites a file), names a folder, or lies in a folder that is missing,
// is not a folder, or cannot be written. A command calls it before it
// unlocks, signs or journals anything, so that a bad output path fails with
// nothing changed.
//
// flag is the flag that named the path ("--out", or "--qr-out gif:" for a
// flag whose value prefixes the path), or "" for a path the command chose
// itself; it is named in the error and the hint.
func CheckNewFile(prog, flag, path string) error {
	name, another := path, "choose another file"
	switch {
	case strings.HasSuffix(flag, ":"): // --qr-out gif:FILE
		name, another = flag+path, "choose another "+strings.Fields(flag)[0]
	case flag != "":
		name, another = flag+" "+path, "choose another "+flag
	}
	if path == "" || strings.HasSuffix(path, string(filepath.Separator)) {
		return Failf(another, "%s names a folder, not a file", name)
	}
	fi, err := os.Lstat(path)
	switch {
	case err == nil && fi.IsDir():
		return Failf(another+" that names a file, e.g. "+filepath.Join(path, "out"), "%s is a folder, not a file", name)
	case err == nil:
		return Fail(ExitError, fmt.Errorf("%s already exists; %s never overwrites a file", path, prog), another+", or move the old file away")
	case !errors.Is(err, fs.ErrNotExist) && !errors.Is(err, syscall.ENOTDIR):
		return Failf("", "cannot check %s: %v", name, pathErr(err))
	}
	dir := filepath.Dir(path)
	di, err := os.Stat(dir)
	switch {
	case errors.Is(err, fs.ErrNotExist) || errors.Is(err, syscall.ENOTDIR):
		return Failf("create the folder first, or "+another, "%s: the folder %s does not exist", name, dir)
	case err != nil:
		return Failf("", "%s: cannot check the folder %s: %v", name, dir, pathErr(err))
	case !di.IsDir():
		return Failf(another, "%s: %s is not a folder", name, dir)
	}
	if err := writable(dir); err != nil {
		return Failf(another+" in a folder you can write", "%s: the folder %s cannot be written: %v", name, dir, err)
	}
	return nil
}

// pathErr drops the operation and path that *fs.PathError repeats: the
// messages here name the path themselves.
func pathErr(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}
