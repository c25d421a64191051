package auditcmd

import (
	"bytes"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/coffer-custody/coffer/audit"
	"github.com/coffer-custody/coffer/keygen"
	"github.com/coffer-custody/coffer/policy"
	"github.com/coffer-custody/coffer/policy/approval"
	"github.com/coffer-custody/coffer/sign"
	"github.com/coffer-custody/coffer/wallet"
)

// The replay fixtures: the review of testdata/psbt/cli/wpkh.psbt made by
// sign.Analyze for the "abandon … about" vault on regtest (150000 sat
// leave the vault), approvals signed by a generated key, and journals
// written with audit.Append as coffer sign writes its entries.

const replayMnemonic = "abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about"

var replayT0 = time.Date(2026, 8, 20, 10, 0, 0, 0, time.UTC)

// wpkhReview reviews the CLI fixture wpkh.psbt as coffer sign does.
func wpkhReview(t testing.TB) *sign.Review {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("..", "..", "testdata", "psbt", "cli", "wpkh.psbt"))
	if err != nil {
		t.Fatal(err)
	}
	p, err := sign.Decode(data, 0)
	if err != nil {
		t.Fatal(err)
	}
	m, err := wallet.MasterFromSeed(keygen.Seed([]byte(replayMnemonic), nil), wallet.Regtest)
	if err != nil {
		t.Fatal(err)
	}
	fp := wallet.Fingerprint(m)
	w := sign.Wallets{Network: wallet.Regtest, Fingerprint: fp}
	path := wallet.Path{84 + wallet.Hardened, 1 + wallet.Hardened, wallet.Hardened}
	k, err := wallet.DerivePath(m, path)
	if err != nil {
		t.Fatal(err)
	}
	pub, err := wallet.Neuter(k)
	if err != nil {
		t.Fatal(err)
	}
	d, err := wallet.SingleSigDescriptor(wallet.ScriptWPKH, wallet.AccountKey{Origin: wallet.KeyOrigin{Fingerprint: fp, Path: path}, XPub: pub})
	if err != nil {
		t.Fatal(err)
	}
	w.Accounts = append(w.Accounts, sign.Wallet{Name: "wpkh-0", Descriptor: d})
	r, err := sign.Analyze(p, w)
	if err != nil {
		t.Fatal(err)
	}
	if r.Sent != 150000 || r.OursToSign != 2 {
		t.Fatalf("fixture review: sent %d, ours %d", r.Sent, r.OursToSign)
	}
	return r
}

// replayKeys are the policy's admin and approver keys (generated from
// fixed bytes).
type replayKeys struct {
	alice, bob *approval.PrivateKey
}

func newReplayKeys(t testing.TB) *replayKeys {
	t.Helper()
	gen := func(b byte) *approval.PrivateKey {
		k, err := approval.GenerateKey(bytes.NewReader(bytes.Repeat([]byte{b}, 64)))
		if err != nil {
			t.Fatal(err)
		}
		return k
	}
	return &replayKeys{alice: gen(1), bob: gen(2)}
}

// policyA: "approved" (bob's approval, up to 1 btc) is tried before
// "petty" (200000 sat a transaction, 250000 sat in 24h).
func (k *replayKeys) policyA() []byte {
	return []byte(`version: 1
network: regtest
admins:
  required: 1
  keys:
    - {id: alice, key: "` + k.alice.Public().String() + `"}
groups:
  treasury:
    - {id: bob, key: "` + k.bob.Public().String() + `"}
rules:
  - name: approved
    max_per_tx: 1btc
    destinations: any
    approvals: {group: treasury, required: 1}
  - name: petty
    max_per_tx: 200000sat
    velocity: {limit: 250000sat, window: 24h}
    destinations: any
`)
}

// policyB allows at most 100000 sat a transaction.
func (k *replayKeys) policyB() []byte {
	return []byte(`version: 1
network: regtest
serial: 2
admins:
  required: 1
  keys:
    - {id: alice, key: "` + k.alice.Public().String() + `"}
rules:
  - name: small
    max_per_tx: 200000sat
    destinations: any
`)
}

