package build

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/btcsuite/btcd/btcutil"
	"github.com/btcsuite/btcd/txscript"

	"github.com/coffer-custody/coffer/wallet"
)

// ErrAmount is wrapped by every error of ParseAmount and ParseFeeRate.
var ErrAmount = errors.New("bad amount")

// ParseAmount reads an amount with an explicit unit: "0.5btc", "50000sat"
// (also "sats", any case, and spaces before the unit). A bare number is
// refused: a unit mistake is a factor of 10^8.
func ParseAmount(s string) (btcutil.Amount, error) {
	t := strings.ToLower(strings.TrimSpace(s))
	var num, unit string
	switch {
	case strings.HasSuffix(t, "btc"):
		num, unit = strings.TrimSpace(strings.TrimSuffix(t, "btc")), "btc"
	case strings.HasSuffix(t, "sats"):
		num, unit = strings.TrimSpace(strings.TrimSuffix(t, "sats")), "sat"
	case strings.HasSuffix(t, "sat"):
		num, unit = strings.TrimSpace(strings.TrimSuffix(t, "sat")), "sat"
	default:
		if _, err := strconv.ParseFloat(t, 64); err == nil {
			return 0, fmt.Errorf("%w: amount %q has no unit: write %sbtc or %ssat", ErrAmount, s, t, t)
		}
		return 0, fmt.Errorf("%w: amount %q is not a number with a unit (0.5btc, 50000sat)", ErrAmount, s)
	}
	if num == "" || strings.ContainsAny(num, "+-eE_ ") {
		return 0, fmt.Errorf("%w: amount %q is not a plain positive number", ErrAmount, s)
	}
	var sats int64
	switch unit {
	case "sat":
		v, err := strconv.ParseInt(num, 10, 64)
		if errors.Is(err, strconv.ErrRange) {
			return 0, fmt.Errorf("%w: amount %q is more than 21 million bitcoin", ErrAmount, s)
		}
		if err != nil {
			return 0, fmt.Errorf("%w: amount %q: satoshis are whole numbers", ErrAmount, s)
		}
		sats = v
	case "btc":
		whole, frac, _ := strings.Cut(num, ".")
		if len(frac) > 8 {
			return 0, fmt.Errorf("%w: amount %q has more than 8 decimals", ErrAmount, s)
		}
		if whole == "" {
			whole = "0"
		}
		w, err := strconv.ParseInt(whole, 10, 64)
		if errors.Is(err, strconv.ErrRange) || (err == nil && w > 21_000_000) {
			return 0, fmt.Errorf("%w: amount %q is more than 21 million bitcoin", ErrAmount, s)
		}
		if err != nil {
			return 0, fmt.Errorf("%w: amount %q is not a bitcoin amount", ErrAmount, s)
		}
		f := int64(0)
		if frac != "" {
			if f, err = strconv.ParseInt(frac+strings.Repeat("0", 8-len(frac)), 10, 64); err != nil {
				return 0, fmt.Errorf("%w: amount %q is not a bitcoin amount", ErrAmount, s)
			}
		}
		sats = w*btcutil.SatoshiPerBitcoin + f
	}
	if sats <= 0 {
		return 0, fmt.Errorf("%w: amount %q is not positive", ErrAmount, s)
	}
	if sats > btcutil.MaxSatoshi {
		return 0, fmt.Errorf("%w: amount %q is more than 21 million bitcoin", ErrAmount, s)
	}
	return btcutil.Amount(sats), nil
}

// FormatAmount writes sats as "0.00050000 BTC".
func FormatAmount(a btcutil.Amount) string {
	neg := ""
	if a < 0 {
		neg, a = "-", -a
	}
	return fmt.Sprintf("%s%d.%08d BTC", neg, int64(a)/btcutil.SatoshiPerBitcoin, int64(a)%btcutil.SatoshiPerBitcoin)
}

// MaxFeeRate bounds --fee-rate (sat/vB): above it, a typo is likelier
// than intent.
const MaxFeeRate = 10_000

// ParseFeeRate reads a fee rate in sat/vB with at most 3 decimals ("2",
// "1.5", "12.25sat/vb") and returns it in sat/kvB.
func ParseFeeRate(s string) (int64, error) {
	t := strings.ToLower(strings.TrimSpace(s))
	t = strings.TrimSpace(strings.TrimSuffix(t, "sat/vb"))
	whole, frac, _ := strings.Cut(t, ".")
	if whole == "" || len(frac) > 3 || strings.ContainsAny(t, "+-eE_ ") {
		return 0, fmt.Errorf("%w: fee rate %q is not a number of sat/vB with at most 3 decimals", ErrAmount, s)
	}
	w, err := strconv.ParseInt(whole, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("%w: fee rate %q is not a number of sat/vB", ErrAmount, s)
	}
	f := int64(0)
	if frac != "" {
		if f, err = strconv.ParseInt(frac+strings.Repeat("0", 3-len(frac)), 10, 64); err != nil {
			return 0, fmt.Errorf("%w: fee rate %q is not a number of sat/vB", ErrAmount, s)
		}
	}
	if w > MaxFeeRate {
		return 0, fmt.Errorf("%w: fee rate %q is above %d sat/vB", ErrAmount, s, MaxFeeRate)
	}
	r := w*1000 + f
	if r <= 0 {
		return 0, fmt.Errorf("%w: fee rate %q is not positive", ErrAmount, s)
	}
	return r, nil
}

