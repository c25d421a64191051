package keystore

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/coffer-custody/coffer/internal/atomicfile"
)

// TestProductionParams checks that the parameters of new keystores are the
// ones doc.go states, that they pass the bounds applied when reading, and
// that a keystore made with them opens. It is the one test that runs the
// real Argon2id cost (two derivations).
func TestProductionParams(t *testing.T) {
	p := productionKDF()
	doc, err := os.ReadFile("doc.go")
	if err != nil {
		t.Fatal(err)
	}
	want := fmt.Sprintf("Argon2id with %d MiB of memory, %d passes and %d lanes", p.MemoryKiB/1024, p.Time, p.Threads)
	if !strings.Contains(strings.Join(strings.Fields(string(doc)), " "), want) {
		t.Errorf("doc.go does not say %q", want)
	}
	if err := checkParams(p); err != nil {
		t.Fatalf("production parameters fail the read bounds: %v", err)
	}
	if p.MemoryKiB < 64*1024 || p.Time < 1 {
		t.Errorf("production parameters %+v are weaker than 64 MiB", p)
	}
	if testing.Short() {
		t.Skip("skipping the real key derivation in -short mode")
	}
	path := filepath.Join(t.TempDir(), "keystore.json")
	if err := create(path, bip39Secret(), []byte(testPassphrase), testMeta, p, atomicfile.WriteNew); err != nil {
		t.Fatal(err)
	}
	data, _ := os.ReadFile(path)
	if !bytes.Contains(data, fmt.Appendf(nil, `"memory_kib": %d,`, p.MemoryKiB)) {
		t.Errorf("the file does not record memory_kib %d", p.MemoryKiB)
	}
	s, _, err := Open(path, []byte(testPassphrase))
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	s.Wipe()
}

// BenchmarkUnlock measures one Open of a keystore with the production
// parameters: this is the figure doc.go quotes. Run it with
// -benchtime=3x: one iteration is about a second.
func BenchmarkUnlock(b *testing.B) {
	path := filepath.Join(b.TempDir(), "keystore.json")
	if err := create(path, bip39Secret(), []byte(testPassphrase), testMeta, productionKDF(), atomicfile.WriteNew); err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		s, _, err := Open(path, []byte(testPassphrase))
		if err != nil {
			b.Fatal(err)
		}
		s.Wipe()
	}
}

// BenchmarkUnlockTestParams measures Open with the parameters that
// TestOnlyFastKDF selects.
func BenchmarkUnlockTestParams(b *testing.B) {
	path, _ := newKeystore(b)
	for b.Loop() {
		s, _, err := Open(path, []byte(testPassphrase))
		if err != nil {
			b.Fatal(err)
		}
		s.Wipe()
	}
}
