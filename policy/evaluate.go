package policy

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/btcsuite/btcd/btcutil"
	"github.com/btcsuite/btcd/txscript"

	"github.com/coffer-custody/coffer/policy/approval"
	"github.com/coffer-custody/coffer/sign"
)

// Input is everything a decision reads besides the policy itself.
type Input struct {
	Review    *sign.Review
	Approvals []*approval.Approval
	// Initiator is who made the request, from the PSBT (approval.ReadEmbedded);
	// when empty, the initiator the approvals name is used, if they agree.
	Initiator string
	// Journal is the vault's journal state. Nil only for an online
	// pre-flight without a journal copy: velocity then counts nothing
	// spent before, and the decision says so in Notes.
	Journal *State
	// Clock is the signer's clock.
	Clock time.Time
}

// Decision is the policy's answer for one transaction: allowed by a rule,
// or refused with every rule's reasons.
type Decision struct {
	Allowed bool   `json:"allowed"`
	Rule    string `json:"rule,omitempty"` // the rule that allowed it
	Confirm bool   `json:"confirm"`        // the officer must type the amount

	// Amount is what leaves the vault: the outputs to external addresses
	// (the review's Sent). Change and outputs to the vault's own receive
	// addresses stay in the vault and count for nothing; the journal's
	// spent_sats of a signing is the same amount.
	Amount btcutil.Amount `json:"amount_sat"`
	// Clock is the signer's clock; Now is the time the decision used: the
	// later of the clock and the newest valid approval's creation.
	Clock     time.Time        `json:"clock"`
	Now       time.Time        `json:"now"`
	Initiator string           `json:"initiator,omitempty"`
	Approvals []ApprovalStatus `json:"approvals"`
	Refusals  []Reason         `json:"refusals"` // reasons of the whole policy
	Rules     []RuleResult     `json:"rules"`
	Notes     []string         `json:"notes,omitempty"`

	// AllowSighash lists sighash types beyond DEFAULT and ALL that the
	// allowing rule permits (for sign.Options.AllowSighash), and Lifted the
	// review's refusal codes it lifts (fee above 10%, sighash).
	AllowSighash []txscript.SigHashType `json:"-"`
	Lifted       []sign.Code            `json:"-"`
}

// RuleResult is one rule's verdict.
type RuleResult struct {
	Name    string   `json:"name"`
	Line    int      `json:"line"`
	Passed  bool     `json:"passed"`
	Reasons []Reason `json:"reasons"`
	// Spent is what left the vault in the rule's velocity window before
	// this transaction (0 without a velocity limit).
	Spent btcutil.Amount `json:"spent_in_window_sat,omitempty"`
	// Approvers lists who counted toward the rule's approvals.
	Approvers []string `json:"approvers,omitempty"`
}

// ApprovalStatus says what became of one approval.
type ApprovalStatus struct {
	Name     string    `json:"name"`
	Approver string    `json:"approver"`
	Created  time.Time `json:"created"`
	Expires  time.Time `json:"expires"`
	Valid    bool      `json:"valid"` // signed by the approver's key, for this transaction, not expired
	Code     Code      `json:"code,omitempty"`
	Why      string    `json:"why,omitempty"` // when not valid
}

// Err returns nil when the transaction is allowed, else a *RefusalError
// with the policy's reasons and every rule's.
func (d *Decision) Err() error {
	if d.Allowed {
		return nil
	}
	e := &RefusalError{Reasons: append([]Reason(nil), d.Refusals...)}
	for _, r := range d.Rules {
		e.Reasons = append(e.Reasons, r.Reasons...)
		if len(d.Refusals) == 0 && len(r.Reasons) > 0 {
			only := true
			for _, x := range r.Reasons {
				only = only && x.Code.IsApproval()
			}
			e.NeedsApprovals = e.NeedsApprovals || only
		}
	}
	return e
}

