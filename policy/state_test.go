package policy

import (
	"bytes"
	"crypto/ed25519"
	"encoding/hex"
	"errors"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/coffer-custody/coffer/audit"
)

func TestVelocityAcrossSignings(t *testing.T) {
	v := newVault(t)
	ps := newPeople(t)
	pol := mustParse(t, ps.policyText("  - name: daily\n    velocity: {limit: 1btc, window: 24h}\n    destinations: any\n"))
	j := newJournal(t)
	r := v.review(t, txSpec{ins: []int64{100_000_000}, outs: []outSpec{pay("a", 30_000_000), change(69_990_000)}})

	// Three signings of 0.3 BTC fit; the fourth does not; a day after the
	// first it fits again.
	at := clock
	for i := 0; i < 3; i++ {
		d := pol.Evaluate(Input{Review: r, Journal: j.state(t), Clock: at})
		if !d.Allowed {
			t.Fatalf("signing %d refused: %v", i+1, d.Err())
		}
		j.spend(t, int64(d.Amount), at)
		at = at.Add(time.Hour)
	}
	d := pol.Evaluate(Input{Review: r, Journal: j.state(t), Clock: at})
	var re *RefusalError
	if !errors.As(d.Err(), &re) || !re.Has(CodeVelocity) || d.Rules[0].Spent != 90_000_000 {
		t.Fatalf("fourth signing: spent %d, %v", d.Rules[0].Spent, d.Err())
	}
	if !strings.Contains(re.Error(), "90000000 sat already left the vault in the last 24h") {
		t.Fatalf("message: %v", re)
	}
	// The window slides: at clock+24h the first signing has left it.
	d = pol.Evaluate(Input{Review: r, Journal: j.state(t), Clock: clock.Add(24 * time.Hour)})
	if !d.Allowed || d.Rules[0].Spent != 60_000_000 {
		t.Fatalf("after the window slid: spent %d, %v", d.Rules[0].Spent, d.Err())
	}
}

func TestClockSetBack(t *testing.T) {
	v := newVault(t)
	ps := newPeople(t)
	pol := mustParse(t, ps.policyText("  - name: daily\n    velocity: {limit: 1btc, window: 24h}\n    destinations: any\n"))
	j := newJournal(t)
	j.spend(t, 90_000_000, clock)
	r := v.review(t, txSpec{ins: []int64{100_000_000}, outs: []outSpec{pay("a", 30_000_000), change(69_990_000)}})

	// Setting the clock back a week would reopen the window: refused.
	d := pol.Evaluate(Input{Review: r, Journal: j.state(t), Clock: clock.Add(-7 * 24 * time.Hour)})
	var re *RefusalError
	if !errors.As(d.Err(), &re) || !re.Has(CodeClockBehind) || !strings.Contains(re.Error(), "earlier than the journal's last entry (seq 1 at 2025-06-11T12:00:00Z)") {
		t.Fatalf("clock set back: %v", d.Err())
	}
	// The journal itself refuses to record an act before its last entry.
	if _, err := audit.Append(j.path, j.key, audit.KindRefusal, nil, clock.Add(-time.Hour)); !errors.As(err, new(*audit.ClockBehindError)) {
		t.Fatalf("journal accepted a time before its last entry: %v", err)
	}
}

func TestTamperedJournal(t *testing.T) {
	j := newJournal(t)
	j.spend(t, 90_000_000, clock)
	j.spend(t, 5_000_000, clock.Add(time.Minute))
	j.spend(t, 1_000_000, clock.Add(2*time.Minute))
	pub := j.key.Public().(ed25519.PublicKey)
	good, err := os.ReadFile(j.path)
	if err != nil {
		t.Fatal(err)
	}
	lines := bytes.SplitAfter(good, []byte("\n"))
	cases := map[string][]byte{
		"edited amount": bytes.Replace(good, []byte(`"spent_sats":90000000`), []byte(`"spent_sats":9000000`), 1),
		"entry removed": append(append([]byte{}, lines[0]...), lines[2]...),
		"reordered":     append(append(append([]byte{}, lines[1]...), lines[0]...), lines[2]...),
	}
	for name, b := range cases {
		t.Run(name, func(t *testing.T) {
			_, _, err := ReadState(bytes.NewReader(b), pub)
			var ve *audit.VerifyError
			if !errors.As(err, &ve) {
				t.Fatalf("tampered journal read: %v", err)
			}
		})
	}
	s, rep, err := ReadState(bytes.NewReader(good), pub)
	if err != nil || rep.Entries != 3 || s.SpentIn(time.Hour, clock.Add(5*time.Minute)) != 96_000_000 || s.Signings() != 3 {
		t.Fatalf("good journal: %v", err)
	}
}

