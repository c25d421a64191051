package policy

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/btcsuite/btcd/btcutil"

	"github.com/coffer-custody/coffer/policy/approval"
	"github.com/coffer-custody/coffer/wallet"
)

// TestSamplePolicy: the sample policy of testdata/policy (also in the
// README) parses, with the rules and people it shows.
func TestSamplePolicy(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("..", "testdata", "policy", "sample.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	p, err := Parse(b, wallet.Regtest)
	if err != nil {
		t.Fatal(err)
	}
	if p.Admins.Required != 2 || len(p.Admins.Keys) != 2 || len(p.Rules) != 2 || p.Group("treasury") == nil {
		t.Fatalf("sample: %+v", p)
	}
	petty, wd := p.Rules[0], p.Rules[1]
	if petty.Name != "petty" || *petty.MaxPerTx != 150_000 || petty.Velocity.Limit != 250_000 || petty.Velocity.Window != 24*time.Hour ||
		!petty.Destinations.Any || *petty.MaxFeeRate != 50 {
		t.Fatalf("petty: %+v", petty)
	}
	if wd.Name != "withdrawal" || *wd.MaxPerTx != 10*btcutil.SatoshiPerBitcoin || wd.Destinations.Any || len(wd.Destinations.Entries) != 2 ||
		wd.Approvals.Group != "treasury" || wd.Approvals.Required != 2 || !wd.Confirm {
		t.Fatalf("withdrawal: %+v", wd)
	}
	if _, err := Parse(b, wallet.Mainnet); err == nil {
		t.Fatal("a regtest policy parsed for mainnet")
	}
}

// TestParseErrors: each mistake is refused with a sentence and the line.
func TestParseErrors(t *testing.T) {
	ps := newPeople(t)
	base := ps.policyText("  - name: petty\n    max_per_tx: 150000sat\n    destinations: any\n")
	ruleLine := strings.Count(base[:strings.Index(base, "  - name: petty")], "\n") + 1
	rule := func(extra string) string {
		return ps.policyText("  - name: petty\n    max_per_tx: 150000sat\n    destinations: any\n" + extra)
	}
	cases := []struct {
		name  string
		text  string
		line  int
		words []string
	}{
		{"misspelt field", rule("    max_fee_rat: 5sat/vb\n"), ruleLine + 3, []string{`rule "petty" has the unknown field "max_fee_rat"`, `did you mean "max_fee_rate"?`}},
		{"misspelt top field", strings.Replace(base, "rules:", "rulez:", 1), ruleLine - 1, []string{`unknown field "rulez"`, `"rules"`}},
		{"negative amount", strings.Replace(base, "150000sat", "-150000sat", 1), ruleLine + 1, []string{"max_per_tx", "negative"}},
		{"unknown unit", strings.Replace(base, "150000sat", "150000satoshi", 1), ruleLine + 1, []string{`unknown unit "satoshi"`, "use sat or btc"}},
		{"amount without unit", strings.Replace(base, "150000sat", "150000", 1), ruleLine + 1, []string{"has no unit", "150000sat"}},
		{"too many decimals", strings.Replace(base, "150000sat", "0.000000001btc", 1), ruleLine + 1, []string{"more than 8 decimals"}},
		{"rule without limit", ps.policyText("  - name: open\n    destinations: any\n    max_fee_rate: 10sat/vb\n"), ruleLine, []string{`rule "open" sets no limit`, "allow everything"}},
		{"rule without destinations or a limit", ps.policyText("  - name: petty\n    max_fee: 1000sat\n"), ruleLine, []string{`rule "petty" sets no limit`}},
		{"repeated field", rule("    max_per_tx: 1btc\n"), ruleLine + 3, []string{`sets "max_per_tx" twice (first on line`}},
		{"bad fee rate unit", rule("    max_fee_rate: 50sat/kvb\n"), ruleLine + 3, []string{`unknown unit "sat/kvb"`}},
		{"bad duration", rule("    velocity: {limit: 1btc, window: 24x}\n"), ruleLine + 3, []string{"window", "not a duration"}},
		{"duration without unit", rule("    velocity: {limit: 1btc, window: 24}\n"), ruleLine + 3, []string{"has no unit"}},
		{"unknown group", rule("    approvals: {group: finance, required: 1}\n"), ruleLine + 3, []string{`no group "finance"`}},
		{"too many approvals", rule("    approvals: {group: treasury, required: 4}\n"), ruleLine + 3, []string{"not between 1 and 3"}},
		{"bad sighash", rule("    sighash: [ALL, EVERYTHING]\n"), ruleLine + 3, []string{`sighash "EVERYTHING"`}},
		{"bad script type", rule("    script_types: [p2zz]\n"), ruleLine + 3, []string{`script type "p2zz"`}},
		{"bad bool", rule("    confirm: yes\n"), ruleLine + 3, []string{"confirm is not true or false"}},
		{"bad hours", rule("    time_window: {hours: \"9-17\"}\n"), ruleLine + 3, []string{"hours", "09:00-17:00"}},
		{"bad day", rule("    time_window: {days: [someday]}\n"), ruleLine + 3, []string{`day "someday"`}},
		{"address of another network", strings.Replace(rule("    wallets: [wpkh-0]\n"), "destinations: any", "destinations: [bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq]", 1), ruleLine + 2, []string{"is not a regtest address"}},
		{"descriptor without checksum", strings.Replace(base, "destinations: any", `destinations: ["addr(bcrt1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq)"]`, 1), ruleLine + 2, []string{"descriptor"}},
		{"duplicate destination", strings.Replace(base, "destinations: any", "destinations: [bcrt1q6rz28mcfaxtmd6v789l9rrlrusdprr9pz3cppk, bcrt1q6rz28mcfaxtmd6v789l9rrlrusdprr9pz3cppk]", 1), ruleLine + 2, []string{"listed twice"}},
		{"duplicate rule name", ps.policyText("  - name: a\n    max_per_tx: 1btc\n    destinations: any\n  - name: a\n    max_per_tx: 1btc\n    destinations: any\n"), ruleLine + 3, []string{`rule "a" is named twice`}},
		{"no rules", strings.SplitAfter(base, "rules:\n")[0], ruleLine - 1, []string{"rules", "not a list"}},
		{"no version", strings.Replace(base, "version: 1\n", "", 1), 1, []string{"no version"}},
		{"future version", strings.Replace(base, "version: 1", "version: 2", 1), 1, []string{"policy version 2 is not known"}},
		{"wrong network", strings.Replace(base, "network: regtest", "network: mainnet", 1), 2, []string{"for mainnet, but the vault is on regtest"}},
		{"admins quorum too large", strings.Replace(base, "required: 2", "required: 3", 1), 4, []string{"admins required 3 is not between 1 and 2"}},
		{"bad key", strings.Replace(base, ps.bob.key.Public().String(), "ed25519:AAAA", 1), 10, []string{"key of bob", "32 bytes"}},
		{"one key, two people", strings.Replace(base, ps.carol.key.Public().String(), ps.bob.key.Public().String(), 1), 11, []string{"the key of carol is also the key of bob"}},
		{"one person, two keys", strings.Replace(base, "- "+ps.dan.line()+"\nrules", "- {id: dan, key: \""+ps.erin.key.Public().String()+"\"}\nrules", 1), 14, []string{"dan has another key"}},
		{"anchor", strings.Replace(base, "destinations: any", "destinations: &d any", 1), ruleLine + 2, []string{"anchor"}},
		{"tag", strings.Replace(base, "max_per_tx: 150000sat", "max_per_tx: !!binary AAAA", 1), ruleLine + 1, []string{"tag"}},
		{"two documents", base + "---\nversion: 1\n", len(strings.Split(base, "\n")), []string{"more than one YAML document"}},
		{"not YAML", "version: 1\nadmins: [\n", 2, []string{"not valid YAML"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := Parse([]byte(c.text), wallet.Regtest)
			var pe *ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("err = %v, want a *ParseError\n%s", err, c.text)
			}
			if pe.Line != c.line {
				t.Errorf("line %d, want %d: %v", pe.Line, c.line, err)
			}
			for _, w := range c.words {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("%q does not say %q", err.Error(), w)
				}
			}
			if strings.HasSuffix(err.Error(), ".") || err.Error() != strings.ToLower(err.Error()[:1])+err.Error()[1:] {
				t.Errorf("%q is not a lower-case sentence without a final period", err)
			}
		})
	}
}

