package policy

import (
	"crypto/ed25519"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/btcsuite/btcd/txscript"

	"github.com/coffer-custody/coffer/audit"
	"github.com/coffer-custody/coffer/keygen"
	"github.com/coffer-custody/coffer/policy/approval"
	"github.com/coffer-custody/coffer/sign"
	"github.com/coffer-custody/coffer/wallet"
)

// clock is Wednesday 2025-06-11 12:00 UTC.
var clock = time.Date(2025, 6, 11, 12, 0, 0, 0, time.UTC)

// testJournal is a real journal file of the test vault.
type testJournal struct {
	path string
	key  ed25519.PrivateKey
}

func newJournal(t testing.TB) *testJournal {
	t.Helper()
	k, err := audit.JournalKey(keygen.Seed([]byte(testMnemonic), nil))
	if err != nil {
		t.Fatal(err)
	}
	return &testJournal{path: filepath.Join(t.TempDir(), "journal.jsonl"), key: k}
}

func (j *testJournal) add(t testing.TB, kind string, data any, at time.Time) audit.Entry {
	t.Helper()
	e, err := audit.Append(j.path, j.key, kind, data, at)
	if err != nil {
		t.Fatal(err)
	}
	return e
}

func (j *testJournal) spend(t testing.TB, sats int64, at time.Time) {
	j.add(t, audit.KindSign, map[string]any{"txid": "00", audit.SpentField: sats}, at)
}

