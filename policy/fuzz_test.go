package policy

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/coffer-custody/coffer/audit"
	"github.com/coffer-custody/coffer/wallet"
)

// FuzzParse: the policy parser never panics; what it accepts it accepts
// again the same, and every refusal is a *ParseError with a sentence.
func FuzzParse(f *testing.F) {
	sample, err := os.ReadFile(filepath.Join("..", "testdata", "policy", "sample.yaml"))
	if err != nil {
		f.Fatal(err)
	}
	f.Add(sample)
	f.Add([]byte("version: 1\nadmins: {required: 1, keys: [{id: a, key: \"ed25519:bHUHF6qaZc7iZ/WPXXuYhKAjb3GZE8RRZm6OxE04l5g=\"}]}\nrules:\n  - {name: r, max_per_tx: 1btc, destinations: any, time_window: {days: [mon-fri], hours: \"22:00-06:00\"}}\n"))
	f.Add([]byte("a: &x [*x]\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		p, err := Parse(b, wallet.Regtest)
		if err != nil {
			var pe *ParseError
			if !errors.As(err, &pe) || pe.Msg == "" {
				t.Fatalf("error %v is not a *ParseError with a message", err)
			}
			return
		}
		p2, err := Parse(p.Raw(), wallet.Regtest)
		if err != nil || len(p2.Rules) != len(p.Rules) || p2.SHA256() != p.SHA256() {
			t.Fatalf("accepted policy does not parse again the same: %v", err)
		}
		for _, r := range p.Rules {
			if r.Destinations == nil || (r.MaxPerTx == nil && r.Velocity == nil && r.Approvals == nil && r.Destinations.Any) {
				t.Fatalf("rule %q without a limit was accepted", r.Name)
			}
		}
	})
}

// BenchmarkDecision: one decision against a policy whose allowlist holds
// 100,000 addresses, with a journal index of 1,000,000 signings, two
// approvals to verify and a velocity limit. The journal index and the
// policy are built once, as the signer does before deciding.
func BenchmarkDecision(b *testing.B) {
	v := newVault(b)
	ps := newPeople(b)
	var list strings.Builder
	list.WriteString("[")
	for i := 0; i < 100_000; i++ {
		if i > 0 {
			list.WriteString(", ")
		}
		list.WriteString(addr(b, ext(fmt.Sprint(i))))
	}
	list.WriteString("]")
	t0 := time.Now()
	pol, err := Parse([]byte(ps.policyText(fmt.Sprintf(`  - name: allowlisted
    destinations: %s
    velocity: {limit: 100000btc, window: 24h}
    approvals: {group: treasury, required: 2}
`, list.String()))), wallet.Regtest)
	if err != nil {
		b.Fatal(err)
	}
	parseTime := time.Since(t0)

	state := NewState()
	start := clock.Add(-1_000_000 * time.Second)
	for i := 0; i < 1_000_000; i++ {
		if err := state.AddSigning(start.Add(time.Duration(i)*time.Second), 1000); err != nil {
			b.Fatal(err)
		}
	}
	state.last = audit.Head{Seq: 1_000_000, Time: clock.Add(-time.Second)}
	r := v.review(b, txSpec{ins: []int64{10_000_000}, outs: []outSpec{pay("99999", 5_000_000), pay("12345", 1_000_000), change(3_990_000)}})
	as := approvals(b, r, ps.bob, ps.carol)
	in := Input{Review: r, Approvals: as, Initiator: "alice", Journal: state, Clock: clock}
	b.Logf("policy with 100,000 addresses parsed in %v", parseTime)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		d := pol.Evaluate(in)
		if !d.Allowed {
			b.Fatal(d.Err())
		}
		if d.Rules[0].Spent != 86_399*1000 {
			b.Fatalf("spent %d", d.Rules[0].Spent)
		}
	}
}