// Evaluate decides whether the policy allows the reviewed transaction. The
// rules are tried in order and the first that the transaction satisfies
// allows it; when none does, it is refused with every rule's reasons.
// Before any rule: a suspended or locked signer, a clock earlier than the
// journal's last entry, and a review refusal that no policy may lift
// refuse outright.
func (p *Policy) Evaluate(in Input) *Decision {
	r := in.Review
	d := &Decision{Clock: in.Clock.UTC(), Now: in.Clock.UTC(), Approvals: []ApprovalStatus{}, Refusals: []Reason{}, Rules: []RuleResult{}}
	global := func(c Code, format string, args ...any) {
		d.Refusals = append(d.Refusals, Reason{Code: c, Output: -1, Text: fmt.Sprintf(format, args...)})
	}
	if r == nil {
		global(CodeReviewRefused, "there is no review of the transaction")
		return d
	}
	d.Amount = r.Sent

	// The journal: a clock set back, a suspension, a lock.
	if in.Journal != nil {
		d.Refusals = append(d.Refusals, in.Journal.Check(in.Clock)...)
	} else {
		d.Notes = append(d.Notes, "no journal was given: velocity limits count nothing spent before this transaction")
	}

	// Review refusals that no policy may lift.
	liftable := map[sign.Code]bool{}
	for _, x := range r.Refusals {
		if x.Code.PolicyMayAllow() {
			liftable[x.Code] = true
			continue
		}
		global(CodeReviewRefused, "the review refuses it: %s", x.String())
	}

	approvals := p.checkApprovals(in, d)

	for _, rule := range p.Rules {
		res := p.evalRule(rule, in, d, approvals, liftable)
		d.Rules = append(d.Rules, res)
		if res.Passed && !d.Allowed && len(d.Refusals) == 0 {
			d.Allowed = true
			d.Rule = rule.Name
			d.Confirm = rule.Confirm
			d.AllowSighash = allowSighash(rule)
			for c := range liftable {
				d.Lifted = append(d.Lifted, c)
			}
			sort.Slice(d.Lifted, func(i, j int) bool { return d.Lifted[i] < d.Lifted[j] })
		}
	}
	return d
}

// validApproval is an approval whose signature, transaction and time hold.
type validApproval struct {
	approver string
	name     string
	index    int // into Decision.Approvals
}