func (j *testJournal) state(t testing.TB) *State {
	t.Helper()
	f, err := os.Open(j.path)
	if err != nil {
		if os.IsNotExist(err) {
			return NewState()
		}
		t.Fatal(err)
	}
	defer f.Close()
	s, _, err := ReadState(f, j.key.Public().(ed25519.PublicKey))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

type people struct {
	alice, bob, carol, dan, erin, mallory person
}

func newPeople(t testing.TB) people {
	return people{newPerson(t, "alice"), newPerson(t, "bob"), newPerson(t, "carol"), newPerson(t, "dan"), newPerson(t, "erin"), newPerson(t, "mallory")}
}

// policyText is a policy with the test people and the given rules.
func (ps people) policyText(rules string) string {
	return fmt.Sprintf(`version: 1
network: regtest
admins:
  required: 2
  keys:
    - %s
    - %s
groups:
  treasury:
    - %s
    - %s
    - %s
  ops:
    - %s
rules:
%s`, ps.alice.line(), ps.dan.line(), ps.bob.line(), ps.carol.line(), ps.erin.line(), ps.dan.line(), rules)
}

func mustParse(t testing.TB, text string) *Policy {
	t.Helper()
	p, err := Parse([]byte(text), wallet.Regtest)
	if err != nil {
		t.Fatalf("parse: %v\n%s", err, text)
	}
	return p
}

// otherDescriptor is a stranger's ranged wpkh descriptor (with checksum)
// and its script at index i of the receive branch.
func otherDescriptor(t testing.TB) (string, func(i uint32) []byte) {
	t.Helper()
	m, err := wallet.MasterFromSeed(keygen.Seed([]byte("legal winner thank year wave sausage worth useful legal winner thank yellow"), nil), wallet.Regtest)
	if err != nil {
		t.Fatal(err)
	}
	path := wallet.Path{84 + hard, 1 + hard, hard}
	k, err := wallet.DerivePath(m, path)
	if err != nil {
		t.Fatal(err)
	}
	pub, err := wallet.Neuter(k)
	if err != nil {
		t.Fatal(err)
	}
	d, err := wallet.SingleSigDescriptor(wallet.ScriptWPKH, wallet.AccountKey{Origin: wallet.KeyOrigin{Fingerprint: wallet.Fingerprint(m), Path: path}, XPub: pub})
	if err != nil {
		t.Fatal(err)
	}
	recv := d.Expand()[0]
	return recv.String(), func(i uint32) []byte {
		spk, err := recv.ScriptPubKey(0, i)
		if err != nil {
			t.Fatal(err)
		}
		return spk
	}
}

// TestRuleTable: for each rule limit, a transaction just inside and one
// just outside, each a real PSBT reviewed by the sign package.
func TestRuleTable(t *testing.T) {
	v := newVault(t)
	ps := newPeople(t)
	descText, descScript := otherDescriptor(t)

	// Fee and size of a 1-in 2-out wpkh transaction, to aim fee rates.
	probe := v.review(t, txSpec{ins: []int64{1_000_000}, outs: []outSpec{pay("a", 100_000), change(899_000)}})
	vsize := int64(probe.VSize)

	type tc struct {
		name    string
		rule    string
		spec    txSpec
		spent   []int64 // earlier signings, one hour apart ending 1h before the clock
		at      time.Time
		approve func(r *sign.Review) []*approvalFor
		want    Code // 0: allowed
	}
	in := func(amount, fee int64) txSpec {
		return txSpec{ins: []int64{1_000_000}, outs: []outSpec{pay("a", amount), change(1_000_000 - amount - fee)}}
	}
	toScript := func(spk []byte, amount int64) txSpec {
		return txSpec{ins: []int64{1_000_000}, outs: []outSpec{{script: spk, amount: amount}, change(1_000_000 - amount - 1000)}}
	}
	twoOf := func(a, b person) func(r *sign.Review) []*approvalFor {
		return func(r *sign.Review) []*approvalFor {
			return []*approvalFor{{a, "alice"}, {b, "alice"}}
		}
	}
	cases := []tc{
		{name: "max_per_tx inside", rule: "max_per_tx: 150000sat\n    destinations: any", spec: in(150_000, 1000)},
		{name: "max_per_tx outside", rule: "max_per_tx: 150000sat\n    destinations: any", spec: in(150_001, 1000), want: CodeMaxPerTx},
		{name: "max_per_tx without destinations inside", rule: "max_per_tx: 150000sat", spec: in(150_000, 1000)},
		{name: "max_per_tx without destinations outside", rule: "max_per_tx: 150000sat", spec: in(150_001, 1000), want: CodeMaxPerTx},
		{name: "max_per_tx counts no change", rule: "max_per_tx: 0.0015btc\n    destinations: any", spec: in(150_000, 1000)},
		{name: "velocity inside", rule: "velocity: {limit: 250000sat, window: 24h}\n    destinations: any", spent: []int64{60_000, 40_000}, spec: in(150_000, 1000)},
		{name: "velocity outside", rule: "velocity: {limit: 250000sat, window: 24h}\n    destinations: any", spent: []int64{60_000, 40_000}, spec: in(150_001, 1000), want: CodeVelocity},
		{name: "velocity window slid past", rule: "velocity: {limit: 250000sat, window: 24h}\n    destinations: any", spent: []int64{60_000, 40_000}, at: clock.Add(24*time.Hour + 90*time.Minute), spec: in(250_000, 1000)},
		{name: "velocity window one spend left", rule: "velocity: {limit: 250000sat, window: 24h}\n    destinations: any", spent: []int64{60_000, 40_000}, at: clock.Add(22*time.Hour + 30*time.Minute), spec: in(250_000-40_000+1, 1000), want: CodeVelocity},
		{name: "destination address inside", rule: fmt.Sprintf("destinations: [%s]", addr(t, ext("a"))), spec: in(5_000_000/10, 1000)},
		{name: "destination address outside", rule: fmt.Sprintf("destinations: [%s]", addr(t, ext("b"))), spec: in(500_000, 1000), want: CodeDestination},
		{name: "destination descriptor index 999", rule: fmt.Sprintf("destinations: [%q]", descText), spec: toScript(descScript(999), 100_000)},
		{name: "destination descriptor index 1000", rule: fmt.Sprintf("destinations: [%q]", descText), spec: toScript(descScript(1000), 100_000), want: CodeDestination},
		{name: "max_fee inside", rule: "max_per_tx: 1btc\n    destinations: any\n    max_fee: 1000sat", spec: in(100_000, 1000)},
		{name: "max_fee outside", rule: "max_per_tx: 1btc\n    destinations: any\n    max_fee: 1000sat", spec: in(100_000, 1001), want: CodeMaxFee},
		{name: "max_fee_rate inside", rule: "max_per_tx: 1btc\n    destinations: any\n    max_fee_rate: 50sat/vb", spec: in(500_000, 50*vsize)},
		{name: "max_fee_rate outside", rule: "max_per_tx: 1btc\n    destinations: any\n    max_fee_rate: 50sat/vb", spec: in(500_000, 50*vsize+vsize/10+1), want: CodeMaxFeeRate},
		{name: "max_fee_percent inside", rule: "max_per_tx: 1btc\n    destinations: any\n    max_fee_percent: 1%", spec: in(100_000, 1000)},
		{name: "max_fee_percent outside", rule: "max_per_tx: 1btc\n    destinations: any\n    max_fee_percent: 1", spec: in(100_000, 1001), want: CodeMaxFeePercent},
		{name: "fee above 10% without a fee rule", rule: "max_per_tx: 1btc\n    destinations: any", spec: in(100_000, 20_000), want: CodeFeeTooHigh},
		{name: "fee above 10% with max_fee_percent 25", rule: "max_per_tx: 1btc\n    destinations: any\n    max_fee_percent: 25\n    warnings_ok: true", spec: in(100_000, 20_000)},
		{name: "approvals inside", rule: "destinations: any\n    approvals: {group: treasury, required: 2}", spec: in(500_000, 1000), approve: twoOf(ps.bob, ps.carol)},
		{name: "approvals outside", rule: "destinations: any\n    approvals: {group: treasury, required: 2}", spec: in(500_000, 1000),
			approve: func(*sign.Review) []*approvalFor { return []*approvalFor{{ps.bob, "alice"}} }, want: CodeApprovalsMissing},
		{name: "sighash default refuses NONE", rule: "max_per_tx: 1btc\n    destinations: any", spec: withSighash(in(100_000, 1000), uint32(txscript.SigHashNone)), want: CodeSighash},
		{name: "sighash NONE allowed", rule: "max_per_tx: 1btc\n    destinations: any\n    sighash: [ALL, NONE]", spec: withSighash(in(100_000, 1000), uint32(txscript.SigHashNone))},
		{name: "script_types inside", rule: "max_per_tx: 1btc\n    destinations: any\n    script_types: [wpkh]", spec: in(100_000, 1000)},
		{name: "script_types outside", rule: "max_per_tx: 1btc\n    destinations: any\n    script_types: [p2tr]", spec: in(100_000, 1000), want: CodeScriptType},
		{name: "wallets inside", rule: "max_per_tx: 1btc\n    destinations: any\n    wallets: [wpkh-0]", spec: in(100_000, 1000)},
		{name: "wallets outside", rule: "max_per_tx: 1btc\n    destinations: any\n    wallets: [tr-0]", spec: in(100_000, 1000), want: CodeWallet},
		{name: "warnings refuse", rule: "max_per_tx: 1btc\n    destinations: any", spec: txSpec{ins: []int64{1_000_000}, outs: []outSpec{pay("a", 100_000), pay("d", 100), change(898_900)}}, want: CodeWarnings},
		{name: "warnings_ok", rule: "max_per_tx: 1btc\n    destinations: any\n    warnings_ok: true", spec: txSpec{ins: []int64{1_000_000}, outs: []outSpec{pay("a", 100_000), pay("d", 100), change(898_900)}}},
		{name: "time window inside", rule: "max_per_tx: 1btc\n    destinations: any\n    time_window: {days: [mon-fri], hours: \"09:00-17:00\", zone: \"+02:00\"}", at: time.Date(2025, 6, 11, 14, 59, 59, 0, time.UTC), spec: in(100_000, 1000)},
		{name: "time window outside hours", rule: "max_per_tx: 1btc\n    destinations: any\n    time_window: {days: [mon-fri], hours: \"09:00-17:00\", zone: \"+02:00\"}", at: time.Date(2025, 6, 11, 15, 0, 0, 0, time.UTC), spec: in(100_000, 1000), want: CodeTimeWindow},
		{name: "time window outside days", rule: "max_per_tx: 1btc\n    destinations: any\n    time_window: {days: [mon-fri]}", at: time.Date(2025, 6, 14, 12, 0, 0, 0, time.UTC), spec: in(100_000, 1000), want: CodeTimeWindow},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			pol := mustParse(t, ps.policyText("  - name: r\n    "+c.rule+"\n"))
			r := v.review(t, c.spec)
			j := newJournal(t)
			for i, s := range c.spent {
				j.spend(t, s, clock.Add(-time.Duration(len(c.spent)-i)*time.Hour))
			}
			at := c.at
			if at.IsZero() {
				at = clock
			}
			input := Input{Review: r, Journal: j.state(t), Clock: at}
			if c.approve != nil {
				for _, a := range c.approve(r) {
					input.Approvals = append(input.Approvals, a.p.approve(t, r, a.initiator, at.Add(-time.Hour), 24*time.Hour))
				}
			}
			d := pol.Evaluate(input)
			err := d.Err()
			if c.want == 0 {
				if err != nil || !d.Allowed || d.Rule != "r" {
					t.Fatalf("refused: %v", err)
				}
				return
			}
			var re *RefusalError
			if !errors.As(err, &re) || !errors.Is(err, ErrRefused) {
				t.Fatalf("allowed, want refusal %s", c.want)
			}
			if !re.Has(c.want) {
				t.Fatalf("refused with %v, want %s", err, c.want)
			}
			if d.Allowed || d.Rule != "" {
				t.Fatalf("decision says allowed by %q", d.Rule)
			}
			for _, reason := range re.Reasons {
				if reason.Text == "" || strings.HasSuffix(reason.Text, ".") || reason.Text != strings.TrimSpace(reason.Text) {
					t.Errorf("reason %q is not one clean sentence", reason.Text)
				}
			}
		})
	}
}

