package audit

import (
	"bytes"
	"crypto/ed25519"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// keyVector is one line of testdata/journal/journal-keys.json: a BIP39 seed
// and the journal public key computed from it by an independent (Python)
// implementation of the derivation in doc.go.
type keyVector struct {
	BIP39Vector int    `json:"bip39_vector"`
	Seed        string `json:"seed"`
	PublicKey   string `json:"journal_public_key"`
}

func loadKeyVectors(t testing.TB) []keyVector {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "testdata", "journal", "journal-keys.json"))
	if err != nil {
		t.Fatal(err)
	}
	var vs []keyVector
	if err := json.Unmarshal(b, &vs); err != nil {
		t.Fatal(err)
	}
	if len(vs) == 0 {
		t.Fatal("no key vectors")
	}
	return vs
}

// testKey is the journal key of BIP39 vector 0, the key that signed
// testdata/journal/valid.jsonl.
func testKey(t testing.TB) ed25519.PrivateKey {
	t.Helper()
	seed, err := hex.DecodeString(loadKeyVectors(t)[0].Seed)
	if err != nil {
		t.Fatal(err)
	}
	k, err := JournalKey(seed)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// otherKey is a journal key that is not testKey.
func otherKey(t testing.TB) ed25519.PrivateKey {
	t.Helper()
	k, err := JournalKey(bytes.Repeat([]byte{7}, 32))
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func pubOf(k ed25519.PrivateKey) ed25519.PublicKey { return k.Public().(ed25519.PublicKey) }

func TestJournalKeyVectors(t *testing.T) {
	for _, v := range loadKeyVectors(t) {
		t.Run(fmt.Sprint("bip39-", v.BIP39Vector), func(t *testing.T) {
			seed, err := hex.DecodeString(v.Seed)
			if err != nil {
				t.Fatal(err)
			}
			k, err := JournalKey(seed)
			if err != nil {
				t.Fatal(err)
			}
			if got := FormatPublicKey(pubOf(k)); got != v.PublicKey {
				t.Errorf("journal public key %s, want %s", got, v.PublicKey)
			}
			// A restored vault (the same seed, derived again) has the same key.
			k2, err := JournalKey(append([]byte(nil), seed...))
			if err != nil {
				t.Fatal(err)
			}
			if !k.Equal(k2) {
				t.Error("the same seed derived two different journal keys")
			}
			WipeKey(k)
			if !bytes.Equal(k, make([]byte, ed25519.PrivateKeySize)) {
				t.Error("WipeKey left key bytes")
			}
		})
	}
}

func TestJournalKeySeedLength(t *testing.T) {
	for _, n := range []int{0, 15, 65, 128} {
		if _, err := JournalKey(make([]byte, n)); err == nil {
			t.Errorf("JournalKey accepted a seed of %d bytes", n)
		} else if !strings.Contains(err.Error(), fmt.Sprintf("%d bytes", n)) {
			t.Errorf("error %q does not name the length", err)
		}
	}
	for _, n := range []int{16, 32, 64} {
		if _, err := JournalKey(make([]byte, n)); err != nil {
			t.Errorf("seed of %d bytes: %v", n, err)
		}
	}
	a, _ := JournalKey(bytes.Repeat([]byte{1}, 64))
	b, _ := JournalKey(bytes.Repeat([]byte{2}, 64))
	if a.Equal(b) {
		t.Error("two seeds gave the same journal key")
	}
}

// vectorAct is one act recorded in testdata/journal/valid.jsonl.
type vectorAct struct {
	kind string
	data any
	now  time.Time
}

func vectorActs() []vectorAct {
	t0 := time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC)
	return []vectorAct{
		{KindKeygen, json.RawMessage(`{"fingerprint":"73c5da0a","entropy":"dice","words":24,"officers":["alice","bob"]}`), t0},
		{KindExport, map[string]any{"format": "descriptor", "account": "84h/0h/0h", "out": "usb:/export/main.txt"}, t0.Add(4 * time.Minute)},
		{KindPolicyInstall, json.RawMessage(` { "policy_sha256" : "5e884898da28047151d0e56f8dc6292773603d0d6aabbdd62a11ef721d1542d8", "present": ["alice", "dan"] } `), t0.Add(10*time.Minute + 250*time.Millisecond)},
		{KindSign, json.RawMessage(`{"txid":"9c0e8f3c2a5b7d1e4f6a8b0c2d4e6f8091a3b5c7d9e1f2a4b6c8d0e2f4a6b8c0","wallet":"main","rule":"petty","spent_sats":150000,"fee_sats":1200}`), t0.Add(26 * time.Hour)},
		{KindRefusal, json.RawMessage(`{"txid":"1111111111111111111111111111111111111111111111111111111111111111","reasons":["velocity limit 250000 sat in 24h"]}`), t0.Add(27 * time.Hour)},
		{KindSign, json.RawMessage(`{"txid":"2222222222222222222222222222222222222222222222222222222222222222","wallet":"main","rule":"petty","spent_sats":90000,"fee_sats":800}`), t0.Add(27 * time.Hour)},
		{KindKeySuspend, struct {
			Reason string `json:"reason"`
		}{"officer on leave <2 weeks> & audit"}, t0.Add(30*time.Hour + 1500*time.Microsecond)},
		{KindKeyResume, json.RawMessage(`{"admins":["alice","dan"],"note":"café – résumé"}`), t0.Add(31 * time.Hour)},
		{KindSign, json.RawMessage(`{"txid":"3333333333333333333333333333333333333333333333333333333333333333","wallet":"vault-2of3","rule":"withdrawal","spent_sats":5000000000,"fee_sats":4100,"approvals":["bob","carol"]}`), t0.Add(50 * time.Hour)},
		{KindProve, nil, t0.Add(51 * time.Hour)},
	}
}

func validJournalPath() string { return filepath.Join("..", "testdata", "journal", "valid.jsonl") }

func readValidJournal(t testing.TB) []byte {
	t.Helper()
	b, err := os.ReadFile(validJournalPath())
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestValidJournalVector rebuilds testdata/journal/valid.jsonl with Append
// and checks that the bytes are the same: the encoding is stable. With
// COFFER_UPDATE_VECTORS=1 it writes the file instead.
func TestValidJournalVector(t *testing.T) {
	key := testKey(t)
	path := filepath.Join(t.TempDir(), "journal.jsonl")
	for i, a := range vectorActs() {
		e, err := Append(path, key, a.kind, a.data, a.now)
		if err != nil {
			t.Fatalf("act %d: %v", i+1, err)
		}
		if e.Seq != uint64(i+1) {
			t.Fatalf("act %d got seq %d", i+1, e.Seq)
		}
	}
	got, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if os.Getenv("COFFER_UPDATE_VECTORS") == "1" {
		if err := os.WriteFile(validJournalPath(), got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want := readValidJournal(t)
	if !bytes.Equal(got, want) {
		t.Fatalf("rebuilt journal differs from %s:\n%s", validJournalPath(), got)
	}
	rep, err := Verify(bytes.NewReader(want), pubOf(key))
	if err != nil {
		t.Fatal(err)
	}
	acts := vectorActs()
	if rep.Entries != int64(len(acts)) || rep.End.Seq != uint64(len(acts)) {
		t.Errorf("report: %d entries ending at seq %d, want %d", rep.Entries, rep.End.Seq, len(acts))
	}
	if !rep.First.Equal(acts[0].now) || !rep.Last.Equal(acts[len(acts)-1].now) {
		t.Errorf("report times %s .. %s", rep.First, rep.Last)
	}
	wantKinds := map[string]int64{"keygen": 1, "export": 1, "policy-install": 1, "sign": 3, "refusal": 1, "key-suspend": 1, "key-resume": 1, "prove": 1}
	if fmt.Sprint(rep.Kinds) != fmt.Sprint(wantKinds) {
		t.Errorf("kinds %v, want %v", rep.Kinds, wantKinds)
	}
	lines := bytes.Split(bytes.TrimSuffix(want, []byte("\n")), []byte("\n"))
	if rep.End.Hash != lineHash(lines[len(lines)-1]) {
		t.Error("report end hash is not the hash of the last line")
	}
	// Spot checks of the documented encoding.
	if !bytes.HasPrefix(lines[0], []byte(`{"seq":1,"time":"2026-01-05T09:00:00.000Z","kind":"keygen","prev":"`+GenesisPrev+`","data":{"fingerprint":"73c5da0a",`)) {
		t.Errorf("line 1 is not in the documented form: %s", lines[0])
	}
	if !bytes.Contains(lines[2], []byte(`"data":{"policy_sha256":"5e88`)) || !bytes.Contains(lines[2], []byte(`"time":"2026-01-05T09:10:00.250Z"`)) {
		t.Errorf("line 3 data not compacted or time not in milliseconds: %s", lines[2])
	}
	if !bytes.Contains(lines[6], []byte(`"time":"2026-01-06T15:00:00.001Z"`)) || !bytes.Contains(lines[6], []byte(`\u003c2 weeks\u003e \u0026 audit`)) {
		t.Errorf("line 7 time not truncated to the millisecond or data not as json.Marshal writes it: %s", lines[6])
	}
	if !bytes.Contains(lines[9], []byte(`"kind":"prove","prev":"`)) || !bytes.Contains(lines[9], []byte(`"data":{},"sig":"`)) {
		t.Errorf("line 10 nil data is not {}: %s", lines[9])
	}
}

func TestAppendChainsEntries(t *testing.T) {
	key := testKey(t)
	path := filepath.Join(t.TempDir(), "journal.jsonl")
	j, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer j.Close()
	if _, ok, err := j.Last(); err != nil || ok {
		t.Fatalf("Last of a new journal: ok=%v err=%v", ok, err)
	}
	now := time.Date(2026, 3, 1, 12, 0, 0, 123456789, time.UTC)
	var prev Entry
	for i := 1; i <= 5; i++ {
		e, err := j.Append(key, KindSign, map[string]int{"spent_sats": i * 1000}, now.Add(time.Duration(i)*time.Second))
		if err != nil {
			t.Fatal(err)
		}
		if e.Seq != uint64(i) {
			t.Errorf("seq %d, want %d", e.Seq, i)
		}
		if e.Prev != prev.Hash {
			t.Errorf("seq %d prev %x, want %x", i, e.Prev, prev.Hash)
		}
		if want := now.Add(time.Duration(i) * time.Second).Truncate(time.Millisecond); !e.Time.Equal(want) || e.Time.Location() != time.UTC {
			t.Errorf("seq %d time %s, want %s", i, e.Time, want)
		}
		if string(e.Data) != fmt.Sprintf(`{"spent_sats":%d}`, i*1000) {
			t.Errorf("seq %d data %s", i, e.Data)
		}
		last, ok, err := j.Last()
		if err != nil || !ok {
			t.Fatalf("Last: ok=%v err=%v", ok, err)
		}
		if last.Seq != e.Seq || last.Hash != e.Hash || last.Sig != e.Sig || !bytes.Equal(last.Data, e.Data) || last.Kind != e.Kind || !last.Time.Equal(e.Time) {
			t.Errorf("Last %+v differs from the appended %+v", last, e)
		}
		prev = e
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var seen []uint64
	rep, err := Verify(f, pubOf(key), VisitorFunc(func(e Entry) error {
		seen = append(seen, e.Seq)
		return nil
	}))
	if err != nil {
		t.Fatal(err)
	}
	if rep.Entries != 5 || rep.End != prev.Head() || fmt.Sprint(seen) != "[1 2 3 4 5]" {
		t.Errorf("report %+v, visited %v", rep, seen)
	}
}

func TestAppendCreatesPrivateFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "journal.jsonl")
	if _, err := Append(path, testKey(t), KindKeygen, nil, time.Now()); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("journal mode %v, want 0600", fi.Mode().Perm())
	}
	if _, err := Open(t.TempDir()); err == nil {
		t.Error("Open accepted a folder")
	}
}

// writeJournal appends the acts of the test vector to a new journal file
// and returns its path.
func writeJournal(t *testing.T, key ed25519.PrivateKey, n int) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "journal.jsonl")
	if err := os.WriteFile(path, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	t0 := time.Date(2026, 2, 1, 0, 0, 0, 0, time.UTC)
	for i := range n {
		if _, err := Append(path, key, KindSign, map[string]int{"spent_sats": 1000 + i}, t0.Add(time.Duration(i)*time.Minute)); err != nil {
			t.Fatal(err)
		}
	}
	return path
}

func TestAppendRefuses(t *testing.T) {
	key := testKey(t)
	t0 := time.Date(2026, 2, 1, 0, 0, 0, 0, time.UTC)
	last := t0.Add(2 * time.Minute) // time of the 3rd entry writeJournal makes

	tests := []struct {
		name   string
		damage func(b []byte) []byte // applied to a good 3-entry journal
		key    ed25519.PrivateKey
		now    time.Time
		reason Reason // expected *VerifyError reason; 0 for another error
		seq    uint64
		check  func(t *testing.T, err error)
	}{
		{name: "torn last line", damage: func(b []byte) []byte { return b[:len(b)-40] }, reason: ReasonTorn, seq: 3},
		{name: "last newline missing", damage: func(b []byte) []byte { return b[:len(b)-1] }, reason: ReasonTorn, seq: 3},
		{name: "torn at the seq", damage: func(b []byte) []byte {
			return append(b, `{"seq":4,"ti`...)
		}, reason: ReasonTorn, seq: 4},
		{name: "malformed last line", damage: func(b []byte) []byte {
			return append(b, "{\"seq\":4}\n"...)
		}, reason: ReasonMalformed, seq: 4},
		{name: "last line not canonical", damage: func(b []byte) []byte {
			i := bytes.LastIndex(b[:len(b)-1], []byte("\n"))
			return append(b[:i+1:i+1], bytes.Replace(b[i+1:], []byte(`"data":{`), []byte(`"data": {`), 1)...)
		}, reason: ReasonMalformed, seq: 3},
		{name: "another key signed the journal", key: otherKey(t), reason: ReasonSignature, seq: 3},
		{name: "last line forged", damage: func(b []byte) []byte {
			i := bytes.LastIndex(b[:len(b)-1], []byte("\n"))
			return append(b[:i+1:i+1], bytes.Replace(b[i+1:], []byte(`"spent_sats":1002`), []byte(`"spent_sats":9002`), 1)...)
		}, reason: ReasonSignature, seq: 3},
		{name: "clock set back", now: last.Add(-time.Millisecond), check: func(t *testing.T, err error) {
			var ce *ClockBehindError
			if !errors.As(err, &ce) {
				t.Fatalf("error %v is not a *ClockBehindError", err)
			}
			if ce.Last.Seq != 3 || !ce.Last.Time.Equal(last) || !ce.Now.Equal(last.Add(-time.Millisecond)) {
				t.Errorf("ClockBehindError %+v", ce)
			}
			if !strings.Contains(err.Error(), "seq 3") || !strings.Contains(err.Error(), "2026-02-01T00:01:59.999Z") {
				t.Errorf("message %q does not name the entry and the clock", err)
			}
		}},
		{name: "last line too long", damage: func(b []byte) []byte {
			return append(b, append(bytes.Repeat([]byte("x"), MaxLineLen+5), '\n')...)
		}, reason: ReasonTooLong},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := writeJournal(t, key, 3)
			if tt.damage != nil {
				b, err := os.ReadFile(path)
				if err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(path, tt.damage(b), 0o600); err != nil {
					t.Fatal(err)
				}
			}
			before, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			k, now := key, last.Add(time.Hour)
			if tt.key != nil {
				k = tt.key
			}
			if !tt.now.IsZero() {
				now = tt.now
			}
			_, err = Append(path, k, KindSign, map[string]int{"spent_sats": 1}, now)
			if err == nil {
				t.Fatal("Append extended the journal")
			}
			if tt.check != nil {
				tt.check(t, err)
			} else {
				var ve *VerifyError
				if !errors.As(err, &ve) {
					t.Fatalf("error %v is not a *VerifyError", err)
				}
				if ve.Reason != tt.reason || ve.Seq != tt.seq {
					t.Errorf("reason %v seq %d, want %v seq %d (%v)", ve.Reason, ve.Seq, tt.reason, tt.seq, err)
				}
			}
			after, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(before, after) {
				t.Error("a refused Append changed the file")
			}
		})
	}
}