// approve makes bob's approval of r, initiated by alice.
func (k *replayKeys) approve(t testing.TB, r *sign.Review, created time.Time, life time.Duration) *approval.Approval {
	t.Helper()
	d, err := approval.New(approval.Request{Review: r, Approver: "bob", Initiator: "alice", Created: created, Lifetime: life})
	if err != nil {
		t.Fatal(err)
	}
	doc, err := d.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	sig, err := k.bob.Sign(bytes.NewReader(bytes.Repeat([]byte{9}, 64)), approval.NamespaceApproval, doc)
	if err != nil {
		t.Fatal(err)
	}
	a, err := approval.Parse("approvals/bob.json", doc, sig)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// signData is a sign entry as coffer sign writes it (the fields replay reads).
type testSignData struct {
	TxID      string          `json:"txid"`
	Network   string          `json:"network"`
	SpentSats int64           `json:"spent_sats"`
	Policy    *recordedPolicy `json:"policy,omitempty"`
	Replay    *SignReplay     `json:"replay,omitempty"`
}

func signedUnder(t testing.TB, r *sign.Review, pol []byte, rule string, at time.Time, initiator string, aps ...*approval.Approval) testSignData {
	t.Helper()
	rp, err := NewSignReplay(r, initiator, aps)
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(pol)
	return testSignData{TxID: r.TxID, Network: r.Network, SpentSats: int64(r.Sent),
		Policy: &recordedPolicy{Rule: rule, SHA256: hex.EncodeToString(sum[:]), Time: at}, Replay: rp}
}

func install(pol []byte) policy.InstallRecord {
	sum := sha256.Sum256(pol)
	return policy.InstallRecord{SHA256: hex.EncodeToString(sum[:]), Rules: []string{"x"}, Signers: []string{}, First: true}
}

type journalEntry struct {
	at   time.Time
	kind string
	data any
}

func writeJournal(t testing.TB, dir string, entries []journalEntry) (string, ed25519.PublicKey) {
	t.Helper()
	key, err := audit.JournalKey(bytes.Repeat([]byte{7}, 64))
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "journal.jsonl")
	for _, e := range entries {
		if _, err := audit.Append(path, key, e.kind, e.data, e.at); err != nil {
			t.Fatal(err)
		}
	}
	return path, key.Public().(ed25519.PublicKey)
}

