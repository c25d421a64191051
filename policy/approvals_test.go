package policy

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/coffer-custody/coffer/policy/approval"
	"github.com/coffer-custody/coffer/sign"
)

const approvalRule = `  - name: withdrawal
    destinations: any
    approvals: {group: treasury, required: 2}
`

// approvalCase evaluates the approval rule with the given approvals and
// initiator and returns the decision.
func evalApprovals(t *testing.T, pol *Policy, r *sign.Review, initiator string, as ...*approval.Approval) *Decision {
	t.Helper()
	return pol.Evaluate(Input{Review: r, Journal: NewState(), Clock: clock, Initiator: initiator, Approvals: as})
}

// wantVoid checks that the decision refused and that approval name is void
// with code c and a sentence containing each of words.
func wantVoid(t *testing.T, d *Decision, name string, c Code, words ...string) {
	t.Helper()
	if d.Allowed {
		t.Fatalf("allowed; want %s refused", name)
	}
	var re *RefusalError
	if !errors.As(d.Err(), &re) || !re.Has(c) {
		t.Fatalf("refusal %v does not have %s", d.Err(), c)
	}
	for _, st := range d.Approvals {
		if st.Name != name {
			continue
		}
		if st.Valid || st.Code != c {
			t.Fatalf("approval %s: valid=%v code=%s, want void %s", name, st.Valid, st.Code, c)
		}
		for _, w := range words {
			if !strings.Contains(st.Why, w) {
				t.Fatalf("approval %s: %q does not say %q", name, st.Why, w)
			}
		}
		return
	}
	t.Fatalf("no status for approval %s", name)
}

