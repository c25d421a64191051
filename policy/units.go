package policy

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/btcsuite/btcd/btcutil"
)

// ParseAmount reads an amount with an explicit unit: "2.5btc", "0.001 BTC",
// "10000sat" or "10000sats". A satoshi amount is a whole number; a bitcoin
// amount has at most 8 decimals. Negative amounts, amounts above 21 million
// BTC and bare numbers are refused.
func ParseAmount(s string) (btcutil.Amount, error) {
	t := strings.ToLower(strings.TrimSpace(s))
	if t == "" {
		return 0, errors.New("amount is empty")
	}
	if strings.HasPrefix(t, "-") {
		return 0, fmt.Errorf("amount %q is negative", s)
	}
	num, unit := splitUnit(t)
	if num == "" {
		return 0, fmt.Errorf("amount %q has no number", s)
	}
	var sats int64
	switch unit {
	case "sat", "sats":
		v, err := parseDecimal(num, 0)
		if err != nil {
			return 0, fmt.Errorf("amount %q: a satoshi amount is a whole number", s)
		}
		sats = v
	case "btc":
		v, err := parseDecimal(num, 8)
		if err != nil {
			return 0, fmt.Errorf("amount %q: %v", s, err)
		}
		sats = v
	case "":
		return 0, fmt.Errorf("amount %q has no unit: write it as %ssat or in btc", s, num)
	default:
		return 0, fmt.Errorf("amount %q has the unknown unit %q: use sat or btc", s, unit)
	}
	if sats > btcutil.MaxSatoshi {
		return 0, fmt.Errorf("amount %q is more than 21 million BTC", s)
	}
	return btcutil.Amount(sats), nil
}

// FormatAmount writes an amount as ParseAmount reads it: whole bitcoins
// and their satoshis as "1.5btc", smaller amounts as "1500sat".
func FormatAmount(a btcutil.Amount) string {
	v := int64(a)
	if v != 0 && v%1_000_000 == 0 {
		return strconv.FormatFloat(float64(v)/1e8, 'f', -1, 64) + "btc"
	}
	return strconv.FormatInt(v, 10) + "sat"
}

// ParseFeeRate reads a fee rate in sat/vB: "50sat/vb", "2.5 sat/vB".
// At most 3 decimals; at most 1,000,000 sat/vB.
func ParseFeeRate(s string) (float64, error) {
	t := strings.ToLower(strings.TrimSpace(s))
	if strings.HasPrefix(t, "-") {
		return 0, fmt.Errorf("fee rate %q is negative", s)
	}
	num, unit := splitUnit(t)
	if unit == "" {
		return 0, fmt.Errorf("fee rate %q has no unit: write it as %ssat/vb", s, num)
	}
	if unit != "sat/vb" && unit != "sats/vb" {
		return 0, fmt.Errorf("fee rate %q has the unknown unit %q: use sat/vb", s, unit)
	}
	v, err := parseDecimal(num, 3)
	if err != nil {
		return 0, fmt.Errorf("fee rate %q: %v", s, err)
	}
	if v > 1_000_000*1000 {
		return 0, fmt.Errorf("fee rate %q is above 1000000 sat/vb", s)
	}
	return float64(v) / 1000, nil
}

