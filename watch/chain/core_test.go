package chain

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/btcsuite/btcd/btcutil"
	"github.com/btcsuite/btcd/chaincfg/chainhash"
	"github.com/btcsuite/btcd/txscript"
	"github.com/btcsuite/btcd/wire"

	"github.com/coffer-custody/coffer/wallet"
	"github.com/coffer-custody/coffer/watch/rpc"
)

// recorded serves the answers of one testdata/watch/core file and keeps
// the calls it got.
type recorded struct {
	answers map[string]json.RawMessage
	mu      sync.Mutex
	calls   []call
	paths   []string
}

type call struct {
	Method string            `json:"method"`
	Params []json.RawMessage `json:"params"`
}

func (r *recorded) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	if u, p, ok := req.BasicAuth(); !ok || u != "user" || p != "pass" {
		w.WriteHeader(http.StatusUnauthorized)
		return
	}
	var c call
	if err := json.NewDecoder(req.Body).Decode(&c); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	r.mu.Lock()
	r.calls = append(r.calls, c)
	r.paths = append(r.paths, req.URL.Path)
	r.mu.Unlock()
	a, ok := r.answers[c.Method]
	if !ok {
		w.WriteHeader(http.StatusNotFound)
		_, _ = w.Write([]byte(`{"result":null,"error":{"code":-32601,"message":"Method not found"},"id":1}`))
		return
	}
	if strings.Contains(string(a), `"error":{`) {
		w.WriteHeader(http.StatusInternalServerError) // as Core does for JSON-RPC 1.0 errors
	}
	_, _ = w.Write(a)
}

func (r *recorded) params(method string) []json.RawMessage {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, c := range r.calls {
		if c.Method == method {
			return c.Params
		}
	}
	return nil
}

func coreServer(t *testing.T, file string, withWallet bool) (*Core, *recorded) {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", "testdata", "watch", "core", file))
	if err != nil {
		t.Fatal(err)
	}
	rec := &recorded{}
	if err := json.Unmarshal(b, &rec.answers); err != nil {
		t.Fatalf("%s: %v", file, err)
	}
	srv := httptest.NewServer(rec)
	t.Cleanup(srv.Close)
	cfg := rpc.Config{Host: strings.TrimPrefix(srv.URL, "http://"), User: "user", Pass: "pass", NoTLS: true}
	if withWallet {
		cfg.Wallet = "coffer-watch"
	}
	c, err := rpc.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return NewCore(c, withWallet), rec
}

const (
	abandonAddr0 = "bcrt1q6rz28mcfaxtmd6v789l9rrlrusdprr9pz3cppk"
	otherAddr    = "bcrt1qwqdg6squsna38e46795at95yu9atm8azzmyvckulcc7kytlcckxs5astk8"
	knownTxID    = "f39633d3ef6db08995689aad45a60c96bee38d513defd731653186ea55259a59"
)

func watchOf(t *testing.T, addrs ...string) []Watch {
	t.Helper()
	var w []Watch
	for _, a := range addrs {
		ad, err := btcutil.DecodeAddress(a, wallet.Regtest.Params())
		if err != nil {
			t.Fatal(err)
		}
		s, err := txscript.PayToAddrScript(ad)
		if err != nil {
			t.Fatal(err)
		}
		w = append(w, Watch{Address: a, Script: s})
	}
	return w
}

func TestCoreInfoAndCheck(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		file    string
		want    wallet.Network
		wantErr error
	}{
		{"wallet.json", wallet.Regtest, nil},
		{"wallet.json", wallet.Mainnet, ErrWrongNetwork},
		{"ibd.json", wallet.Mainnet, ErrSyncing},
		{"wrongnet.json", wallet.Regtest, ErrWrongNetwork},
	}
	for _, tc := range tests {
		b, _ := coreServer(t, tc.file, false)
		info, err := Check(ctx, b, "node", tc.want)
		if !errors.Is(err, tc.wantErr) {
			t.Errorf("%s on %s: error %v, want %v", tc.file, tc.want, err, tc.wantErr)
			continue
		}
		if err != nil {
			if !strings.Contains(err.Error(), "node") {
				t.Errorf("%s: error %q does not name the node", tc.file, err)
			}
			continue
		}
		if info.Blocks != 230 || info.RelayFee != 1000 || info.Network != wallet.Regtest {
			t.Errorf("%s: info %+v", tc.file, info)
		}
	}
	// The wrong network is refused by name.
	b, _ := coreServer(t, "wrongnet.json", false)
	_, err := Check(ctx, b, "node", wallet.Regtest)
	if err == nil || !strings.Contains(err.Error(), `"testnet4"`) || !strings.Contains(err.Error(), "regtest") {
		t.Errorf("wrong network error %v does not name both networks", err)
	}
}

