package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/coffer-custody/coffer/watch/regtest"
)

// requestCount is how many requests the database holds.
func requestCount(t *testing.T, w *watcher) int {
	t.Helper()
	var rs []requestView
	w.json(&rs, "requests")
	return len(rs)
}

// Every bad input of the list against a funded wallet on the live
// node: a clear error naming the input, exit 1, nothing written (no --out
// file, no new request).
func TestBadInput(t *testing.T) {
	e := setup(t)
	ctx := context.Background()
	dir := t.TempDir()
	v, w := singleSigWallet(t, e, dir)
	fundOps(t, e, w)
	payee := randomAddress(t)
	out := w.path("out.psbt")
	badCSV := w.path("bad.csv")
	if err := os.WriteFile(badCSV, []byte("address,amount\n"+payee+",1000sat\n"+payee+",12\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	const mainnetAddr = "bc1qcr8te4kr609gcawutmrza0j4xv80jy8z306fyu"
	tests := []struct {
		name  string
		args  []string
		parts []string
	}{
		{"unknown wallet", []string{"send", "--wallet", "nope", "--to", payee + "=1000sat", "--fee-rate", "1", "--out", out},
			[]string{`unknown wallet "nope" (the wallets are: ops)`, "hint:"}},
		{"amount without unit", []string{"send", "--wallet", "ops", "--to", payee + "=0.5", "--fee-rate", "1", "--out", out},
			[]string{`amount "0.5" has no unit: write 0.5btc or 0.5sat`}},
		{"insufficient funds", []string{"send", "--wallet", "ops", "--to", payee + "=2btc", "--fee-rate", "1", "--out", out},
			[]string{"insufficient funds: 1.0000", "BTC missing"}},
		{"fee rate below the node's minimum", []string{"send", "--wallet", "ops", "--to", payee + "=1000sat", "--fee-rate", "0.5", "--out", out},
			[]string{"0.5 sat/vB is below the minimum relay fee of 1 sat/vB at 127.0.0.1:"}},
		{"address of another network", []string{"send", "--wallet", "ops", "--to", mainnetAddr + "=1000sat", "--fee-rate", "1", "--out", out},
			[]string{"address " + mainnetAddr + " is for mainnet, not regtest"}},
		{"malformed CSV line", []string{"send", "--wallet", "ops", "--payouts", badCSV, "--fee-rate", "1", "--out", out},
			[]string{"bad.csv line 3: ", `amount "12" has no unit`}},
		{"btcd without --fee-rate", []string{"send", "--wallet", "ops", "--to", payee + "=1000sat", "--out", out},
			[]string{"btcd has no estimatesmartfee: --fee-rate is required"}},
		{"dust payment", []string{"send", "--wallet", "ops", "--to", payee + "=100sat", "--fee-rate", "1", "--out", out},
			[]string{"payment 1: ", "below the dust limit"}},
		{"unknown utxo", []string{"send", "--wallet", "ops", "--to", payee + "=1000sat", "--fee-rate", "1", "--utxo", strings.Repeat("ab", 32) + ":0", "--out", out},
			[]string{"is not an unspent output of wallet \"ops\""}},
	}
	before := requestCount(t, w)
	for _, tc := range tests {
		t.Run(strings.ReplaceAll(tc.name, " ", "_"), func(t *testing.T) {
			w.t = t
			w.fails(tc.parts, tc.args...)
			if _, err := os.Stat(out); err == nil {
				t.Fatalf("%s wrote %s", tc.name, out)
			}
		})
	}
	w.t = t
	if n := requestCount(t, w); n != before {
		t.Fatalf("%d requests after the refusals, %d before", n, before)
	}

	// A second coin; two requests of different transactions (each holds
	// its coin: a third finds none free); a finalize of an unsigned one.
	var a2 struct {
		Address string `json:"address"`
	}
	w.json(&a2, "receive", "--wallet", "ops")
	if _, err := e.node.Fund(ctx, regtest.Payment{Address: a2.Address, Amount: coin / 10}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.node.Generate(ctx, 1); err != nil {
		t.Fatal(err)
	}
	w.ok("sync")
	var r1, r2 sendResult
	w.json(&r1, "send", "--wallet", "ops", "--to", payee+"=10000sat", "--fee-rate", "1", "--out", w.path("a.psbt"))
	w.json(&r2, "send", "--wallet", "ops", "--to", payee+"=20000sat", "--fee-rate", "1", "--out", w.path("b.psbt"))
	w.fails([]string{"insufficient funds", "is held by open requests " + r1.ID + ", " + r2.ID}, "send", "--wallet", "ops", "--to", payee+"=10000sat", "--fee-rate", "1", "--out", w.path("c.psbt"))
	w.fails([]string{"the PSBTs are of different transactions", "b.psbt is for transaction " + r2.TxID}, "combine", w.path("a.psbt"), w.path("b.psbt"), "--out", w.path("ab.psbt"))
	w.fails([]string{"the PSBT lacks signatures: input #0 (0 of 1)"}, "finalize", w.path("a.psbt"), "--out", w.path("a.hex"))
	for _, f := range []string{"ab.psbt", "a.hex"} {
		if _, err := os.Stat(w.path(f)); err == nil {
			t.Fatalf("a refusal wrote %s", f)
		}
	}
	// --out never overwrites.
	w.fails([]string{"a.psbt exists; it is never overwritten"}, "send", "--wallet", "ops", "--to", payee+"=10000sat", "--fee-rate", "1", "--out", w.path("a.psbt"))
	// Import refusals: a mainnet export into the regtest database, a
	// broken checksum, a key record given as a wallet.
	main := strings.Split(string(mustRead(t, filepath.Join("..", "..", "testdata", "export", "mainnet", "descriptor-wpkh.txt"))), "\n")[2]
	_, sum, _ := strings.Cut(main, "#")
	if err := os.WriteFile(w.path("main.txt"), []byte(main+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	w.fails([]string{"main.txt: ", "the wallet's keys are not for regtest", "is for mainnet"}, "wallet", "import", w.path("main.txt"), "--name", "main")
	broken := strings.Replace(main, "#"+sum, "#qqqqqqqq", 1)
	if err := os.WriteFile(w.path("broken.txt"), []byte(broken+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	w.fails([]string{"broken.txt: ", "checksum"}, "wallet", "import", w.path("broken.txt"), "--name", "broken")
	v.coffer1("export", "--format", "bsms", "--script", "wsh-multi", "--out", w.path("key.bsms"))
	w.fails([]string{"a BSMS key record is one signer's key, not a wallet", "create-multisig"}, "wallet", "import", w.path("key.bsms"))
	var ws []struct{ Name string }
	w.json(&ws, "wallet", "list")
	if len(ws) != 1 {
		t.Fatalf("wallets after refused imports: %+v", ws)
	}

	// finalize --broadcast with the node down: the error says so, and the
	// hint does not claim that nothing changed (the request now records
	// the transaction as finalized); nothing is sent and no --out written.
	v.signFile(w.path("a.psbt"), w.path("a.signed.psbt"))
	errs := w.fails([]string{"node unreachable at 127.0.0.1:1", "request " + r1.ID + " now records transaction " + r1.TxID + " as finalized; it is not broadcast"},
		"finalize", w.path("a.signed.psbt"), "--broadcast", "--node", "127.0.0.1:1", "--out", w.path("a.tx"))
	if strings.Contains(errs, "nothing was changed") {
		t.Errorf("the hint claims nothing changed:\n%s", errs)
	}
	if _, err := os.Stat(w.path("a.tx")); err == nil {
		t.Error("the failed broadcast wrote --out")
	}
	if contains(mempool(t, e.node), r1.TxID) {
		t.Error("the transaction is in the mempool")
	}
	// An --out in a missing folder is refused before anything is sent.
	w.fails([]string{"cannot write " + w.path("nodir/a.tx") + ": the folder " + w.path("nodir") + " does not exist"},
		"finalize", w.path("a.signed.psbt"), "--broadcast", "--out", w.path("nodir/a.tx"))
	if contains(mempool(t, e.node), r1.TxID) {
		t.Error("the transaction was broadcast although --out cannot be written")
	}
	w.ok("finalize", w.path("a.signed.psbt"), "--broadcast", "--out", w.path("a.tx"))
	if !contains(mempool(t, e.node), r1.TxID) {
		t.Error("the transaction is not in the mempool after the broadcast")
	}
}

// A node that is unreachable, refuses the credentials, or is on another
// network: a clear error, and the database is as it was.
func TestNodeRefusals(t *testing.T) {
	e := setup(t)
	dir := t.TempDir()
	_, w := singleSigWallet(t, e, dir)
	w.ok("sync")
	before := w.ok("balance", "--json") + w.ok("utxos", "--json") + w.ok("addresses", "--wallet", "ops", "--count", "30", "--json")
	tests := []struct {
		name  string
		args  []string
		env   string // COFFER_WATCH_RPC_PASS, over the config file's
		parts []string
	}{
		{"unreachable", []string{"sync", "--node", "127.0.0.1:1"}, "", []string{"node unreachable at 127.0.0.1:1", "nothing was changed"}},
		{"auth refused", []string{"sync"}, "wrong-Pass-1234", []string{"node refused the RPC credentials", "nothing was changed"}},
		{"plain http off loopback", []string{"sync", "--node", "192.0.2.1:18334", "--no-tls", "--rpc-cert", ""}, "", []string{"--no-tls is allowed only to a loopback address"}},
		{"wrong network", []string{"sync", "--network", "testnet"}, "", []string{"is on regtest, not testnet"}},
		{"unknown backend", []string{"sync", "--backend", "electrum"}, "", []string{`backend "electrum" is not one of core, btcd`}},
	}
	for _, tc := range tests {
		t.Run(strings.ReplaceAll(tc.name, " ", "_"), func(t *testing.T) {
			w.t = t
			if tc.env != "" {
				t.Setenv("COFFER_WATCH_RPC_PASS", tc.env)
			}
			if errs := w.fails(tc.parts, tc.args...); strings.Contains(errs, e.node.Pass()) || tc.env != "" && strings.Contains(errs, tc.env) {
				t.Errorf("the message shows the password:\n%s", errs)
			}
		})
	}
	w.t = t
	// The wrong network is refused by name when the node is on another
	// chain than the database: a testnet database against the regtest node.
	other := newWatcher(t, e.node, filepath.Join(dir, "other"))
	cfg, _ := os.ReadFile(filepath.Join(other.data, "config"))
	if err := os.WriteFile(filepath.Join(other.data, "config"), []byte(strings.Replace(string(cfg), "network = regtest", "network = testnet", 1)), 0o600); err != nil {
		t.Fatal(err)
	}
	tpub := strings.Split(string(mustRead(t, filepath.Join(dir, "d.txt"))), "\n")[2]
	if err := os.WriteFile(other.path("t.txt"), []byte(tpub+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	other.ok("wallet", "import", other.path("t.txt"), "--name", "t")
	other.fails([]string{`is on "regtest", the database is on testnet`}, "sync")
	after := w.ok("balance", "--json") + w.ok("utxos", "--json") + w.ok("addresses", "--wallet", "ops", "--count", "30", "--json")
	if after != before {
		t.Errorf("the refused node commands changed the database:\n%s\n%s", before, after)
	}
}

func mustRead(t *testing.T, p string) []byte {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
