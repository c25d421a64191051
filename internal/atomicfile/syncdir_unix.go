//go:build unix

package atomicfile

import "os"

// syncDir fsyncs a folder so that a rename or link inside it survives a
// power loss.
func syncDir(dir string) error {
	if dir == "" {
		dir = "."
	}
	d, err := os.Open(dir)
	if err != nil {
		return unwrapPathError(err)
	}
	if err := d.Sync(); err != nil {
		d.Close()
		return unwrapPathError(err)
	}
	return d.Close()
}