// checkApprovals checks each approval against the transaction, the keys
// the policy lists and the clock, and settles the initiator and the time.
func (p *Policy) checkApprovals(in Input, d *Decision) []validApproval {
	r := in.Review
	type pending struct {
		a      *approval.Approval
		status int
	}
	var signed []pending
	for _, a := range in.Approvals {
		st := ApprovalStatus{Name: a.Name, Approver: a.Doc.Approver, Created: a.Doc.Created.UTC(), Expires: a.Doc.Expires.UTC()}
		void := func(c Code, format string, args ...any) {
			st.Code, st.Why = c, fmt.Sprintf(format, args...)
		}
		who := a.Doc.Approver
		if why := a.Doc.Matches(r); why != "" {
			c := CodeApprovalMismatch
			if a.Doc.TxID != r.TxID {
				c = CodeApprovalOtherTx
			}
			void(c, "%s's approval %s", who, why)
		} else if person, ok := p.Person(who); !ok {
			void(CodeApprovalUnknownApprover, "%s is named as approver, but the policy lists no %s", who, who)
		} else if err := a.Verify(person.Key); err != nil {
			void(CodeApprovalSignature, "the signature on %s's approval is not %s's key over it: %v", who, who, trimBad(err))
		} else {
			signed = append(signed, pending{a: a, status: len(d.Approvals)})
		}
		d.Approvals = append(d.Approvals, st)
	}

	// The time: the later of the clock and the newest signed approval.
	for _, s := range signed {
		if c := s.a.Doc.Created.UTC(); c.After(d.Now) {
			d.Now = c
		}
	}
	if d.Now.After(d.Clock) {
		d.Notes = append(d.Notes, fmt.Sprintf("the clock reads %s, but an approval was made at %s: the decision uses the later time", stamp(d.Clock), stamp(d.Now)))
	}

	// The initiator: the PSBT's, else the one the approvals agree on.
	d.Initiator = in.Initiator
	if d.Initiator == "" {
		named := map[string]bool{}
		for _, s := range signed {
			if s.a.Doc.Initiator != "" {
				named[s.a.Doc.Initiator] = true
			}
		}
		if len(named) == 1 {
			for id := range named {
				d.Initiator = id
			}
		}
	}

	var out []validApproval
	first := map[string]string{}
	for _, s := range signed {
		st := &d.Approvals[s.status]
		doc := s.a.Doc
		switch {
		case !d.Now.Before(doc.Expires):
			st.Code, st.Why = CodeApprovalExpired, fmt.Sprintf("%s's approval expired at %s (the signer's time is %s)", doc.Approver, stamp(doc.Expires), stamp(d.Now))
		case doc.Initiator != "" && d.Initiator != "" && doc.Initiator != d.Initiator:
			st.Code, st.Why = CodeApprovalMismatch, fmt.Sprintf("%s's approval names %s as the initiator, but the request was initiated by %s", doc.Approver, doc.Initiator, d.Initiator)
		case d.Initiator != "" && doc.Approver == d.Initiator:
			st.Code, st.Why = CodeApprovalInitiator, fmt.Sprintf("%s initiated this request, and an initiator's own approval never counts", doc.Approver)
		case first[doc.Approver] != "":
			st.Code, st.Why = CodeApprovalDuplicate, fmt.Sprintf("%s approved twice (%s and %s); counted once", doc.Approver, first[doc.Approver], s.a.Name)
		default:
			first[doc.Approver] = s.a.Name
			st.Valid = true
			out = append(out, validApproval{approver: doc.Approver, name: s.a.Name, index: s.status})
		}
	}
	return out
}

