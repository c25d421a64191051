package main

import (
	"errors"
	"os"
	"testing"

	"github.com/btcsuite/btcd/btcutil"

	"github.com/coffer-custody/coffer/sign"
	"github.com/coffer-custody/coffer/wallet"
)

func init() {
	// The fault hook of coffer sign, armed only in this test binary and
	// only when a script sets COFFER_TEST_FAULT=after-sign
	// (sign_fault.txt): it fails between signing and journaling.
	testOnlyAfterSign = func() error {
		if os.Getenv("COFFER_TEST_FAULT") == "after-sign" {
			return errors.New("test fault between signing and journaling")
		}
		return nil
	}
}

func TestMoneyOf(t *testing.T) {
	for _, c := range []struct {
		sat  int64
		btc  string
		text string
	}{
		{0, "0.00000000", "0.00000000 BTC (0 sat)"},
		{1, "0.00000001", "0.00000001 BTC (1 sat)"},
		{150_000, "0.00150000", "0.00150000 BTC (150000 sat)"},
		{100_000_000, "1.00000000", "1.00000000 BTC (100000000 sat)"},
		{btcutil.MaxSatoshi, "21000000.00000000", "21000000.00000000 BTC (2100000000000000 sat)"},
		{-2_50000000, "-2.50000000", "-2.50000000 BTC (-250000000 sat)"},
		{-1 << 63, "-92233720368.54775808", "-92233720368.54775808 BTC (-9223372036854775808 sat)"},
	} {
		m := moneyOf(btcutil.Amount(c.sat))
		if m.Sat != c.sat || m.BTC != c.btc || m.String() != c.text {
			t.Errorf("moneyOf(%d) = %+v %q, want %q %q", c.sat, m, m.String(), c.btc, c.text)
		}
	}
}

// TestExtraAccounts: accounts other than 0 come from the review's key
// claims, only for the vault's coin type and single-key purposes.
func TestExtraAccounts(t *testing.T) {
	r := &sign.Review{
		Inputs: []sign.InputReview{
			{Keys: []sign.KeyUse{{Path: "m/84h/1h/3h/0/7"}, {Path: "m/84h/1h/0h/0/1"}}},
			{Keys: []sign.KeyUse{{Path: "m/86h/1h/2h/1/0"}, {Path: "m/84h/0h/5h/0/0"}}}, // mainnet coin: not ours on regtest
			{Keys: []sign.KeyUse{{Path: "m/48h/1h/0h/2h/0/0"}, {Path: "m/84h/1h/3h/1/0"}}},
		},
		Outputs: []sign.OutputReview{{Keys: []sign.KeyUse{{Path: "m/49h/1h/9h/1/4"}, {Path: "m/84h/1h/4/0/0"}, {Path: "m/84h/1h/6h/2/0"}}}},
	}
	got := extraAccounts(r, wallet.Regtest, []accountKey{{wallet.ScriptTR, 2}})
	want := []accountKey{{wallet.ScriptWPKH, 3}, {wallet.ScriptSHWPKH, 9}}
	if len(got) != len(want) {
		t.Fatalf("extraAccounts = %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("extraAccounts = %v, want %v", got, want)
		}
	}
}

func TestRefusedErrorOneSentence(t *testing.T) {
	src := &psbtSource{path: "req.psbt"}
	reasons := []sign.Reason{
		{Code: sign.CodeFeeTooHigh, Input: -1, Output: -1, Text: "the fee is too high"},
		{Code: sign.CodeSighashType, Input: 2, Output: -1, Text: "asks for sighash type NONE"},
	}
	err := refusedError(src, reasons)
	want := "req.psbt is refused: the fee is too high (and 1 more reason, listed in the review)"
	if err.Error() != want {
		t.Fatalf("got %q, want %q", err.Error(), want)
	}
	var ce interface{ Unwrap() error }
	if !errors.As(err, &ce) {
		t.Fatal("not a cli error")
	}
	if code := reportError(&discard{}, err); code != exitRefused {
		t.Fatalf("exit code %d, want %d", code, exitRefused)
	}
}

type discard struct{}

func (discard) Write(p []byte) (int, error) { return len(p), nil }
