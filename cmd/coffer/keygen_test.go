package main

import (
	"bytes"
	"crypto/rand"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// officer plays the officer at the keyboard: it answers each prompt coffer
// writes to stderr, reading the words it needs from what coffer showed on
// stdout. wrongWords makes it answer every quiz question wrongly.
type officer struct {
	mu         sync.Mutex
	stdout     bytes.Buffer
	stderr     bytes.Buffer
	answers    *io.PipeWriter
	passphrase string
	wrongWords bool
}

func (o *officer) Write(p []byte) (int, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.stderr.Write(p)
	text := string(p)
	var answer string
	switch {
	case strings.HasPrefix(text, "New passphrase"), strings.HasPrefix(text, "Type it again"):
		answer = o.passphrase
	case strings.HasPrefix(text, "When the words are written down"), strings.HasPrefix(text, "Share "):
		answer = ""
	case strings.HasPrefix(text, "Word #"):
		n, _ := strconv.Atoi(strings.TrimSuffix(strings.TrimPrefix(text, "Word #"), ": "))
		answer = o.word(n)
		if o.wrongWords {
			answer = "zoo"
		}
	default:
		return len(p), nil
	}
	go o.answers.Write([]byte(answer + "\n"))
	return len(p), nil
}

var shownWord = regexp.MustCompile(`(\d+)\. (\S+)`)

// word is word n of the words shown last (a later share replaces an
// earlier one on the screen).
func (o *officer) word(n int) string {
	w := "?"
	for _, m := range shownWord.FindAllStringSubmatch(o.stdoutText(), -1) {
		if m[1] == strconv.Itoa(n) {
			w = m[2]
		}
	}
	return w
}

// stdoutText is the screen: the words go to stdout, or to stderr with --json.
func (o *officer) stdoutText() string { return o.stdout.String() + o.stderr.String() }

// messages returns only coffer's own error and warning lines, so a failing
// test never prints the words of the mnemonic it made.
func (o *officer) messages() string {
	var lines []string
	for _, l := range strings.Split(o.stderr.String(), "\n") {
		if strings.HasPrefix(l, "coffer: ") {
			lines = append(lines, l)
		}
	}
	return strings.Join(lines, "\n")
}

type lockedWriter struct {
	o *officer
}

func (w lockedWriter) Write(p []byte) (int, error) {
	w.o.mu.Lock()
	defer w.o.mu.Unlock()
	return w.o.stdout.Write(p)
}

func runInteractive(t *testing.T, o *officer, args ...string) int {
	t.Helper()
	in, answers := io.Pipe()
	o.answers = answers
	e := &env{getenv: func(string) string { return "" }, now: time.Now, rand: rand.Reader}
	root := newRootCommand(e)
	root.SetArgs(args)
	root.SetIn(in)
	root.SetOut(lockedWriter{o})
	root.SetErr(o)
	code := exitOK
	if err := root.Execute(); err != nil {
		code = reportError(o, err)
	}
	answers.Close()
	return code
}

// TestKeygenInteractiveQuiz runs a whole interactive ceremony: the
// passphrase typed twice, the words shown, 4 of them asked back at random
// positions; the transcript records a verified backup.
func TestKeygenInteractiveQuiz(t *testing.T) {
	vault := filepath.Join(t.TempDir(), "vault")
	o := &officer{passphrase: "correct horse battery staple"}
	code := runInteractive(t, o, "--vault", vault, "keygen", "--network", "regtest", "--officer", "alice", "--json")
	if code != exitOK {
		t.Fatalf("exit %d\n%s", code, o.messages())
	}
	if got := strings.Count(o.stderr.String(), "Word #"); got != 4 {
		t.Fatalf("asked %d words, want 4", got)
	}
	transcript, err := os.ReadFile(filepath.Join(vault, ceremonyFile))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(transcript, []byte(`"backup_verified": true`)) {
		t.Fatalf("backup not recorded as verified:\n%s", transcript)
	}
	// The words were shown once on the screen and are nowhere in the vault.
	first := o.word(1)
	for _, name := range []string{keystoreFile, ceremonyFile, journalFile} {
		data, err := os.ReadFile(filepath.Join(vault, name))
		if err != nil {
			t.Fatal(err)
		}
		if bytes.Contains(data, []byte(first+" ")) {
			t.Fatalf("%s contains a word of the mnemonic", name)
		}
	}
}

// TestKeygenQuizFailsWritesNothing: three wrong answers abort the ceremony
// and no vault file exists afterwards.
func TestKeygenQuizFailsWritesNothing(t *testing.T) {
	vault := filepath.Join(t.TempDir(), "vault")
	o := &officer{passphrase: "pw", wrongWords: true}
	code := runInteractive(t, o, "--vault", vault, "keygen", "--network", "regtest")
	if code != exitError {
		t.Fatalf("exit %d, want %d", code, exitError)
	}
	if !strings.Contains(o.stderr.String(), "answered wrong three times") {
		t.Fatalf("messages: %s", o.messages())
	}
	for _, name := range []string{keystoreFile, ceremonyFile, journalFile} {
		if _, err := os.Stat(filepath.Join(vault, name)); !os.IsNotExist(err) {
			t.Fatalf("%s exists after a failed quiz", name)
		}
	}
}

func TestPickPositionsDistinct(t *testing.T) {
	for i := 0; i < 200; i++ {
		pos, err := pickPositions(rand.Reader, 12, 4)
		if err != nil {
			t.Fatal(err)
		}
		seen := map[int]bool{}
		for _, p := range pos {
			if p < 0 || p >= 12 || seen[p] {
				t.Fatalf("bad positions %v", pos)
			}
			seen[p] = true
		}
	}
}

// TestKeygenSharesInteractive: each share is shown on its own screen for
// its holder, and each holder is asked words of their own share.
func TestKeygenSharesInteractive(t *testing.T) {
	vault := filepath.Join(t.TempDir(), "vault")
	o := &officer{passphrase: "pw"}
	code := runInteractive(t, o, "--vault", vault, "keygen", "--network", "regtest", "--shares", "2-of-3",
		"--officer", "alice", "--officer", "bob", "--officer", "carol")
	if code != exitOK {
		t.Fatalf("exit %d\n%s", code, o.messages())
	}
	screen := o.stdoutText()
	for _, holder := range []string{"alice", "bob", "carol"} {
		if !strings.Contains(screen, "Only "+holder+" may look at the screen now") {
			t.Fatalf("no screen of its own for %s", holder)
		}
	}
	if got := strings.Count(screen, "Word #"); got != 12 {
		t.Fatalf("asked %d words, want 4 for each of 3 holders", got)
	}
	transcript, err := os.ReadFile(filepath.Join(vault, ceremonyFile))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"backup": "slip39"`, `"backup_verified": true`, `"carol"`} {
		if !bytes.Contains(transcript, []byte(want)) {
			t.Fatalf("transcript lacks %s", want)
		}
	}
}

// TestCheckOfficers: officer names are plain text; a control character,
// a terminal escape, a bidi override or invalid UTF-8 is refused.
func TestCheckOfficers(t *testing.T) {
	for _, names := range [][]string{
		{"alice\nbob"},
		{"alice", "eve\x1b[2J"},
		{"carol\u202e"},
		{"dan\xff"},
		{"tab\there"},
		{strings.Repeat("a", maxOfficerLen+1)},
		{"alice", " alice "},
		{" "},
	} {
		if err := checkOfficers(names); err == nil {
			t.Errorf("checkOfficers(%q) = nil, want a refusal", names)
		}
	}
	for _, names := range [][]string{
		nil,
		{"alice", "bob"},
		{"Zoë Ångström", "李雷"},
		{strings.Repeat("a", maxOfficerLen)},
	} {
		if err := checkOfficers(names); err != nil {
			t.Errorf("checkOfficers(%q) = %v, want nil", names, err)
		}
	}
}
