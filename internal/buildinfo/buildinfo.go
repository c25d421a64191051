// Package buildinfo says which build of Coffer is running: the version and
// commit stamped at link time, the Go version, and the SHA-256 of the running
// binary, which an auditor compares with a reproducible build.
//
// Call Read once, in a command; nothing here changes after link time.
package buildinfo

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"runtime"
)

// Set by the linker: -ldflags "-X github.com/coffer-custody/coffer/internal/buildinfo.version=..."
// These are the only package-level variables of the project, written once by the
// linker and never by code.
var (
	version = "dev"
	commit  = "unknown"
)

// Info describes the running binary.
type Info struct {
	Version      string `json:"version"`
	Commit       string `json:"commit"`
	GoVersion    string `json:"go_version"`
	Platform     string `json:"platform"`
	BinarySHA256 string `json:"binary_sha256"`
}

// Read returns the build information and hashes the running executable.
// A binary that cannot be read is reported in the error, never guessed.
func Read() (Info, error) {
	info := Info{
		Version:   version,
		Commit:    commit,
		GoVersion: runtime.Version(),
		Platform:  runtime.GOOS + "/" + runtime.GOARCH,
	}
	sum, err := executableSHA256()
	if err != nil {
		return info, err
	}
	info.BinarySHA256 = sum
	return info, nil
}

// Version is the stamped version string, without hashing the binary.
func Version() string { return version }

func executableSHA256() (string, error) {
	path, err := os.Executable()
	if err != nil {
		return "", fmt.Errorf("cannot locate the running binary: %v", err)
	}
	f, err := os.Open(path)
	if err != nil {
		return "", fmt.Errorf("cannot read the running binary %s: %v", path, err)
	}
	defer f.Close()
	return HashFile(f)
}

// HashFile returns the hex SHA-256 of everything r yields.
func HashFile(r io.Reader) (string, error) {
	h := sha256.New()
	if _, err := io.Copy(h, r); err != nil {
		return "", fmt.Errorf("cannot hash the binary: %v", err)
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}
