package qrcap

import "testing"

// TestBBQrTable checks Alphanumeric at level L against the "Chars" column
// of the size table in coinkite/BBQr BBQr.md.
func TestBBQrTable(t *testing.T) {
	want := map[int]int{1: 25, 11: 468, 23: 1588, 24: 1704, 25: 1853, 26: 1990, 27: 2132, 28: 2223,
		29: 2369, 30: 2520, 31: 2677, 32: 2840, 33: 3009, 34: 3183, 35: 3351, 36: 3537, 37: 3729,
		38: 3927, 39: 4087, 40: 4296}
	for v, n := range want {
		if got := Alphanumeric(v, L); got != n {
			t.Errorf("version %d: %d characters, BBQr.md says %d", v, got, n)
		}
	}
	// Maxima from ISO/IEC 18004 (version 40): 2953 bytes at L, 1273 at H.
	if Bytes(40, L) != 2953 || Bytes(40, H) != 1273 || Alphanumeric(40, H) != 1852 {
		t.Errorf("version 40: %d bytes L, %d bytes H, %d alnum H", Bytes(40, L), Bytes(40, H), Alphanumeric(40, H))
	}
	if DataBits(0, L) != 0 || DataBits(41, L) != 0 || DataBits(1, 4) != 0 {
		t.Error("out of range not 0")
	}
}

func TestIsAlphanumeric(t *testing.T) {
	if !IsAlphanumeric("UR:CRYPTO-PSBT/1-9/LPAD $%*+.") || IsAlphanumeric("ur:") || IsAlphanumeric("A=") {
		t.Error("IsAlphanumeric")
	}
}