func TestAppendClockEqualIsAllowed(t *testing.T) {
	key := testKey(t)
	path := writeJournal(t, key, 2)
	last := time.Date(2026, 2, 1, 0, 1, 0, 0, time.UTC)
	// The same millisecond, and later within it: both record the same time.
	for _, now := range []time.Time{last, last.Add(999 * time.Microsecond)} {
		e, err := Append(path, key, KindRefusal, nil, now)
		if err != nil {
			t.Fatal(err)
		}
		if !e.Time.Equal(last) {
			t.Errorf("time %s, want %s", e.Time, last)
		}
	}
	if rep, err := VerifyFile(path, pubOf(key)); err != nil || rep.Entries != 4 {
		t.Fatalf("%v, %+v", err, rep)
	}
}

func TestAppendBadInput(t *testing.T) {
	key := testKey(t)
	now := time.Now()
	tests := []struct {
		name string
		key  ed25519.PrivateKey
		kind string
		data any
		want string
	}{
		{"short key", key[:32], KindSign, nil, "32 bytes is not an ed25519 private key"},
		{"empty kind", key, "", nil, `kind ""`},
		{"upper-case kind", key, "Sign", nil, `kind "Sign"`},
		{"kind with a quote", key, `sign"`, nil, "kind"},
		{"long kind", key, strings.Repeat("a", 33), nil, "at most 32"},
		{"data array", key, KindSign, []int{1}, "not a JSON object"},
		{"data string", key, KindSign, "x", "not a JSON object"},
		{"data raw not JSON", key, KindSign, json.RawMessage(`{"a":`), "cannot be encoded"},
		{"data not marshalable", key, KindSign, map[string]any{"c": make(chan int)}, "cannot be encoded"},
		{"data too large", key, KindSign, map[string]string{"x": strings.Repeat("a", MaxLineLen)}, "longer than"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "journal.jsonl")
			_, err := Append(path, tt.key, tt.kind, tt.data, now)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error %v, want one containing %q", err, tt.want)
			}
			if b, _ := os.ReadFile(path); len(b) != 0 {
				t.Error("a refused Append wrote to the journal")
			}
		})
	}
}