// FormatFeeRate writes sat/kvB as sat/vB ("1.5 sat/vB").
func FormatFeeRate(kvb int64) string {
	s := strconv.FormatInt(kvb/1000, 10)
	if f := kvb % 1000; f != 0 {
		s += strings.TrimRight(fmt.Sprintf(".%03d", f), "0")
	}
	return s + " sat/vB"
}

// Payout is one payment: an address on the wallet's network and an amount.
type Payout struct {
	Address string
	Script  []byte
	Amount  btcutil.Amount
	Label   string
}

// ParsePayout reads "ADDR=AMOUNT" (the --to flag).
func ParsePayout(s string, n wallet.Network) (Payout, error) {
	addr, amt, ok := strings.Cut(s, "=")
	if !ok {
		return Payout{}, fmt.Errorf("--to %q is not ADDRESS=AMOUNT", s)
	}
	return makePayout(strings.TrimSpace(addr), strings.TrimSpace(amt), "", n)
}

func makePayout(addr, amount, label string, n wallet.Network) (Payout, error) {
	script, err := AddressScript(addr, n)
	if err != nil {
		return Payout{}, err
	}
	a, err := ParseAmount(amount)
	if err != nil {
		return Payout{}, err
	}
	return Payout{Address: addr, Script: script, Amount: a, Label: label}, nil
}

// AddressScript decodes an address of network n and returns its output
// script. An address of another network is refused by name.
func AddressScript(addr string, n wallet.Network) ([]byte, error) {
	if addr == "" {
		return nil, errors.New("empty address")
	}
	if a, err := btcutil.DecodeAddress(addr, n.Params()); err == nil && a.IsForNet(n.Params()) {
		s, err := txscript.PayToAddrScript(a)
		if err != nil {
			return nil, fmt.Errorf("address %s: %v", addr, err)
		}
		return s, nil
	}
	for _, other := range wallet.Networks() {
		if a, err := btcutil.DecodeAddress(addr, other.Params()); err == nil && a.IsForNet(other.Params()) {
			return nil, fmt.Errorf("address %s is for %s, not %s", addr, other, n)
		}
	}
	return nil, fmt.Errorf("address %q is not a valid %s address", addr, n)
}

// MaxPayoutsFile bounds a payouts CSV.
const MaxPayoutsFile = 4 << 20

// MaxOutputs bounds the outputs of one request.
const MaxOutputs = 2000

// ParsePayouts reads a payouts CSV: one "address,amount[,label]" per
// line, amounts with a unit; blank lines, lines starting with # and a
// first line "address,amount..." are skipped. Errors name the file and
// line.
func ParsePayouts(r io.Reader, name string, n wallet.Network) ([]Payout, error) {
	data, err := io.ReadAll(io.LimitReader(r, MaxPayoutsFile+1))
	if err != nil {
		return nil, fmt.Errorf("%s: %v", name, err)
	}
	if len(data) > MaxPayoutsFile {
		return nil, fmt.Errorf("%s is larger than %d bytes", name, MaxPayoutsFile)
	}
	var out []Payout
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 4096), MaxPayoutsFile)
	line := 0
	for sc.Scan() {
		line++
		t := strings.TrimSpace(strings.TrimPrefix(sc.Text(), "\ufeff"))
		if t == "" || strings.HasPrefix(t, "#") {
			continue
		}
		fields := strings.Split(t, ",")
		if line == 1 && strings.EqualFold(strings.TrimSpace(fields[0]), "address") {
			continue
		}
		if len(fields) < 2 || len(fields) > 3 {
			return nil, fmt.Errorf("%s line %d: %d fields; want address,amount[,label]", name, line, len(fields))
		}
		label := ""
		if len(fields) == 3 {
			label = strings.TrimSpace(fields[2])
		}
		p, err := makePayout(strings.TrimSpace(fields[0]), strings.TrimSpace(fields[1]), label, n)
		if err != nil {
			return nil, fmt.Errorf("%s line %d: %w", name, line, err)
		}
		out = append(out, p)
		if len(out) > MaxOutputs {
			return nil, fmt.Errorf("%s has more than %d payouts", name, MaxOutputs)
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%s line %d: %v", name, line+1, err)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%s has no payouts", name)
	}
	return out, nil
}
