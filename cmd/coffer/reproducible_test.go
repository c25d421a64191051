package main

import (
	"bytes"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// TestReproducibleBuild builds coffer twice with `make release`, from two
// copies of the source in two different folders, and compares the bytes:
// the first build starts from an empty build cache (everything compiled in
// its folder), the second uses the usual one. Auditors rely on this to
// compare their own build with `coffer version` and ceremony.json.
func TestReproducibleBuild(t *testing.T) {
	if testing.Short() {
		t.Skip("builds coffer from scratch (about a minute)")
	}
	if _, err := exec.LookPath("make"); err != nil {
		t.Skip("make is not installed")
	}
	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	base := t.TempDir()
	platform := runtime.GOOS + "/" + runtime.GOARCH
	binName := "coffer-" + runtime.GOOS + "-" + runtime.GOARCH

	// Both copies are made before either build, the second from the first,
	// so that they hold the same source even while the tree is edited.
	dirA := filepath.Join(base, "a", "coffer")
	dirB := filepath.Join(base, "b", "another", "checkout")
	copyTree(t, root, dirA)
	copyTree(t, dirA, dirB)

	build := func(dir string, freshCache bool) ([]byte, []byte) {
		t.Helper()
		cmd := exec.Command("make", "-s", "release", "DIST=out", "PLATFORMS="+platform, "RELEASE_CMDS=coffer",
			"VERSION=v0.0.0-reproducible", "COMMIT=0123456789abcdef0123456789abcdef01234567")
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "GOTOOLCHAIN=local", "GOPROXY=off", "GOFLAGS=-mod=readonly")
		if freshCache {
			cmd.Env = append(cmd.Env, "GOCACHE="+filepath.Join(base, "gocache"))
		}
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("make release in %s: %v\n%s", dir, err, out)
		}
		bin, err := os.ReadFile(filepath.Join(dir, "out", binName))
		if err != nil {
			t.Fatal(err)
		}
		sums, err := os.ReadFile(filepath.Join(dir, "out", "SHA256SUMS"))
		if err != nil {
			t.Fatal(err)
		}
		return bin, sums
	}
	binA, sumsA := build(dirA, true)
	binB, sumsB := build(dirB, false)
	if !bytes.Equal(binA, binB) {
		at := 0
		for at < len(binA) && at < len(binB) && binA[at] == binB[at] {
			at++
		}
		t.Fatalf("two builds of the same source differ from byte %d (%d and %d bytes)\n%s%s", at, len(binA), len(binB), sumsA, sumsB)
	}
	if !bytes.Equal(sumsA, sumsB) || !bytes.Contains(sumsA, []byte("  "+binName+"\n")) {
		t.Fatalf("SHA256SUMS differ or lack %s:\n%s%s", binName, sumsA, sumsB)
	}
	// No trace of either folder in the binary.
	for _, dir := range []string{base, root} {
		if bytes.Contains(binA, []byte(dir)) {
			t.Errorf("the binary contains the path %s", dir)
		}
	}
}

// copyTree copies what a build reads: the module's source, go.mod, go.sum,
// the Makefile and embedded files; not tests, test data, docs, binaries or
// version control.
func copyTree(t *testing.T, from, to string) {
	t.Helper()
	skipDirs := map[string]bool{".git": true, "bin": true, "dist": true, "testdata": true, "docs": true, "node_modules": true, ".cache": true}
	err := filepath.WalkDir(from, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(from, path)
		if err != nil {
			return err
		}
		if d.IsDir() {
			if rel != "." && (skipDirs[d.Name()] || strings.HasPrefix(d.Name(), ".")) {
				return filepath.SkipDir
			}
			return os.MkdirAll(filepath.Join(to, rel), 0o755)
		}
		if !d.Type().IsRegular() || strings.HasSuffix(d.Name(), "_test.go") {
			return nil
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		if !strings.HasSuffix(d.Name(), ".go") && info.Size() > 1<<20 {
			return nil // a binary left in the tree
		}
		return copyFile(path, filepath.Join(to, rel))
	})
	if err != nil {
		t.Fatalf("copying the source: %v", err)
	}
}

func copyFile(from, to string) error {
	in, err := os.Open(from)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(to, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}