func TestAppendInvalidUTF8Refused(t *testing.T) {
	path := filepath.Join(t.TempDir(), "journal.jsonl")
	_, err := Append(path, testKey(t), KindSign, json.RawMessage("{\"a\":\"\xff\"}"), time.Now())
	if err == nil || !strings.Contains(err.Error(), "UTF-8") {
		t.Fatalf("error %v", err)
	}
}

func TestInjectFault(t *testing.T) {
	key := testKey(t)
	boom := errors.New("power cut")
	t0 := time.Date(2026, 2, 1, 1, 0, 0, 0, time.UTC)
	tests := []struct {
		point       FaultPoint
		lines       int    // whole lines on disk after the fault
		torn        bool   // the file ends in a partial line
		nextReason  Reason // what the next Append says; 0: it succeeds
		nextSeq     uint64
		verifyAfter int64 // entries Verify finds after the next Append
	}{
		{point: FaultBeforeWrite, lines: 2, nextSeq: 3, verifyAfter: 3},
		{point: FaultTornWrite, lines: 2, torn: true, nextReason: ReasonTorn, nextSeq: 3},
		{point: FaultBeforeSync, lines: 3, nextSeq: 4, verifyAfter: 4},
	}
	for _, tt := range tests {
		t.Run(tt.point.String(), func(t *testing.T) {
			path := writeJournal(t, key, 2)
			j, err := Open(path)
			if err != nil {
				t.Fatal(err)
			}
			defer j.Close()
			var seen []FaultPoint
			j.InjectFault(func(p FaultPoint) error {
				seen = append(seen, p)
				if p == tt.point {
					return boom
				}
				return nil
			})
			_, err = j.Append(key, KindSign, map[string]int{"spent_sats": 5}, t0)
			if !errors.Is(err, boom) {
				t.Fatalf("error %v, want the injected fault", err)
			}
			if seen[len(seen)-1] != tt.point {
				t.Errorf("fault points called %v", seen)
			}
			b, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			if got := bytes.Count(b, []byte("\n")); got != tt.lines {
				t.Errorf("%d lines on disk, want %d", got, tt.lines)
			}
			if torn := len(b) > 0 && b[len(b)-1] != '\n'; torn != tt.torn {
				t.Errorf("torn=%v, want %v", torn, tt.torn)
			}

			j.InjectFault(nil)
			e, err := j.Append(key, KindSign, map[string]int{"spent_sats": 6}, t0)
			if tt.nextReason != 0 {
				var ve *VerifyError
				if !errors.As(err, &ve) || ve.Reason != tt.nextReason || ve.Seq != tt.nextSeq {
					t.Fatalf("next Append: %v, want %v at seq %d", err, tt.nextReason, tt.nextSeq)
				}
				if _, err := VerifyFile(path, pubOf(key)); err == nil {
					t.Error("Verify accepted a torn journal")
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if e.Seq != tt.nextSeq {
				t.Errorf("next seq %d, want %d", e.Seq, tt.nextSeq)
			}
			rep, err := VerifyFile(path, pubOf(key))
			if err != nil || rep.Entries != tt.verifyAfter {
				t.Fatalf("verify after fault: %v, %+v", err, rep)
			}
		})
	}
}

// TestAppendConcurrent appends from several Journals on the same file at
// once, as separate coffer processes would; the lock keeps the chain whole.
func TestAppendConcurrent(t *testing.T) {
	key := testKey(t)
	path := filepath.Join(t.TempDir(), "journal.jsonl")
	const writers, each = 4, 8
	now := time.Date(2026, 2, 2, 0, 0, 0, 0, time.UTC)
	var wg sync.WaitGroup
	errs := make(chan error, writers*each)
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			j, err := Open(path)
			if err != nil {
				errs <- err
				return
			}
			defer j.Close()
			for i := range each {
				if _, err := j.Append(key, KindExport, map[string]int{"writer": w, "i": i}, now); err != nil {
					errs <- err
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	rep, err := VerifyFile(path, pubOf(key))
	if err != nil {
		t.Fatal(err)
	}
	if rep.Entries != writers*each {
		t.Errorf("%d entries, want %d", rep.Entries, writers*each)
	}
}

// TestAppendLongLines chains onto entries larger than the tail read chunk,
// and up to the line limit.
func TestAppendLongLines(t *testing.T) {
	key := testKey(t)
	path := filepath.Join(t.TempDir(), "journal.jsonl")
	now := time.Date(2026, 2, 3, 0, 0, 0, 0, time.UTC)
	maxData := MaxLineLen - 400 // leaves room for the other fields
	for i, n := range []int{10, 5000, 70000, maxData, 1} {
		e, err := Append(path, key, KindExport, map[string]string{"x": strings.Repeat("a", n)}, now)
		if err != nil {
			t.Fatalf("data of %d bytes: %v", n, err)
		}
		if e.Seq != uint64(i+1) {
			t.Fatalf("seq %d", e.Seq)
		}
	}
	rep, err := VerifyFile(path, pubOf(key))
	if err != nil || rep.Entries != 5 {
		t.Fatalf("%v %+v", err, rep)
	}
}

// TestAppendReadsOnlyTheTail shows that Append looks at the last line
// only: damage further back is Verify's to find, not Append's.
func TestAppendReadsOnlyTheTail(t *testing.T) {
	key := testKey(t)
	path := writeJournal(t, key, 3)
	b, _ := os.ReadFile(path)
	b[10] = '#' // inside line 1
	os.WriteFile(path, b, 0o600)
	if _, err := Append(path, key, KindSign, map[string]int{"spent_sats": 1}, time.Now()); err != nil {
		t.Fatalf("Append: %v", err)
	}
	_, err := VerifyFile(path, pubOf(key))
	var ve *VerifyError
	if !errors.As(err, &ve) || ve.Line != 1 || ve.Reason != ReasonMalformed {
		t.Fatalf("Verify: %v", err)
	}
}

func TestParseLineRoundTrip(t *testing.T) {
	var scratch bytes.Buffer
	for i, raw := range bytes.Split(bytes.TrimSuffix(readValidJournal(t), []byte("\n")), []byte("\n")) {
		l, err := parseLine(raw, &scratch)
		if err != nil {
			t.Fatalf("line %d: %v", i+1, err)
		}
		if got := reencode(&l); !bytes.Equal(got, raw) {
			t.Errorf("line %d re-encodes to\n%s\nnot\n%s", i+1, got, raw)
		}
	}
}

func reencode(l *line) []byte {
	b := appendBody(nil, l.seq, l.time, string(l.kind), &l.prev, l.data)
	return appendSigTail(b, l.sig[:])
}

func TestFaultPointNames(t *testing.T) {
	for p := FaultBeforeWrite; p <= FaultBeforeSync; p++ {
		if strings.HasPrefix(p.String(), "FaultPoint(") {
			t.Errorf("fault point %d has no name", p)
		}
	}
}

func TestParseTime(t *testing.T) {
	for _, tt := range []struct {
		in string
		ok bool
	}{
		{"2026-01-05T09:00:00.000Z", true},
		{"2028-02-29T23:59:59.999Z", true},
		{"0001-01-01T00:00:00.000Z", true},
		{"9999-12-31T23:59:59.999Z", true},
		{"2027-02-29T00:00:00.000Z", false},
		{"2026-04-31T00:00:00.000Z", false},
		{"2026-13-01T00:00:00.000Z", false},
		{"2026-00-01T00:00:00.000Z", false},
		{"2026-01-00T00:00:00.000Z", false},
		{"2026-01-01T24:00:00.000Z", false},
		{"2026-01-01T00:60:00.000Z", false},
		{"2026-12-31T23:59:60.000Z", false},
		{"2026-01-01T00:00:00.000z", false},
		{"2026-01-01 00:00:00.000Z", false},
		{"2026-01-01T00:00:00,000Z", false},
		{"2026-01-01T00:00:00.00AZ", false},
		{"+026-01-01T00:00:00.000Z", false},
		{"2026-01-01T00:00:00.0000", false},
	} {
		got, ok := parseTime([]byte(tt.in))
		if ok != tt.ok {
			t.Errorf("parseTime(%q) ok=%v, want %v", tt.in, ok, tt.ok)
			continue
		}
		// parseTime agrees with the standard library's parse and format.
		std, err := time.Parse(timeLayout, tt.in)
		if stdOK := err == nil && string(formatTime(nil, std)) == tt.in; stdOK != ok {
			t.Errorf("time.Parse(%q) and format agree=%v but parseTime ok=%v", tt.in, stdOK, ok)
		}
		if ok && (!got.Equal(std) || string(formatTime(nil, got)) != tt.in) {
			t.Errorf("parseTime(%q) = %s", tt.in, got)
		}
	}
}
