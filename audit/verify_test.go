package audit

import (
	"bufio"
	"bytes"
	"crypto/ed25519"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"
	"time"
)

// splitLines returns the lines of a journal without their newlines.
func splitJournalLines(b []byte) [][]byte {
	return bytes.Split(bytes.TrimSuffix(b, []byte("\n")), []byte("\n"))
}

func joinLines(lines [][]byte) []byte {
	return append(bytes.Join(lines, []byte("\n")), '\n')
}

// signLine makes a journal line as Append would, without a file.
func signLine(key ed25519.PrivateKey, seq uint64, t time.Time, kind string, prev [32]byte, data string) []byte {
	b := appendBody(nil, seq, journalTime(t), kind, &prev, []byte(data))
	sig := ed25519.Sign(key, appendMessage(nil, b, len(b)))
	return appendSigTail(b, sig)
}

// genJournal writes n chained sign entries to w quickly (no fsync per
// entry), one minute apart from t0, for tests and benchmarks.
func genJournal(w io.Writer, key ed25519.PrivateKey, n int, t0 time.Time) (Head, error) {
	bw := bufio.NewWriterSize(w, 1<<16)
	var prev [32]byte
	var h Head
	var buf, msg []byte
	for i := 1; i <= n; i++ {
		t := t0.Add(time.Duration(i) * time.Minute)
		data := fmt.Appendf(nil, `{"txid":"%064x","wallet":"main","rule":"petty","spent_sats":%d,"fee_sats":%d}`, i, 1000+i%5000, 150+i%100)
		buf = appendBody(buf[:0], uint64(i), t, KindSign, &prev, data)
		msg = appendMessage(msg[:0], buf, len(buf))
		buf = appendSigTail(buf, ed25519.Sign(key, msg))
		prev = lineHash(buf)
		h = Head{Seq: uint64(i), Hash: prev, Time: journalTime(t)}
		bw.Write(buf)
		bw.WriteByte('\n')
	}
	return h, bw.Flush()
}

