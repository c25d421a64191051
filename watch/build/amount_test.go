package build

import (
	"errors"
	"strings"
	"testing"

	"github.com/btcsuite/btcd/btcutil"

	"github.com/coffer-custody/coffer/wallet"
)

func TestParseAmount(t *testing.T) {
	good := []struct {
		in   string
		want btcutil.Amount
	}{
		{"0.5btc", 50_000_000}, {"0.5 BTC", 50_000_000}, {"1btc", 100_000_000}, {".00000001btc", 1},
		{"50000sat", 50_000}, {"50000 sats", 50_000}, {"21000000btc", btcutil.MaxSatoshi}, {"0.12345678btc", 12_345_678},
	}
	for _, tc := range good {
		got, err := ParseAmount(tc.in)
		if err != nil || got != tc.want {
			t.Errorf("ParseAmount(%q) = %d, %v; want %d", tc.in, got, err, tc.want)
		}
	}
	bad := []struct{ in, msg string }{
		{"0.5", `amount "0.5" has no unit: write 0.5btc or 0.5sat`},
		{"50000", "has no unit"},
		{"0.123456789btc", "more than 8 decimals"},
		{"1.5sat", "satoshis are whole numbers"},
		{"0btc", "not positive"},
		{"-1btc", "not a plain positive number"},
		{"1e3sat", "not a plain positive number"},
		{"21000001btc", "more than 21 million bitcoin"},
		{"99999999999999999999btc", "more than 21 million bitcoin"},
		{"99999999999999999999sat", "more than 21 million bitcoin"},
		{"2100000000000001sat", "more than 21 million bitcoin"},
		{"1.2.3btc", "not a bitcoin amount"},
		{"lots", "not a number with a unit"},
		{"", "not a number with a unit"},
	}
	for _, tc := range bad {
		_, err := ParseAmount(tc.in)
		if !errors.Is(err, ErrAmount) || !strings.Contains(err.Error(), tc.msg) {
			t.Errorf("ParseAmount(%q): %v, want %q", tc.in, err, tc.msg)
		}
	}
}

func TestFeeRate(t *testing.T) {
	for in, want := range map[string]int64{"1": 1000, "1.5": 1500, "12.25sat/vb": 12250, "0.1": 100, "2.001": 2001} {
		if got, err := ParseFeeRate(in); err != nil || got != want {
			t.Errorf("ParseFeeRate(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	for _, in := range []string{"", "0", "1.0001", "-2", "abc", "10001", "1e2"} {
		if _, err := ParseFeeRate(in); !errors.Is(err, ErrAmount) {
			t.Errorf("ParseFeeRate(%q) accepted", in)
		}
	}
	if FormatFeeRate(1500) != "1.5 sat/vB" || FormatFeeRate(2000) != "2 sat/vB" || FormatFeeRate(2001) != "2.001 sat/vB" {
		t.Error("FormatFeeRate")
	}
	if FormatAmount(123_456_789) != "1.23456789 BTC" || FormatAmount(-1) != "-0.00000001 BTC" {
		t.Error("FormatAmount")
	}
}

const (
	regtestAddr = "bcrt1q6rz28mcfaxtmd6v789l9rrlrusdprr9pz3cppk"
	mainAddr    = "bc1qcr8te4kr609gcawutmrza0j4xv80jy8z306fyu"
)

func TestAddressScript(t *testing.T) {
	if s, err := AddressScript(regtestAddr, wallet.Regtest); err != nil || len(s) != 22 {
		t.Fatalf("regtest address: %v", err)
	}
	if _, err := AddressScript(mainAddr, wallet.Regtest); err == nil || !strings.Contains(err.Error(), "is for mainnet, not regtest") {
		t.Errorf("mainnet address on regtest: %v", err)
	}
	if _, err := AddressScript(regtestAddr, wallet.Mainnet); err == nil || !strings.Contains(err.Error(), "is for regtest, not mainnet") {
		t.Errorf("regtest address on mainnet: %v", err)
	}
	if _, err := AddressScript("bcrt1qnotanaddress", wallet.Regtest); err == nil || !strings.Contains(err.Error(), "not a valid regtest address") {
		t.Errorf("garbage: %v", err)
	}
}

func TestParsePayouts(t *testing.T) {
	csv := "\ufeffaddress,amount,label\n# salaries\n\n" + regtestAddr + ",0.1btc,alice\n" + regtestAddr + " , 2500sat \n"
	ps, err := ParsePayouts(strings.NewReader(csv), "pay.csv", wallet.Regtest)
	if err != nil {
		t.Fatal(err)
	}
	if len(ps) != 2 || ps[0].Amount != 10_000_000 || ps[0].Label != "alice" || ps[1].Amount != 2500 {
		t.Fatalf("payouts %+v", ps)
	}
	bad := []struct{ csv, msg string }{
		{regtestAddr + ",1000sat\n" + regtestAddr + ",12\n", `pay.csv line 2: bad amount: amount "12" has no unit`},
		{regtestAddr + "\n", "pay.csv line 1: 1 fields; want address,amount[,label]"},
		{mainAddr + ",1btc\n", "pay.csv line 1: address " + mainAddr + " is for mainnet, not regtest"},
		{"a,b,c,d\n", "line 1: 4 fields"},
		{"# nothing\n", "pay.csv has no payouts"},
	}
	for _, tc := range bad {
		_, err := ParsePayouts(strings.NewReader(tc.csv), "pay.csv", wallet.Regtest)
		if err == nil || !strings.Contains(err.Error(), tc.msg) {
			t.Errorf("%q: %v, want %q", tc.csv, err, tc.msg)
		}
	}
	if _, err := ParsePayout(regtestAddr+"=1btc", wallet.Regtest); err != nil {
		t.Error(err)
	}
	if _, err := ParsePayout(regtestAddr, wallet.Regtest); err == nil || !strings.Contains(err.Error(), "ADDRESS=AMOUNT") {
		t.Errorf("no '=': %v", err)
	}
}

func FuzzParseAmount(f *testing.F) {
	for _, s := range []string{"0.5btc", "50000sat", "1 sats", "0.00000001BTC", "12", "-1btc", "1e8sat"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		a, err := ParseAmount(s)
		if err != nil {
			return
		}
		if a <= 0 || a > btcutil.MaxSatoshi {
			t.Fatalf("ParseAmount(%q) = %d", s, a)
		}
		// What parses reads back the same in either unit.
		if b, err := ParseAmount(strings.TrimSuffix(FormatAmount(a), " BTC") + "btc"); err != nil || b != a {
			t.Fatalf("%q: %d does not read back (%d, %v)", s, a, b, err)
		}
	})
}

func FuzzParsePayouts(f *testing.F) {
	f.Add("address,amount\n" + regtestAddr + ",0.1btc,x\n")
	f.Add(regtestAddr + ",12\n")
	f.Add("\ufeff#c\n\n" + regtestAddr + ",5sat\n")
	f.Fuzz(func(t *testing.T, s string) {
		ps, err := ParsePayouts(strings.NewReader(s), "f.csv", wallet.Regtest)
		if err != nil {
			if !strings.HasPrefix(err.Error(), "f.csv") {
				t.Fatalf("error %q does not name the file", err)
			}
			return
		}
		for _, p := range ps {
			if p.Amount <= 0 || len(p.Script) == 0 {
				t.Fatalf("payout %+v", p)
			}
		}
	})
}