// ParseDuration reads a positive duration with a unit: "90s", "30m",
// "24h", "7d" or "1w", or a Go duration such as "1h30m". At most 400 days.
func ParseDuration(s string) (time.Duration, error) {
	t := strings.ToLower(strings.TrimSpace(s))
	if strings.HasPrefix(t, "-") {
		return 0, fmt.Errorf("duration %q is negative", s)
	}
	var d time.Duration
	num, unit := splitUnit(t)
	switch unit {
	case "d", "w":
		n, err := parseDecimal(num, 0)
		if err != nil {
			return 0, fmt.Errorf("duration %q: days and weeks are whole numbers", s)
		}
		if n > 400*7 {
			return 0, fmt.Errorf("duration %q is longer than 400 days", s)
		}
		d = time.Duration(n) * 24 * time.Hour
		if unit == "w" {
			d *= 7
		}
	case "":
		return 0, fmt.Errorf("duration %q has no unit: write 24h, 30m or 7d", s)
	default:
		var err error
		if d, err = time.ParseDuration(t); err != nil {
			return 0, fmt.Errorf("duration %q is not a duration such as 24h, 30m or 7d", s)
		}
	}
	if d <= 0 {
		return 0, fmt.Errorf("duration %q is not positive", s)
	}
	if d > 400*24*time.Hour {
		return 0, fmt.Errorf("duration %q is longer than 400 days", s)
	}
	return d, nil
}

// FormatDuration writes a duration as ParseDuration reads it, in the
// largest unit that divides it, keeping a day as "24h": "30m", "24h",
// "36h", "2d", "1w".
func FormatDuration(d time.Duration) string {
	const day = 24 * time.Hour
	switch {
	case d >= 7*day && d%(7*day) == 0:
		return strconv.FormatInt(int64(d/(7*day)), 10) + "w"
	case d >= 2*day && d%day == 0:
		return strconv.FormatInt(int64(d/day), 10) + "d"
	case d%time.Hour == 0:
		return strconv.FormatInt(int64(d/time.Hour), 10) + "h"
	case d%time.Minute == 0:
		return strconv.FormatInt(int64(d/time.Minute), 10) + "m"
	}
	return d.String()
}

// ParsePercent reads a percentage: "2.5", "2.5%". Above 0, at most 100, at
// most 3 decimals.
func ParsePercent(s string) (float64, error) {
	t := strings.TrimSuffix(strings.TrimSpace(s), "%")
	if strings.HasPrefix(t, "-") {
		return 0, fmt.Errorf("percentage %q is negative", s)
	}
	v, err := parseDecimal(strings.TrimSpace(t), 3)
	if err != nil {
		return 0, fmt.Errorf("percentage %q: %v", s, err)
	}
	if v == 0 || v > 100_000 {
		return 0, fmt.Errorf("percentage %q is not above 0 and at most 100", s)
	}
	return float64(v) / 1000, nil
}

// splitUnit splits "2.5btc" into "2.5" and "btc" (white space between is
// allowed).
func splitUnit(t string) (num, unit string) {
	i := 0
	for i < len(t) && (t[i] >= '0' && t[i] <= '9' || t[i] == '.') {
		i++
	}
	return t[:i], strings.TrimSpace(t[i:])
}

// parseDecimal reads digits with at most decimals digits after a point and
// returns the value scaled by 10^decimals, exactly.
func parseDecimal(num string, decimals int) (int64, error) {
	whole, frac, hasPoint := strings.Cut(num, ".")
	if whole == "" || (hasPoint && frac == "") {
		return 0, errors.New("not a number")
	}
	if len(frac) > decimals {
		if decimals == 0 {
			return 0, errors.New("not a whole number")
		}
		return 0, fmt.Errorf("more than %d decimals", decimals)
	}
	for _, part := range []string{whole, frac} {
		for i := 0; i < len(part); i++ {
			if part[i] < '0' || part[i] > '9' {
				return 0, errors.New("not a number")
			}
		}
	}
	if len(whole) > 15 {
		return 0, errors.New("too large")
	}
	w, err := strconv.ParseInt(whole, 10, 64)
	if err != nil {
		return 0, errors.New("not a number")
	}
	f := int64(0)
	if frac != "" {
		if f, err = strconv.ParseInt(frac, 10, 64); err != nil {
			return 0, errors.New("not a number")
		}
	}
	for i := len(frac); i < decimals; i++ {
		f *= 10
	}
	scale := int64(math.Pow10(decimals))
	if w > (math.MaxInt64-f)/scale {
		return 0, errors.New("too large")
	}
	return w*scale + f, nil
}
