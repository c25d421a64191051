package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/btcsuite/btcd/btcutil"

	"github.com/coffer-custody/coffer/watch/regtest"
)

const coin = btcutil.SatoshiPerBitcoin

// Round trip 1a, single-sig P2WPKH, as the issue writes it: coffer keygen,
// export, wallet import, 101 blocks mined to a coffer address, sync, send,
// coffer sign, finalize, broadcast, mine; the balance and the payee's
// output are what they should be. This one node mines to the coffer
// address itself (btcd mines only to --miningaddr, fixed at start).
func TestRoundTripP2WPKH(t *testing.T) {
	e := setup(t)
	ctx := context.Background()
	dir := t.TempDir()
	v := newVault(t, e, dir)
	v.coffer1("export", "--format", "descriptor", "--script", "wpkh", "--out", filepath.Join(dir, "hot.txt"))
	mine := v.addressOf("wpkh", 0)

	n, err := regtest.Start(ctx, regtest.Options{MiningAddr: mine})
	if err != nil {
		t.Fatal(err)
	}
	defer n.Stop()
	w := newWatcher(t, n, dir)
	out := w.ok("wallet", "import", filepath.Join(dir, "hot.txt"), "--name", "hot")
	if !strings.Contains(out, "first address "+mine) {
		t.Fatalf("import shows another first address than coffer's %s:\n%s", mine, out)
	}
	if _, err := n.Generate(ctx, 101); err != nil {
		t.Fatal(err)
	}
	w.ok("sync")
	conf, unconf, imm := w.balance("hot")
	// Blocks 1 and 2 have 100 and 101 confirmations: mature.
	if conf != 100*coin || unconf != 0 || imm != 99*50*coin {
		t.Fatalf("balance after 101 blocks: %d confirmed, %d unconfirmed, %d immature", conf, unconf, imm)
	}

	payee := randomAddress(t)
	var sr sendResult
	w.json(&sr, "send", "--wallet", "hot", "--to", payee+"=1.5btc", "--fee-rate", "2", "--out", w.path("req.psbt"), "--initiator", "ops")
	if sr.Inputs != 1 || sr.Outputs != 2 || sr.Sent != 150_000_000 {
		t.Fatalf("send: %+v", sr)
	}
	// By USB: the file's SHA-256 is in send's answer, and the signer
	// checks it with --expect-sha256.
	if sum := sha256.Sum256(mustRead(t, w.path("req.psbt"))); sr.SHA256 != hex.EncodeToString(sum[:]) {
		t.Fatalf("send says sha256 %q, the file's is %x", sr.SHA256, sum)
	}
	if out := w.ok("request", "show", sr.ID, "--out", w.path("again.psbt")); !strings.Contains(out, "\nsha256 "+sr.SHA256+"\n") {
		t.Errorf("request show --out does not print the file's sha256 %s:\n%s", sr.SHA256, out)
	}
	signed := v.signFile(w.path("req.psbt"), w.path("signed.psbt"), "--expect-sha256", sr.SHA256)
	var fr txResult
	w.json(&fr, "finalize", signed, "--broadcast")
	if !fr.Broadcast || fr.TxID != sr.TxID || fr.Request != sr.ID {
		t.Fatalf("finalize: %+v (request %+v)", fr, sr)
	}
	// The fee rate is met on the final size. The size assumes a 71-byte
	// low-R signature; about one in 64 is a byte shorter (r or s below
	// 2^247 in DER), one weight unit less, which can make the final size a
	// vbyte smaller: the rate is then exceeded by that vbyte, never missed.
	if fr.VSize > int64(sr.VSize) || fr.VSize < int64(sr.VSize)-1 || sr.Fee != (2000*int64(sr.VSize)+999)/1000 || sr.Fee < 2*fr.VSize {
		t.Errorf("final vsize %d, estimated %d, fee %d at 2 sat/vB", fr.VSize, sr.VSize, sr.Fee)
	}
	if !contains(mempool(t, n), sr.TxID) {
		t.Fatal("the transaction is not in the node's mempool")
	}
	if _, err := n.Generate(ctx, 1); err != nil {
		t.Fatal(err)
	}
	w.ok("sync")
	// The payee's output.
	for _, o := range rawTx(t, n, sr.TxID) {
		if o.ScriptPubKey.Address == payee {
			if v, c := txOut(t, n, sr.TxID, o.N); v != 150_000_000 || c != 1 {
				t.Errorf("payee output %d sat, %d confirmations", v, c)
			}
		}
	}
	// 102 blocks: coinbases 1..3 mature, one of them spent.
	conf, unconf, _ = w.balance("hot")
	if want := 150*coin - 150_000_000 - sr.Fee; conf != want || unconf != 0 {
		t.Fatalf("balance after the payment: %d confirmed, %d unconfirmed; want %d", conf, unconf, want)
	}
	var rv requestView
	w.json(&rv, "request", "show", sr.ID)
	if rv.Status != "confirmed" || rv.Confirmations != 1 {
		t.Fatalf("request after a block: %+v", rv)
	}
}

