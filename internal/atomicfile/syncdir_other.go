//go:build !unix

package atomicfile

// syncDir does nothing where folders cannot be opened for syncing (Windows,
// where rename is durable once the file is flushed, and wasm).
func syncDir(string) error { return nil }
