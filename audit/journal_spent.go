package audit

import (
	"crypto/ed25519"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sort"
	"strconv"
	"time"

	"github.com/btcsuite/btcd/btcutil"
)

// SpentField is the field of a sign entry's data that holds what left the
// vault in that signing, in satoshis (change excluded): a JSON integer from
// 0 to 21,000,000 BTC.
const SpentField = "spent_sats"

// SpentIndex answers "how much left the vault in the window (t-w, t]" in
// O(log n), for velocity limits. It holds the time and a running total of
// every sign entry, in journal order (times never go backwards), so a
// decision is two binary searches and a subtraction, not a rescan.
//
// Build it in the same pass that verifies the journal (it is a Visitor),
// then Add each new signing as it is journaled. A SpentIndex is not safe
// for concurrent use.
type SpentIndex struct {
	times []int64 // entry times in Unix milliseconds, non-decreasing
	cum   []int64 // cum[i] = satoshis spent by entries 0..i
}

// NewSpentIndex returns an empty index.
func NewSpentIndex() *SpentIndex { return &SpentIndex{} }

// BuildSpentIndex verifies a whole journal (as Verify does) and indexes its
// sign entries in the same pass.
func BuildSpentIndex(r io.Reader, pub ed25519.PublicKey, visitors ...Visitor) (*SpentIndex, *Report, error) {
	x := NewSpentIndex()
	rep, err := Verify(r, pub, append([]Visitor{x}, visitors...)...)
	if err != nil {
		return nil, rep, err
	}
	return x, rep, nil
}

// Len returns the number of signings indexed.
func (x *SpentIndex) Len() int { return len(x.times) }

// Total returns the satoshis spent by every indexed signing.
func (x *SpentIndex) Total() btcutil.Amount {
	if len(x.cum) == 0 {
		return 0
	}
	return btcutil.Amount(x.cum[len(x.cum)-1])
}

// Visit indexes e when it is a sign entry and ignores other kinds. A sign
// entry without a valid SpentField is an error, as is one earlier than the
// last indexed.
func (x *SpentIndex) Visit(e Entry) error {
	if e.Kind != KindSign {
		return nil
	}
	var d struct {
		Spent json.RawMessage `json:"spent_sats"`
	}
	if err := json.Unmarshal(e.Data, &d); err != nil || len(d.Spent) == 0 || d.Spent[0] == 'n' || d.Spent[0] == '"' {
		return fmt.Errorf("sign entry seq %d has no integer %s", e.Seq, SpentField)
	}
	sats, ok := parseSats(d.Spent)
	if !ok {
		return fmt.Errorf("sign entry seq %d: %s %.40q is not an integer number of satoshis", e.Seq, SpentField, d.Spent)
	}
	if err := x.Add(e.Time, btcutil.Amount(sats)); err != nil {
		return fmt.Errorf("sign entry seq %d: %w", e.Seq, err)
	}
	return nil
}

// Add indexes one signing of amount at time t (truncated to the
// millisecond, as the journal records it).
func (x *SpentIndex) Add(t time.Time, amount btcutil.Amount) error {
	if amount < 0 || amount > btcutil.MaxSatoshi {
		return fmt.Errorf("spent amount %d sat is outside 0 to %d sat", int64(amount), int64(btcutil.MaxSatoshi))
	}
	ms := floorMilli(t)
	var prev int64
	if n := len(x.times); n > 0 {
		if ms < x.times[n-1] {
			return fmt.Errorf("signing at %s is earlier than the last indexed signing at %s",
				formatTime(nil, journalTime(t)), formatTime(nil, time.UnixMilli(x.times[n-1])))
		}
		prev = x.cum[n-1]
	}
	if prev > maxInt64-int64(amount) {
		return errors.New("total spent overflows")
	}
	x.times = append(x.times, ms)
	x.cum = append(x.cum, prev+int64(amount))
	return nil
}

const maxInt64 = 1<<63 - 1

// parseSats reads a JSON number that is a plain integer: an optional minus,
// then digits without a leading zero; no fraction, no exponent.
func parseSats(b []byte) (int64, bool) {
	digits := b
	if len(digits) > 0 && digits[0] == '-' {
		digits = digits[1:]
	}
	if len(digits) == 0 || len(digits) > 1 && digits[0] == '0' {
		return 0, false
	}
	for _, c := range digits {
		if c < '0' || c > '9' {
			return 0, false
		}
	}
	v, err := strconv.ParseInt(string(b), 10, 64)
	return v, err == nil
}

// SpentIn returns the satoshis spent by signings in (at-window, at]. A
// window of zero or less spans nothing.
func (x *SpentIndex) SpentIn(window time.Duration, at time.Time) btcutil.Amount {
	if window <= 0 || len(x.times) == 0 {
		return 0
	}
	hi := x.countUpTo(at)
	lo := x.countUpTo(at.Add(-window))
	return btcutil.Amount(x.sumBefore(hi) - x.sumBefore(lo))
}

// countUpTo returns how many indexed signings are at or before t.
func (x *SpentIndex) countUpTo(t time.Time) int {
	// A signing at ms m (exactly m milliseconds) is at or before t when
	// m <= floor(t in ms).
	ms := floorMilli(t)
	return sort.Search(len(x.times), func(i int) bool { return x.times[i] > ms })
}

func (x *SpentIndex) sumBefore(n int) int64 {
	if n == 0 {
		return 0
	}
	return x.cum[n-1]
}

// floorMilli is t in Unix milliseconds, rounded down.
func floorMilli(t time.Time) int64 {
	ms := t.UnixMilli()
	if time.UnixMilli(ms).After(t) {
		ms--
	}
	return ms
}
