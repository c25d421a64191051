package audit

import (
	"bytes"
	"encoding/json"
	"errors"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/btcsuite/btcd/btcutil"
)

func TestSpentIndexWindow(t *testing.T) {
	t0 := time.Date(2026, 4, 1, 0, 0, 0, 0, time.UTC)
	x := NewSpentIndex()
	adds := []struct {
		at  time.Duration
		amt btcutil.Amount
	}{
		{0, 100},
		{time.Hour, 200},
		{time.Hour, 300}, // same time
		{2*time.Hour + 500*time.Millisecond, 400},
		{25 * time.Hour, 1000},
	}
	for _, a := range adds {
		if err := x.Add(t0.Add(a.at), a.amt); err != nil {
			t.Fatal(err)
		}
	}
	if x.Len() != 5 || x.Total() != 2000 {
		t.Fatalf("len %d total %d", x.Len(), x.Total())
	}
	day := 24 * time.Hour
	tests := []struct {
		name   string
		window time.Duration
		at     time.Duration
		want   btcutil.Amount
	}{
		{"before everything", day, -time.Millisecond, 0},
		{"at the first signing", day, 0, 100},
		{"a day after the first: it leaves the window", day, day, 500 + 400},
		{"just before that", day, day - time.Millisecond, 100 + 500 + 400},
		{"both at 1h", time.Hour, time.Hour + time.Nanosecond, 500},
		{"window ends exactly at 1h: excluded", time.Hour, 2 * time.Hour, 0},
		{"window start 1ns before 1h: included", time.Hour + time.Nanosecond, 2 * time.Hour, 500},
		{"sub-millisecond: 2h+500ms at 2h+500.9ms", time.Second, 2*time.Hour + 500*time.Millisecond + 900*time.Microsecond, 400},
		{"sub-millisecond: at 2h+499.9ms", time.Second, 2*time.Hour + 499*time.Millisecond + 900*time.Microsecond, 0},
		{"window start inside the signing's millisecond", 100 * time.Microsecond, 2*time.Hour + 500*time.Millisecond + 50*time.Microsecond, 400},
		{"everything", 100 * day, 100*day - time.Millisecond, 2000},
		{"window start exactly at the first signing", 100 * day, 100 * day, 1900},
		{"zero window", 0, 25 * time.Hour, 0},
		{"negative window", -day, 25 * time.Hour, 0},
		{"last one only", time.Hour, 25 * time.Hour, 1000},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := x.SpentIn(tt.window, t0.Add(tt.at)); got != tt.want {
				t.Errorf("SpentIn(%v, t0+%v) = %d, want %d", tt.window, tt.at, got, tt.want)
			}
		})
	}
	if NewSpentIndex().SpentIn(day, t0) != 0 {
		t.Error("an empty index spent something")
	}
}

func TestSpentIndexAddRefuses(t *testing.T) {
	t0 := time.Date(2026, 4, 1, 0, 0, 0, 0, time.UTC)
	x := NewSpentIndex()
	if err := x.Add(t0, 5); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name string
		at   time.Time
		amt  btcutil.Amount
		want string
	}{
		{"earlier", t0.Add(-time.Millisecond), 1, "earlier than the last indexed signing"},
		{"negative", t0, -1, "outside 0 to"},
		{"more than all bitcoin", t0, btcutil.MaxSatoshi + 1, "outside 0 to"},
	} {
		if err := x.Add(tt.at, tt.amt); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: %v", tt.name, err)
		}
	}
	// Earlier within the same millisecond is the same journal time.
	if err := x.Add(t0.Add(-time.Nanosecond).Add(time.Millisecond), 1); err != nil {
		t.Errorf("same millisecond: %v", err)
	}
	if x.Len() != 2 || x.Total() != 6 {
		t.Errorf("refused adds changed the index: len %d total %d", x.Len(), x.Total())
	}
}