// TestRuleWithoutDestinations: the schema lets a rule leave out
// destinations; it then allows any address, and still needs a limit.
func TestRuleWithoutDestinations(t *testing.T) {
	ps := newPeople(t)
	p := mustParse(t, ps.policyText("  - name: big\n    max_per_tx: 10btc\n    approvals: {group: treasury, required: 2}\n"))
	if r := p.Rules[0]; r.Destinations == nil || !r.Destinations.Any {
		t.Fatalf("destinations: %+v", r.Destinations)
	}
}

func TestUnits(t *testing.T) {
	amounts := map[string]btcutil.Amount{"2.5btc": 250_000_000, "10000sat": 10_000, "1 sats": 1, "0.00000001BTC": 1, "21000000btc": btcutil.MaxSatoshi, "0sat": 0}
	for s, want := range amounts {
		if got, err := ParseAmount(s); err != nil || got != want {
			t.Errorf("ParseAmount(%q) = %d, %v; want %d", s, got, err, want)
		}
		if got, err := ParseAmount(FormatAmount(want)); err != nil || got != want {
			t.Errorf("FormatAmount(%d) = %q does not read back", want, FormatAmount(want))
		}
	}
	for _, s := range []string{"", "-1sat", "1.5sat", "1", "1 mbtc", "21000000.00000001btc", "btc", "1e3sat", "0x10sat", "1..2btc", "99999999999999999999sat"} {
		if _, err := ParseAmount(s); err == nil {
			t.Errorf("ParseAmount(%q) accepted", s)
		}
	}
	if r, err := ParseFeeRate("2.5 sat/vB"); err != nil || r != 2.5 {
		t.Errorf("fee rate: %v %v", r, err)
	}
	for _, s := range []string{"50", "50sat/b", "-1sat/vb", "1.0001sat/vb"} {
		if _, err := ParseFeeRate(s); err == nil {
			t.Errorf("ParseFeeRate(%q) accepted", s)
		}
	}
	durations := map[string]time.Duration{"24h": 24 * time.Hour, "30m": 30 * time.Minute, "7d": 7 * 24 * time.Hour, "1w": 7 * 24 * time.Hour, "1h30m": 90 * time.Minute}
	for s, want := range durations {
		if got, err := ParseDuration(s); err != nil || got != want {
			t.Errorf("ParseDuration(%q) = %v, %v", s, got, err)
		}
		if got, _ := ParseDuration(FormatDuration(want)); got != want {
			t.Errorf("FormatDuration(%v) = %q does not read back", want, FormatDuration(want))
		}
	}
	for _, s := range []string{"", "24", "-1h", "0h", "401d", "1.5d", "1y"} {
		if _, err := ParseDuration(s); err == nil {
			t.Errorf("ParseDuration(%q) accepted", s)
		}
	}
	if p, err := ParsePercent("2.5%"); err != nil || p != 2.5 {
		t.Errorf("percent: %v %v", p, err)
	}
	for _, s := range []string{"0", "101", "-1", "x"} {
		if _, err := ParsePercent(s); err == nil {
			t.Errorf("ParsePercent(%q) accepted", s)
		}
	}
}