func TestApprovalRefusals(t *testing.T) {
	v := newVault(t)
	ps := newPeople(t)
	pol := mustParse(t, ps.policyText(approvalRule))
	r := v.review(t, txSpec{ins: []int64{10_000_000}, outs: []outSpec{pay("a", 5_000_000), change(4_990_000)}})
	other := v.review(t, txSpec{ins: []int64{10_000_000}, outs: []outSpec{pay("b", 5_000_000), change(4_990_000)}})
	bob := ps.bob.approve(t, r, "alice", clock.Add(-time.Hour), 24*time.Hour)
	carol := ps.carol.approve(t, r, "alice", clock.Add(-time.Hour), 24*time.Hour)

	t.Run("two approvals allow", func(t *testing.T) {
		d := evalApprovals(t, pol, r, "alice", bob, carol)
		if !d.Allowed {
			t.Fatal(d.Err())
		}
	})
	t.Run("expired", func(t *testing.T) {
		old := ps.carol.approve(t, r, "alice", clock.Add(-3*time.Hour), 2*time.Hour)
		wantVoid(t, evalApprovals(t, pol, r, "alice", bob, old), "carol.json", CodeApprovalExpired, "carol", "expired at 2025-06-11T11:00:00Z")
	})
	t.Run("expires exactly now", func(t *testing.T) {
		edge := ps.carol.approve(t, r, "alice", clock.Add(-time.Hour), time.Hour)
		wantVoid(t, evalApprovals(t, pol, r, "alice", bob, edge), "carol.json", CodeApprovalExpired)
	})
	t.Run("approver not in the policy", func(t *testing.T) {
		m := ps.mallory.approve(t, r, "alice", clock.Add(-time.Hour), 24*time.Hour)
		wantVoid(t, evalApprovals(t, pol, r, "alice", bob, m), "mallory.json", CodeApprovalUnknownApprover, "mallory")
	})
	t.Run("approver in another group", func(t *testing.T) {
		dan := ps.dan.approve(t, r, "alice", clock.Add(-time.Hour), 24*time.Hour)
		d := evalApprovals(t, pol, r, "alice", bob, dan)
		var re *RefusalError
		if !errors.As(d.Err(), &re) || !re.Has(CodeApprovalUnknownApprover) || !strings.Contains(re.Error(), "dan is not in group treasury") {
			t.Fatalf("refusal: %v", d.Err())
		}
	})
	t.Run("same person twice", func(t *testing.T) {
		again := ps.bob.approve(t, r, "alice", clock.Add(-30*time.Minute), 24*time.Hour)
		again.Name = "bob-again.json"
		wantVoid(t, evalApprovals(t, pol, r, "alice", bob, again), "bob-again.json", CodeApprovalDuplicate, "bob approved twice")
	})
	t.Run("another transaction", func(t *testing.T) {
		x := ps.carol.approve(t, other, "alice", clock.Add(-time.Hour), 24*time.Hour)
		wantVoid(t, evalApprovals(t, pol, r, "alice", bob, x), "carol.json", CodeApprovalOtherTx, other.TxID, r.TxID)
	})
	t.Run("another fee", func(t *testing.T) {
		x := resign(t, ps.carol, carol, func(d *approval.Document) { d.Fee++ })
		wantVoid(t, evalApprovals(t, pol, r, "alice", bob, x), "carol.json", CodeApprovalMismatch, "fee of 10001 sat")
	})
	t.Run("document changed after signing", func(t *testing.T) {
		raw := bytes.Replace(carol.Raw, []byte(`"reason": "test"`), []byte(`"reason": "tost"`), 1)
		x, err := approval.Parse("carol.json", raw, carol.Sig.Marshal())
		if err != nil {
			t.Fatal(err)
		}
		wantVoid(t, evalApprovals(t, pol, r, "alice", bob, x), "carol.json", CodeApprovalSignature, "signed bytes differ")
	})
	t.Run("signed by someone else", func(t *testing.T) {
		// erin signs a document that names carol as the approver
		x := resign(t, ps.erin, carol, func(*approval.Document) {})
		wantVoid(t, evalApprovals(t, pol, r, "alice", bob, x), "carol.json", CodeApprovalSignature, "carol")
	})
	t.Run("wrong namespace", func(t *testing.T) {
		sig, err := ps.carol.key.Sign(zeroRand{}, approval.NamespacePolicy, carol.Raw)
		if err != nil {
			t.Fatal(err)
		}
		x, err := approval.Parse("carol.json", carol.Raw, sig)
		if err != nil {
			t.Fatal(err)
		}
		wantVoid(t, evalApprovals(t, pol, r, "alice", bob, x), "carol.json", CodeApprovalSignature, "namespace")
	})
	t.Run("initiator approves own request", func(t *testing.T) {
		b := ps.bob.approve(t, r, "carol", clock.Add(-time.Hour), 24*time.Hour)
		c := ps.carol.approve(t, r, "carol", clock.Add(-time.Hour), 24*time.Hour)
		wantVoid(t, evalApprovals(t, pol, r, "carol", b, c), "carol.json", CodeApprovalInitiator, "carol initiated this request")
	})
	t.Run("initiator from the approvals", func(t *testing.T) {
		d := evalApprovals(t, pol, r, "", bob, carol)
		if !d.Allowed || d.Initiator != "alice" {
			t.Fatalf("initiator %q: %v", d.Initiator, d.Err())
		}
	})
	t.Run("approval names another initiator", func(t *testing.T) {
		x := ps.carol.approve(t, r, "bob", clock.Add(-time.Hour), 24*time.Hour)
		wantVoid(t, evalApprovals(t, pol, r, "alice", bob, x), "carol.json", CodeApprovalMismatch, "names bob as the initiator")
	})
	t.Run("initiator unknown", func(t *testing.T) {
		b := ps.bob.approve(t, r, "", clock.Add(-time.Hour), 24*time.Hour)
		c := ps.carol.approve(t, r, "", clock.Add(-time.Hour), 24*time.Hour)
		d := evalApprovals(t, pol, r, "", b, c)
		var re *RefusalError
		if !errors.As(d.Err(), &re) || !re.Has(CodeInitiatorUnknown) || !re.NeedsApprovals {
			t.Fatalf("refusal: %v", d.Err())
		}
	})
	t.Run("approval time moves the clock forward", func(t *testing.T) {
		later := clock.Add(3 * time.Hour)
		c := ps.carol.approve(t, r, "alice", later, time.Hour)
		d := evalApprovals(t, pol, r, "alice", bob, c)
		if !d.Allowed || !d.Now.Equal(later) || !d.Clock.Equal(clock) || len(d.Notes) == 0 {
			t.Fatalf("now %s clock %s notes %q: %v", d.Now, d.Clock, d.Notes, d.Err())
		}
		// the moved time expires bob's approval made for a shorter life
		short := ps.bob.approve(t, r, "alice", clock.Add(-time.Hour), 2*time.Hour)
		wantVoid(t, evalApprovals(t, pol, r, "alice", short, c), "bob.json", CodeApprovalExpired)
	})
	t.Run("an unsigned claim does not move the clock", func(t *testing.T) {
		m := ps.mallory.approve(t, r, "alice", clock.Add(48*time.Hour), time.Hour)
		d := evalApprovals(t, pol, r, "alice", bob, carol, m)
		if !d.Now.Equal(clock) {
			t.Fatalf("mallory's approval moved the time to %s", d.Now)
		}
	})
}

// resign edits a's document and has p sign the new bytes.
func resign(t *testing.T, p person, a *approval.Approval, edit func(*approval.Document)) *approval.Approval {
	t.Helper()
	doc := *a.Doc
	edit(&doc)
	raw, err := doc.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	sig, err := p.key.Sign(zeroRand{}, approval.NamespaceApproval, raw)
	if err != nil {
		t.Fatal(err)
	}
	x, err := approval.Parse(a.Name, raw, sig)
	if err != nil {
		t.Fatal(err)
	}
	return x
}