type approvalFor struct {
	p         person
	initiator string
}

func withSighash(s txSpec, sh uint32) txSpec {
	s.sighash = sh
	return s
}

// TestSampleRulesInOrder: the sample rules; the first rule that
// passes allows, and a refusal lists every rule's reasons.
func TestSampleRulesInOrder(t *testing.T) {
	v := newVault(t)
	ps := newPeople(t)
	pol := mustParse(t, ps.policyText(fmt.Sprintf(`  - name: petty
    max_per_tx: 150000sat
    velocity: {limit: 250000sat, window: 24h}
    destinations: any
    max_fee_rate: 50sat/vb
  - name: withdrawal
    max_per_tx: 10btc
    destinations: [%s, %s]
    approvals: {group: treasury, required: 2}
    confirm: true
`, addr(t, ext("a")), addr(t, ext("b")))))

	small := v.review(t, txSpec{ins: []int64{1_000_000}, outs: []outSpec{pay("zzz", 100_000), change(899_000)}})
	d := pol.Evaluate(Input{Review: small, Journal: NewState(), Clock: clock})
	if !d.Allowed || d.Rule != "petty" || d.Confirm {
		t.Fatalf("small payment: %+v %v", d, d.Err())
	}
	if len(d.Rules) != 2 || !d.Rules[0].Passed || d.Rules[1].Passed {
		t.Fatalf("rule results: %+v", d.Rules)
	}

	big := v.review(t, txSpec{ins: []int64{100_000_000}, outs: []outSpec{pay("a", 50_000_000), change(49_990_000)}})
	d = pol.Evaluate(Input{Review: big, Journal: NewState(), Clock: clock})
	err := d.Err()
	var re *RefusalError
	if !errors.As(err, &re) || !re.Has(CodeMaxPerTx) || !re.Has(CodeApprovalsMissing) || !re.NeedsApprovals {
		t.Fatalf("big payment without approvals: %v", err)
	}
	if !strings.Contains(err.Error(), `rule "petty"`) || !strings.Contains(err.Error(), `rule "withdrawal"`) {
		t.Fatalf("refusal does not name every rule: %v", err)
	}
	d = pol.Evaluate(Input{Review: big, Journal: NewState(), Clock: clock, Initiator: "alice",
		Approvals: approvals(t, big, ps.bob, ps.carol)})
	if !d.Allowed || d.Rule != "withdrawal" || !d.Confirm || d.Amount != 50_000_000 {
		t.Fatalf("big payment with approvals: %v", d.Err())
	}
	if got := strings.Join(d.Rules[1].Approvers, ","); got != "bob,carol" {
		t.Fatalf("approvers %q", got)
	}

	notListed := v.review(t, txSpec{ins: []int64{100_000_000}, outs: []outSpec{pay("c", 50_000_000), change(49_990_000)}})
	d = pol.Evaluate(Input{Review: notListed, Journal: NewState(), Clock: clock, Initiator: "alice",
		Approvals: approvals(t, notListed, ps.bob, ps.carol)})
	if err := d.Err(); !errors.As(err, &re) || !re.Has(CodeDestination) || re.NeedsApprovals {
		t.Fatalf("unlisted destination: %v", err)
	}
}

// approvals has each person approve r for initiator "alice", made an hour
// before the clock, valid for a day.
func approvals(t testing.TB, r *sign.Review, ps ...person) []*approval.Approval {
	t.Helper()
	var out []*approval.Approval
	for _, p := range ps {
		out = append(out, p.approve(t, r, "alice", clock.Add(-time.Hour), 24*time.Hour))
	}
	return out
}
