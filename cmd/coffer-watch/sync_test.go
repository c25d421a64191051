package main

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/coffer-custody/coffer/watch/regtest"
)

// The gap limit on the live node: coins at receive index 15 and 30 and
// change index 3 are all found with --gap 20 (15 is within the first 20,
// 30 within 20 of 15); a coin at 60 is beyond the gap and found only with
// a larger --gap; receive then hands out the first index after the last
// used one.
func TestSyncGapLimit(t *testing.T) {
	e := setup(t)
	ctx := context.Background()
	dir := t.TempDir()
	v := newVault(t, e, dir)
	v.coffer1("export", "--format", "descriptor", "--script", "wpkh", "--out", filepath.Join(dir, "d.txt"))
	w := newWatcher(t, e.node, dir)
	w.ok("wallet", "import", filepath.Join(dir, "d.txt"), "--name", "gap")
	var recv, change []struct {
		Address string `json:"address"`
	}
	w.json(&recv, "addresses", "--wallet", "gap", "--count", "61")
	w.json(&change, "addresses", "--wallet", "gap", "--change", "--count", "4")
	if _, err := e.node.Fund(ctx,
		regtest.Payment{Address: recv[15].Address, Amount: 10_000},
		regtest.Payment{Address: recv[30].Address, Amount: 20_000},
		regtest.Payment{Address: recv[60].Address, Amount: 40_000},
		regtest.Payment{Address: change[3].Address, Amount: 80_000}); err != nil {
		t.Fatal(err)
	}
	// In the mempool: unconfirmed.
	w.ok("sync")
	if c, u, _ := w.balance("gap"); c != 0 || u != 110_000 {
		t.Fatalf("gap 20 in the mempool: %d confirmed, %d unconfirmed; want 0 and 110000", c, u)
	}
	if _, err := e.node.Generate(ctx, 1); err != nil {
		t.Fatal(err)
	}
	w.ok("sync", "--gap", "20")
	if c, _, _ := w.balance("gap"); c != 110_000 {
		t.Fatalf("gap 20: %d confirmed, want 110000 (index 60 is beyond the gap)", c)
	}
	w.ok("sync", "--gap", "30")
	if c, _, _ := w.balance("gap"); c != 150_000 {
		t.Fatalf("gap 30: %d confirmed, want 150000", c)
	}
	var a struct {
		Index int `json:"index"`
	}
	w.json(&a, "receive", "--wallet", "gap")
	if a.Index != 61 {
		t.Fatalf("receive after the last used index 60 gave %d", a.Index)
	}
	var us []struct {
		Path string `json:"path"`
	}
	w.json(&us, "utxos", "--wallet", "gap")
	paths := map[string]bool{}
	for _, u := range us {
		paths[u.Path] = true
	}
	for _, p := range []string{"0/15", "0/30", "0/60", "1/3"} {
		if !paths[p] {
			t.Errorf("no coin at %s: %v", p, paths)
		}
	}
	w.fails([]string{"--gap 0 is not between 1 and 10000"}, "sync", "--gap", "0")
}
