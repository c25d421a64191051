package auditcmd

import (
	"bytes"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/coffer-custody/coffer/audit"
)

// testJournal writes a journal of n entries (a restore, then sign and
// prove entries) signed by a key from a fixed seed, and returns its path
// and public key.
func testJournal(t testing.TB, dir string, ceremony []byte) (string, ed25519.PublicKey, ed25519.PrivateKey) {
	t.Helper()
	key, err := audit.JournalKey(bytes.Repeat([]byte{7}, 64))
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "journal.jsonl")
	at := time.Date(2026, 8, 20, 10, 0, 0, 0, time.UTC)
	sum := sha256.Sum256(ceremony)
	entries := []struct {
		kind string
		data any
	}{
		{audit.KindRestore, map[string]any{"ceremony_sha256": hex.EncodeToString(sum[:])}},
		{audit.KindSign, map[string]any{"wallet": "treasury", "spent_sats": 150000}},
		{audit.KindSign, map[string]any{"wallet": "treasury", "spent_sats": 50000}},
		{audit.KindSign, map[string]any{"spent_sats": 7, "outputs": []any{
			map[string]any{"index": 0, "label": "external", "amount_sat": 7},
			map[string]any{"index": 1, "label": "change", "wallet": "cold-2of3", "amount_sat": 90000},
		}}},
		{audit.KindSign, map[string]any{"txid": "no amount, no wallet"}},
		{audit.KindProve, map[string]any{"master_fingerprint": "73c5da0a", "account_path": "m/84h/1h/0h", "address": "bcrt1qa"}},
		{audit.KindProve, map[string]any{"master_fingerprint": "73c5da0a", "account_path": "m/84h/1h/0h", "address": "bcrt1qb"}},
		{audit.KindExport, map[string]any{"format": "descriptor"}},
	}
	for i, e := range entries {
		if _, err := audit.Append(path, key, e.kind, e.data, at.Add(time.Duration(i)*time.Minute)); err != nil {
			t.Fatal(err)
		}
	}
	return path, key.Public().(ed25519.PublicKey), key
}

func TestVerifyJournalReport(t *testing.T) {
	dir := t.TempDir()
	ceremony := []byte("{\"format\": \"coffer-ceremony/1\"}\n")
	path, pub, _ := testJournal(t, dir, ceremony)
	sum := sha256.Sum256(ceremony)
	rep, err := VerifyJournal(path, JournalOptions{PublicKey: pub, CeremonySHA256: &sum})
	if err != nil {
		t.Fatal(err)
	}
	if !rep.Valid || rep.Entries != 8 || rep.FirstSeq != 1 || rep.LastSeq != 8 || !rep.CeremonyChecked {
		t.Errorf("report %+v", rep)
	}
	if rep.Kinds["sign"] != 4 || rep.Kinds["prove"] != 2 || rep.Kinds["restore"] != 1 || rep.Kinds["export"] != 1 {
		t.Errorf("kinds %v", rep.Kinds)
	}
	want := []WalletTotal{
		{Wallet: "(wallet not recorded)", Signings: 1, Unknown: 1},
		{Wallet: "cold-2of3", Signings: 1, SpentSats: 7},
		{Wallet: "treasury", Signings: 2, SpentSats: 200000},
	}
	if len(rep.Signed) != len(want) {
		t.Fatalf("signed %+v", rep.Signed)
	}
	for i := range want {
		if rep.Signed[i] != want[i] {
			t.Errorf("signed[%d] = %+v, want %+v", i, rep.Signed[i], want[i])
		}
	}
	if len(rep.Proven) != 1 || rep.Proven[0].Key != "[73c5da0a/84h/1h/0h]" || rep.Proven[0].Seq != 7 || rep.Proven[0].Count != 2 || rep.Proven[0].Address != "bcrt1qb" {
		t.Errorf("proven %+v", rep.Proven)
	}
	var buf bytes.Buffer
	printJournalReport(&buf, rep)
	for _, line := range []string{
		"entries:     8 (seq 1 to 8)\n",
		"first:       2026-08-20T10:00:00.000Z\n",
		"kinds:       export 1, prove 2, restore 1, sign 4\n",
		"signed:      (wallet not recorded): 1 signing(s), 0 sats (1 without an amount)\n",
		"             cold-2of3: 1 signing(s), 7 sats\n",
		"             treasury: 2 signing(s), 200000 sats\n",
		"proven:      [73c5da0a/84h/1h/0h] last at 2026-08-20T10:06:00.000Z (seq 7, bcrt1qb), 2 proof(s)\n",
		"result:      ok\n",
	} {
		if !strings.Contains(buf.String(), line) {
			t.Errorf("text report lacks %q:\n%s", line, buf.String())
		}
	}

	// Another transcript: seq 1 does not record it.
	other := sha256.Sum256([]byte("another transcript"))
	_, err = VerifyJournal(path, JournalOptions{PublicKey: pub, CeremonySHA256: &other})
	var ve *audit.VerifyError
	if !errors.As(err, &ve) || ve.Seq != 1 || ve.Reason != audit.ReasonRejected {
		t.Errorf("another transcript: %v", err)
	}
}