func TestCoreWalletScan(t *testing.T) {
	ctx := context.Background()
	b, rec := coreServer(t, "wallet.json", true)
	if err := b.ImportDescriptors(ctx, []Descriptor{
		{Desc: "wpkh([73c5da0a/84h/1h/0h]tpubDC8msFGeGuwnKG9Upg7DM2b4DaRqg3CUZa5g8v2SRQ6K4NSkxUgd7HsL2XVWbVm39yBA4LAxysQAm397zwQSQoQgewGiYZqrA9DsP4zbQ1M/0/*)#evh9fu0w", RangeEnd: 19},
		{Desc: "wpkh(...)/1/*", RangeEnd: 19, Internal: true},
	}); err != nil {
		t.Fatal(err)
	}
	var reqs []map[string]any
	if p := rec.params("importdescriptors"); len(p) != 1 || json.Unmarshal(p[0], &reqs) != nil || len(reqs) != 2 {
		t.Fatalf("importdescriptors params %s", p)
	}
	if reqs[0]["timestamp"] != float64(0) || reqs[1]["internal"] != true || reqs[0]["range"].([]any)[1] != float64(19) {
		t.Errorf("importdescriptors requests %v", reqs)
	}
	res, err := b.Scan(ctx, watchOf(t, abandonAddr0, "bcrt1qrp33g0q5c5txsp9arysrx4k6zdkfs4nce4xj0gdcccefvpysxf3qzf4jry", otherAddr))
	if err != nil {
		t.Fatal(err)
	}
	if want := []bool{true, false, true}; res.Used[0] != want[0] || res.Used[1] != want[1] || res.Used[2] != want[2] {
		t.Errorf("used %v, want %v", res.Used, want)
	}
	if len(res.UTXOs) != 2 || res.UTXOs[0].Value != 50_000_000 || res.UTXOs[0].Confirmations != 12 ||
		res.UTXOs[1].Value != 12345 || res.UTXOs[1].Confirmations != 0 || res.UTXOs[0].OutPoint.Index != 1 {
		t.Errorf("utxos %+v", res.UTXOs)
	}
	if res.Tip != 230 {
		t.Errorf("tip %d", res.Tip)
	}
	for _, p := range rec.paths {
		if p != "/wallet/coffer-watch" {
			t.Errorf("call to %s, not the wallet's path", p)
		}
	}
	fee, err := b.EstimateFee(ctx, 6)
	if err != nil || fee != 12345 {
		t.Errorf("estimatesmartfee: %d sat/kvB, %v; want 12345", fee, err)
	}
	h, _ := chainhash.NewHashFromStr(knownTxID)
	tx, err := b.Transaction(ctx, *h)
	if err != nil || tx.TxHash() != *h {
		t.Fatalf("getrawtransaction: %v", err)
	}
	if err := b.TestAccept(ctx, tx); err != nil {
		t.Errorf("testmempoolaccept: %v", err)
	}
	got, err := b.Broadcast(ctx, tx)
	if err != nil || got != *h {
		t.Errorf("sendrawtransaction: %s, %v", got, err)
	}
}

func TestCoreScanTxOutSet(t *testing.T) {
	b, rec := coreServer(t, "scan.json", false)
	if err := b.ImportDescriptors(context.Background(), []Descriptor{{Desc: "x"}}); err != nil {
		t.Fatalf("import without a wallet must do nothing: %v", err)
	}
	res, err := b.Scan(context.Background(), watchOf(t, abandonAddr0, otherAddr))
	if err != nil {
		t.Fatal(err)
	}
	if !res.Used[0] || res.Used[1] || len(res.UTXOs) != 1 {
		t.Fatalf("scan %+v", res)
	}
	u := res.UTXOs[0]
	if !u.Coinbase || u.Confirmations != 101 || u.Value != 50*btcutil.SatoshiPerBitcoin {
		t.Errorf("utxo %+v", u)
	}
	p := rec.params("scantxoutset")
	var objs []string
	if len(p) != 2 || json.Unmarshal(p[1], &objs) != nil || len(objs) != 2 {
		t.Fatalf("scantxoutset params %s", p)
	}
	if err := wallet.VerifyChecksum(objs[0]); err != nil || !strings.HasPrefix(objs[0], "addr("+abandonAddr0+")#") {
		t.Errorf("scan object %q: %v", objs[0], err)
	}
}