func (p *Policy) evalRule(rule *Rule, in Input, d *Decision, valid []validApproval, liftable map[sign.Code]bool) RuleResult {
	r := in.Review
	res := RuleResult{Name: rule.Name, Line: rule.Line, Reasons: []Reason{}}
	add := func(c Code, output int, format string, args ...any) {
		res.Reasons = append(res.Reasons, Reason{Code: c, Rule: rule.Name, Output: output, Text: fmt.Sprintf(format, args...)})
	}

	if tw := rule.TimeWindow; tw != nil && !tw.Contains(d.Now) {
		add(CodeTimeWindow, -1, "the signer's time %s is outside the rule's time window (%s)", stamp(d.Now), tw.Text)
	}
	for _, ir := range r.Inputs {
		if !ir.Ours {
			continue
		}
		if rule.Wallets != nil && !contains(rule.Wallets, ir.Wallet) {
			add(CodeWallet, -1, "input #%d is from wallet %q, which the rule does not cover (it covers %s)", ir.Index, ir.Wallet, strings.Join(quoteAll(rule.Wallets), ", "))
		}
		if rule.ScriptTypes != nil && !contains(rule.ScriptTypes, ir.Spend) {
			add(CodeScriptType, -1, "input #%d spends %s, which the rule does not allow (it allows %s)", ir.Index, ir.Spend, strings.Join(rule.ScriptTypes, ", "))
		}
		if sh := sighashOf(ir.SighashType); !sighashAllowed(rule, sh) {
			add(CodeSighash, -1, "input #%d asks for sighash %s, which the rule does not allow (it allows %s)", ir.Index, sh, strings.Join(allowedSighashNames(rule), ", "))
		}
	}
	if len(r.Warnings) > 0 && !rule.WarningsOK {
		more := ""
		if len(r.Warnings) > 1 {
			more = fmt.Sprintf(" (and %d more)", len(r.Warnings)-1)
		}
		add(CodeWarnings, -1, "the review warns: %s%s; the rule does not set warnings_ok", r.Warnings[0], more)
	}
	if max := rule.MaxPerTx; max != nil && d.Amount > *max {
		add(CodeMaxPerTx, -1, "%s leaves the vault, more than the rule's max_per_tx of %s", sats(d.Amount), sats(*max))
	}
	if v := rule.Velocity; v != nil {
		if in.Journal != nil {
			res.Spent = in.Journal.SpentIn(v.Window, d.Now)
		}
		if total := res.Spent + d.Amount; total > v.Limit {
			add(CodeVelocity, -1, "%s already left the vault in the last %s and this transaction adds %s: %s is above the rule's velocity limit of %s",
				sats(res.Spent), FormatDuration(v.Window), sats(d.Amount), sats(total), sats(v.Limit))
		}
	}
	if dst := rule.Destinations; dst != nil && !dst.Any {
		for _, o := range r.Outputs {
			if o.Label != sign.LabelExternal {
				continue
			}
			spk, ok := decodeHex(o.Script)
			if _, allowed := dst.Allows(spk); !ok || !allowed {
				add(CodeDestination, o.Index, "output #%d pays %s to %s, which is not on the rule's destinations list", o.Index, sats(o.Amount), describeOutput(o))
			}
		}
	}
	feeLimited := rule.MaxFee != nil || rule.MaxFeeRate != nil || rule.MaxFeePercent != nil
	if feeLimited && !r.FeeKnown {
		add(CodeFeeUnknown, -1, "the rule limits the fee, but the fee is unknown (an input's amount is missing)")
	} else if r.FeeKnown {
		if max := rule.MaxFee; max != nil && r.Fee > *max {
			add(CodeMaxFee, -1, "the fee of %s is above the rule's max_fee of %s", sats(r.Fee), sats(*max))
		}
		if max := rule.MaxFeeRate; max != nil && r.FeeRate > *max {
			add(CodeMaxFeeRate, -1, "the fee rate of %s sat/vB is above the rule's max_fee_rate of %s sat/vB", trimFloat(r.FeeRate), trimFloat(*max))
		}
		if max := rule.MaxFeePercent; max != nil {
			base := d.Amount
			if base == 0 {
				base = r.OutputTotal
			}
			if base == 0 && r.Fee > 0 || base > 0 && float64(r.Fee)*100 > *max*float64(base) {
				pct := 100.0
				if base > 0 {
					pct = float64(r.Fee) * 100 / float64(base)
				}
				add(CodeMaxFeePercent, -1, "the fee of %s is %s%% of %s, above the rule's max_fee_percent of %s%%", sats(r.Fee), trimFloat(pct), sats(base), trimFloat(*max))
			}
		}
	}
	if liftable[sign.CodeFeeTooHigh] && rule.MaxFee == nil && rule.MaxFeePercent == nil {
		add(CodeFeeTooHigh, -1, "the fee is above 10%% of the amount sent, and the rule sets no max_fee or max_fee_percent that would allow it")
	}
	if a := rule.Approvals; a != nil {
		p.evalApprovals(rule, a, d, valid, &res, add)
	}
	res.Passed = len(res.Reasons) == 0
	return res
}

