package build

import (
	"errors"
	"fmt"
	"sort"

	"github.com/btcsuite/btcd/btcutil"
)

// ErrInsufficient is wrapped by *InsufficientError.
var ErrInsufficient = errors.New("insufficient funds")

// InsufficientError says how much is missing.
type InsufficientError struct {
	Available btcutil.Amount // what the usable coins are worth after their own fees
	Needed    btcutil.Amount // payments plus the fee of a transaction without inputs
}

func (e *InsufficientError) Error() string {
	return fmt.Sprintf("insufficient funds: %s missing (the usable coins give %s after their fees; the payments and fee need %s)",
		FormatAmount(e.Needed-e.Available), FormatAmount(e.Available), FormatAmount(e.Needed))
}

func (e *InsufficientError) Unwrap() error { return ErrInsufficient }

// SelectParams describe what to fund.
type SelectParams struct {
	Target       btcutil.Amount // sum of the payments
	FeeRate      int64          // sat/kvB
	BaseWeight   int            // the transaction without inputs and without change
	InputWeight  int            // weight of one input (all inputs are of one wallet)
	ChangeWeight int            // weight of the change output
	ChangeDust   btcutil.Amount // change must be above this
	// SpendChangeWeight is the weight of spending the change later: with
	// ChangeWeight, the cost of change that branch-and-bound weighs a
	// changeless match against.
	SpendChangeWeight int
	// Must lists coins that must be spent (--utxo); when set, only they
	// are spent.
	Must []int
}

// Selection is a funded transaction's inputs and change.
type Selection struct {
	Coins  []int          // indexes into the coins given to Select
	Change btcutil.Amount // 0: no change output
	Fee    btcutil.Amount
	Weight int // of the final transaction, signatures included
	BnB    bool
}

// maxBnBTries bounds branch-and-bound, as Bitcoin Core does.
const maxBnBTries = 100_000

// Select chooses coins (their values) to pay p.Target at p.FeeRate:
// branch-and-bound for a changeless match within the cost of change
// (Bitcoin Core's algorithm), else the largest coins first until the
// change is above dust, then dropping the smallest of them while that
// still holds. The fee is the fee rate times the final vsize, rounded up;
// a changeless match gives its small excess to the fee.
func Select(coins []btcutil.Amount, p SelectParams) (*Selection, error) {
	if p.FeeRate <= 0 {
		return nil, errors.New("fee rate is not positive")
	}
	inFee := feeOfWeight(p.FeeRate, p.InputWeight)
	baseFee := feeOfWeight(p.FeeRate, p.BaseWeight)
	needed := int64(p.Target) + baseFee
	if p.Must != nil {
		return selectFixed(coins, p)
	}
	// Effective values; coins worth less than their own fee are useless.
	type cand struct {
		i   int
		eff int64
	}
	var cs []cand
	var avail int64
	for i, v := range coins {
		if e := int64(v) - inFee; e > 0 {
			cs = append(cs, cand{i, e})
			avail += e
		}
	}
	if avail < needed {
		return nil, &InsufficientError{Available: btcutil.Amount(avail), Needed: btcutil.Amount(needed)}
	}
	sort.Slice(cs, func(a, b int) bool {
		if cs[a].eff != cs[b].eff {
			return cs[a].eff > cs[b].eff
		}
		return cs[a].i < cs[b].i
	})
	eff := make([]int64, len(cs))
	for i, c := range cs {
		eff[i] = c.eff
	}
	costOfChange := feeOfWeight(p.FeeRate, p.ChangeWeight) + feeOfWeight(p.FeeRate, p.SpendChangeWeight)
	if picked := bnb(eff, needed, costOfChange); picked != nil {
		s := &Selection{BnB: true}
		var total int64
		for _, k := range picked {
			s.Coins = append(s.Coins, cs[k].i)
			total += int64(coins[cs[k].i])
		}
		s.Weight = p.BaseWeight + len(picked)*p.InputWeight + inputCountDelta(len(picked))
		s.Fee = btcutil.Amount(total) - p.Target
		sort.Ints(s.Coins)
		// The fee of the rounded-up vsize can exceed the sum of the
		// per-part fees by a satoshi: then fall through to change.
		if s.Fee >= Fee(p.FeeRate, VSize(s.Weight)) {
			return s, nil
		}
	}
	// Largest first until the change is above dust.
	withChange := needed + feeOfWeight(p.FeeRate, p.ChangeWeight) + int64(p.ChangeDust) + 1
	var sum int64
	n := 0
	for n < len(cs) && sum < withChange {
		sum += cs[n].eff
		n++
	}
	if sum < withChange {
		// Not enough for change above dust: spend everything, no change.
		all := make([]int, len(cs))
		for k, c := range cs {
			all[k] = c.i
		}
		return finish(coins, all, p)
	}
	chosen := make([]int, n)
	for k := 0; k < n; k++ {
		chosen[k] = k
	}
	// Drop the smallest chosen coins while the rest still cover it.
	for k := n - 1; k >= 0; k-- {
		if sum-cs[chosen[k]].eff >= withChange {
			sum -= cs[chosen[k]].eff
			chosen = append(chosen[:k], chosen[k+1:]...)
		}
	}
	idx := make([]int, len(chosen))
	for k, c := range chosen {
		idx[k] = cs[c].i
	}
	return finish(coins, idx, p)
}