func TestSuspendLockResume(t *testing.T) {
	v := newVault(t)
	ps := newPeople(t)
	pol := mustParse(t, ps.policyText("  - name: petty\n    max_per_tx: 1btc\n    destinations: any\n"))
	r := v.review(t, txSpec{ins: []int64{100_000_000}, outs: []outSpec{pay("a", 30_000_000), change(69_990_000)}})
	j := newJournal(t)
	eval := func(at time.Time) *Decision { return pol.Evaluate(Input{Review: r, Journal: j.state(t), Clock: at}) }

	susp := j.add(t, audit.KindKeySuspend, SuspendRecord{Reason: "laptop of the officer lost"}, clock)
	d := eval(clock.Add(time.Minute))
	var re *RefusalError
	if !errors.As(d.Err(), &re) || !re.Has(CodeSuspended) || !strings.Contains(re.Error(), "suspended since 2025-06-11T12:00:00Z (journal seq 1): laptop of the officer lost") {
		t.Fatalf("suspended: %v", d.Err())
	}
	if len(d.Rules) != 1 || !d.Rules[0].Passed {
		t.Fatal("rules are still evaluated and shown while suspended")
	}
	st := j.state(t)
	if h := st.Hold(); h == nil || h.Seq != susp.Seq || h.Hash != susp.Hash || h.Locked {
		t.Fatalf("hold %+v", h)
	}
	stmt := string(ResumeStatement(st.Hold()))
	if !strings.Contains(stmt, "journal entry: seq 1 sha256 "+hex.EncodeToString(susp.Hash[:])) || !strings.Contains(stmt, "why: laptop of the officer lost\n") {
		t.Fatalf("statement:\n%s", stmt)
	}
	j.add(t, audit.KindKeyResume, ResumeRecord{Signers: []string{"alice", "dan"}, HoldSeq: 1}, clock.Add(time.Minute))
	if d := eval(clock.Add(2 * time.Minute)); !d.Allowed {
		t.Fatalf("after resume: %v", d.Err())
	}

	// Ten refusals in a row lock the signer; nine do not; a signing resets.
	at := clock.Add(time.Hour)
	for i := 0; i < LockAfterRefusals-1; i++ {
		j.add(t, audit.KindRefusal, map[string]any{"by": "policy"}, at)
	}
	j.spend(t, 1, at)
	for i := 0; i < LockAfterRefusals-1; i++ {
		j.add(t, audit.KindRefusal, map[string]any{"by": "policy"}, at)
	}
	if d := eval(at); !d.Allowed || j.state(t).Streak() != LockAfterRefusals-1 {
		t.Fatalf("nine refusals locked the signer: %v", d.Err())
	}
	tenth := j.add(t, audit.KindRefusal, map[string]any{"by": "policy"}, at)
	d = eval(at)
	if !errors.As(d.Err(), &re) || !re.Has(CodeLocked) || !strings.Contains(re.Error(), "after 10 refusals in a row") {
		t.Fatalf("tenth refusal: %v", d.Err())
	}
	if h := j.state(t).Hold(); h == nil || !h.Locked || h.Seq != tenth.Seq {
		t.Fatalf("lock hold %+v", h)
	}
	j.add(t, audit.KindRefusal, map[string]any{"by": "policy"}, at)
	if h := j.state(t).Hold(); h.Seq != tenth.Seq {
		t.Fatal("more refusals moved the hold a resume statement names")
	}
	j.add(t, audit.KindKeyResume, ResumeRecord{Signers: []string{"alice", "dan"}}, at)
	if d := eval(at); !d.Allowed {
		t.Fatalf("after resume: %v", d.Err())
	}
}

func TestInstalledHistory(t *testing.T) {
	j := newJournal(t)
	var a, b [32]byte
	a[0], b[0] = 1, 2
	j.add(t, audit.KindPolicyInstall, InstallRecord{SHA256: hex.EncodeToString(a[:]), Serial: 1, First: true, Present: []string{"alice"}}, clock)
	j.add(t, audit.KindPolicyInstall, InstallRecord{SHA256: hex.EncodeToString(b[:]), Serial: 2, Signers: []string{"alice", "dan"}}, clock)
	s := j.state(t)
	if in := s.Installed(); in == nil || in.SHA256 != b || in.Serial != 2 || in.Seq != 2 {
		t.Fatalf("installed %+v", in)
	}
	if seq, ok := s.InstalledBefore(a); !ok || seq != 1 {
		t.Fatal("history lost the first policy")
	}
	if _, ok := s.InstalledBefore([32]byte{3}); ok {
		t.Fatal("history invents a policy")
	}
	// a policy-install entry without a hash is an error in the journal
	j.add(t, audit.KindPolicyInstall, map[string]any{"sha256": "zz"}, clock)
	f, _ := os.Open(j.path)
	defer f.Close()
	if _, _, err := ReadState(f, j.key.Public().(ed25519.PublicKey)); err == nil {
		t.Fatal("a malformed policy-install entry was accepted")
	}
}

func TestOneLine(t *testing.T) {
	for in, want := range map[string]string{
		"  lost \n laptop\t\x1b[31m ": "lost laptop [31m",
		"":                            "",
		"abcdef":                      "abc…",
	} {
		if got := OneLine(in, 3+map[bool]int{true: 100}[in != "abcdef"]); got != want {
			t.Errorf("OneLine(%q) = %q, want %q", in, got, want)
		}
	}
}
