package main

import (
	"bytes"
	"crypto/rand"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/coffer-custody/coffer/keygen/slip39"
)

// TestRestoreSharesInteractive types SLIP-39 shares one at a time: a share
// with a mistyped word is named with the closest words as a hint (as a
// --share-file one is) and the officer goes on; after each good share coffer
// says what is still needed; two of a 2-of-3 set restore the vault.
func TestRestoreSharesInteractive(t *testing.T) {
	secret := bytes.Repeat([]byte{0x42}, 16)
	set, err := slip39.Split(secret, nil, 1, []slip39.Group{{Threshold: 2, Count: 3}}, 0, true, rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	var words [][]string
	for _, s := range set[0] {
		m, err := s.Mnemonic()
		if err != nil {
			t.Fatal(err)
		}
		words = append(words, strings.Fields(string(m)))
	}
	typo := append([]string(nil), words[0]...)
	typo[2] += "x" // SLIP-39 words have 4 to 8 letters: this one is one letter off
	input := strings.Join([]string{
		strings.Join(typo, " "),
		strings.Join(words[2], " "),
		strings.Join(words[0], " "),
		"pw", "pw", "",
	}, "\n")

	vault := filepath.Join(t.TempDir(), "vault")
	var stdout, stderr bytes.Buffer
	e := &env{getenv: func(string) string { return "" }, now: time.Now, rand: rand.Reader}
	root := newRootCommand(e)
	root.SetArgs([]string{"--vault", vault, "restore", "--slip39", "--network", "regtest"})
	root.SetIn(strings.NewReader(input))
	root.SetOut(&stdout)
	root.SetErr(&stderr)
	if err := root.Execute(); err != nil {
		reportError(&stderr, err)
		t.Fatalf("restore failed: %v\n%s", err, stderr.String())
	}
	out := stderr.String() + stdout.String()
	for _, want := range []string{
		"coffer: error: the share: word 3 is not in the SLIP-39 word list",
		"coffer: hint: did you mean",
		"1 more share needed",
		"Vault written: " + vault,
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q", want)
		}
	}
	if t.Failed() {
		t.Logf("error lines:\n%s", grepLines(out, "coffer: "))
	}
}

func grepLines(s, prefix string) string {
	var lines []string
	for _, l := range strings.Split(s, "\n") {
		if strings.Contains(l, prefix) {
			lines = append(lines, l)
		}
	}
	return strings.Join(lines, "\n")
}