func TestReplay(t *testing.T) {
	r := wpkhReview(t)
	k := newReplayKeys(t)
	polA, polB := k.policyA(), k.policyB()
	at := func(d time.Duration) time.Time { return replayT0.Add(d) }
	mod := func(d testSignData, f func(*testSignData)) testSignData { f(&d); return d }

	omitted := signedUnder(t, r, polA, "petty", at(70*time.Hour), "")
	omitted.Replay.Omit("too large")
	entries := []journalEntry{
		{at(-100 * time.Hour), audit.KindRestore, map[string]any{"ceremony_sha256": strings.Repeat("0", 64)}},
		// 2: before any policy, with --no-policy (two days before: outside every window).
		{at(-50 * time.Hour), audit.KindSign, testSignData{TxID: r.TxID, Network: "regtest", SpentSats: 150000, Policy: &recordedPolicy{NoPolicy: true, Time: at(-50 * time.Hour)}}},
		{at(2 * time.Minute), audit.KindPolicyInstall, install(polA)},
		// 4: petty, 150000 of 250000 in the window: passes.
		{at(3 * time.Minute), audit.KindSign, signedUnder(t, r, polA, "petty", at(3*time.Minute), "")},
		// 5: a second 150000 in the window (a signer that ignored velocity): fails.
		{at(4 * time.Minute), audit.KindSign, signedUnder(t, r, polA, "petty", at(4*time.Minute), "")},
		// 6: 25 hours later the window is empty again: passes.
		{at(25 * time.Hour), audit.KindSign, signedUnder(t, r, polA, "petty", at(25*time.Hour), "")},
		// 7: bob approved, alice initiated: "approved" allows it.
		{at(26 * time.Hour), audit.KindSign, signedUnder(t, r, polA, "approved", at(26*time.Hour), "alice", k.approve(t, r, at(25*time.Hour), 24*time.Hour))},
		// 8: bob's approval had expired at the decision, and petty's window is full: fails.
		{at(27 * time.Hour), audit.KindSign, signedUnder(t, r, polA, "approved", at(27*time.Hour), "alice", k.approve(t, r, at(20*time.Hour), time.Hour))},
		// 9: recorded as "approved" without an approval; petty allows it first.
		{at(60 * time.Hour), audit.KindSign, signedUnder(t, r, polA, "approved", at(60*time.Hour), "")},
		// 10: the entry names policy B, which was not in force.
		{at(61 * time.Hour), audit.KindSign, signedUnder(t, r, polB, "small", at(61*time.Hour), "")},
		// 11: the review was too large to journal.
		{at(70 * time.Hour), audit.KindSign, omitted},
		// 12: an older entry without the review.
		{at(71 * time.Hour), audit.KindSign, mod(signedUnder(t, r, polA, "petty", at(71*time.Hour), ""), func(d *testSignData) { d.Replay = nil })},
		// 13: spent_sats is not the review's amount (velocity would count less).
		{at(100 * time.Hour), audit.KindSign, mod(signedUnder(t, r, polA, "petty", at(100*time.Hour), ""), func(d *testSignData) { d.SpentSats = 1 })},
		// 14: the decision time is after the entry's time.
		{at(130 * time.Hour), audit.KindSign, signedUnder(t, r, polA, "petty", at(131*time.Hour), "")},
		{at(150 * time.Hour), audit.KindPolicyInstall, install(polB)},
		// 16: under policy B: passes when B is given.
		{at(151 * time.Hour), audit.KindSign, signedUnder(t, r, polB, "small", at(151*time.Hour), "")},
		// 17: the decision at 151h is before the entry before it (seq 16 at 151h is equal: allowed); at 150h it is behind.
		{at(152 * time.Hour), audit.KindSign, signedUnder(t, r, polB, "small", at(150*time.Hour+time.Minute), "")},
	}
	path, pub := writeJournal(t, t.TempDir(), entries)

	want := map[uint64]ReplayStatus{
		2: StatusNoPolicy, 5: StatusFailed, 8: StatusFailed, 9: StatusFailed, 10: StatusFailed,
		11: StatusNotCheckable, 12: StatusNotCheckable, 13: StatusFailed, 14: StatusFailed, 17: StatusFailed,
	}
	whyHas := map[uint64]string{
		2:  "signed with --no-policy: no spending policy was installed",
		5:  "150000 sat already left the vault in the last 24h and this transaction adds 150000 sat: 300000 sat is above the rule's velocity limit of 250000 sat",
		8:  "bob's approval expired at 2026-08-21T07:00:00Z",
		9:  `on replay rule "petty" allows it first, but the entry records rule "approved"`,
		10: "but the policy in force was",
		11: "the review was not journaled (too large)",
		12: "the entry records no review",
		13: "the entry's spent_sats 1 (what velocity limits count) is not the review's 150000 sat sent",
		14: "the recorded decision time 2026-08-25T21:00:00.000Z is after the entry's own time 2026-08-25T20:00:00.000Z",
		17: "earlier than the journal's last entry",
	}
	want0 := want
	check := func(t *testing.T, rep *ReplayReport, want map[uint64]ReplayStatus) {
		t.Helper()
		got := map[uint64]ReplayedSigning{}
		for _, s := range rep.Signings {
			got[s.Seq] = s
		}
		for seq, st := range want {
			s, ok := got[seq]
			if !ok {
				t.Errorf("seq %d passed, want %s", seq, st)
				continue
			}
			if s.Status != st {
				t.Errorf("seq %d: %s %q, want %s", seq, s.Status, s.Why, st)
			}
			if w := whyHas[seq]; w != "" && st == want0[seq] && !strings.Contains(strings.Join(s.Why, "\n"), w) {
				t.Errorf("seq %d: why %q lacks %q", seq, s.Why, w)
			}
		}
		for seq, s := range got {
			if _, ok := want[seq]; !ok {
				t.Errorf("seq %d: %s %q, want passed", seq, s.Status, s.Why)
			}
		}
	}

	t.Run("both policies", func(t *testing.T) {
		rep, err := Replay(path, ReplayOptions{PublicKey: pub, Policies: []PolicyFile{{"a.yaml", polA}, {"b.yaml", polB}}})
		if err != nil {
			t.Fatal(err)
		}
		check(t, rep, want)
		if rep.Total != 14 || rep.Passed != 4 || rep.Failed != 7 || rep.NoPolicy != 1 || rep.NotCheckable != 2 || rep.PolicyMissing != 0 || rep.Valid || !rep.Verified {
			t.Errorf("counts %+v", rep)
		}
		if len(rep.Policies) != 2 || rep.Policies[0].File != "a.yaml" || rep.Policies[0].Signings != 11 || rep.Policies[1].File != "b.yaml" || rep.Policies[1].Signings != 2 {
			t.Errorf("policies %+v", rep.Policies)
		}
		if len(rep.UnusedFiles) != 0 {
			t.Errorf("unused %v", rep.UnusedFiles)
		}
	})
	t.Run("policy B missing", func(t *testing.T) {
		rep, err := Replay(path, ReplayOptions{PublicKey: pub, Policies: []PolicyFile{{"a.yaml", polA}, {"other.yaml", []byte("x")}}})
		if err != nil {
			t.Fatal(err)
		}
		w := map[uint64]ReplayStatus{16: StatusPolicyMissing}
		for s, st := range want {
			w[s] = st
		}
		w[17] = StatusPolicyMissing
		check(t, rep, w)
		if rep.PolicyMissing != 2 || len(rep.UnusedFiles) != 1 || rep.UnusedFiles[0] != "other.yaml" || rep.Policies[1].File != "" {
			t.Errorf("report %+v", rep)
		}
	})
	t.Run("only good signings", func(t *testing.T) {
		good := []journalEntry{entries[0], entries[2], entries[3], entries[5], entries[6]}
		p, pub := writeJournal(t, t.TempDir(), good)
		rep, err := Replay(p, ReplayOptions{PublicKey: pub, Policies: []PolicyFile{{"a.yaml", polA}}})
		if err != nil {
			t.Fatal(err)
		}
		if !rep.Valid || rep.Passed != 3 || rep.Total != 3 || len(rep.Signings) != 0 {
			t.Errorf("report %+v", rep)
		}
	})
	t.Run("tampered journal", func(t *testing.T) {
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		bad := filepath.Join(t.TempDir(), "bad.jsonl")
		if err := os.WriteFile(bad, bytes.Replace(data, []byte(`"rule":"small"`), []byte(`"rule":"smalL"`), 1), 0o600); err != nil {
			t.Fatal(err)
		}
		rep, err := Replay(bad, ReplayOptions{PublicKey: pub, Policies: []PolicyFile{{"a.yaml", polA}, {"b.yaml", polB}}})
		var ve *audit.VerifyError
		if err == nil || !errorsAs(err, &ve) || ve.Seq != 10 || ve.Reason != audit.ReasonSignature {
			t.Fatalf("err %v", err)
		}
		if rep.Valid || rep.Verified || rep.Failure == nil || rep.Failure.Seq != 10 || rep.Total != 7 {
			t.Errorf("report %+v", rep)
		}
	})
	t.Run("wrong key", func(t *testing.T) {
		other := make(ed25519.PublicKey, ed25519.PublicKeySize)
		rep, err := Replay(path, ReplayOptions{PublicKey: other})
		if err == nil || rep.Valid || rep.Total != 0 {
			t.Fatalf("err %v, report %+v", err, rep)
		}
	})
}

