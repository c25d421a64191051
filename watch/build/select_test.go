package build

import (
	"errors"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/btcsuite/btcd/btcutil"

	"github.com/coffer-custody/coffer/wallet"
)

func wpkhParams(target btcutil.Amount, rate int64) SelectParams {
	pay := append([]byte{0, 20}, make([]byte, 20)...)
	change := append([]byte{0, 20}, make([]byte, 20)...)
	iw, _ := InputWeight(wallet.ScriptWPKH, 1, 1)
	return SelectParams{Target: target, FeeRate: rate, BaseWeight: TxWeight(nil, [][]byte{pay}, true), InputWeight: iw,
		ChangeWeight: OutputWeight(change), ChangeDust: Dust(change), SpendChangeWeight: iw}
}

func sum(coins []btcutil.Amount, idx []int) btcutil.Amount {
	var s btcutil.Amount
	for _, i := range idx {
		s += coins[i]
	}
	return s
}

// checkSelection holds the invariants: inputs pay target, fee and change
// exactly; the fee meets the rate on the final vsize; change is above dust.
func checkSelection(t *testing.T, coins []btcutil.Amount, p SelectParams, s *Selection) {
	t.Helper()
	in := sum(coins, s.Coins)
	if in != p.Target+s.Fee+s.Change {
		t.Fatalf("inputs %d != target %d + fee %d + change %d", in, p.Target, s.Fee, s.Change)
	}
	want := p.BaseWeight + len(s.Coins)*p.InputWeight + inputCountDelta(len(s.Coins))
	if s.Change > 0 {
		want += p.ChangeWeight
		if s.Change <= p.ChangeDust {
			t.Fatalf("change %d is dust", s.Change)
		}
		if s.Fee != Fee(p.FeeRate, VSize(s.Weight)) {
			t.Fatalf("fee %d, the rate on %d vbytes is %d", s.Fee, VSize(s.Weight), Fee(p.FeeRate, VSize(s.Weight)))
		}
	}
	if s.Weight != want {
		t.Fatalf("weight %d, want %d", s.Weight, want)
	}
	if s.Fee < Fee(p.FeeRate, VSize(s.Weight)) {
		t.Fatalf("fee %d below the rate on %d vbytes", s.Fee, VSize(s.Weight))
	}
}

func TestWeights(t *testing.T) {
	// Known final sizes: P2WPKH input 68 vB (271 WU with a 71-byte
	// signature), P2TR key path 57.5 vB, 2-of-3 P2WSH 104 vB.
	for _, tc := range []struct {
		st   wallet.ScriptType
		m, n int
		want int
	}{
		{wallet.ScriptWPKH, 1, 1, 271}, {wallet.ScriptTR, 1, 1, 230}, {wallet.ScriptWSHMulti, 2, 3, 416},
		{wallet.ScriptSHWPKH, 1, 1, 363}, {wallet.ScriptSHWSHMulti, 2, 3, 556},
	} {
		if got, err := InputWeight(tc.st, tc.m, tc.n); err != nil || got != tc.want {
			t.Errorf("%s %d of %d: weight %d, %v; want %d", tc.st, tc.m, tc.n, got, err, tc.want)
		}
	}
	if _, err := InputWeight(wallet.ScriptUnknown, 1, 1); err == nil {
		t.Error("unknown script type accepted")
	}
	for _, tc := range []struct {
		script []byte
		want   btcutil.Amount
	}{{append([]byte{0, 20}, make([]byte, 20)...), 294}, {append([]byte{0x51, 32}, make([]byte, 32)...), 330}, {append([]byte{0x76, 0xa9, 20}, make([]byte, 22)...), 546}, {append([]byte{0xa9, 20}, make([]byte, 21)...), 540}} {
		if got := Dust(tc.script); got != tc.want {
			t.Errorf("dust of a %d-byte script %d, want %d", len(tc.script), got, tc.want)
		}
	}
}

func TestSelectBnBChangeless(t *testing.T) {
	p := wpkhParams(100_000, 1000)
	inFee := feeOfWeight(p.FeeRate, p.InputWeight)
	base := feeOfWeight(p.FeeRate, p.BaseWeight)
	// Two coins that pay target+fees exactly, among others.
	exact1 := btcutil.Amount(60_000 + inFee)
	exact2 := btcutil.Amount(40_000 + inFee + base)
	coins := []btcutil.Amount{500_000, exact1, 7_000, exact2, 300_000}
	s, err := Select(coins, p)
	if err != nil {
		t.Fatal(err)
	}
	if !s.BnB || s.Change != 0 || len(s.Coins) != 2 || s.Coins[0] != 1 || s.Coins[1] != 3 {
		t.Fatalf("selection %+v, want the exact pair without change", s)
	}
	checkSelection(t, coins, p, s)
}

func TestSelectWithChange(t *testing.T) {
	p := wpkhParams(100_000, 2500)
	coins := []btcutil.Amount{30_000, 80_000, 5_000_000, 45_000}
	s, err := Select(coins, p)
	if err != nil {
		t.Fatal(err)
	}
	if s.BnB || s.Change == 0 || len(s.Coins) != 1 || s.Coins[0] != 2 {
		t.Fatalf("selection %+v, want the large coin with change", s)
	}
	checkSelection(t, coins, p, s)
	// Fixed coins: spend exactly those.
	p.Must = []int{0, 1}
	s, err = Select(coins, p)
	if err != nil || len(s.Coins) != 2 {
		t.Fatalf("fixed selection %+v, %v", s, err)
	}
	checkSelection(t, coins, p, s)
	p.Must = []int{0}
	if _, err := Select(coins, p); !errors.Is(err, ErrInsufficient) {
		t.Fatalf("fixed coin too small: %v", err)
	}
}

func TestSelectInsufficient(t *testing.T) {
	p := wpkhParams(1_000_000, 1000)
	coins := []btcutil.Amount{300_000, 200_000, 50}
	_, err := Select(coins, p)
	var ie *InsufficientError
	if !errors.As(err, &ie) {
		t.Fatalf("%v", err)
	}
	inFee := feeOfWeight(p.FeeRate, p.InputWeight)
	if ie.Available != btcutil.Amount(500_000-2*inFee) || !strings.Contains(err.Error(), "BTC missing") {
		t.Fatalf("%v (available %d)", err, ie.Available)
	}
	if missing := ie.Needed - ie.Available; missing < 500_000 || missing > 500_300 {
		t.Fatalf("missing %d", missing)
	}
}

// Random wallets: every selection keeps the invariants.
func TestSelectRandom(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for i := 0; i < 300; i++ {
		n := 1 + r.IntN(60)
		coins := make([]btcutil.Amount, n)
		var total btcutil.Amount
		for k := range coins {
			coins[k] = btcutil.Amount(1000 + r.Int64N(5_000_000))
			total += coins[k]
		}
		p := wpkhParams(btcutil.Amount(1000+r.Int64N(int64(total))), 1000+r.Int64N(50_000))
		s, err := Select(coins, p)
		if errors.Is(err, ErrInsufficient) {
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		checkSelection(t, coins, p, s)
	}
}

func BenchmarkSelect10000UTXOs(b *testing.B) {
	r := rand.New(rand.NewPCG(3, 4))
	coins := make([]btcutil.Amount, 10_000)
	for i := range coins {
		coins[i] = btcutil.Amount(10_000 + r.Int64N(10_000_000))
	}
	p := wpkhParams(123_456_789, 5000)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := Select(coins, p); err != nil {
			b.Fatal(err)
		}
	}
}
