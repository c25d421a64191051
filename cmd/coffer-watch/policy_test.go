package main

// The approval and policy commands of coffer-watch, run as main runs them:
// approver keygen, approval new, approve, approval attach and policy check,
// with real ssh-keygen signatures next to coffer-watch's own.

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/coffer-custody/coffer/policy/approval"
	"github.com/coffer-custody/coffer/sign"
)

var (
	wpkhPSBT      = filepath.Join("..", "..", "testdata", "psbt", "cli", "wpkh.psbt")
	wpkhExport    = filepath.Join("..", "..", "testdata", "export", "regtest", "descriptor-wpkh.txt")
	policyKeysDir = filepath.Join("..", "..", "testdata", "policy", "keys")
)

const wpkhTxID = "2a7d4402bf8c69f5730262237b563019af44c484d7e0fa7118128c0e069b69ae"

func sshKeygen(t *testing.T) string {
	t.Helper()
	p, err := exec.LookPath("ssh-keygen")
	if err != nil {
		if os.Getenv("COFFER_REQUIRE_INTEROP") == "1" {
			t.Fatal("ssh-keygen is required (COFFER_REQUIRE_INTEROP=1)")
		}
		t.Skip("ssh-keygen is not installed")
	}
	return p
}

// copyKey copies a test key of testdata/policy/keys with mode 0600, as
// ssh-keygen wants it.
func copyKey(t *testing.T, dir, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(policyKeysDir, name))
	if err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, b, 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestApproverKeygenApprove(t *testing.T) {
	dir := t.TempDir()
	key := filepath.Join(dir, "erin.key")
	code, out, errOut := runWatch(t, "--json", "approver", "keygen", "--id", "erin", "--out", key)
	if code != 0 {
		t.Fatalf("keygen: exit %d\n%s", code, errOut)
	}
	var kg struct {
		ID        string `json:"id"`
		PublicKey string `json:"public_key"`
	}
	if err := json.Unmarshal([]byte(out), &kg); err != nil || !strings.HasPrefix(kg.PublicKey, approval.Ed25519Prefix) {
		t.Fatalf("keygen output %q: %v", out, err)
	}
	if fi, err := os.Stat(key); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("key file: %v %v", fi.Mode(), err)
	}
	if code, _, errOut := runWatch(t, "approver", "keygen", "--id", "erin", "--out", key); code != 1 || !strings.Contains(errOut, "exists; it is never overwritten") {
		t.Fatalf("keygen over an existing file: exit %d %s", code, errOut)
	}
	if code, _, errOut := runWatch(t, "approver", "keygen", "--id", "erin smith", "--out", key+"2"); code != 1 || !strings.Contains(errOut, "--id: id \"erin smith\"") {
		t.Fatalf("keygen with a bad id: exit %d %s", code, errOut)
	}

	doc := filepath.Join(dir, "erin.json")
	code, _, errOut = runWatch(t, "--network", "regtest", "approval", "new", wpkhPSBT, "--approver", "erin", "--initiator", "alice", "--expires", "8h", "--reason", "test payout", "--out", doc)
	if code != 0 {
		t.Fatalf("approval new: exit %d\n%s", code, errOut)
	}
	raw, _ := os.ReadFile(doc)
	d, err := approval.ParseDocument(raw)
	if err != nil || d.TxID != wpkhTxID || d.Initiator != "alice" || d.Fee != 1000 || len(d.Outputs) != 2 || d.Expires.Sub(d.Created).Hours() != 8 {
		t.Fatalf("approval document: %+v %v", d, err)
	}
	code, _, errOut = runWatch(t, "approve", doc, "--key", key)
	if code != 0 || !strings.Contains(errOut, "erin approves transaction "+wpkhTxID+" (regtest), requested by alice") || !strings.Contains(errOut, "output #0: 150000 sat to bcrt1qlf87mkg4juq3veea2zvwe7zprda2cnpjctc3y6") {
		t.Fatalf("approve: exit %d\n%s", code, errOut)
	}
	a, err := approval.ReadFiles(doc, doc+".sig")
	if err != nil {
		t.Fatal(err)
	}
	pub, _ := approval.ParsePublicKey(kg.PublicKey)
	if err := a.Verify(pub); err != nil {
		t.Fatalf("coffer-watch's signature does not verify: %v", err)
	}
	if code, _, errOut := runWatch(t, "approve", doc, "--key", key); code != 1 || !strings.Contains(errOut, "already exists") {
		t.Fatalf("approve twice: exit %d %s", code, errOut)
	}
	if code, _, errOut := runWatch(t, "approve", wpkhPSBT, "--key", key, "--out", filepath.Join(dir, "x.sig")); code != 1 || !strings.Contains(errOut, "not a valid approval document") {
		t.Fatalf("approving a non-document: exit %d %s", code, errOut)
	}
	// The initiator's own approval is not even written.
	code, _, errOut = runWatch(t, "--network", "regtest", "approval", "new", wpkhPSBT, "--approver", "alice", "--initiator", "alice", "--out", filepath.Join(dir, "alice.json"))
	if code != 1 || !strings.Contains(errOut, "alice made this request: an initiator's own approval never counts") {
		t.Fatalf("initiator's approval: exit %d %s", code, errOut)
	}
	if code, _, errOut := runWatch(t, "approval", "new", wpkhPSBT, "--approver", "bob", "--out", filepath.Join(dir, "b.json")); code != 1 || !strings.Contains(errOut, "--network is required") {
		t.Fatalf("without --network: exit %d %s", code, errOut)
	}
}

