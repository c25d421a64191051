package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/btcsuite/btcd/btcec/v2"
	"github.com/btcsuite/btcd/btcutil"
	"github.com/btcsuite/btcd/chaincfg"
	"github.com/rogpeppe/go-internal/testscript"

	"github.com/coffer-custody/coffer/watch/regtest"
)

// The end-to-end tests run the real binaries' code against a real btcd
// regtest node: coffer (built once into a temporary folder) makes the keys
// and signs; coffer-watch (its run function, in process) does everything
// online. The node's acceptance is the judge: nothing here mocks the chain.

// e2e holds what the end-to-end tests share: one coffer binary and one
// btcd node (started on first use, stopped by TestMain).
type e2e struct {
	once   sync.Once
	coffer string
	node   *regtest.Node
	tmp    string
	err    error
	skip   string
}

var shared = &e2e{}

func TestMain(m *testing.M) {
	// testscript.Main runs coffer-watch itself when the test binary is
	// invoked under that name (the CLI scripts), else the tests; the shared
	// node is stopped after them.
	testscript.Main(cleanupAfter{m}, map[string]func(){
		"coffer-watch": func() { os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr)) },
	})
}

// cleanupAfter runs the tests, then stops the shared node and removes the
// coffer build.
type cleanupAfter struct{ m *testing.M }

func (c cleanupAfter) Run() int {
	code := c.m.Run()
	if shared.node != nil {
		_ = shared.node.Stop()
	}
	if shared.tmp != "" {
		_ = os.RemoveAll(shared.tmp)
	}
	return code
}

// TestScripts runs the offline CLI behaviours in testdata/script, one
// script per behaviour, as cmd/coffer does.
func TestScripts(t *testing.T) {
	testscript.Run(t, testscript.Params{
		Dir: filepath.Join("testdata", "script"),
		Setup: func(e *testscript.Env) error {
			e.Setenv("COFFER_WATCH_DATA", filepath.Join(e.WorkDir, "data"))
			e.Setenv("HOME", filepath.Join(e.WorkDir, "home"))
			e.Setenv("EXPORTS", filepath.Join(mustAbs(t, filepath.Join("..", "..", "testdata", "export"))))
			return nil
		},
	})
}