func TestTimeWindowWrapsMidnight(t *testing.T) {
	ps := newPeople(t)
	p := mustParse(t, ps.policyText("  - name: night\n    max_per_tx: 1btc\n    destinations: any\n    time_window: {days: [fri], hours: \"22:00-06:00\", zone: \"-05:00\"}\n"))
	tw := p.Rules[0].TimeWindow
	for at, want := range map[string]bool{
		"2025-06-14T03:00:00Z": true,  // Friday 22:00 at -05:00
		"2025-06-14T10:59:00Z": true,  // Saturday 05:59, the night that began on Friday
		"2025-06-14T11:00:00Z": false, // Saturday 06:00
		"2025-06-13T02:59:00Z": false, // Thursday 21:59
		"2025-06-15T03:00:00Z": false, // Saturday 22:00
	} {
		tm, _ := time.Parse(time.RFC3339, at)
		if got := tw.Contains(tm); got != want {
			t.Errorf("%s: %v, want %v", at, got, want)
		}
	}
}

// TestEveryCodeHasAName holds the refusal codes' contract: each has a
// stable, unique, lower-case name.
func TestEveryCodeHasAName(t *testing.T) {
	seen := map[string]Code{}
	for _, c := range Codes() {
		n := c.String()
		if strings.HasPrefix(n, "Code(") || n != strings.ToLower(n) || strings.ContainsAny(n, " _") {
			t.Errorf("code %d has no proper name: %q", c, n)
		}
		if o, dup := seen[n]; dup {
			t.Errorf("codes %d and %d share the name %q", o, c, n)
		}
		seen[n] = c
		if b, _ := c.MarshalText(); string(b) != n {
			t.Errorf("code %d marshals as %q", c, b)
		}
	}
	if len(codeNames) != len(Codes()) {
		t.Errorf("%d names for %d codes", len(codeNames), len(Codes()))
	}
	if Code(0).String() != "Code(0)" || codeEnd.String() == "" {
		t.Error("the zero code has a name")
	}
}