// TestSignReplayRecords: NewSignReplay records the approvals' exact bytes
// and the review's hash; Omit keeps only the hash.
func TestSignReplayRecords(t *testing.T) {
	r := wpkhReview(t)
	k := newReplayKeys(t)
	a := k.approve(t, r, replayT0, time.Hour)
	s, err := NewSignReplay(r, "alice", []*approval.Approval{a})
	if err != nil {
		t.Fatal(err)
	}
	back, err := recordedApprovals(s.Approvals)
	if err != nil {
		t.Fatal(err)
	}
	if len(back) != 1 || !bytes.Equal(back[0].Raw, a.Raw) || !bytes.Equal(back[0].Sig.Marshal(), a.Sig.Marshal()) || back[0].Name != a.Name {
		t.Fatalf("approvals %+v", back)
	}
	if err := back[0].Verify(k.bob.Public()); err != nil {
		t.Fatal(err)
	}
	if len(s.ReviewSHA256) != 64 || s.Initiator != "alice" {
		t.Fatalf("%+v", s)
	}
	sum := s.ReviewSHA256
	s.Omit("why")
	if s.Review != nil || len(s.Approvals) != 0 || s.ReviewSHA256 != sum || s.Omitted != "why" {
		t.Fatalf("%+v", s)
	}
	for _, bad := range [][]RecordedApproval{
		{{Name: "x", Doc: "!!", Sig: s.ReviewSHA256}},
		{{Name: "x", Doc: "e30K", Sig: "!!"}},
		{{Name: "x", Doc: "e30K", Sig: "e30K"}},
	} {
		if _, err := recordedApprovals(bad); err == nil {
			t.Errorf("%+v: no error", bad)
		}
	}
}