// TestVerifyJournalTampering holds every kind of tampering to the seq it
// names and checks that the report keeps what verified before it.
func TestVerifyJournalTampering(t *testing.T) {
	dir := t.TempDir()
	path, pub, _ := testJournal(t, dir, nil)
	good, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.SplitAfter(string(good), "\n")
	lines = lines[:len(lines)-1]
	other, _ := audit.JournalKey(bytes.Repeat([]byte{8}, 64))
	// A forged entry: well formed and chained onto the end, but signed by
	// another key (audit.Append refuses to chain onto a line it cannot
	// verify, so the forger writes the line by hand).
	lastHash := sha256.Sum256([]byte(strings.TrimSuffix(lines[7], "\n")))
	body := `{"seq":9,"time":"2026-08-20T11:00:00.000Z","kind":"sign","prev":"` + hex.EncodeToString(lastHash[:]) + `","data":{"spent_sats":1}`
	sig := ed25519.Sign(other, append([]byte(audit.SignatureDomain), []byte(body+"}")...))
	forged := body + `,"sig":"` + hex.EncodeToString(sig) + `"}` + "\n"

	cases := []struct {
		name    string
		journal string
		line    int64
		seq     uint64
		reason  audit.Reason
		entries int64
	}{
		{"byte", strings.Replace(string(good), `"spent_sats":50000`, `"spent_sats":50001`, 1), 3, 3, audit.ReasonSignature, 2},
		{"deleted", lines[0] + strings.Join(lines[2:], ""), 2, 3, audit.ReasonSeq, 1},
		{"swapped", lines[0] + lines[2] + lines[1] + strings.Join(lines[3:], ""), 2, 3, audit.ReasonSeq, 1},
		{"torn", string(good[:len(good)-1]), 8, 8, audit.ReasonTorn, 7},
		{"forged", string(good) + forged, 9, 9, audit.ReasonSignature, 8},
		{"repeated", string(good) + lines[7], 9, 8, audit.ReasonSeq, 8},
	}
	for _, tc := range cases {
		p := filepath.Join(dir, tc.name+".jsonl")
		if err := os.WriteFile(p, []byte(tc.journal), 0o600); err != nil {
			t.Fatal(err)
		}
		rep, err := VerifyJournal(p, JournalOptions{PublicKey: pub})
		var ve *audit.VerifyError
		if !errors.As(err, &ve) {
			t.Errorf("%s: %v, want a VerifyError", tc.name, err)
			continue
		}
		if ve.Line != tc.line || ve.Seq != tc.seq || ve.Reason != tc.reason {
			t.Errorf("%s: line %d seq %d %s, want line %d seq %d %s", tc.name, ve.Line, ve.Seq, ve.Reason, tc.line, tc.seq, tc.reason)
		}
		if rep.Valid || rep.Entries != tc.entries || rep.Failure == nil || rep.Failure.Seq != tc.seq {
			t.Errorf("%s: report valid %v entries %d failure %+v", tc.name, rep.Valid, rep.Entries, rep.Failure)
		}
	}
	// An empty journal proves nothing.
	empty := filepath.Join(dir, "empty.jsonl")
	if err := os.WriteFile(empty, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if rep, err := VerifyJournal(empty, JournalOptions{PublicKey: pub}); err == nil || rep.Valid {
		t.Error("an empty journal verified")
	}
}

func TestExportJournal(t *testing.T) {
	dir := t.TempDir()
	path, pub, _ := testJournal(t, dir, nil)
	good, _ := os.ReadFile(path)
	var all bytes.Buffer
	res, err := ExportJournal(&all, path, pub, 0)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(all.Bytes(), good) || res.Entries != 8 || res.FirstSeq != 1 || res.After != "" {
		t.Errorf("whole export: %+v", res)
	}
	sum := sha256.Sum256(good)
	if res.SHA256 != hex.EncodeToString(sum[:]) || res.Bytes != int64(len(good)) {
		t.Errorf("sha256 %s bytes %d", res.SHA256, res.Bytes)
	}

	var part bytes.Buffer
	res, err = ExportJournal(&part, path, pub, 5)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.SplitAfter(string(good), "\n")
	if part.String() != strings.Join(lines[5:], "") || res.Entries != 3 || res.FirstSeq != 6 || res.LastSeq != 8 {
		t.Errorf("export since 5: %+v\n%s", res, part.String())
	}
	// The copy verifies against the head it names.
	cp := filepath.Join(dir, "part.jsonl")
	if err := os.WriteFile(cp, part.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	head, err := ParseHead(res.After)
	if err != nil || head.Seq != 5 {
		t.Fatalf("after %q: %v", res.After, err)
	}
	rep, err := VerifyJournal(cp, JournalOptions{PublicKey: pub, After: &head})
	if err != nil || rep.Entries != 3 || len(rep.Warnings) != 0 {
		t.Errorf("partial copy: %v %+v", err, rep)
	}
	rep, err = VerifyJournal(cp, JournalOptions{PublicKey: pub})
	if err != nil || len(rep.Warnings) != 1 || !strings.Contains(rep.Warnings[0], "starts at seq 6") {
		t.Errorf("partial copy without --after: %v %+v", err, rep.Warnings)
	}

	// Nothing is written for a journal that does not verify.
	bad := filepath.Join(dir, "bad.jsonl")
	if err := os.WriteFile(bad, bytes.Replace(good, []byte(`"wallet":"treasury"`), []byte(`"wallet":"treasurY"`), 1), 0o600); err != nil {
		t.Fatal(err)
	}
	var none bytes.Buffer
	if _, err := ExportJournal(&none, bad, pub, 0); err == nil || none.Len() != 0 {
		t.Errorf("bad journal exported %d bytes: %v", none.Len(), err)
	}
	if _, err := ExportJournal(&none, path, pub, 9); err == nil {
		t.Error("--since past the end accepted")
	}
}

func TestWriteNew(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "out.txt")
	if err := WriteNew(p, 0o644, func(w io.Writer) error { _, err := w.Write([]byte("one")); return err }); err != nil {
		t.Fatal(err)
	}
	if err := WriteNew(p, 0o644, func(w io.Writer) error { _, err := w.Write([]byte("two")); return err }); err == nil || !strings.Contains(err.Error(), "never overwritten") {
		t.Errorf("overwrote: %v", err)
	}
	if b, _ := os.ReadFile(p); string(b) != "one" {
		t.Errorf("content %q", b)
	}
	p2 := filepath.Join(dir, "fail.txt")
	if err := WriteNew(p2, 0o644, func(w io.Writer) error { return errors.New("boom") }); err == nil {
		t.Error("no error")
	}
	if _, err := os.Stat(p2); err == nil {
		t.Error("a failed write left the file")
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Errorf("temporary files left: %v", entries)
	}
}

func TestCeremonySignature(t *testing.T) {
	key, _ := audit.JournalKey(bytes.Repeat([]byte{1}, 32))
	pub := key.Public().(ed25519.PublicKey)
	transcript := []byte("{\n  \"format\": \"coffer-ceremony/1\"\n}\n")
	sig := SignCeremony(key, transcript)
	if len(sig) != 129 || sig[128] != '\n' {
		t.Fatalf("ceremony.sig %q", sig)
	}
	if err := VerifyCeremonySignature(pub, transcript, sig); err != nil {
		t.Fatal(err)
	}
	// Without the newline, too.
	if err := VerifyCeremonySignature(pub, transcript, sig[:128]); err != nil {
		t.Error(err)
	}
	cases := map[string]struct {
		transcript, sig []byte
	}{
		"transcript changed": {append([]byte(" "), transcript...), sig},
		"upper case":         {transcript, bytes.ToUpper(sig)},
		"short":              {transcript, sig[:100]},
		"not hex":            {transcript, bytes.Repeat([]byte("z"), 128)},
	}
	for name, tc := range cases {
		if err := VerifyCeremonySignature(pub, tc.transcript, tc.sig); err == nil {
			t.Errorf("%s: verified", name)
		}
	}
	// A journal entry's signature is not a ceremony signature: the domains differ.
	msg := append([]byte(audit.SignatureDomain), transcript...)
	js := hex.EncodeToString(ed25519.Sign(key, msg))
	if err := VerifyCeremonySignature(pub, transcript, []byte(js)); !errors.Is(err, ErrCeremonySignature) {
		t.Errorf("journal-domain signature: %v", err)
	}
}

func TestParseHead(t *testing.T) {
	h := strings.Repeat("ab", 32)
	if head, err := ParseHead("41:" + h); err != nil || head.Seq != 41 || hex.EncodeToString(head.Hash[:]) != h {
		t.Errorf("%+v %v", head, err)
	}
	for _, bad := range []string{"", "41", "0:" + h, "x:" + h, "41:" + h[:62], "41:" + strings.Repeat("zz", 32)} {
		if _, err := ParseHead(bad); err == nil {
			t.Errorf("%q parsed", bad)
		}
	}
	if got := FormatHead(3, [32]byte{1}); !strings.HasPrefix(got, "3:01000000") {
		t.Errorf("FormatHead %s", got)
	}
}

func TestExportKeys(t *testing.T) {
	text := []byte(`wpkh([73C5DA0A/84h/1h/0h]tpubDC8msFGeGuwnKG9Upg7DM2b4DaRqg3CUZa5g8v2SRQ6K4NSkxUgd7HsL2XVWbVm39yBA4LAxysQAm397zwQSQoQgewGiYZqrA9DsP4zbQ1M/<0;1>/*)#lxek0ef2
wpkh([73c5da0a/84h/1h/0h]tpubDC8msFGeGuwnKG9Upg7DM2b4DaRqg3CUZa5g8v2SRQ6K4NSkxUgd7HsL2XVWbVm39yBA4LAxysQAm397zwQSQoQgewGiYZqrA9DsP4zbQ1M/0/*)
"xpub": "vpub5Y6cjg78GGuNLsaPhmYsiw4gYX3HoQiRBiSwDaBXKUafCt9bNwWQiitDk5VZ5BVxYnQdwoTyXSs2JHRPAgjAvtbBrf8ZhDYe2jWAqvZVnsc"`)
	keys := ExportKeys(text)
	if len(keys) != 2 {
		t.Fatalf("keys %+v", keys)
	}
	if keys[0].Origin != "73c5da0a/84h/1h/0h" || !strings.HasPrefix(keys[0].XPub, "tpubDC8ms") {
		t.Errorf("key 1 %+v", keys[0])
	}
	if keys[1].Origin != "" || !strings.HasPrefix(keys[1].XPub, "vpub5Y6c") {
		t.Errorf("key 2 %+v", keys[1])
	}
}

// FuzzExportKeys reads arbitrary export text: never panics, and every key
// found is in the text.
func FuzzExportKeys(f *testing.F) {
	for _, name := range []string{"wallet.txt", "core-tr.json"} {
		b, err := os.ReadFile(filepath.Join("..", "..", "cmd", "coffer-watch", "testdata", "audit", name))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte("[73c5da0a/48'/1'/0'/2']tpub"))
	f.Fuzz(func(t *testing.T, text []byte) {
		for _, k := range ExportKeys(text) {
			if !bytes.Contains(text, []byte(k.XPub)) {
				t.Fatalf("key %q not in the text", k.XPub)
			}
		}
	})
}

// FuzzVerifyJournal feeds VerifyJournal arbitrary files (including partial
// copies whose first line is read for its seq and prev): it never panics,
// and it calls a journal valid only with entries.
func FuzzVerifyJournal(f *testing.F) {
	good, err := os.ReadFile(filepath.Join("..", "..", "cmd", "coffer-watch", "testdata", "audit", "journal.jsonl"))
	if err != nil {
		f.Fatal(err)
	}
	lines := strings.SplitAfter(string(good), "\n")
	f.Add(good)
	f.Add([]byte(strings.Join(lines[3:], "")))
	f.Add([]byte(lines[0][:100]))
	f.Add([]byte{})
	c, err := os.ReadFile(filepath.Join("..", "..", "cmd", "coffer-watch", "testdata", "audit", "ceremony.json"))
	if err != nil {
		f.Fatal(err)
	}
	cer, err := audit.ReadCeremony(bytes.NewReader(c), "ceremony.json")
	if err != nil {
		f.Fatal(err)
	}
	pub, err := audit.ParsePublicKey(cer.JournalPublicKey)
	if err != nil {
		f.Fatal(err)
	}
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, data []byte) {
		path := filepath.Join(dir, "j.jsonl")
		if err := os.WriteFile(path, data, 0o600); err != nil {
			t.Fatal(err)
		}
		rep, err := VerifyJournal(path, JournalOptions{PublicKey: pub})
		if err == nil && (!rep.Valid || rep.Entries == 0) {
			t.Fatalf("no error but valid %v with %d entries", rep.Valid, rep.Entries)
		}
		if err != nil && rep.Valid {
			t.Fatal("valid with an error")
		}
	})
}
