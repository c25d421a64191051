package audit

import (
	"bytes"
	"strings"
	"testing"
	"time"
)

func TestCeremonyRoundTrip(t *testing.T) {
	c := &Ceremony{
		Format: CeremonyFormat, Kind: "keygen",
		Date:    time.Date(2026, 11, 25, 12, 0, 0, 500, time.FixedZone("x", 3600)),
		Network: "regtest", Entropy: CeremonyEntropy{Method: "rng+dice", Words: 24, DiceRolls: 99, RNGHealthCheck: true},
		Officers: []string{"alice", "bob"}, MasterFingerprint: "73c5da0a",
		Accounts: []CeremonyKey{{Script: "wpkh", Path: "m/84h/1h/0h", XPub: "tpubX"}},
	}
	b1, err := c.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	got, err := ReadCeremony(bytes.NewReader(b1), "c.json")
	if err != nil {
		t.Fatal(err)
	}
	b2, err := got.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(b1, b2) {
		t.Fatalf("not stable:\n%s\n%s", b1, b2)
	}
	if !strings.Contains(string(b1), `"date": "2026-11-25T11:00:00Z"`) {
		t.Fatalf("date not UTC seconds: %s", b1)
	}
	// Field order is part of the format.
	if strings.Index(string(b1), `"format"`) > strings.Index(string(b1), `"network"`) {
		t.Fatal("field order changed")
	}
}

func TestReadCeremonyRefuses(t *testing.T) {
	for name, in := range map[string]string{
		"unknown field": `{"format":"coffer-ceremony/1","extra":1}`,
		"wrong format":  `{"format":"other/1"}`,
		"trailing":      `{"format":"coffer-ceremony/1"} {}`,
		"not json":      `hello`,
	} {
		if _, err := ReadCeremony(strings.NewReader(in), "c.json"); err == nil || !strings.Contains(err.Error(), "c.json") {
			t.Errorf("%s: got %v, want an error naming c.json", name, err)
		}
	}
}
