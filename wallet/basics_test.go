package wallet

import (
	"testing"
)

func TestParseNetwork(t *testing.T) {
	tests := []struct {
		name     string
		want     Network
		coin     uint32
		hrp      string
		isTest   bool
		badInput bool
	}{
		{"mainnet", Mainnet, 0, "bc", false, false},
		{"testnet", Testnet, 1, "tb", true, false},
		{"signet", Signet, 1, "tb", true, false},
		{"regtest", Regtest, 1, "bcrt", true, false},
		{"main", 0, 0, "", false, true},
		{"Mainnet", 0, 0, "", false, true},
		{"", 0, 0, "", false, true},
	}
	for _, tt := range tests {
		n, err := ParseNetwork(tt.name)
		if tt.badInput {
			if err == nil {
				t.Errorf("ParseNetwork(%q) accepted", tt.name)
			}
			continue
		}
		if err != nil || n != tt.want || n.String() != tt.name || n.CoinType() != tt.coin ||
			n.HRP() != tt.hrp || n.IsTest() != tt.isTest || n.Params() == nil {
			t.Errorf("ParseNetwork(%q) = %v, %v (coin %d hrp %q)", tt.name, n, err, n.CoinType(), n.HRP())
		}
	}
	if Network(0).Valid() || Network(9).Params() != nil || Network(9).HRP() != "" {
		t.Error("invalid network looks valid")
	}
}

func TestParsePath(t *testing.T) {
	tests := []struct {
		in      string
		want    Path
		str     string
		unpref  string
		apos    string
		wantErr bool
	}{
		{"m/84'/1'/0'", Path{84 | Hardened, 1 | Hardened, 0 | Hardened}, "m/84h/1h/0h", "84h/1h/0h", "m/84'/1'/0'", false},
		{"m/84h/1h/0h", Path{84 | Hardened, 1 | Hardened, Hardened}, "m/84h/1h/0h", "84h/1h/0h", "m/84'/1'/0'", false},
		{"84H/0H/0H/0/5", Path{84 | Hardened, Hardened, Hardened, 0, 5}, "m/84h/0h/0h/0/5", "84h/0h/0h/0/5", "m/84'/0'/0'/0/5", false},
		{"m", Path{}, "m", "", "m", false},
		{"m/2147483647h", Path{0xffffffff}, "m/2147483647h", "2147483647h", "m/2147483647'", false},
		{"m/48'/0'/0'/2'", Path{48 | Hardened, Hardened, Hardened, 2 | Hardened}, "m/48h/0h/0h/2h", "48h/0h/0h/2h", "m/48'/0'/0'/2'", false},
		{"", nil, "", "", "", true},
		{"m/", nil, "", "", "", true},
		{"m//1", nil, "", "", "", true},
		{"m/2147483648", nil, "", "", "", true},
		{"m/1x", nil, "", "", "", true},
		{"m/-1", nil, "", "", "", true},
		{"m/+1", nil, "", "", "", true},
		{"m/1''", nil, "", "", "", true},
		{"m/h", nil, "", "", "", true},
		{"m/ 1", nil, "", "", "", true},
		{"m/*", nil, "", "", "", true},
	}
	for _, tt := range tests {
		p, err := ParsePath(tt.in)
		if tt.wantErr {
			if err == nil {
				t.Errorf("ParsePath(%q) accepted: %v", tt.in, p)
			}
			continue
		}
		if err != nil || !p.Equal(tt.want) || p.String() != tt.str || p.Unprefixed() != tt.unpref || p.Apostrophe() != tt.apos {
			t.Errorf("ParsePath(%q) = %v, %v; String %q Unprefixed %q Apostrophe %q", tt.in, p, err, p.String(), p.Unprefixed(), p.Apostrophe())
		}
		// The printed form reads back to the same path.
		if q, err := ParsePath(p.String()); err != nil || !q.Equal(p) {
			t.Errorf("ParsePath(%q) does not round trip: %v %v", p.String(), q, err)
		}
	}
}

func TestPathHelpers(t *testing.T) {
	p := Path{84 | Hardened, 0 | Hardened, 0 | Hardened}
	c := p.Child(0, 5)
	if !c.HasPrefix(p) || p.HasPrefix(c) || len(p) != 3 || c.String() != "m/84h/0h/0h/0/5" {
		t.Errorf("Child/HasPrefix: %v %v", p, c)
	}
	if !p.IsHardened() || (Path{0, 1}).IsHardened() {
		t.Error("IsHardened")
	}
	// Child does not write into p's backing array.
	q := p[:2].Child(7)
	if p[2] != Hardened || q[2] != 7 {
		t.Error("Child aliases its receiver")
	}
	long := "m"
	for i := 0; i < 256; i++ {
		long += "/0"
	}
	if _, err := ParsePath(long); err == nil {
		t.Error("256-step path accepted")
	}
}

func TestScriptTypes(t *testing.T) {
	tests := []struct {
		name    string
		st      ScriptType
		purpose uint32
		main    string
		test    string
		multi   bool
	}{
		{"wpkh", ScriptWPKH, 84, "m/84h/0h/7h", "m/84h/1h/7h", false},
		{"sh-wpkh", ScriptSHWPKH, 49, "m/49h/0h/7h", "m/49h/1h/7h", false},
		{"tr", ScriptTR, 86, "m/86h/0h/7h", "m/86h/1h/7h", false},
		{"wsh-multi", ScriptWSHMulti, 48, "m/48h/0h/7h/2h", "m/48h/1h/7h/2h", true},
		{"sh-wsh-multi", ScriptSHWSHMulti, 48, "m/48h/0h/7h/1h", "m/48h/1h/7h/1h", true},
	}
	for _, tt := range tests {
		st, err := ParseScriptType(tt.name)
		if err != nil || st != tt.st || st.String() != tt.name || st.Purpose() != tt.purpose || st.IsMultisig() != tt.multi {
			t.Errorf("ParseScriptType(%q) = %v, %v", tt.name, st, err)
		}
		pm, err := AccountPath(st, Mainnet, 7)
		if err != nil || pm.String() != tt.main {
			t.Errorf("AccountPath(%s, mainnet, 7) = %v, %v; want %s", st, pm, err, tt.main)
		}
		for _, n := range []Network{Testnet, Signet, Regtest} {
			pt, err := AccountPath(st, n, 7)
			if err != nil || pt.String() != tt.test {
				t.Errorf("AccountPath(%s, %s, 7) = %v, %v; want %s", st, n, pt, err, tt.test)
			}
		}
	}
	for _, bad := range []string{"", "pkh", "WPKH", "p2wpkh", "wsh"} {
		if _, err := ParseScriptType(bad); err == nil {
			t.Errorf("ParseScriptType(%q) accepted", bad)
		}
	}
	if _, err := AccountPath(ScriptWPKH, Mainnet, Hardened); err == nil {
		t.Error("account 2^31 accepted")
	}
	if _, err := AccountPath(ScriptUnknown, Mainnet, 0); err == nil {
		t.Error("unknown script type accepted")
	}
	if _, err := AccountPath(ScriptWPKH, 0, 0); err == nil {
		t.Error("invalid network accepted")
	}
}