// inputCountDelta is the extra weight when the input count's varint
// grows past one byte (253 inputs or more; the base weight counts one
// byte).
func inputCountDelta(n int) int { return (varIntLen(n) - 1) * 4 }

// finish computes fee and change for the coins idx: change if it is above
// dust after paying for its own output, else none.
func finish(coins []btcutil.Amount, idx []int, p SelectParams) (*Selection, error) {
	var total int64
	for _, i := range idx {
		total += int64(coins[i])
	}
	w := p.BaseWeight + len(idx)*p.InputWeight + inputCountDelta(len(idx))
	feeNo := int64(Fee(p.FeeRate, VSize(w)))
	if total < int64(p.Target)+feeNo {
		avail := total - int64(len(idx))*feeOfWeight(p.FeeRate, p.InputWeight)
		return nil, &InsufficientError{Available: btcutil.Amount(avail), Needed: btcutil.Amount(int64(p.Target) + feeOfWeight(p.FeeRate, p.BaseWeight))}
	}
	s := &Selection{Coins: append([]int(nil), idx...)}
	sort.Ints(s.Coins)
	wc := w + p.ChangeWeight
	feeC := int64(Fee(p.FeeRate, VSize(wc)))
	if change := total - int64(p.Target) - feeC; change > int64(p.ChangeDust) {
		s.Change, s.Fee, s.Weight = btcutil.Amount(change), btcutil.Amount(feeC), wc
		return s, nil
	}
	s.Fee, s.Weight = btcutil.Amount(total-int64(p.Target)), w
	return s, nil
}

// selectFixed spends exactly the coins p.Must.
func selectFixed(coins []btcutil.Amount, p SelectParams) (*Selection, error) {
	seen := map[int]bool{}
	for _, i := range p.Must {
		if i < 0 || i >= len(coins) || seen[i] {
			return nil, fmt.Errorf("coin %d given twice or unknown", i)
		}
		seen[i] = true
	}
	return finish(coins, p.Must, p)
}

// bnb searches a subset of eff (sorted descending) whose sum lies in
// [target, target+slack]: depth first, including before excluding, with
// the waste of the excess as the tie-break, as Bitcoin Core's
// SelectCoinsBnB. It returns the positions chosen, or nil.
func bnb(eff []int64, target, slack int64) []int {
	n := len(eff)
	if n == 0 {
		return nil
	}
	rest := make([]int64, n+1) // rest[i] = sum of eff[i:]
	for i := n - 1; i >= 0; i-- {
		rest[i] = rest[i+1] + eff[i]
	}
	if rest[0] < target {
		return nil
	}
	var best []int
	bestExcess := int64(-1)
	sel := make([]bool, n)
	var sum int64
	depth := 0
	tries := 0
	for tries < maxBnBTries {
		tries++
		backtrack := false
		switch {
		case sum+rest[depth] < target:
			backtrack = true // cannot reach the target any more
		case sum > target+slack:
			backtrack = true // overshot
		case sum >= target:
			if ex := sum - target; bestExcess < 0 || ex < bestExcess {
				bestExcess = ex
				best = best[:0]
				for i := 0; i < depth; i++ {
					if sel[i] {
						best = append(best, i)
					}
				}
				if ex == 0 {
					return best
				}
			}
			backtrack = true
		}
		if depth == n {
			backtrack = true
		}
		if backtrack {
			// Walk back to the last included coin and exclude it.
			for depth > 0 && !sel[depth-1] {
				depth--
			}
			if depth == 0 {
				break
			}
			depth--
			sel[depth] = false
			sum -= eff[depth]
			depth++
			continue
		}
		// Include the next coin (skip an equal coin just excluded: same
		// subsets).
		if depth > 0 && !sel[depth-1] && eff[depth] == eff[depth-1] {
			sel[depth] = false
			depth++
			continue
		}
		sel[depth] = true
		sum += eff[depth]
		depth++
	}
	return best
}