func (p *Policy) evalApprovals(rule *Rule, a *ApprovalRule, d *Decision, valid []validApproval, res *RuleResult, add func(Code, int, string, ...any)) {
	g := p.Group(a.Group)
	if d.Initiator == "" {
		add(CodeInitiatorUnknown, -1, "the rule needs approvals, but the request does not name its initiator, so maker-checker cannot be checked")
	}
	var outsiders []validApproval
	for _, v := range valid {
		if _, ok := g.Member(v.approver); !ok {
			outsiders = append(outsiders, v)
			continue
		}
		res.Approvers = append(res.Approvers, v.approver)
	}
	if len(res.Approvers) >= a.Required {
		return
	}
	counted := "none counted"
	if len(res.Approvers) > 0 {
		counted = "counted: " + strings.Join(res.Approvers, ", ")
	}
	add(CodeApprovalsMissing, -1, "%d of the %d approvals from group %s the rule requires (%s)", len(res.Approvers), a.Required, g.Name, counted)
	for _, v := range outsiders {
		res.Reasons = append(res.Reasons, Reason{Code: CodeApprovalUnknownApprover, Rule: rule.Name, Output: -1, Approval: v.name,
			Text: fmt.Sprintf("%s: %s is not in group %s, so the approval does not count for this rule", v.name, v.approver, g.Name)})
	}
	for _, st := range d.Approvals {
		if !st.Valid {
			res.Reasons = append(res.Reasons, Reason{Code: st.Code, Rule: rule.Name, Output: -1, Approval: st.Name, Text: st.Name + ": " + st.Why})
		}
	}
}

// sighashOf names an input's sighash type; unset is ALL.
func sighashOf(s string) string {
	if s == "" {
		return "ALL"
	}
	return s
}

func sighashAllowed(rule *Rule, sh string) bool {
	if sh == "DEFAULT" {
		sh = "ALL"
	}
	return contains(allowedSighashNames(rule), sh)
}

func allowedSighashNames(rule *Rule) []string {
	if rule.Sighash == nil {
		return []string{"ALL"}
	}
	var out []string
	for _, s := range rule.Sighash {
		if s == "DEFAULT" {
			s = "ALL"
		}
		if !contains(out, s) {
			out = append(out, s)
		}
	}
	return out
}

// allowSighash lists the rule's sighash types beyond DEFAULT and ALL.
func allowSighash(rule *Rule) []txscript.SigHashType {
	var out []txscript.SigHashType
	for _, s := range allowedSighashNames(rule) {
		var t txscript.SigHashType
		base, acp := strings.CutSuffix(s, "|ANYONECANPAY")
		switch base {
		case "ALL":
			t = txscript.SigHashAll
		case "NONE":
			t = txscript.SigHashNone
		case "SINGLE":
			t = txscript.SigHashSingle
		}
		if acp {
			t |= txscript.SigHashAnyOneCanPay
		}
		if t != txscript.SigHashAll {
			out = append(out, t)
		}
	}
	return out
}

func describeOutput(o sign.OutputReview) string {
	if o.Address != "" {
		return o.Address
	}
	s := o.Script
	if len(s) > 40 {
		s = s[:40] + "…"
	}
	return fmt.Sprintf("a %s script %s", o.Type, s)
}

func decodeHex(s string) ([]byte, bool) {
	if len(s)%2 != 0 {
		return nil, false
	}
	b := make([]byte, len(s)/2)
	for i := 0; i < len(b); i++ {
		hi, ok1 := unhex(s[2*i])
		lo, ok2 := unhex(s[2*i+1])
		if !ok1 || !ok2 {
			return nil, false
		}
		b[i] = hi<<4 | lo
	}
	return b, true
}

func unhex(c byte) (byte, bool) {
	switch {
	case c >= '0' && c <= '9':
		return c - '0', true
	case c >= 'a' && c <= 'f':
		return c - 'a' + 10, true
	case c >= 'A' && c <= 'F':
		return c - 'A' + 10, true
	}
	return 0, false
}

func sats(a btcutil.Amount) string { return fmt.Sprintf("%d sat", int64(a)) }

func stamp(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05Z") }

func trimFloat(f float64) string {
	s := fmt.Sprintf("%.3f", f)
	s = strings.TrimRight(s, "0")
	return strings.TrimSuffix(s, ".")
}

func quoteAll(list []string) []string {
	out := make([]string, len(list))
	for i, s := range list {
		out[i] = fmt.Sprintf("%q", s)
	}
	return out
}

// trimBad drops the sentinel's words from a signature error, which the
// sentence already says.
func trimBad(err error) string {
	return strings.TrimPrefix(err.Error(), approval.ErrBadSignature.Error()+": ")
}