// Round trip 1b, single-sig P2TR on the shared node: funded from the
// harness's coins, the taproot key path signed by coffer, accepted.
func TestRoundTripP2TR(t *testing.T) {
	e := setup(t)
	ctx := context.Background()
	dir := t.TempDir()
	v := newVault(t, e, dir)
	v.coffer1("export", "--format", "core", "--script", "tr", "--out", filepath.Join(dir, "tr.json"))
	w := newWatcher(t, e.node, dir)
	w.ok("wallet", "import", filepath.Join(dir, "tr.json"), "--name", "taproot")
	var a struct {
		Address string `json:"address"`
	}
	w.json(&a, "receive", "--wallet", "taproot")
	if a.Address != v.addressOf("tr", 0) {
		t.Fatalf("receive gave %s, coffer derives %s", a.Address, v.addressOf("tr", 0))
	}
	var b struct {
		Address string `json:"address"`
	}
	w.json(&b, "receive", "--wallet", "taproot")
	if b.Address != v.addressOf("tr", 1) {
		t.Fatalf("second receive gave %s, want index 1", b.Address)
	}
	if _, err := e.node.Fund(ctx, regtest.Payment{Address: a.Address, Amount: 3 * coin}, regtest.Payment{Address: b.Address, Amount: 20_000}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.node.Generate(ctx, 1); err != nil {
		t.Fatal(err)
	}
	w.ok("sync")
	if c, _, _ := w.balance("taproot"); c != 3*coin+20_000 {
		t.Fatalf("balance %d", c)
	}
	payee := randomAddress(t)
	var sr sendResult
	w.json(&sr, "send", "--wallet", "taproot", "--to", payee+"=100000000sat", "--fee-rate", "3.5", "--out", w.path("tr.psbt"))
	signed := v.signFile(w.path("tr.psbt"), w.path("tr.signed.psbt"))
	var fr txResult
	w.json(&fr, "finalize", signed, "--out", w.path("tr.hex"))
	if fr.Broadcast || fr.VSize != int64(sr.VSize) {
		t.Fatalf("finalize: %+v, estimated vsize %d", fr, sr.VSize)
	}
	hexTx, err := os.ReadFile(w.path("tr.hex"))
	if err != nil {
		t.Fatal(err)
	}
	var br txResult
	w.json(&br, "broadcast", strings.TrimSpace(string(hexTx)))
	if !br.Broadcast || br.TxID != sr.TxID {
		t.Fatalf("broadcast: %+v", br)
	}
	if _, err := e.node.Generate(ctx, 1); err != nil {
		t.Fatal(err)
	}
	w.ok("sync")
	if c, _, _ := w.balance("taproot"); c != 3*coin+20_000-coin-sr.Fee {
		t.Fatalf("balance after the payment %d, fee %d", c, sr.Fee)
	}
	for _, o := range rawTx(t, e.node, sr.TxID) {
		if o.ScriptPubKey.Address == payee {
			if v, c := txOut(t, e.node, sr.TxID, o.N); v != coin || c != 1 {
				t.Errorf("payee output %d sat, %d confirmations", v, c)
			}
		}
	}
}

// Round trip 2: a 2-of-3 P2WSH of three vaults. The coordinator assembles
// the wallet from their BSMS key records, every vault registers it, two
// sign the request in turn (by file), combine, finalize, broadcast,
// confirm.
func TestRoundTripMultisig2of3(t *testing.T) {
	e := setup(t)
	ctx := context.Background()
	dir := t.TempDir()
	var vaults []*party
	var records []string
	for i := 0; i < 3; i++ {
		vd := filepath.Join(dir, fmt.Sprintf("signer%d", i+1))
		if err := os.MkdirAll(vd, 0o700); err != nil {
			t.Fatal(err)
		}
		v := newVault(t, e, vd)
		rec := filepath.Join(dir, fmt.Sprintf("signer%d.bsms", i+1))
		v.coffer1("export", "--format", "bsms", "--script", "wsh-multi", "--out", rec)
		vaults = append(vaults, v)
		records = append(records, rec)
	}
	w := newWatcher(t, e.node, dir)
	var cm struct {
		Descriptor string `json:"descriptor"`
		First      string `json:"first_address"`
		Record     string `json:"bsms_record"`
	}
	w.json(&cm, append([]string{"wallet", "create-multisig", "--name", "treasury", "--threshold", "2", "--out", w.path("treasury.bsms")}, records...)...)
	if !strings.HasPrefix(cm.Descriptor, "wsh(sortedmulti(2,[") || !strings.Contains(cm.Descriptor, "/<0;1>/*") || !strings.Contains(cm.Descriptor, "#") {
		t.Fatalf("descriptor %s", cm.Descriptor)
	}
	for _, v := range vaults {
		out := v.coffer1("wallet", "register", w.path("treasury.bsms"), "--name", "treasury", "--yes")
		if !strings.Contains(out, cm.First) {
			t.Errorf("coffer wallet register does not show the first address %s:\n%s", cm.First, out)
		}
	}
	var a struct {
		Address string `json:"address"`
	}
	w.json(&a, "receive", "--wallet", "treasury")
	if a.Address != cm.First {
		t.Fatalf("receive %s, first address %s", a.Address, cm.First)
	}
	if _, err := e.node.Fund(ctx, regtest.Payment{Address: a.Address, Amount: 2 * coin}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.node.Generate(ctx, 1); err != nil {
		t.Fatal(err)
	}
	w.ok("sync")
	payee := randomAddress(t)
	var sr sendResult
	w.json(&sr, "send", "--wallet", "treasury", "--to", payee+"=0.75btc", "--fee-rate", "1.25", "--out", w.path("ms.psbt"))
	var rv requestView
	w.json(&rv, "request", "show", sr.ID)
	if rv.Status != "awaiting signatures" || rv.Signatures != 0 || rv.Required != 2 {
		t.Fatalf("new request %+v", rv)
	}
	s1 := vaults[0].signFile(w.path("ms.psbt"), w.path("ms.s1.psbt"), "--expect-sha256", sr.SHA256)
	s3 := vaults[2].signFile(w.path("ms.psbt"), w.path("ms.s3.psbt"))
	// One signature is not enough: finalize names the input.
	w.fails([]string{"input #0 (1 of 2)"}, "finalize", s1, "--out", w.path("never.hex"))
	if _, err := os.Stat(w.path("never.hex")); err == nil {
		t.Fatal("a refused finalize wrote its --out")
	}
	var cr struct {
		SHA256 string `json:"sha256"`
	}
	w.json(&cr, "combine", s1, s3, "--out", w.path("ms.combined.psbt"))
	if sum := sha256.Sum256(mustRead(t, w.path("ms.combined.psbt"))); cr.SHA256 != hex.EncodeToString(sum[:]) {
		t.Fatalf("combine says sha256 %q, the file's is %x", cr.SHA256, sum)
	}
	w.json(&rv, "request", "show", sr.ID)
	if rv.Status != "signed" || rv.Signatures != 2 {
		t.Fatalf("request after combine %+v", rv)
	}
	var fr txResult
	w.json(&fr, "finalize", w.path("ms.combined.psbt"), "--broadcast")
	if !fr.Broadcast || fr.TxID != sr.TxID || fr.VSize > int64(sr.VSize) {
		t.Fatalf("finalize %+v, estimated vsize %d", fr, sr.VSize)
	}
	if _, err := e.node.Generate(ctx, 1); err != nil {
		t.Fatal(err)
	}
	w.ok("sync")
	if c, u, _ := w.balance("treasury"); c != 2*coin-75_000_000-sr.Fee || u != 0 {
		t.Fatalf("balance %d/%d after the payment (fee %d)", c, u, sr.Fee)
	}
	w.json(&rv, "request", "show", sr.ID)
	if rv.Status != "confirmed" {
		t.Fatalf("request %+v", rv)
	}
}

// Round trip 3: a batch payout of 50 outputs from a CSV, one transaction,
// every payee paid.
func TestRoundTripBatchPayout(t *testing.T) {
	e := setup(t)
	ctx := context.Background()
	dir := t.TempDir()
	v := newVault(t, e, dir)
	v.coffer1("export", "--format", "generic-json", "--out", filepath.Join(dir, "generic.json"))
	w := newWatcher(t, e.node, dir)
	w.ok("wallet", "import", filepath.Join(dir, "generic.json"), "--script", "wpkh", "--name", "payroll")
	var fund []regtest.Payment
	for i := 0; i < 3; i++ {
		var a struct {
			Address string `json:"address"`
		}
		w.json(&a, "receive", "--wallet", "payroll")
		fund = append(fund, regtest.Payment{Address: a.Address, Amount: 1 * coin})
	}
	if _, err := e.node.Fund(ctx, fund...); err != nil {
		t.Fatal(err)
	}
	if _, err := e.node.Generate(ctx, 1); err != nil {
		t.Fatal(err)
	}
	w.ok("sync")
	var csv strings.Builder
	csv.WriteString("address,amount,label\n")
	payees := map[string]int64{}
	for i := 0; i < 50; i++ {
		a := randomAddress(t)
		amt := int64(1_000_000 + i*10_000)
		payees[a] = amt
		fmt.Fprintf(&csv, "%s,%dsat,employee %d\n", a, amt, i+1)
	}
	if err := os.WriteFile(w.path("payroll.csv"), []byte(csv.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	var sr sendResult
	w.json(&sr, "send", "--wallet", "payroll", "--payouts", w.path("payroll.csv"), "--fee-rate", "5", "--out", w.path("payroll.psbt"))
	if sr.Outputs < 50 || sr.Outputs > 51 {
		t.Fatalf("send: %+v", sr)
	}
	// Signed and finalized offline (payroll.tx, its SHA-256 in the
	// review), carried by USB and broadcast with --expect-sha256.
	v.signFile(w.path("payroll.psbt"), w.path("payroll.signed.psbt"), "--finalize")
	txFile := w.path("payroll.tx")
	sum := sha256.Sum256(mustRead(t, txFile))
	if !strings.Contains(v.signed, fmt.Sprintf("\ntx sha256 %x\n", sum)) {
		t.Fatalf("coffer sign --finalize does not print the tx file's sha256 %x:\n%s", sum, v.signed)
	}
	w.fails([]string{"payroll.tx: sha256 " + hex.EncodeToString(sum[:]) + " is not the expected " + strings.Repeat("0", 64)},
		"broadcast", txFile, "--expect-sha256", strings.Repeat("0", 64))
	w.fails([]string{"--expect-sha256 checks a file"}, "broadcast", strings.TrimSpace(string(mustRead(t, txFile))), "--expect-sha256", hex.EncodeToString(sum[:]))
	if contains(mempool(t, e.node), sr.TxID) {
		t.Fatal("a refused broadcast sent the transaction")
	}
	var fr txResult
	w.json(&fr, "broadcast", txFile, "--expect-sha256", hex.EncodeToString(sum[:]))
	if !fr.Broadcast || fr.TxID != sr.TxID {
		t.Fatalf("broadcast: %+v (request %+v)", fr, sr)
	}
	if _, err := e.node.Generate(ctx, 1); err != nil {
		t.Fatal(err)
	}
	paid := 0
	for _, o := range rawTx(t, e.node, fr.TxID) {
		if want, ok := payees[o.ScriptPubKey.Address]; ok {
			if v, c := txOut(t, e.node, fr.TxID, o.N); v != want || c != 1 {
				t.Errorf("payee %s got %d sat (%d conf), want %d", o.ScriptPubKey.Address, v, c, want)
			}
			paid++
		}
	}
	if paid != 50 {
		t.Fatalf("%d of 50 payees paid", paid)
	}
}

// Round trip 4: an RBF bump that the node accepts as a replacement of the
// broadcast transaction; the replacement confirms, the first is replaced.
func TestRoundTripBump(t *testing.T) {
	e := setup(t)
	ctx := context.Background()
	dir := t.TempDir()
	v, w := singleSigWallet(t, e, dir)
	fundOps(t, e, w)
	payee := randomAddress(t)
	var first sendResult
	w.json(&first, "send", "--wallet", "ops", "--to", payee+"=0.25btc", "--fee-rate", "1", "--out", w.path("r1.psbt"))
	w.ok("finalize", v.signFile(w.path("r1.psbt"), w.path("r1.signed.psbt")), "--broadcast")
	w.ok("sync")
	var bump sendResult
	w.json(&bump, "bump", first.TxID, "--fee-rate", "6", "--out", w.path("r2.psbt"))
	if bump.Fee <= first.Fee || bump.FeeRate != 6000 || bump.Sent != first.Sent {
		t.Fatalf("bump %+v of %+v", bump, first)
	}
	var fr txResult
	w.json(&fr, "finalize", v.signFile(w.path("r2.psbt"), w.path("r2.signed.psbt"), "--expect-sha256", bump.SHA256), "--broadcast")
	m := mempool(t, e.node)
	if !contains(m, bump.TxID) || contains(m, first.TxID) {
		t.Fatalf("mempool %v: want the replacement %s and not %s", m, bump.TxID, first.TxID)
	}
	if _, err := e.node.Generate(ctx, 1); err != nil {
		t.Fatal(err)
	}
	w.ok("sync")
	var r1, r2 requestView
	w.json(&r1, "request", "show", first.ID)
	w.json(&r2, "request", "show", bump.ID)
	if r1.Status != "replaced" || r2.Status != "confirmed" {
		t.Fatalf("requests after the bump: %+v, %+v", r1, r2)
	}
	if c, _, _ := w.balance("ops"); c != coin-25_000_000-bump.Fee {
		t.Fatalf("balance %d after the bump (fee %d)", c, bump.Fee)
	}
}
