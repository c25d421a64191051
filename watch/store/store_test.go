package store

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/btcsuite/btcd/chaincfg/chainhash"
	"github.com/btcsuite/btcd/wire"

	"github.com/coffer-custody/coffer/wallet"
)

func open(t *testing.T, dir string) *Store {
	t.Helper()
	s, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func addWallet(t *testing.T, s *Store, name, desc string) *Wallet {
	t.Helper()
	w := &Wallet{Name: name, Descriptor: desc, Script: wallet.ScriptWPKH, Threshold: 1, Keys: 1, Source: "descriptor", Created: time.Unix(1700000000, 0)}
	if err := s.AddWallet(context.Background(), wallet.Regtest, w); err != nil {
		t.Fatal(err)
	}
	return w
}

func fakeDerive(branch, index uint32) (string, []byte, error) {
	return fmt.Sprintf("addr-%d-%d", branch, index), []byte{0x00, 0x14, byte(branch), byte(index)}, nil
}

func TestOpenMigrateReopen(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	s := open(t, dir)
	var v int
	if err := s.db.QueryRow(`PRAGMA user_version`).Scan(&v); err != nil || v != SchemaVersion() {
		t.Fatalf("user_version %d, %v; want %d", v, err, SchemaVersion())
	}
	var mode string
	if err := s.db.QueryRow(`PRAGMA journal_mode`).Scan(&mode); err != nil || mode != "wal" {
		t.Fatalf("journal_mode %q, %v", mode, err)
	}
	fi, err := os.Stat(dir)
	if err != nil || fi.Mode().Perm() != 0o700 {
		t.Fatalf("data folder mode %v, %v", fi.Mode(), err)
	}
	if fi, err := os.Stat(s.Path()); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("database mode %v, %v", fi.Mode(), err)
	}
	addWallet(t, s, "hot", "wpkh(x)#1")
	s.Close()
	// Reopening keeps the data and does not migrate again.
	s2 := open(t, dir)
	if _, err := s2.Wallet(context.Background(), "hot"); err != nil {
		t.Fatal(err)
	}
	// A database from a newer build is refused.
	if _, err := s2.db.Exec(fmt.Sprintf(`PRAGMA user_version = %d`, SchemaVersion()+1)); err != nil {
		t.Fatal(err)
	}
	s2.Close()
	if _, err := Open(dir); !errors.Is(err, ErrNewerSchema) {
		t.Fatalf("newer schema: %v", err)
	}
}

func TestWalletsAndNetwork(t *testing.T) {
	ctx := context.Background()
	s := open(t, t.TempDir())
	if _, ok, err := s.Network(ctx); ok || err != nil {
		t.Fatalf("network before the first wallet: %v %v", ok, err)
	}
	addWallet(t, s, "hot", "wpkh(a)")
	if n, ok, err := s.Network(ctx); !ok || err != nil || n != wallet.Regtest {
		t.Fatalf("network %v %v %v", n, ok, err)
	}
	tests := []struct {
		name, desc string
		net        wallet.Network
		want       error
	}{
		{"hot", "wpkh(b)", wallet.Regtest, ErrWalletExists},
		{"other", "wpkh(a)", wallet.Regtest, ErrWalletExists},
		{"main", "wpkh(c)", wallet.Mainnet, ErrNetwork},
	}
	for _, tc := range tests {
		err := s.AddWallet(ctx, tc.net, &Wallet{Name: tc.name, Descriptor: tc.desc, Script: wallet.ScriptWPKH, Threshold: 1, Keys: 1, Source: "descriptor"})
		if !errors.Is(err, tc.want) {
			t.Errorf("%s: %v, want %v", tc.name, err, tc.want)
		}
	}
	if _, err := s.Wallet(ctx, "nope"); !errors.Is(err, ErrUnknownWallet) || !strings.Contains(err.Error(), "hot") {
		t.Errorf("unknown wallet: %v", err)
	}
	ws, err := s.Wallets(ctx)
	if err != nil || len(ws) != 1 {
		t.Fatalf("wallets %v %v", ws, err)
	}
}

func TestNextReceive(t *testing.T) {
	ctx := context.Background()
	s := open(t, t.TempDir())
	w := addWallet(t, s, "hot", "d")
	// Sync knows 0..4, 0 and 1 used.
	var addrs []Address
	for i := uint32(0); i < 5; i++ {
		a, sc, _ := fakeDerive(0, i)
		addrs = append(addrs, Address{Branch: 0, Index: i, Address: a, Script: sc, Used: i < 2})
	}
	if err := s.ApplySync(ctx, SyncState{Height: 1}, []WalletSync{{WalletID: w.ID, Addresses: addrs}}); err != nil {
		t.Fatal(err)
	}
	for _, want := range []uint32{2, 3, 4, 5, 6} {
		a, err := s.NextReceive(ctx, w.ID, fakeDerive)
		if err != nil {
			t.Fatal(err)
		}
		if a.Index != want || a.Address != fmt.Sprintf("addr-0-%d", want) {
			t.Fatalf("receive gave %d (%s), want %d", a.Index, a.Address, want)
		}
	}
	c, err := s.NextChange(ctx, w.ID, fakeDerive)
	if err != nil || c.Index != 0 || c.Branch != 1 {
		t.Fatalf("change %+v %v", c, err)
	}
}

func op(i int) wire.OutPoint {
	var h chainhash.Hash
	h[0] = byte(i)
	h[1] = byte(i >> 8)
	return wire.OutPoint{Hash: h, Index: uint32(i % 3)}
}