func errorsAs(err error, target any) bool { return errors.As(err, target) }

// FuzzReplay: whatever a sign entry's data holds (it is the signer's
// claim), replay decides it without panicking and gives it one status.
func FuzzReplay(f *testing.F) {
	r := wpkhReview(f)
	k := newReplayKeys(f)
	polA := k.policyA()
	at := replayT0.Add(time.Hour)
	for _, d := range []testSignData{
		signedUnder(f, r, polA, "petty", at, ""),
		signedUnder(f, r, polA, "approved", at, "alice", k.approve(f, r, replayT0, 24*time.Hour)),
		{TxID: r.TxID, Network: "regtest", SpentSats: 1, Policy: &recordedPolicy{NoPolicy: true}},
	} {
		b, err := json.Marshal(d)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte(`{"policy":{"sha256":"x"},"replay":{"review":{"outputs":[{"script":"zz"}]},"approvals":[{"doc":"","sig":""}]}}`))
	dir := f.TempDir()
	base, pub := writeJournal(f, dir, []journalEntry{
		{replayT0, audit.KindRestore, map[string]any{}},
		{replayT0, audit.KindPolicyInstall, install(polA)},
	})
	baseData, err := os.ReadFile(base)
	if err != nil {
		f.Fatal(err)
	}
	key, err := audit.JournalKey(bytes.Repeat([]byte{7}, 64))
	if err != nil {
		f.Fatal(err)
	}
	n := 0
	f.Fuzz(func(t *testing.T, data []byte) {
		n++
		path := filepath.Join(dir, fmt.Sprintf("j%d.jsonl", n))
		defer os.Remove(path)
		if err := os.WriteFile(path, baseData, 0o600); err != nil {
			t.Fatal(err)
		}
		if _, err := audit.Append(path, key, audit.KindSign, json.RawMessage(data), at); err != nil {
			return // not a JSON object: no journal entry can hold it
		}
		rep, err := Replay(path, ReplayOptions{PublicKey: pub, Policies: []PolicyFile{{"a.yaml", polA}}})
		if err != nil {
			// The policy state refuses a sign entry without an integer
			// spent_sats, as the signer's velocity check does.
			var ve *audit.VerifyError
			if !errors.As(err, &ve) || ve.Reason != audit.ReasonRejected || ve.Seq != 3 || rep.Valid {
				t.Fatalf("err %v", err)
			}
			return
		}
		if rep.Total != 1 || rep.Passed+rep.Failed+rep.NoPolicy+rep.NotCheckable+rep.PolicyMissing != 1 {
			t.Fatalf("report %+v", rep)
		}
		if rep.Passed == 0 && (len(rep.Signings) != 1 || len(rep.Signings[0].Why) == 0) {
			t.Fatalf("a signing that did not pass says no why: %+v", rep.Signings)
		}
	})
}