// TestSSHKeygenApprovals: approvals signed by the real `ssh-keygen -Y
// sign` with ed25519 and ECDSA keys count; ssh-keygen verifies Coffer's own
// signatures too.
func TestSSHKeygenApprovals(t *testing.T) {
	sshKeygen, err := exec.LookPath("ssh-keygen")
	if err != nil {
		if os.Getenv("COFFER_REQUIRE_INTEROP") == "1" {
			t.Fatal("ssh-keygen is required (COFFER_REQUIRE_INTEROP=1)")
		}
		t.Skip("ssh-keygen is not installed (apt-get install openssh-client)")
	}
	dir := t.TempDir()
	gen := func(name, typ string) string {
		path := filepath.Join(dir, name)
		args := []string{"-q", "-t", typ, "-N", "", "-C", name, "-f", path}
		if typ == "ecdsa" {
			args = append(args, "-b", "256")
		}
		if out, err := exec.Command(sshKeygen, args...).CombinedOutput(); err != nil {
			t.Fatalf("ssh-keygen: %v\n%s", err, out)
		}
		pub, err := os.ReadFile(path + ".pub")
		if err != nil {
			t.Fatal(err)
		}
		return strings.TrimSpace(string(pub))
	}
	bobPub := gen("bob", "ed25519")
	carolPub := gen("carol", "ecdsa")
	ps := newPeople(t)
	text := strings.Replace(ps.policyText(approvalRule), ps.bob.line(), `{id: bob, key: "`+bobPub+`"}`, 1)
	text = strings.Replace(text, ps.carol.line(), `{id: carol, key: "`+carolPub+`"}`, 1)
	pol := mustParse(t, text)

	v := newVault(t)
	r := v.review(t, txSpec{ins: []int64{10_000_000}, outs: []outSpec{pay("a", 5_000_000), change(4_990_000)}})
	sshApprove := func(who string, ns string) *approval.Approval {
		doc, err := approval.New(approval.Request{Review: r, Approver: who, Initiator: "alice", Created: clock.Add(-time.Hour), Lifetime: 24 * time.Hour})
		if err != nil {
			t.Fatal(err)
		}
		raw, err := doc.Marshal()
		if err != nil {
			t.Fatal(err)
		}
		docPath := filepath.Join(dir, who+"-"+ns+".json")
		if err := os.WriteFile(docPath, raw, 0o600); err != nil {
			t.Fatal(err)
		}
		if out, err := exec.Command(sshKeygen, "-Y", "sign", "-f", filepath.Join(dir, who), "-n", ns, docPath).CombinedOutput(); err != nil {
			t.Fatalf("ssh-keygen -Y sign: %v\n%s", err, out)
		}
		a, err := approval.ReadFiles(docPath, docPath+approval.SigSuffix)
		if err != nil {
			t.Fatal(err)
		}
		return a
	}
	b, c := sshApprove("bob", approval.NamespaceApproval), sshApprove("carol", approval.NamespaceApproval)
	if b.Sig.PublicKey().Type() != "ssh-ed25519" || c.Sig.PublicKey().Type() != "ecdsa-sha2-nistp256" {
		t.Fatalf("key types %s %s", b.Sig.PublicKey().Type(), c.Sig.PublicKey().Type())
	}
	d := evalApprovals(t, pol, r, "alice", b, c)
	if !d.Allowed {
		t.Fatalf("ssh-keygen approvals refused: %v", d.Err())
	}
	// An ssh-keygen signature in the admins' namespace is not an approval.
	wrong := sshApprove("carol", approval.NamespacePolicy)
	wantVoid(t, evalApprovals(t, pol, r, "alice", b, wrong), wrong.Name, CodeApprovalSignature, "namespace")

	// ssh-keygen -Y verify accepts a signature made by an approver key.
	raw := b.Raw
	sig, err := ps.erin.key.Sign(nil, approval.NamespaceApproval, raw)
	if err != nil {
		t.Fatal(err)
	}
	docPath := filepath.Join(dir, "erin.json")
	os.WriteFile(docPath, raw, 0o600)
	os.WriteFile(docPath+".sig", sig, 0o600)
	allowed := filepath.Join(dir, "allowed_signers")
	os.WriteFile(allowed, []byte("erin "+ps.erin.key.Public().AuthorizedKey()+"\n"), 0o600)
	cmd := exec.Command(sshKeygen, "-Y", "verify", "-f", allowed, "-I", "erin", "-n", approval.NamespaceApproval, "-s", docPath+".sig")
	cmd.Stdin = bytes.NewReader(raw)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("ssh-keygen -Y verify refused Coffer's signature: %v\n%s", err, out)
	}
	// and ssh-keygen can sign with the key file coffer-watch writes
	keyFile, err := ps.erin.key.Marshal("erin")
	if err != nil {
		t.Fatal(err)
	}
	kp := filepath.Join(dir, "erin.key")
	os.WriteFile(kp, keyFile, 0o600)
	os.Remove(docPath + ".sig")
	if out, err := exec.Command(sshKeygen, "-Y", "sign", "-f", kp, "-n", approval.NamespaceApproval, docPath).CombinedOutput(); err != nil {
		t.Fatalf("ssh-keygen cannot sign with an approver key file: %v\n%s", err, out)
	}
	a, err := approval.ReadFiles(docPath, docPath+".sig")
	if err != nil {
		t.Fatal(err)
	}
	if err := a.Verify(ps.erin.key.Public()); err != nil {
		t.Fatal(err)
	}
}