// checkPolicy is a policy whose treasury has bob (an ssh-keygen ed25519
// key) and dan (a coffer-watch approver key), with the wpkh fixture's
// external address on the withdrawal rule's list.
func checkPolicy(t *testing.T, dir string) string {
	t.Helper()
	pub := func(name string) string {
		b, err := os.ReadFile(filepath.Join(policyKeysDir, name+".pub"))
		if err != nil {
			t.Fatal(err)
		}
		f := strings.Fields(string(b))
		if strings.HasPrefix(f[0], approval.Ed25519Prefix) {
			return f[0]
		}
		return f[0] + " " + f[1]
	}
	text := `version: 1
network: regtest
admins:
  required: 1
  keys:
    - {id: alice, key: "` + pub("alice") + `"}
groups:
  treasury:
    - {id: bob, key: "` + pub("bob") + `"}
    - {id: dan, key: "` + pub("dan") + `"}
rules:
  - name: petty
    max_per_tx: 100000sat
    destinations: any
  - name: withdrawal
    destinations: [bcrt1qlf87mkg4juq3veea2zvwe7zprda2cnpjctc3y6]
    approvals: {group: treasury, required: 2}
`
	p := filepath.Join(dir, "policy.yaml")
	if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestPolicyCheckPreflight(t *testing.T) {
	keygen := sshKeygen(t)
	dir := t.TempDir()
	pol := checkPolicy(t, dir)
	bobKey := copyKey(t, dir, "bob")
	danKey := copyKey(t, dir, "dan.key")
	ap := filepath.Join(dir, "approvals")
	os.Mkdir(ap, 0o755)
	check := func(args ...string) (int, string, string) {
		return runWatch(t, append([]string{"--network", "regtest", "policy", "check", wpkhPSBT, "--policy", pol, "--descriptors", wpkhExport}, args...)...)
	}

	// 150000 sat leave the vault: petty refuses, withdrawal lacks approvals.
	code, out, errOut := check("--approvals", ap)
	if code != 11 || !strings.Contains(out, `rule 1 "petty": fail`) || !strings.Contains(out, "150000 sat leaves the vault, more than the rule's max_per_tx of 100000 sat") ||
		!strings.HasPrefix(errOut, "coffer-watch: error: "+wpkhPSBT+" would be refused by the spending policy") {
		t.Fatalf("without approvals: exit %d\n%s%s", code, out, errOut)
	}
	// Without the account descriptors the change counts as leaving too.
	code, out, _ = runWatch(t, "--network", "regtest", "policy", "check", wpkhPSBT, "--policy", pol)
	if code != 10 || !strings.Contains(out, "leaves the vault: 299000 sat") || !strings.Contains(out, "note: no --descriptors were given") {
		t.Fatalf("without descriptors: exit %d\n%s", code, out)
	}

	// bob approves with ssh-keygen, dan with coffer-watch approve.
	for _, who := range []string{"bob", "dan"} {
		doc := filepath.Join(ap, who+".json")
		if code, _, errOut := runWatch(t, "--network", "regtest", "approval", "new", wpkhPSBT, "--approver", who, "--initiator", "alice", "--out", doc); code != 0 {
			t.Fatalf("approval new %s: %s", who, errOut)
		}
	}
	if out, err := exec.Command(keygen, "-Y", "sign", "-f", bobKey, "-n", approval.NamespaceApproval, filepath.Join(ap, "bob.json")).CombinedOutput(); err != nil {
		t.Fatalf("ssh-keygen: %v\n%s", err, out)
	}
	if code, _, errOut := runWatch(t, "approve", filepath.Join(ap, "dan.json"), "--key", danKey); code != 0 {
		t.Fatalf("approve: %s", errOut)
	}
	code, out, errOut = check("--approvals", ap)
	if code != 0 || !strings.Contains(out, `policy: ALLOWED by rule "withdrawal"`) || !strings.Contains(out, "approved by: bob, dan") {
		t.Fatalf("with approvals: exit %d\n%s%s", code, out, errOut)
	}
	code, out, _ = check("--approvals", ap, "--json")
	var d struct {
		Allowed bool   `json:"allowed"`
		Rule    string `json:"rule"`
	}
	if err := json.Unmarshal([]byte(out), &d); code != 0 || err != nil || !d.Allowed || d.Rule != "withdrawal" {
		t.Fatalf("--json: exit %d %v\n%s", code, err, out)
	}

	// The approvals travel inside the PSBT.
	withAp := filepath.Join(dir, "request.approved.psbt")
	if code, _, errOut := runWatch(t, "--network", "regtest", "approval", "attach", wpkhPSBT, "--approvals", ap, "--out", withAp); code != 0 {
		t.Fatalf("attach: %s", errOut)
	}
	b, _ := os.ReadFile(withAp)
	p, err := sign.Decode(b, 0)
	if err != nil || p.Encoding() != sign.EncodingBase64 {
		t.Fatalf("attached PSBT: %v", err)
	}
	emb, err := approval.ReadEmbedded(p.Encode())
	if err != nil || len(emb.Approvals) != 2 {
		t.Fatalf("embedded approvals: %v", err)
	}
	code, out, _ = runWatch(t, "--network", "regtest", "policy", "check", withAp, "--policy", pol, "--descriptors", wpkhExport)
	if code != 0 || !strings.Contains(out, "approved by: bob, dan") {
		t.Fatalf("check of the PSBT with approvals inside: exit %d\n%s", code, out)
	}

	// A journal copy is verified before velocity reads it.
	journal := filepath.Join("testdata", "audit", "journal.jsonl")
	ceremony := filepath.Join("testdata", "audit", "ceremony.json")
	if code, out, errOut := check("--approvals", ap, "--journal", journal, "--ceremony", ceremony); code != 0 || strings.Contains(out, "no journal was given") || strings.Contains(out, "no --descriptors") {
		t.Fatalf("with the journal: exit %d\n%s%s", code, out, errOut)
	}
	jb, _ := os.ReadFile(journal)
	bad := filepath.Join(dir, "journal.jsonl")
	os.WriteFile(bad, []byte(strings.Replace(string(jb), `"network":"regtest"`, `"network":"regtesT"`, 1)), 0o644)
	if code, _, errOut := check("--approvals", ap, "--journal", bad, "--ceremony", ceremony); code != 1 || !strings.Contains(errOut, "does not verify") {
		t.Fatalf("tampered journal: exit %d %s", code, errOut)
	}
	if code, out, _ := check("--approvals", ap); code != 0 || !strings.Contains(out, "note: no journal was given") {
		t.Fatalf("no journal note: %s", out)
	}
}