func TestVerifyTampering(t *testing.T) {
	key := testKey(t)
	pub := pubOf(key)
	valid := readValidJournal(t)
	lines := splitJournalLines(valid)
	n := len(lines)
	last := parseMust(t, lines[n-1])

	// edit returns the journal with line i (1-based) replaced by f(line).
	edit := func(i int, f func(l []byte) []byte) []byte {
		out := make([][]byte, n)
		for j := range lines {
			out[j] = lines[j]
			if j == i-1 {
				out[j] = f(bytes.Clone(lines[j]))
			}
		}
		return joinLines(out)
	}
	replace := func(old, new string) func([]byte) []byte {
		return func(l []byte) []byte {
			if !bytes.Contains(l, []byte(old)) {
				t.Fatalf("test setup: %q not in line", old)
			}
			return bytes.Replace(l, []byte(old), []byte(new), 1)
		}
	}
	without := func(i int) []byte {
		out := append(append([][]byte{}, lines[:i-1]...), lines[i:]...)
		return joinLines(out)
	}
	swap := func(i, j int) []byte {
		out := append([][]byte{}, lines...)
		out[i-1], out[j-1] = out[j-1], out[i-1]
		return joinLines(out)
	}
	appended := func(extra ...[]byte) []byte {
		return joinLines(append(append([][]byte{}, lines...), extra...))
	}
	lastHash := lineHash(lines[n-1])
	later := last.time.Add(time.Hour)

	tests := []struct {
		name   string
		in     []byte
		line   int64
		seq    uint64
		reason Reason
	}{
		{"change a byte of data", edit(4, replace(`"spent_sats":150000`, `"spent_sats":950000`)), 4, 4, ReasonSignature},
		{"change a byte of the sig", edit(6, func(l []byte) []byte { return flipSigDigit(l, 5) }), 6, 6, ReasonSignature},
		{"change a byte of prev", edit(3, replace(`"prev":"2e70`, `"prev":"2e71`)), 3, 3, ReasonChain},
		{"change the time", edit(5, replace(`12:00:00.000Z`, `12:00:00.001Z`)), 5, 5, ReasonSignature},
		{"change the kind", edit(5, replace(`"kind":"refusal"`, `"kind":"export"`)), 5, 5, ReasonSignature},
		{"change the seq", edit(7, replace(`"seq":7,`, `"seq":8,`)), 7, 8, ReasonSeq},
		{"change a byte of the first line", edit(1, replace(`"words":24`, `"words":12`)), 1, 1, ReasonSignature},
		{"break the JSON", edit(8, replace(`{"seq":8`, `["seq":8`)), 8, 0, ReasonMalformed},
		{"delete a line", without(5), 5, 6, ReasonSeq},
		{"delete the first line", without(1), 1, 2, ReasonSeq},
		{"swap two lines", swap(3, 4), 3, 4, ReasonSeq},
		{"swap the last two lines", swap(9, 10), 9, 10, ReasonSeq},
		{"duplicate a line", appended(lines[n-1]), int64(n + 1), uint64(n), ReasonSeq},
		{"truncate the last line", valid[:len(valid)-30], int64(n), uint64(n), ReasonTorn},
		{"truncate the last newline", valid[:len(valid)-1], int64(n), uint64(n), ReasonTorn},
		{"truncate inside the seq", valid[:len(valid)-len(lines[n-1])+3], int64(n), 0, ReasonTorn},
		{"append a forged entry", appended(signLine(otherKey(t), uint64(n+1), later, KindSign, lastHash, `{"spent_sats":1}`)), int64(n + 1), uint64(n + 1), ReasonSignature},
		{"append an entry with a bad chain", appended(signLine(key, uint64(n+1), later, KindSign, [32]byte{1}, `{"spent_sats":1}`)), int64(n + 1), uint64(n + 1), ReasonChain},
		{"append an entry back in time", appended(signLine(key, uint64(n+1), last.time.Add(-time.Millisecond), KindSign, lastHash, `{"spent_sats":1}`)), int64(n + 1), uint64(n + 1), ReasonTime},
		{"first entry prev not genesis", joinLines([][]byte{signLine(key, 1, later, KindKeygen, [32]byte{9}, `{}`)}), 1, 1, ReasonChain},
		{"first entry seq 0", joinLines([][]byte{[]byte(strings.Replace(string(lines[0]), `"seq":1,`, `"seq":0,`, 1))}), 1, 0, ReasonMalformed},
		{"CRLF line ends", bytes.ReplaceAll(valid, []byte("\n"), []byte("\r\n")), 1, 1, ReasonMalformed},
		{"white space in data", edit(2, replace(`"data":{"account"`, `"data":{ "account"`)), 2, 2, ReasonMalformed},
		{"white space between fields", edit(2, replace(`,"kind"`, `, "kind"`)), 2, 2, ReasonMalformed},
		{"upper-case hex sig", edit(2, func(l []byte) []byte {
			i := bytes.Index(l, []byte(`"sig":"`)) + 7
			copy(l[i:], bytes.ToUpper(l[i:i+128]))
			return l
		}), 2, 2, ReasonMalformed},
		{"time not in milliseconds", edit(2, replace(`09:04:00.000Z`, `09:04:00Z`)), 2, 2, ReasonMalformed},
		{"time with an offset", edit(2, replace(`09:04:00.000Z`, `09:04:00.000+00:00`)), 2, 2, ReasonMalformed},
		{"an extra field", edit(2, replace(`"data":{`, `"extra":1,"data":{`)), 2, 2, ReasonMalformed},
		{"leading zero seq", edit(2, replace(`{"seq":2,`, `{"seq":02,`)), 2, 0, ReasonMalformed},
		{"an empty line", append(bytes.Clone(valid[:len(lines[0])+1]), append([]byte("\n"), valid[len(lines[0])+1:]...)...), 2, 0, ReasonMalformed},
		{"a line too long", append(bytes.Clone(valid), append(bytes.Repeat([]byte(" "), MaxLineLen+1), '\n')...), int64(n + 1), 0, ReasonTooLong},
		{"data not an object", edit(10, replace(`"data":{}`, `"data":[]`)), 10, 10, ReasonMalformed},
		{"data not UTF-8", edit(8, replace("café", "caf\xe9")), 8, 8, ReasonMalformed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rep, err := Verify(bytes.NewReader(tt.in), pub)
			var ve *VerifyError
			if !errors.As(err, &ve) {
				t.Fatalf("error %v is not a *VerifyError", err)
			}
			if ve.Line != tt.line || ve.Seq != tt.seq || ve.Reason != tt.reason {
				t.Errorf("line %d seq %d %v, want line %d seq %d %v (%v)", ve.Line, ve.Seq, ve.Reason, tt.line, tt.seq, tt.reason, err)
			}
			msg := err.Error()
			if want := fmt.Sprintf("journal line %d", tt.line); !strings.HasPrefix(msg, want) {
				t.Errorf("message %q does not start with %q", msg, want)
			}
			if tt.seq != 0 && !strings.Contains(msg, fmt.Sprintf("(seq %d)", tt.seq)) {
				t.Errorf("message %q does not name seq %d", msg, tt.seq)
			}
			if rep == nil || rep.Entries != tt.line-1 {
				t.Errorf("partial report %+v, want %d entries", rep, tt.line-1)
			}
		})
	}
}