func mustAbs(t *testing.T, p string) string {
	a, err := filepath.Abs(p)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func requireInterop() bool { return os.Getenv("COFFER_REQUIRE_INTEROP") == "1" }

// setup builds coffer and starts the shared node, or skips the test.
func setup(t *testing.T) *e2e {
	t.Helper()
	if testing.Short() {
		t.Skip("skipping the end-to-end test in -short mode")
	}
	shared.once.Do(func() {
		ctx := context.Background()
		if shared.tmp, shared.err = os.MkdirTemp("", "coffer-e2e-"); shared.err != nil {
			return
		}
		shared.coffer = filepath.Join(shared.tmp, "coffer")
		// coffer's own test binary, named coffer: its TestMain sets the
		// test-only fast KDF and then runs coffer's run() (testscript.Main
		// dispatches on the program name), so each unlock takes
		// microseconds instead of seconds. The plain build is the fallback.
		build := exec.Command("go", "test", "-c", "-o", shared.coffer, "github.com/coffer-custody/coffer/cmd/coffer")
		if out, err := build.CombinedOutput(); err != nil {
			fmt.Fprintf(os.Stderr, "e2e: coffer's test binary does not build, using a plain build (slow unlocks): %v\n%s", err, out)
			build = exec.Command("go", "build", "-o", shared.coffer, "github.com/coffer-custody/coffer/cmd/coffer")
			if out, err := build.CombinedOutput(); err != nil {
				shared.err = fmt.Errorf("go build coffer: %v\n%s", err, out)
				return
			}
		}
		shared.node, shared.err = regtest.Start(ctx, regtest.Options{})
		if errors.Is(shared.err, regtest.ErrUnavailable) {
			shared.skip = shared.err.Error()
		}
	})
	if shared.skip != "" && !requireInterop() {
		t.Skipf("skipping: %s", shared.skip)
	}
	if shared.err != nil {
		t.Fatal(shared.err)
	}
	return shared
}

// party is one side of the round trip: a coffer vault or a coffer-watch
// data folder, in a folder of the test.
type party struct {
	t      *testing.T
	dir    string
	coffer string
	signed string // stdout of the last signFile
}

func newVault(t *testing.T, e *e2e, dir string) *party {
	p := &party{t: t, dir: dir, coffer: e.coffer}
	if err := os.WriteFile(filepath.Join(dir, "pass.txt"), []byte("e2e passphrase, regtest only\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	p.coffer1("keygen", "--network", "regtest", "--officer", "e2e")
	return p
}

// coffer1 runs coffer on the party's vault and returns stdout; it fails
// the test on a non-zero exit.
func (p *party) coffer1(args ...string) string {
	p.t.Helper()
	full := append([]string{"--vault", filepath.Join(p.dir, "vault")}, args...)
	switch args[0] {
	case "keygen", "restore", "export", "address", "xpub", "sign", "wallet":
		full = append(full, "--non-interactive", "--passphrase-file", filepath.Join(p.dir, "pass.txt"))
	}
	cmd := exec.Command(p.coffer, full...)
	cmd.Dir = p.dir
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		p.t.Fatalf("coffer %s: %v\n%s%s", strings.Join(args, " "), err, out.String(), errb.String())
	}
	return out.String()
}

// watcher is a coffer-watch data folder configured for the node.
type watcher struct {
	t    *testing.T
	data string
	dir  string
}

// singleSigWallet makes a vault in dir, exports its P2WPKH account and
// imports it into a new coffer-watch as wallet "ops".
func singleSigWallet(t *testing.T, e *e2e, dir string) (*party, *watcher) {
	t.Helper()
	v := newVault(t, e, dir)
	v.coffer1("export", "--format", "descriptor", "--script", "wpkh", "--out", filepath.Join(dir, "d.txt"))
	w := newWatcher(t, e.node, dir)
	w.ok("wallet", "import", filepath.Join(dir, "d.txt"), "--name", "ops")
	return v, w
}

// fundOps pays one coin to the next receive address of wallet "ops", mines
// it and syncs.
func fundOps(t *testing.T, e *e2e, w *watcher) {
	t.Helper()
	ctx := context.Background()
	var a struct {
		Address string `json:"address"`
	}
	w.json(&a, "receive", "--wallet", "ops")
	if _, err := e.node.Fund(ctx, regtest.Payment{Address: a.Address, Amount: coin}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.node.Generate(ctx, 1); err != nil {
		t.Fatal(err)
	}
	w.ok("sync")
}

func newWatcher(t *testing.T, n *regtest.Node, dir string) *watcher {
	t.Helper()
	data := filepath.Join(dir, "watch")
	if err := os.MkdirAll(data, 0o700); err != nil {
		t.Fatal(err)
	}
	// The node settings live in the data folder's config file, so the
	// daily commands need none of them.
	cfg := fmt.Sprintf("network = regtest\nbackend = btcd\nnode = %s\nrpc-user = %s\nrpc-pass = %s\nrpc-cert = %s\n", n.Host(), n.User(), n.Pass(), n.CertFile())
	if err := os.WriteFile(filepath.Join(data, "config"), []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	return &watcher{t: t, data: data, dir: dir}
}

// run runs coffer-watch in process; it returns the exit code, stdout and
// stderr.
func (w *watcher) run(args ...string) (int, string, string) {
	var out, errb bytes.Buffer
	full := append([]string{"--data", w.data}, args...)
	code := run(full, strings.NewReader(""), &out, &errb)
	return code, out.String(), errb.String()
}

// ok runs coffer-watch and fails the test on a non-zero exit.
func (w *watcher) ok(args ...string) string {
	w.t.Helper()
	code, out, errs := w.run(args...)
	if code != 0 {
		w.t.Fatalf("coffer-watch %s: exit %d\n%s%s", strings.Join(args, " "), code, out, errs)
	}
	return out
}

// json runs coffer-watch with --json and decodes the result.
func (w *watcher) json(v any, args ...string) {
	w.t.Helper()
	out := w.ok(append(args, "--json")...)
	if err := json.Unmarshal([]byte(out), v); err != nil {
		w.t.Fatalf("coffer-watch %s: %v\n%s", strings.Join(args, " "), err, out)
	}
}

// fails runs coffer-watch, wants exit code 1 and stderr matching every
// part, and returns stderr.
func (w *watcher) fails(parts []string, args ...string) string {
	w.t.Helper()
	code, out, errs := w.run(args...)
	if code != 1 {
		w.t.Fatalf("coffer-watch %s: exit %d, want 1\n%s%s", strings.Join(args, " "), code, out, errs)
	}
	if !strings.HasPrefix(errs, "coffer-watch: error: ") {
		w.t.Errorf("coffer-watch %s: stderr does not follow the message contract:\n%s", strings.Join(args, " "), errs)
	}
	for _, p := range parts {
		if !strings.Contains(errs, p) {
			w.t.Errorf("coffer-watch %s: stderr lacks %q:\n%s", strings.Join(args, " "), p, errs)
		}
	}
	return errs
}

func (w *watcher) path(name string) string { return filepath.Join(w.dir, name) }

type balances struct {
	Wallets []struct {
		Wallet      string `json:"wallet"`
		Confirmed   int64  `json:"confirmed_sat"`
		Unconfirmed int64  `json:"unconfirmed_sat"`
		Immature    int64  `json:"immature_sat"`
	} `json:"wallets"`
}

func (w *watcher) balance(name string) (confirmed, unconfirmed, immature int64) {
	w.t.Helper()
	var b balances
	w.json(&b, "balance", "--wallet", name)
	if len(b.Wallets) != 1 {
		w.t.Fatalf("balance of %s: %+v", name, b)
	}
	return b.Wallets[0].Confirmed, b.Wallets[0].Unconfirmed, b.Wallets[0].Immature
}

type sendResult struct {
	ID      string `json:"id"`
	TxID    string `json:"txid"`
	Fee     int64  `json:"fee_sat"`
	FeeRate int64  `json:"fee_rate_sat_kvb"`
	VSize   int    `json:"vsize"`
	Change  int64  `json:"change_sat"`
	Sent    int64  `json:"sent_sat"`
	Inputs  int    `json:"inputs"`
	Outputs int    `json:"outputs"`
	SHA256  string `json:"sha256"` // of the --out file
}

type txResult struct {
	TxID      string `json:"txid"`
	Broadcast bool   `json:"broadcast"`
	VSize     int64  `json:"vsize"`
	Fee       int64  `json:"fee_sat"`
	Request   string `json:"request"`
}

type requestView struct {
	ID            string `json:"id"`
	Status        string `json:"status"`
	StatusText    string `json:"status_text"`
	Signatures    int    `json:"signatures"`
	Required      int    `json:"required"`
	Confirmations int64  `json:"confirmations"`
	TxID          string `json:"txid"`
}

// txOut asks the node for an unspent output: its value and confirmations.
func txOut(t *testing.T, n *regtest.Node, txid string, vout int) (int64, int64) {
	t.Helper()
	var r *struct {
		Value         float64 `json:"value"`
		Confirmations int64   `json:"confirmations"`
	}
	if err := n.Client().Call(context.Background(), "gettxout", []any{txid, vout, true}, &r); err != nil {
		t.Fatal(err)
	}
	if r == nil {
		t.Fatalf("%s:%d is not an unspent output", txid, vout)
	}
	a, _ := btcutil.NewAmount(r.Value)
	return int64(a), r.Confirmations
}

// rawTx asks the node for a transaction's outputs.
func rawTx(t *testing.T, n *regtest.Node, txid string) []struct {
	Value        float64 `json:"value"`
	N            int     `json:"n"`
	ScriptPubKey struct {
		Address string `json:"address"`
	} `json:"scriptPubKey"`
} {
	t.Helper()
	var r struct {
		Vout []struct {
			Value        float64 `json:"value"`
			N            int     `json:"n"`
			ScriptPubKey struct {
				Address string `json:"address"`
			} `json:"scriptPubKey"`
		} `json:"vout"`
	}
	if err := n.Client().Call(context.Background(), "getrawtransaction", []any{txid, 1}, &r); err != nil {
		t.Fatal(err)
	}
	return r.Vout
}

func mempool(t *testing.T, n *regtest.Node) []string {
	t.Helper()
	var m []string
	if err := n.Client().Call(context.Background(), "getrawmempool", nil, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

// randomAddress is a P2WPKH regtest address of a throwaway key: a payee
// outside every wallet of the test.
func randomAddress(t *testing.T) string {
	t.Helper()
	k, err := btcec.NewPrivateKey()
	if err != nil {
		t.Fatal(err)
	}
	a, err := btcutil.NewAddressWitnessPubKeyHash(btcutil.Hash160(k.PubKey().SerializeCompressed()), &chaincfg.RegressionNetParams)
	if err != nil {
		t.Fatal(err)
	}
	return a.EncodeAddress()
}

// addressOf asks coffer for the vault's address of a script type.
func (p *party) addressOf(script string, index int) string {
	p.t.Helper()
	out := p.coffer1("address", "--script", script, "--index", fmt.Sprint(index))
	for _, f := range strings.Fields(out) {
		if strings.HasPrefix(f, "bcrt1") {
			return f
		}
	}
	p.t.Fatalf("coffer address printed no regtest address:\n%s", out)
	return ""
}

// signFile signs in with coffer (and the extra flags) and returns the
// signed file's path. No spending policy is installed in the test vaults:
// coffer sign takes --no-policy for that where it has the flag.
func (p *party) signFile(in, out string, extra ...string) string {
	p.t.Helper()
	args := append([]string{"sign", in, "--out", out, "--yes"}, extra...)
	help, _ := exec.Command(p.coffer, "sign", "--help").CombinedOutput()
	if bytes.Contains(help, []byte("--no-policy")) {
		args = append(args, "--no-policy")
	}
	p.signed = p.coffer1(args...)
	return out
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