func TestCoreRefusals(t *testing.T) {
	ctx := context.Background()
	b, _ := coreServer(t, "nofee.json", false)
	if _, err := b.EstimateFee(ctx, 2); !errors.Is(err, ErrNoFeeEstimate) || !strings.Contains(err.Error(), "--fee-rate") {
		t.Errorf("no estimate: %v", err)
	}
	b, _ = coreServer(t, "reject.json", true)
	tx := mustTx(t)
	var re *RejectError
	if err := b.TestAccept(ctx, tx); !errors.As(err, &re) || !strings.Contains(re.Reason, "min relay fee not met") {
		t.Errorf("testmempoolaccept refusal: %v", err)
	}
	if _, err := b.Broadcast(ctx, tx); !errors.Is(err, ErrRejected) || !strings.Contains(err.Error(), "min relay fee") {
		t.Errorf("sendrawtransaction refusal: %v", err)
	}
	if _, err := b.Status(ctx, tx.TxHash()); !errors.Is(err, ErrNotFound) {
		t.Errorf("unknown transaction: %v", err)
	}
}

func mustTx(t *testing.T) *wire.MsgTx {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", "testdata", "watch", "core", "wallet.json"))
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]struct {
		Result json.RawMessage `json:"result"`
	}
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	var h string
	if err := json.Unmarshal(m["getrawtransaction"].Result, &h); err != nil {
		t.Fatal(err)
	}
	tx, err := parseTxHex(h)
	if err != nil {
		t.Fatal(err)
	}
	return tx
}

func TestRPCErrors(t *testing.T) {
	ctx := context.Background()
	b, _ := coreServer(t, "wallet.json", false)
	// Wrong credentials.
	c, err := rpc.New(rpc.Config{Host: b.c.Host(), User: "user", Pass: "wrong", NoTLS: true})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := NewCore(c, false).Info(ctx); !errors.Is(err, rpc.ErrAuth) || strings.Contains(err.Error(), "wrong") {
		t.Errorf("auth refused: %v", err)
	}
	// Nothing listening.
	srv := httptest.NewServer(http.NotFoundHandler())
	host := strings.TrimPrefix(srv.URL, "http://")
	srv.Close()
	c, _ = rpc.New(rpc.Config{Host: host, User: "u", Pass: "p", NoTLS: true})
	if _, err := NewBtcd(c).Info(ctx); !errors.Is(err, rpc.ErrUnreachable) {
		t.Errorf("unreachable: %v", err)
	}
	// Plain HTTP off loopback, bad settings.
	for _, cfg := range []rpc.Config{
		{Host: "192.0.2.1:8332", NoTLS: true},
		{Host: "nohostport"},
		{Host: "127.0.0.1:1", NoTLS: true, CertFile: "x"},
		{Host: "127.0.0.1:1", CookieFile: "c", User: "u"},
		{Host: "127.0.0.1:1", CertFile: "/nonexistent/rpc.cert"},
	} {
		if _, err := rpc.New(cfg); !errors.Is(err, rpc.ErrConfig) {
			t.Errorf("config %+v: %v, want ErrConfig", cfg, err)
		}
	}
	// A cookie file gives the credentials.
	cookie := filepath.Join(t.TempDir(), ".cookie")
	if err := os.WriteFile(cookie, []byte("user:pass\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	c, _ = rpc.New(rpc.Config{Host: b.c.Host(), CookieFile: cookie, NoTLS: true})
	if _, err := NewCore(c, false).Info(ctx); err != nil {
		t.Errorf("cookie auth: %v", err)
	}
}

func TestNetworkOf(t *testing.T) {
	for name, want := range map[string]wallet.Network{"main": wallet.Mainnet, "mainnet": wallet.Mainnet, "test": wallet.Testnet,
		"testnet3": wallet.Testnet, "testnet4": wallet.Testnet, "signet": wallet.Signet, "regtest": wallet.Regtest, "simnet": 0} {
		if got := NetworkOf(name); got != want {
			t.Errorf("NetworkOf(%q) = %v, want %v", name, got, want)
		}
	}
}
