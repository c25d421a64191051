package main

import (
	"bytes"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/rogpeppe/go-internal/txtar"

	"github.com/coffer-custody/coffer/audit"
	"github.com/coffer-custody/coffer/internal/auditcmd"
)

var updateKeep = flag.Bool("update-keep-fixtures", false, "rewrite the journal files of testdata/script/audit_keep.txt")

// keepScript is the testscript of audit keep; its journal files are made
// by keepFixtures (coffer-watch's scripts cannot run coffer).
var keepScript = filepath.Join("testdata", "script", "audit_keep.txt")

// keepKey is a journal key made from a fixed test seed.
func keepKey(t *testing.T, b byte) ed25519.PrivateKey {
	t.Helper()
	k, err := audit.JournalKey(bytes.Repeat([]byte{b}, 32))
	if err != nil {
		t.Fatal(err)
	}
	return k
}

type keepEntry struct {
	kind string
	data any
}

// buildJournal appends entries to a new journal with fixed times, one
// minute apart, and returns its lines (each with its newline). The same
// entries give the same bytes: ed25519 signatures are deterministic.
func buildJournal(t *testing.T, key ed25519.PrivateKey, entries []keepEntry) [][]byte {
	t.Helper()
	path := filepath.Join(t.TempDir(), "journal.jsonl")
	base := time.Date(2026, 8, 20, 9, 0, 0, 0, time.UTC)
	for i, e := range entries {
		if _, err := audit.Append(path, key, e.kind, e.data, base.Add(time.Duration(i)*time.Minute)); err != nil {
			t.Fatal(err)
		}
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return bytes.SplitAfter(bytes.TrimSuffix(b, []byte("\n")), []byte("\n"))
}

func joinLines(lines [][]byte) []byte {
	var b []byte
	for _, l := range lines {
		b = append(b, l...)
	}
	if len(b) > 0 && b[len(b)-1] != '\n' {
		b = append(b, '\n')
	}
	return b
}

// keepFixtures are the journal copies audit_keep.txt keeps: journal A (8
// entries) in whole and --since copies, a fork of A that rewrites seq 4,
// A with seq 2 changed, and journal B of another key.
func keepFixtures(t *testing.T) map[string][]byte {
	kA, kB := keepKey(t, 0xa1), keepKey(t, 0xb2)
	acts := []keepEntry{
		{"restore", map[string]any{"network": "regtest"}},
		{"export", map[string]any{"format": "descriptor"}},
		{"sign", map[string]any{"wallet": "ops", "spent_sats": 150000}},
		{"sign", map[string]any{"wallet": "ops", "spent_sats": 20000}},
		{"prove", map[string]any{"address": "bcrt1qexample"}},
		{"sign", map[string]any{"wallet": "ops", "spent_sats": 30000}},
		{"export", map[string]any{"format": "core"}},
		{"sign", map[string]any{"wallet": "ops", "spent_sats": 40000}},
	}
	a := buildJournal(t, kA, acts)
	forked := append(append([]keepEntry{}, acts[:3]...), keepEntry{"sign", map[string]any{"wallet": "ops", "spent_sats": 2000000}}, acts[4])
	fork := buildJournal(t, kA, forked)
	bad := append([][]byte{}, a[:5]...)
	bad[1] = bytes.Replace(a[1], []byte(`"descriptor"`), []byte(`"descriptoR"`), 1)
	b := buildJournal(t, kB, acts[:2])
	return map[string][]byte{
		"a.key":             []byte(hex.EncodeToString(kA.Public().(ed25519.PublicKey)) + "\n"),
		"b.key":             []byte(hex.EncodeToString(kB.Public().(ed25519.PublicKey)) + "\n"),
		"a3.jsonl":          joinLines(a[:3]),
		"a5.jsonl":          joinLines(a[:5]),
		"a8.jsonl":          joinLines(a),
		"a-since3.jsonl":    joinLines(a[3:6]),
		"a-since6.jsonl":    joinLines(a[6:]),
		"fork.jsonl":        joinLines(fork),
		"fork-since3.jsonl": joinLines(fork[3:]),
		"bad.jsonl":         joinLines(bad),
		"b.jsonl":           joinLines(b),
	}
}

// TestAuditKeepFixtures checks that the journal files of audit_keep.txt
// are what keepFixtures makes (-update-keep-fixtures rewrites them).
func TestAuditKeepFixtures(t *testing.T) {
	want := keepFixtures(t)
	ar, err := txtar.ParseFile(keepScript)
	if err != nil {
		t.Fatal(err)
	}
	if *updateKeep {
		var files []txtar.File
		for _, f := range ar.Files {
			if _, ok := want[f.Name]; !ok {
				files = append(files, f)
			}
		}
		for _, name := range sortedKeys(want) {
			files = append(files, txtar.File{Name: name, Data: want[name]})
		}
		ar.Files = files
		if err := os.WriteFile(keepScript, txtar.Format(ar), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	got := map[string][]byte{}
	for _, f := range ar.Files {
		got[f.Name] = f.Data
	}
	for name, data := range want {
		if !bytes.Equal(got[name], data) {
			t.Errorf("%s: file %s is not what keepFixtures makes: run go test -run TestAuditKeepFixtures -update-keep-fixtures", keepScript, name)
		}
	}
}

func sortedKeys(m map[string][]byte) []string {
	var keys []string
	for k := range m {
		keys = append(keys, k)
	}
	for i := range keys {
		for j := i + 1; j < len(keys); j++ {
			if keys[j] < keys[i] {
				keys[i], keys[j] = keys[j], keys[i]
			}
		}
	}
	return keys
}

// TestAuditKeepCeremony keeps the real journal coffer wrote (testdata/audit)
// with --ceremony, from standard input and from a file, and checks the
// folder and file modes.
func TestAuditKeepCeremony(t *testing.T) {
	data := t.TempDir()
	journal, err := os.ReadFile(fixture("journal.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	lines := bytes.SplitAfter(bytes.TrimSuffix(journal, []byte("\n")), []byte("\n"))
	first := joinLines(lines[:4])
	firstFile := filepath.Join(t.TempDir(), "first.jsonl")
	if err := os.WriteFile(firstFile, first, 0o644); err != nil {
		t.Fatal(err)
	}
	code, out, errOut := runWatch(t, "--data", data, "audit", "keep", firstFile, "--ceremony", fixture("ceremony.json"))
	if code != 0 || !strings.Contains(out, "entries:     0 before, 4 after (4 new)\n") || !strings.Contains(out, "ceremony:    seq 1 records the ceremony transcript\n") {
		t.Fatalf("first keep: exit %d\n%s%s", code, out, errOut)
	}
	dir := filepath.Join(data, "journals")
	if fi, err := os.Stat(dir); err != nil || fi.Mode().Perm() != 0o700 {
		t.Errorf("journals folder: %v %v", fi.Mode(), err)
	}
	kept, _ := filepath.Glob(filepath.Join(dir, "*.jsonl"))
	if len(kept) != 1 {
		t.Fatalf("kept files: %v", kept)
	}
	if fi, err := os.Stat(kept[0]); err != nil || fi.Mode().Perm()&0o600 != 0o600 || fi.Mode().Perm()&0o022 != 0 {
		t.Errorf("kept file mode: %v %v", fi.Mode(), err)
	}

	// The rest, as 'coffer audit export --since 4 | coffer-watch audit keep -' gives it.
	var stdout, stderr bytes.Buffer
	code = run([]string{"--data", data, "--json", "audit", "keep", "-", "--ceremony", fixture("ceremony.json")}, bytes.NewReader(joinLines(lines[4:])), &stdout, &stderr)
	var res auditcmd.KeepResult
	if err := json.Unmarshal(stdout.Bytes(), &res); code != 0 || err != nil {
		t.Fatalf("keep -: exit %d %v\n%s%s", code, err, stdout.String(), stderr.String())
	}
	last := bytes.TrimSuffix(lines[len(lines)-1], []byte("\n"))
	wantHead := auditcmd.FormatHead(uint64(len(lines)), sha256.Sum256(last))
	if res.Copy != "standard input" || res.CopyFirstSeq != 5 || res.EntriesBefore != 4 || res.EntriesAfter != int64(len(lines)) || res.Head != wantHead || !res.CeremonyChecked || stderr.Len() != 0 {
		t.Errorf("keep -: %+v\n%s", res, stderr.String())
	}
	got, _ := os.ReadFile(kept[0])
	if !bytes.Equal(got, journal) {
		t.Errorf("the kept copy is not the journal")
	}

	// show-kept names it with the same head.
	code, out, _ = runWatch(t, "--data", data, "audit", "show-kept")
	if code != 0 || !strings.Contains(out, res.Fingerprint+"  9 entries  head "+wantHead+"  ") {
		t.Errorf("show-kept: exit %d\n%s", code, out)
	}
}

// TestAuditKeepRefusals covers the refusals the script does not: a first
// copy that starts after seq 1, a --since copy with a gap after the kept
// head, a kept file changed in the data folder, an empty copy.
func TestAuditKeepRefusals(t *testing.T) {
	fx := keepFixtures(t)
	dir := t.TempDir()
	write := func(name string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, fx[name], 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	data := filepath.Join(dir, "data")
	key := strings.TrimSpace(string(fx["a.key"]))
	keep := func(file string) (int, string, string) {
		return runWatch(t, "--data", data, "audit", "keep", file, "--pubkey", key)
	}
	if code, _, errOut := keep(write("a-since6.jsonl")); code != 1 || !strings.Contains(errOut, "starts at seq 7 and no copy of journal") || !strings.Contains(errOut, "hint: keep a whole copy first") {
		t.Errorf("first copy from seq 7: exit %d\n%s", code, errOut)
	}
	if _, err := os.Stat(filepath.Join(data, "journals")); !os.IsNotExist(err) {
		t.Errorf("a refused first copy made the folder: %v", err)
	}
	if code, _, errOut := keep(write("a3.jsonl")); code != 0 {
		t.Fatalf("a3: exit %d %s", code, errOut)
	}
	if code, _, errOut := keep(write("a-since6.jsonl")); code != 1 || !strings.Contains(errOut, "starts at seq 7 but the kept copy of journal") || !strings.Contains(errOut, "entries 4..6 are missing between them") {
		t.Errorf("gap: exit %d\n%s", code, errOut)
	}
	// A --since copy whose first entry links to another seq 4 than the
	// kept one: seq 5 of the fork, on top of A's seq 1 to 5.
	if code, _, errOut := keep(write("a5.jsonl")); code != 0 {
		t.Fatalf("a5: exit %d %s", code, errOut)
	}
	forkLines := bytes.SplitAfter(bytes.TrimSuffix(fx["fork.jsonl"], []byte("\n")), []byte("\n"))
	fork5 := filepath.Join(dir, "fork5.jsonl")
	os.WriteFile(fork5, joinLines(forkLines[4:]), 0o644)
	before, _ := os.ReadFile(filepath.Join(data, "journals", "980ac25b731ec3bc.jsonl"))
	if code, _, errOut := keep(fork5); code != 1 || !strings.Contains(errOut, "fork5.jsonl does not continue the kept copy of journal 980ac25b731ec3bc: its first entry, seq 5, does not link to the kept entry seq 4") {
		t.Errorf("fork seq 5: exit %d\n%s", code, errOut)
	}
	if after, _ := os.ReadFile(filepath.Join(data, "journals", "980ac25b731ec3bc.jsonl")); !bytes.Equal(before, after) {
		t.Errorf("a refused copy changed the kept copy")
	}
	empty := filepath.Join(dir, "empty.jsonl")
	os.WriteFile(empty, nil, 0o644)
	if code, out, errOut := keep(empty); code != 0 || !strings.Contains(out, "nothing new") {
		t.Errorf("empty copy: exit %d\n%s%s", code, out, errOut)
	}
	// A kept copy changed in the data folder is not extended.
	kept := filepath.Join(data, "journals", auditcmd.JournalFingerprint(mustKey(t, key))+".jsonl")
	os.WriteFile(kept, fx["a5.jsonl"][:len(fx["a3.jsonl"])-1], 0o644)
	if code, _, errOut := keep(write("a8.jsonl")); code != 1 || !strings.Contains(errOut, "the kept copy "+kept+" does not verify") {
		t.Errorf("changed kept copy: exit %d\n%s", code, errOut)
	}
	// Without a key.
	if code, _, errOut := runWatch(t, "--data", data, "audit", "keep", write("a5.jsonl")); code != 1 || !strings.Contains(errOut, "--pubkey or --ceremony is required") {
		t.Errorf("no key: exit %d\n%s", code, errOut)
	}
}

func mustKey(t *testing.T, s string) ed25519.PublicKey {
	k, err := audit.ParsePublicKey(s)
	if err != nil {
		t.Fatal(err)
	}
	return k
}