func TestQuorum(t *testing.T) {
	ps := newPeople(t)
	pol := mustParse(t, ps.policyText("  - name: a\n    max_per_tx: 1btc\n    destinations: any\n"))
	msg := []byte("version: 1\n# the next policy\n")
	sig := func(p person, ns string, m []byte) SignatureFile {
		b, err := p.key.Sign(zeroRand{}, ns, m)
		if err != nil {
			t.Fatal(err)
		}
		s, err := approval.ParseSignature(b)
		if err != nil {
			t.Fatal(err)
		}
		return SignatureFile{Name: p.id + ".sig", Sig: s}
	}
	signers, err := pol.CheckQuorum(msg, []SignatureFile{sig(ps.dan, approval.NamespacePolicy, msg), sig(ps.alice, approval.NamespacePolicy, msg)})
	if err != nil || strings.Join(signers, ",") != "alice,dan" {
		t.Fatalf("quorum of alice and dan: %v %v", signers, err)
	}
	for name, c := range map[string]struct {
		sigs  []SignatureFile
		words []string
	}{
		"one admin":          {[]SignatureFile{sig(ps.alice, approval.NamespacePolicy, msg)}, []string{"2 of the policy's admins must sign, but only 1 valid admin signature (alice) was given"}},
		"same admin twice":   {[]SignatureFile{sig(ps.alice, approval.NamespacePolicy, msg), sig(ps.alice, approval.NamespacePolicy, msg)}, []string{"second signature by alice"}},
		"not an admin":       {[]SignatureFile{sig(ps.alice, approval.NamespacePolicy, msg), sig(ps.bob, approval.NamespacePolicy, msg)}, []string{"bob.sig is signed by key SHA256:", "not an admin's"}},
		"approval namespace": {[]SignatureFile{sig(ps.alice, approval.NamespacePolicy, msg), sig(ps.dan, approval.NamespaceApproval, msg)}, []string{"dan.sig by dan", "namespace"}},
		"other bytes":        {[]SignatureFile{sig(ps.alice, approval.NamespacePolicy, msg), sig(ps.dan, approval.NamespacePolicy, append(msg, ' '))}, []string{"dan.sig by dan", "signed bytes differ"}},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := pol.CheckQuorum(msg, c.sigs)
			var qe *QuorumError
			if !errors.As(err, &qe) || !errors.Is(err, ErrQuorum) {
				t.Fatalf("err = %v", err)
			}
			for _, w := range c.words {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("%q does not say %q", err, w)
				}
			}
		})
	}
}