// A sync that fails half way leaves the database as it was.
func TestInterruptedSyncChangesNothing(t *testing.T) {
	ctx := context.Background()
	s := open(t, t.TempDir())
	w := addWallet(t, s, "hot", "d")
	first := []UTXO{{OutPoint: op(1), Value: 1000, Script: []byte{1}, Address: "a"}}
	if err := s.ApplySync(ctx, SyncState{Height: 10, Tip: "t10"}, []WalletSync{{WalletID: w.ID, UTXOs: first}}); err != nil {
		t.Fatal(err)
	}
	// The second sync's second UTXO duplicates the first: the insert fails
	// after the deletion and the new address were written.
	bad := []UTXO{{OutPoint: op(2), Value: 5, Script: []byte{2}, Address: "b"}, {OutPoint: op(2), Value: 5, Script: []byte{2}, Address: "b"}}
	err := s.ApplySync(ctx, SyncState{Height: 11, Tip: "t11"}, []WalletSync{{WalletID: w.ID, UTXOs: bad,
		Addresses: []Address{{Branch: 0, Index: 0, Address: "a", Script: []byte{1}, Used: true}}}})
	if err == nil {
		t.Fatal("a sync with a duplicate outpoint succeeded")
	}
	us, err := s.UTXOs(ctx, w.ID)
	if err != nil || len(us) != 1 || us[0].OutPoint != op(1) || us[0].Value != 1000 {
		t.Fatalf("utxos after the failed sync: %+v %v", us, err)
	}
	if as, _ := s.Addresses(ctx, w.ID, 0); len(as) != 0 {
		t.Fatalf("addresses after the failed sync: %+v", as)
	}
	if st, ok, _ := s.LastSync(ctx); !ok || st.Height != 10 {
		t.Fatalf("sync state after the failed sync: %+v", st)
	}
}

// Two processes (two Stores on one folder) writing at once: every write
// lands, nothing is corrupted, no address is handed out twice.
func TestTwoWritersAtOnce(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	a := open(t, dir)
	b := open(t, dir)
	w := addWallet(t, a, "hot", "d")
	const each = 25
	got := make(chan uint32, 2*each)
	var wg sync.WaitGroup
	for _, s := range []*Store{a, b} {
		wg.Add(1)
		go func(s *Store) {
			defer wg.Done()
			for i := 0; i < each; i++ {
				addr, err := s.NextReceive(ctx, w.ID, fakeDerive)
				if err != nil {
					t.Error(err)
					return
				}
				got <- addr.Index
				id, _ := NewID()
				if err := s.AddRequest(ctx, &Request{ID: id, WalletID: w.ID, Status: StatusAwaiting, PSBT: []byte{1}}, nil, "x"); err != nil {
					t.Error(err)
					return
				}
			}
		}(s)
	}
	wg.Wait()
	close(got)
	seen := map[uint32]bool{}
	for i := range got {
		if seen[i] {
			t.Fatalf("index %d handed out twice", i)
		}
		seen[i] = true
	}
	if len(seen) != 2*each {
		t.Fatalf("%d addresses handed out, want %d", len(seen), 2*each)
	}
	rs, err := b.Requests(ctx)
	if err != nil || len(rs) != 2*each {
		t.Fatalf("%d requests, %v", len(rs), err)
	}
	var check string
	if err := a.db.QueryRow(`PRAGMA integrity_check`).Scan(&check); err != nil || check != "ok" {
		t.Fatalf("integrity_check %q %v", check, err)
	}
}

func TestRequests(t *testing.T) {
	ctx := context.Background()
	s := open(t, t.TempDir())
	w := addWallet(t, s, "hot", "d")
	r := &Request{ID: "r1", WalletID: w.ID, Created: time.Unix(1700000000, 0), Initiator: "ops", Status: StatusAwaiting, TxID: "aa",
		PSBT: []byte("psbt"), Fee: 141, FeeRate: 1000, VSize: 141, Sent: 5000, Required: 1}
	change := &Address{WalletID: w.ID, Branch: 1, Index: 0, Address: "c0", Script: []byte{9}}
	if err := s.AddRequest(ctx, r, change, "2 outputs"); err != nil {
		t.Fatal(err)
	}
	if c, _ := s.NextChange(ctx, w.ID, fakeDerive); c.Index != 1 {
		t.Fatalf("change index %d after a request took 0", c.Index)
	}
	one := 1
	if err := s.UpdateRequest(ctx, "r1", Update{Status: StatusSigned, Signatures: &one, Kind: "signatures", Detail: "1 of 1", At: time.Unix(1700000100, 0)}); err != nil {
		t.Fatal(err)
	}
	got, evs, err := s.Request(ctx, "r1")
	if err != nil {
		t.Fatal(err)
	}
	if got.Status != StatusSigned || got.Signatures != 1 || string(got.PSBT) != "psbt" || got.Wallet != "hot" || got.Confirmations != -1 {
		t.Errorf("request %+v", got)
	}
	if len(evs) != 2 || evs[0].Kind != "created" || evs[1].Detail != "1 of 1" {
		t.Errorf("events %+v", evs)
	}
	if byTx, err := s.RequestByTxID(ctx, "aa"); err != nil || byTx.ID != "r1" {
		t.Errorf("by txid: %v", err)
	}
	if _, _, err := s.Request(ctx, "nope"); !errors.Is(err, ErrUnknownRequest) {
		t.Errorf("unknown request: %v", err)
	}
	if err := s.UpdateRequest(ctx, "nope", Update{Status: StatusSigned}); !errors.Is(err, ErrUnknownRequest) {
		t.Errorf("update of an unknown request: %v", err)
	}
	if err := s.SetLabel(ctx, "c0", "cold change"); err != nil {
		t.Fatal(err)
	}
	if l, _ := s.Labels(ctx); l["c0"] != "cold change" {
		t.Errorf("labels %v", l)
	}
}