// flipSigDigit returns a copy of a line with the hex digit at from-end
// bytes before its end changed to another hex digit.
func flipSigDigit(l []byte, fromEnd int) []byte {
	l = bytes.Clone(l)
	i := len(l) - fromEnd
	if l[i] == '0' {
		l[i] = '1'
	} else {
		l[i] = '0'
	}
	return l
}

func parseMust(t testing.TB, raw []byte) line {
	t.Helper()
	l, err := parseLine(raw, new(bytes.Buffer))
	if err != nil {
		t.Fatal(err)
	}
	return l
}

// TestVerifyReportsEarliest checks that the parallel signature checks still
// name the first bad entry, whatever is found first.
func TestVerifyReportsEarliest(t *testing.T) {
	key := testKey(t)
	var buf bytes.Buffer
	const n = 3000 // several batches
	if _, err := genJournal(&buf, key, n, time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)); err != nil {
		t.Fatal(err)
	}
	lines := splitJournalLines(buf.Bytes())
	badSig := func(i int) func([][]byte) {
		return func(ls [][]byte) { ls[i-1] = flipSigDigit(ls[i-1], 3) }
	}
	badChain := func(i int) func([][]byte) { // delete line i
		return func(ls [][]byte) { ls[i-1] = nil }
	}
	tests := []struct {
		name   string
		damage []func([][]byte)
		seq    uint64
		reason Reason
	}{
		{"bad sig far before a chain break", []func([][]byte){badSig(100), badChain(2000)}, 100, ReasonSignature},
		{"bad sig just before a chain break", []func([][]byte){badSig(1499), badChain(1500)}, 1499, ReasonSignature},
		{"chain break before a bad sig", []func([][]byte){badChain(700), badSig(701), badSig(2500)}, 701, ReasonSeq},
		{"two bad sigs", []func([][]byte){badSig(2999), badSig(1000)}, 1000, ReasonSignature},
		{"bad sig on the last entry", []func([][]byte){badSig(n)}, n, ReasonSignature},
		{"bad sig on the first entry", []func([][]byte){badSig(1), badSig(2)}, 1, ReasonSignature},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ls := append([][]byte{}, lines...)
			for _, d := range tt.damage {
				d(ls)
			}
			var kept [][]byte
			for _, l := range ls {
				if l != nil {
					kept = append(kept, l)
				}
			}
			var visited uint64
			rep, err := Verify(bytes.NewReader(joinLines(kept)), pubOf(key), VisitorFunc(func(e Entry) error {
				visited = e.Seq
				return nil
			}))
			var ve *VerifyError
			if !errors.As(err, &ve) || ve.Seq != tt.seq || ve.Reason != tt.reason {
				t.Fatalf("error %v, want %v at seq %d", err, tt.reason, tt.seq)
			}
			if rep.End.Seq >= tt.seq || visited >= tt.seq {
				t.Errorf("entries at or after the bad one were accepted: report end %d, visited %d", rep.End.Seq, visited)
			}
		})
	}
}

func TestVerifyVisitors(t *testing.T) {
	key := testKey(t)
	valid := readValidJournal(t)
	lines := splitJournalLines(valid)

	var got []Entry
	rep, err := Verify(bytes.NewReader(valid), pubOf(key), VisitorFunc(func(e Entry) error {
		got = append(got, e)
		return nil
	}))
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(lines) || rep.Entries != int64(len(lines)) {
		t.Fatalf("visited %d entries, report %d, want %d", len(got), rep.Entries, len(lines))
	}
	for i, e := range got {
		l := parseMust(t, lines[i])
		want := entryOf(&l, lines[i], true)
		if e.Seq != uint64(i+1) || e.Seq != want.Seq || !e.Time.Equal(want.Time) || e.Kind != want.Kind ||
			e.Prev != want.Prev || e.Sig != want.Sig || e.Hash != want.Hash || !bytes.Equal(e.Data, want.Data) {
			t.Errorf("entry %d: %+v, want %+v", i+1, e, want)
		}
		if i > 0 && e.Prev != got[i-1].Hash {
			t.Errorf("entry %d prev is not entry %d's hash", i+1, i)
		}
	}
	// Entries own their data.
	got[0].Data[2] = 'X'
	if bytes.Contains(valid, []byte(`{"Xingerprint"`)) {
		t.Error("visitor data aliases the input")
	}

	// A visitor that refuses stops verification at that entry.
	errOver := errors.New("total for wallet main over the limit")
	var after []uint64
	rep, err = Verify(bytes.NewReader(valid), pubOf(key),
		VisitorFunc(func(e Entry) error {
			if e.Seq == 6 {
				return errOver
			}
			return nil
		}),
		VisitorFunc(func(e Entry) error { after = append(after, e.Seq); return nil }))
	var ve *VerifyError
	if !errors.As(err, &ve) || ve.Reason != ReasonRejected || ve.Seq != 6 || ve.Line != 6 || !errors.Is(err, errOver) {
		t.Fatalf("error %v", err)
	}
	if !strings.Contains(err.Error(), errOver.Error()) {
		t.Errorf("message %q does not carry the visitor's reason", err)
	}
	if rep.Entries != 5 || fmt.Sprint(after) != "[1 2 3 4 5]" {
		t.Errorf("report %d entries, later visitor saw %v", rep.Entries, after)
	}
}

