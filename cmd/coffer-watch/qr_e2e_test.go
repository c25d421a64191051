package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/btcsuite/btcd/btcutil"

	"github.com/coffer-custody/coffer/policy/approval"
	"github.com/coffer-custody/coffer/sign"
	"github.com/coffer-custody/coffer/watch/regtest"
)

// cofferExit runs coffer on the party's vault (no flag added) and returns
// its exit code, stdout and stderr.
func (p *party) cofferExit(args ...string) (int, string, string) {
	p.t.Helper()
	cmd := exec.Command(p.coffer, append([]string{"--vault", filepath.Join(p.dir, "vault")}, args...)...)
	cmd.Dir = p.dir
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	if ee, ok := err.(*exec.ExitError); ok {
		return ee.ExitCode(), out.String(), errb.String()
	}
	if err != nil {
		p.t.Fatalf("coffer %s: %v", strings.Join(args, " "), err)
	}
	return 0, out.String(), errb.String()
}

// fundedWallet makes a vault with its wpkh account imported as "hot" and
// one confirmed coin of amount on it, on the shared node.
func fundedWallet(t *testing.T, e *e2e, amount int64) (*party, *watcher) {
	t.Helper()
	ctx := context.Background()
	dir := t.TempDir()
	v := newVault(t, e, dir)
	v.coffer1("export", "--format", "descriptor", "--script", "wpkh", "--out", filepath.Join(dir, "hot.txt"))
	w := newWatcher(t, e.node, dir)
	w.ok("wallet", "import", filepath.Join(dir, "hot.txt"), "--name", "hot")
	var a struct {
		Address string `json:"address"`
	}
	w.json(&a, "receive", "--wallet", "hot")
	if _, err := e.node.Fund(ctx, regtest.Payment{Address: a.Address, Amount: btcutil.Amount(amount)}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.node.Generate(ctx, 1); err != nil {
		t.Fatal(err)
	}
	w.ok("sync")
	return v, w
}

func globFrames(t *testing.T, dir string) []string {
	t.Helper()
	frames, err := filepath.Glob(filepath.Join(dir, "frame-*.png"))
	if err != nil || len(frames) == 0 {
		t.Fatalf("no frames in %s: %v", dir, err)
	}
	return frames
}

// paidOnce checks that txid pays payee exactly want sat, confirmed once.
func paidOnce(t *testing.T, n *regtest.Node, txid, payee string, want int64) {
	t.Helper()
	for _, o := range rawTx(t, n, txid) {
		if o.ScriptPubKey.Address == payee {
			if v, c := txOut(t, n, txid, o.N); v != want || c != 1 {
				t.Errorf("payee output %d sat, %d confirmations; want %d, 1", v, c, want)
			}
			return
		}
	}
	t.Fatalf("transaction %s does not pay %s", txid, payee)
}

// The air gap by camera only (issue 6): coffer-watch send writes the
// request as PNG frames, coffer sign reads them (checking the SHA-256
// send printed), coffer qr encode turns the signed PSBT into frames,
// coffer-watch finalize reads those and broadcasts; the node mines it and
// the payee is paid.
func TestRoundTripQR(t *testing.T) {
	e := setup(t)
	v, w := fundedWallet(t, e, coin)
	payee := randomAddress(t)

	var sr struct {
		sendResult
		Out string `json:"out"`
		QR  struct {
			Target string `json:"target"`
			Type   string `json:"type"`
			Frames int    `json:"frames"`
			SHA256 string `json:"sha256"`
			Files  []struct {
				Path string `json:"path"`
			} `json:"files"`
		} `json:"qr"`
	}
	reqFrames := w.path("request-frames")
	w.json(&sr, "send", "--wallet", "hot", "--to", payee+"=0.3btc", "--fee-rate", "2", "--out", w.path("req.psbt"), "--qr-out", "png:"+reqFrames)
	req, err := os.ReadFile(w.path("req.psbt"))
	if err != nil {
		t.Fatalf("send --qr-out no longer writes --out: %v", err)
	}
	sum := sha256.Sum256(req)
	frames := globFrames(t, reqFrames)
	if sr.QR.Target != "png:"+reqFrames || sr.QR.Type != "crypto-psbt" || sr.QR.Frames != len(frames) || len(sr.QR.Files) != len(frames) ||
		sr.QR.SHA256 != hex.EncodeToString(sum[:]) {
		t.Fatalf("send's qr result %+v (%d frames on disk, request sha256 %x)", sr.QR, len(frames), sum)
	}

	// Offline: coffer signs what the camera read.
	signed := w.path("signed.psbt")
	v.coffer1(append(append([]string{"sign", "--qr-in"}, frames...), "--expect-sha256", sr.QR.SHA256, "--out", signed, "--yes", "--no-policy")...)
	signedFrames := w.path("signed-frames")
	out := v.coffer1("qr", "encode", signed, "--qr-out", "png:"+signedFrames)
	if !strings.Contains(out, "(ur:crypto-psbt, QR version") {
		t.Fatalf("coffer qr encode:\n%s", out)
	}
	frames2 := globFrames(t, signedFrames)

	// Online: part of the frames is not enough, and nothing is sent.
	if len(frames2) > 1 {
		w.fails([]string{"the 1 image ended with 1 of ", "the message is incomplete"}, "finalize", "--qr-in", frames2[0], "--broadcast")
		if contains(mempool(t, e.node), sr.TxID) {
			t.Fatal("an incomplete scan reached the mempool")
		}
	}
	var fr txResult
	w.json(&fr, append(append([]string{"finalize", "--qr-in"}, frames2...), "--broadcast")...)
	if !fr.Broadcast || fr.TxID != sr.TxID || fr.Request != sr.ID {
		t.Fatalf("finalize --qr-in: %+v (request %+v)", fr, sr.sendResult)
	}
	if _, err := e.node.Generate(context.Background(), 1); err != nil {
		t.Fatal(err)
	}
	paidOnce(t, e.node, sr.TxID, payee, 30_000_000)
	w.ok("sync")
	var rv requestView
	w.json(&rv, "request", "show", sr.ID)
	if rv.Status != "confirmed" {
		t.Fatalf("request after a block: %+v", rv)
	}
}

// embeddedInitiator reads the initiator a PSBT file carries.
func embeddedInitiator(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	p, err := sign.Decode(b, 0)
	if err != nil {
		t.Fatal(err)
	}
	emb, err := approval.ReadEmbedded(p.Encode())
	if err != nil {
		t.Fatal(err)
	}
	return emb.Initiator
}

// Maker-checker across the gap (issue 5): coffer-watch send --initiator
// bob puts bob into the PSBT; the signer's policy reads him from there,
// so bob's own approval does not count toward the quorum of one, and
// dan's does.
func TestMakerCheckerInitiatorInPSBT(t *testing.T) {
	e := setup(t)
	v, w := fundedWallet(t, e, coin)
	pass := filepath.Join(v.dir, "pass.txt")
	payee := randomAddress(t)

	keys := map[string]string{}
	for _, id := range []string{"bob", "dan"} {
		var kg struct {
			PublicKey string `json:"public_key"`
		}
		w.json(&kg, "approver", "keygen", "--id", id, "--out", w.path(id+".key"))
		keys[id] = kg.PublicKey
	}
	policy := `version: 1
network: regtest
admins:
  required: 1
  keys:
    - {id: dan, key: "` + keys["dan"] + `"}
groups:
  treasury:
    - {id: bob, key: "` + keys["bob"] + `"}
    - {id: dan, key: "` + keys["dan"] + `"}
rules:
  - name: withdrawal
    max_per_tx: 10btc
    destinations: any
    approvals: {group: treasury, required: 1}
`
	if err := os.WriteFile(w.path("policy.yaml"), []byte(policy), 0o644); err != nil {
		t.Fatal(err)
	}
	if code, _, errs := v.cofferExit("policy", "install", w.path("policy.yaml"), "--present", "dan", "--passphrase-file", pass, "--non-interactive"); code != 0 {
		t.Fatalf("policy install: exit %d\n%s", code, errs)
	}

	var sr struct {
		sendResult
		Initiator string `json:"initiator"`
	}
	w.json(&sr, "send", "--wallet", "hot", "--to", payee+"=0.2btc", "--fee-rate", "2", "--out", w.path("req.psbt"), "--initiator", "bob")
	if sr.Initiator != "bob" || embeddedInitiator(t, w.path("req.psbt")) != "bob" {
		t.Fatalf("the request PSBT does not name bob: %+v, PSBT says %q", sr, embeddedInitiator(t, w.path("req.psbt")))
	}
	// The request keeps the same PSBT.
	w.ok("request", "show", sr.ID, "--out", w.path("again.psbt"))
	if a, _ := os.ReadFile(w.path("again.psbt")); !bytes.Equal(a, mustRead(t, w.path("req.psbt"))) {
		t.Error("request show --out gives another PSBT than send --out")
	}
	w.fails([]string{"--initiator: id \"bob smith\""}, "send", "--wallet", "hot", "--to", payee+"=0.1btc", "--fee-rate", "2", "--initiator", "bob smith")

	// coffer-watch will not write bob's approval of his own request ...
	w.fails([]string{"bob made this request: an initiator's own approval never counts"},
		"--network", "regtest", "approval", "new", w.path("req.psbt"), "--approver", "bob", "--out", w.path("never.json"))
	// ... so bob makes one himself from dan's document and signs it.
	bobDir, danDir := w.path("ap-bob"), w.path("ap-dan")
	for _, d := range []string{bobDir, danDir} {
		if err := os.Mkdir(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	w.ok("--network", "regtest", "approval", "new", w.path("req.psbt"), "--approver", "dan", "--out", filepath.Join(danDir, "dan.json"))
	doc, err := approval.ParseDocument(mustRead(t, filepath.Join(danDir, "dan.json")))
	if err != nil || doc.Initiator != "bob" {
		t.Fatalf("dan's approval document: %+v %v", doc, err)
	}
	doc.Approver = "bob"
	forged, err := doc.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(bobDir, "bob.json"), forged, 0o644); err != nil {
		t.Fatal(err)
	}
	w.ok("approve", filepath.Join(bobDir, "bob.json"), "--key", w.path("bob.key"))
	w.ok("approve", filepath.Join(danDir, "dan.json"), "--key", w.path("dan.key"))

	// The signer reads bob from the PSBT: his approval does not count.
	code, out, _ := v.cofferExit("policy", "check", w.path("req.psbt"), "--approvals", bobDir, "--passphrase-file", pass, "--non-interactive")
	if code != 11 || !strings.Contains(out, "does not count: bob initiated this request, and an initiator's own approval never counts") {
		t.Fatalf("policy check with bob's approval: exit %d\n%s", code, out)
	}
	signed := w.path("signed.psbt")
	code, _, errs := v.cofferExit("sign", w.path("req.psbt"), "--approvals", bobDir, "--out", signed, "--yes", "--passphrase-file", pass, "--non-interactive")
	if code != 11 || !strings.Contains(errs, "is refused by the spending policy") {
		t.Fatalf("sign with bob's approval: exit %d\n%s", code, errs)
	}
	if _, err := os.Stat(signed); err == nil {
		t.Fatal("a refused signing wrote its --out")
	}

	// dan's approval counts: signed, journaled with bob as initiator, and
	// the node accepts the transaction.
	code, _, errs = v.cofferExit("sign", w.path("req.psbt"), "--approvals", danDir, "--out", signed, "--yes", "--passphrase-file", pass, "--non-interactive")
	if code != 0 {
		t.Fatalf("sign with dan's approval: exit %d\n%s", code, errs)
	}
	if j := string(mustRead(t, filepath.Join(v.dir, "vault", "journal.jsonl"))); !strings.Contains(j, `"initiator":"bob","approvers":["dan"]`) {
		t.Error("the journal does not record bob as initiator and dan as approver")
	}
	var fr txResult
	w.json(&fr, "finalize", signed, "--broadcast")
	if !fr.Broadcast || fr.TxID != sr.TxID {
		t.Fatalf("finalize: %+v", fr)
	}
	if _, err := e.node.Generate(context.Background(), 1); err != nil {
		t.Fatal(err)
	}
	paidOnce(t, e.node, sr.TxID, payee, 20_000_000)
}