// TestSpentIndexFromJournal builds the index while verifying a journal of
// signings, refusals and other acts, and checks every answer against a
// rescan.
func TestSpentIndexFromJournal(t *testing.T) {
	key := testKey(t)
	path := filepath.Join(t.TempDir(), "journal.jsonl")
	rng := rand.New(rand.NewPCG(5, 7))
	t0 := time.Date(2026, 5, 1, 0, 0, 0, 0, time.UTC)
	type signing struct {
		at  time.Time
		amt int64
	}
	var signs []signing
	now := t0
	for range 300 {
		now = now.Add(time.Duration(rng.IntN(4*3600)) * time.Second) // sometimes 0: equal times
		switch rng.IntN(4) {
		case 0:
			if _, err := Append(path, key, KindRefusal, map[string]any{"spent_sats": 999999, "reasons": []string{"velocity"}}, now); err != nil {
				t.Fatal(err)
			}
		default:
			amt := rng.Int64N(10_000_000)
			if _, err := Append(path, key, KindSign, map[string]any{"txid": "ab", "spent_sats": amt, "wallet": "main"}, now); err != nil {
				t.Fatal(err)
			}
			signs = append(signs, signing{journalTime(now), amt})
		}
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var perWallet int64 // a caller's own total, in the same pass
	x, rep, err := BuildSpentIndex(f, pubOf(key), VisitorFunc(func(e Entry) error {
		if e.Kind == KindSign {
			var d struct {
				SpentSats int64 `json:"spent_sats"`
			}
			if err := json.Unmarshal(e.Data, &d); err != nil {
				return err
			}
			perWallet += d.SpentSats
		}
		return nil
	}))
	if err != nil {
		t.Fatal(err)
	}
	if x.Len() != len(signs) || rep.Kinds[KindSign] != int64(len(signs)) || int64(x.Total()) != perWallet {
		t.Fatalf("index of %d signings (total %d), journal has %d (total %d)", x.Len(), x.Total(), len(signs), perWallet)
	}
	rescan := func(window time.Duration, at time.Time) (sum int64) {
		for _, s := range signs {
			if s.at.After(at.Add(-window)) && !s.at.After(at) {
				sum += s.amt
			}
		}
		return sum
	}
	end := now.Add(48 * time.Hour)
	for range 2000 {
		at := t0.Add(time.Duration(rng.Int64N(int64(end.Sub(t0)))))
		window := []time.Duration{time.Second, time.Hour, 24 * time.Hour, 7 * 24 * time.Hour}[rng.IntN(4)]
		if rng.IntN(4) == 0 {
			at = signs[rng.IntN(len(signs))].at // exactly at a signing
		}
		if got, want := x.SpentIn(window, at), rescan(window, at); int64(got) != want {
			t.Fatalf("SpentIn(%v, %s) = %d, rescan says %d", window, at, got, want)
		}
	}
}

func TestSpentIndexRejectsBadSignEntries(t *testing.T) {
	key := testKey(t)
	t0 := time.Date(2026, 5, 1, 0, 0, 0, 0, time.UTC)
	for _, tt := range []struct {
		name string
		data string
		want string
	}{
		{"missing", `{"txid":"ab"}`, "has no integer spent_sats"},
		{"null", `{"spent_sats":null}`, "has no integer spent_sats"},
		{"string", `{"spent_sats":"5"}`, "has no integer spent_sats"},
		{"fraction", `{"spent_sats":1.5}`, "not an integer number of satoshis"},
		{"exponent", `{"spent_sats":1e3}`, "not an integer number of satoshis"},
		{"negative", `{"spent_sats":-1}`, "outside 0 to"},
		{"too large", `{"spent_sats":2100000000000001}`, "outside 0 to"},
		{"overflow", `{"spent_sats":99999999999999999999}`, "not an integer number of satoshis"},
		{"object", `{"spent_sats":{"v":1}}`, "not an integer number of satoshis"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			good := signLine(key, 1, t0, KindSign, [32]byte{}, `{"spent_sats":10}`)
			bad := signLine(key, 2, t0, KindSign, lineHash(good), tt.data)
			buf.Write(joinLines([][]byte{good, bad}))
			x, rep, err := BuildSpentIndex(&buf, pubOf(key))
			var ve *VerifyError
			if !errors.As(err, &ve) || ve.Reason != ReasonRejected || ve.Seq != 2 || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error %v, want a rejection of seq 2 saying %q", err, tt.want)
			}
			if x != nil || rep.Entries != 1 {
				t.Errorf("index %v, report %+v", x, rep)
			}
		})
	}
}

func TestSpentIndexTamperedJournal(t *testing.T) {
	valid := readValidJournal(t)
	x, rep, err := BuildSpentIndex(bytes.NewReader(valid), pubOf(testKey(t)))
	if err != nil {
		t.Fatal(err)
	}
	if x.Len() != 3 || x.Total() != 150000+90000+5000000000 || rep.Entries != 10 {
		t.Fatalf("index len %d total %d", x.Len(), x.Total())
	}
	// Lowering a signed amount to reopen a velocity window is caught.
	tampered := bytes.Replace(valid, []byte(`"spent_sats":150000`), []byte(`"spent_sats":100000`), 1)
	x, _, err = BuildSpentIndex(bytes.NewReader(tampered), pubOf(testKey(t)))
	var ve *VerifyError
	if x != nil || !errors.As(err, &ve) || ve.Seq != 4 || ve.Reason != ReasonSignature {
		t.Fatalf("tampered journal: index %v, error %v", x, err)
	}
}

// BenchmarkSpentIn times one velocity decision over an index of 1,000,000
// signings.
func BenchmarkSpentIn(b *testing.B) {
	const n = 1_000_000
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	x := NewSpentIndex()
	for i := range n {
		if err := x.Add(t0.Add(time.Duration(i)*30*time.Second), btcutil.Amount(1000+i%7000)); err != nil {
			b.Fatal(err)
		}
	}
	end := t0.Add(n * 30 * time.Second)
	rng := rand.New(rand.NewPCG(1, 1))
	var sink btcutil.Amount
	b.ReportAllocs()
	for b.Loop() {
		at := t0.Add(time.Duration(rng.Int64N(int64(end.Sub(t0)))))
		sink += x.SpentIn(24*time.Hour, at)
	}
	if sink < 0 {
		b.Fatal(sink)
	}
}