func TestVerifyFrom(t *testing.T) {
	key := testKey(t)
	valid := readValidJournal(t)
	lines := splitJournalLines(valid)
	head4 := entryOf(ptr(parseMust(t, lines[3])), lines[3], false).Head()
	rest := joinLines(lines[4:])

	rep, err := VerifyFrom(bytes.NewReader(rest), pubOf(key), head4)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Entries != 6 || rep.Start != head4 || rep.End.Seq != 10 {
		t.Errorf("report %+v", rep)
	}
	// Against the wrong head, or from the start, it fails at the first line.
	head3 := entryOf(ptr(parseMust(t, lines[2])), lines[2], false).Head()
	for _, h := range []Head{head3, {Seq: 4}, {}} {
		_, err := VerifyFrom(bytes.NewReader(rest), pubOf(key), h)
		var ve *VerifyError
		if !errors.As(err, &ve) || ve.Line != 1 || ve.Seq != 5 {
			t.Errorf("from %v: %v", h, err)
		}
	}
	// A head later than the first entry's time.
	late := head4
	late.Time = late.Time.Add(48 * time.Hour)
	_, err = VerifyFrom(bytes.NewReader(rest), pubOf(key), late)
	var ve *VerifyError
	if !errors.As(err, &ve) || ve.Reason != ReasonTime || ve.Seq != 5 {
		t.Errorf("from a later head: %v", err)
	}
}

func ptr[T any](v T) *T { return &v }

func TestVerifyEmptyAndBadKey(t *testing.T) {
	rep, err := Verify(bytes.NewReader(nil), pubOf(testKey(t)))
	if err != nil || rep.Entries != 0 || rep.End != (Head{}) {
		t.Errorf("empty journal: %+v, %v", rep, err)
	}
	if _, err := Verify(bytes.NewReader(readValidJournal(t)), pubOf(testKey(t))[:31]); err == nil {
		t.Error("Verify accepted a 31-byte key")
	}
	_, err = Verify(bytes.NewReader(readValidJournal(t)), pubOf(otherKey(t)))
	var ve *VerifyError
	if !errors.As(err, &ve) || ve.Seq != 1 || ve.Reason != ReasonSignature {
		t.Errorf("wrong key: %v", err)
	}
}

type failingReader struct{ after int }

func (r *failingReader) Read(p []byte) (int, error) {
	if r.after <= 0 {
		return 0, errors.New("disk on fire")
	}
	n := min(len(p), r.after)
	for i := range n {
		p[i] = 'x'
	}
	r.after -= n
	return n, nil
}

func TestVerifyReadError(t *testing.T) {
	_, err := Verify(io.MultiReader(bytes.NewReader(readValidJournal(t)), &failingReader{}), pubOf(testKey(t)))
	var ve *VerifyError
	if err == nil || errors.As(err, &ve) || !strings.Contains(err.Error(), "reading journal line 11") {
		t.Errorf("error %v", err)
	}
}

func TestReasonNames(t *testing.T) {
	seen := map[string]bool{}
	for r := ReasonMalformed; r <= ReasonRejected; r++ {
		s := r.String()
		if strings.HasPrefix(s, "Reason(") || seen[s] {
			t.Errorf("reason %d has no name of its own: %q", int(r), s)
		}
		seen[s] = true
	}
	if Reason(0).String() != "Reason(0)" {
		t.Error("zero reason has a name")
	}
}

func TestParsePublicKey(t *testing.T) {
	for _, v := range loadKeyVectors(t) {
		pub, err := ParsePublicKey(v.PublicKey)
		if err != nil {
			t.Fatal(err)
		}
		if FormatPublicKey(pub) != v.PublicKey {
			t.Errorf("round trip of %s", v.PublicKey)
		}
		if _, err := ParsePublicKey(strings.ToUpper(v.PublicKey)); err != nil {
			t.Errorf("upper case: %v", err)
		}
	}
	for _, bad := range []string{"", "abcd", strings.Repeat("g", 64), strings.Repeat("a", 66)} {
		if _, err := ParsePublicKey(bad); err == nil {
			t.Errorf("ParsePublicKey(%q) succeeded", bad)
		}
	}
}

// FuzzVerify feeds any bytes to Verify: it must not panic, a journal it
// accepts must have one entry per line, and every line the parser accepts
// must re-encode to itself.
func FuzzVerify(f *testing.F) {
	valid := readValidJournal(f)
	f.Add(valid)
	lines := splitJournalLines(valid)
	f.Add(joinLines(lines[:3]))
	f.Add(valid[:len(valid)-7])
	f.Add(joinLines([][]byte{lines[1], lines[0]}))
	f.Add([]byte("\n"))
	f.Add([]byte(`{"seq":1}` + "\n"))
	f.Add([]byte{})
	pub := pubOf(testKey(f))
	f.Fuzz(func(t *testing.T, in []byte) {
		rep, err := Verify(bytes.NewReader(in), pub)
		if rep == nil {
			t.Fatalf("no report (err %v)", err)
		}
		if err == nil {
			if want := int64(bytes.Count(in, []byte("\n"))); rep.Entries != want {
				t.Errorf("accepted %d entries from %d lines", rep.Entries, want)
			}
		} else {
			var ve *VerifyError
			if !errors.As(err, &ve) || ve.Line < 1 || ve.Reason < ReasonMalformed || ve.Reason > ReasonRejected {
				t.Errorf("error %v is not a well-formed *VerifyError", err)
			}
			if rep.Entries != ve.Line-1 {
				t.Errorf("report of %d entries before line %d", rep.Entries, ve.Line)
			}
		}
		var scratch bytes.Buffer
		for _, raw := range bytes.Split(in, []byte("\n")) {
			l, err := parseLine(raw, &scratch)
			if err != nil {
				continue
			}
			if got := reencode(&l); !bytes.Equal(got, raw) {
				t.Errorf("line re-encodes to\n%q\nnot\n%q", got, raw)
			}
		}
	})
}

// TestVerifyLineLimit: a line of exactly MaxLineLen bytes is read, one byte
// more is refused, by Verify and by Append alike.
func TestVerifyLineLimit(t *testing.T) {
	key := testKey(t)
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	lineOf := func(size int) []byte {
		base := signLine(key, 1, t0, KindExport, [32]byte{}, `{"x":""}`)
		pad := strings.Repeat("a", size-len(base))
		l := signLine(key, 1, t0, KindExport, [32]byte{}, `{"x":"`+pad+`"}`)
		if len(l) != size {
			t.Fatalf("made a line of %d bytes, want %d", len(l), size)
		}
		return l
	}
	if rep, err := Verify(bytes.NewReader(joinLines([][]byte{lineOf(MaxLineLen)})), pubOf(key)); err != nil || rep.Entries != 1 {
		t.Errorf("line of MaxLineLen bytes: %v", err)
	}
	_, err := Verify(bytes.NewReader(joinLines([][]byte{lineOf(MaxLineLen + 1)})), pubOf(key))
	var ve *VerifyError
	if !errors.As(err, &ve) || ve.Reason != ReasonTooLong || ve.Line != 1 {
		t.Errorf("line of MaxLineLen+1 bytes: %v", err)
	}

	dir := t.TempDir()
	for _, tt := range []struct {
		size int
		ok   bool
	}{{MaxLineLen, true}, {MaxLineLen + 1, false}} {
		l := lineOf(tt.size)
		data := l[bytes.Index(l, []byte(`"data":`))+7 : len(l)-sigTailLen]
		path := fmt.Sprintf("%s/j%d.jsonl", dir, tt.size)
		e, err := Append(path, key, KindExport, json.RawMessage(data), t0)
		if (err == nil) != tt.ok {
			t.Errorf("Append of a %d-byte line: %v", tt.size, err)
		}
		if err == nil {
			if _, ok, err := func() (Entry, bool, error) {
				j, err := Open(path)
				if err != nil {
					return Entry{}, false, err
				}
				defer j.Close()
				return j.Last()
			}(); err != nil || !ok {
				t.Errorf("Last after a %d-byte line: %v", tt.size, err)
			}
			if e.Seq != 1 {
				t.Errorf("seq %d", e.Seq)
			}
		}
	}
}
