package policy

import (
	"errors"
	"fmt"
	"strings"
)

// Code says why the policy refuses. Each code has a stable name (String)
// for journals, JSON and tests.
type Code uint16

// The refusal codes. The zero Code is not a reason.
const (
	// CodeSuspended: the vault's key is suspended (coffer key suspend).
	CodeSuspended Code = iota + 1
	// CodeLocked: LockAfterRefusals refusals in a row; an admin quorum must
	// sign a resume statement before anything is signed again.
	CodeLocked
	// CodeClockBehind: the signer's clock reads earlier than the journal's
	// last entry.
	CodeClockBehind
	// CodeReviewRefused: the review refused the transaction for a reason
	// no policy may lift.
	CodeReviewRefused
	// CodeWarnings: the review warns and the rule does not set warnings_ok.
	CodeWarnings
	// CodeWallet: an input of the vault is in a wallet the rule does not
	// cover.
	CodeWallet
	// CodeScriptType: an input of the vault spends a script type the rule
	// does not list.
	CodeScriptType
	// CodeSighash: an input asks for a sighash type the rule does not allow.
	CodeSighash
	// CodeMaxPerTx: what leaves the vault is above the rule's max_per_tx.
	CodeMaxPerTx
	// CodeVelocity: the window's total plus this transaction is above the
	// rule's velocity limit.
	CodeVelocity
	// CodeDestination: an output pays an address the rule's allowlist does
	// not hold.
	CodeDestination
	// CodeFeeUnknown: the rule limits the fee, but the fee is unknown.
	CodeFeeUnknown
	// CodeMaxFee: the fee is above the rule's max_fee.
	CodeMaxFee
	// CodeMaxFeeRate: the fee rate is above the rule's max_fee_rate.
	CodeMaxFeeRate
	// CodeMaxFeePercent: the fee is above the rule's max_fee_percent of
	// the amount sent.
	CodeMaxFeePercent
	// CodeFeeTooHigh: the review refused a fee above 10% of the amount
	// and the rule sets no fee limit of its own that would allow it.
	CodeFeeTooHigh
	// CodeTimeWindow: the signer's time is outside the rule's time window.
	CodeTimeWindow
	// CodeApprovalsMissing: fewer valid approvals than the rule requires.
	CodeApprovalsMissing
	// CodeApprovalExpired: an approval expired.
	CodeApprovalExpired
	// CodeApprovalUnknownApprover: an approval names someone the policy
	// does not list (or not in the rule's group).
	CodeApprovalUnknownApprover
	// CodeApprovalDuplicate: a second approval by the same person.
	CodeApprovalDuplicate
	// CodeApprovalOtherTx: an approval is for another transaction.
	CodeApprovalOtherTx
	// CodeApprovalMismatch: an approval's network, outputs, fee or
	// initiator differ from the request's.
	CodeApprovalMismatch
	// CodeApprovalSignature: an approval's signature is not the approver's
	// key over the document.
	CodeApprovalSignature
	// CodeApprovalInitiator: the initiator's own approval (maker-checker:
	// it never counts).
	CodeApprovalInitiator
	// CodeInitiatorUnknown: the rule needs approvals but the request does
	// not name its initiator, so maker-checker cannot hold.
	CodeInitiatorUnknown
	// CodeNoPolicy: no policy is installed and the signer was not told to
	// sign without one.
	CodeNoPolicy
	// CodeAmountNotConfirmed: the rule asks the officer to type the amount
	// and the officer typed another.
	CodeAmountNotConfirmed

	codeEnd // keep last
)

var codeNames = map[Code]string{
	CodeSuspended:               "suspended",
	CodeLocked:                  "locked",
	CodeClockBehind:             "clock-behind",
	CodeReviewRefused:           "review-refused",
	CodeWarnings:                "warnings",
	CodeWallet:                  "wallet",
	CodeScriptType:              "script-type",
	CodeSighash:                 "sighash",
	CodeMaxPerTx:                "max-per-tx",
	CodeVelocity:                "velocity",
	CodeDestination:             "destination",
	CodeFeeUnknown:              "fee-unknown",
	CodeMaxFee:                  "max-fee",
	CodeMaxFeeRate:              "max-fee-rate",
	CodeMaxFeePercent:           "max-fee-percent",
	CodeFeeTooHigh:              "fee-too-high",
	CodeTimeWindow:              "time-window",
	CodeApprovalsMissing:        "approvals-missing",
	CodeApprovalExpired:         "approval-expired",
	CodeApprovalUnknownApprover: "approval-unknown-approver",
	CodeApprovalDuplicate:       "approval-duplicate",
	CodeApprovalOtherTx:         "approval-other-transaction",
	CodeApprovalMismatch:        "approval-mismatch",
	CodeApprovalSignature:       "approval-signature",
	CodeApprovalInitiator:       "approval-by-initiator",
	CodeInitiatorUnknown:        "initiator-unknown",
	CodeNoPolicy:                "no-policy",
	CodeAmountNotConfirmed:      "amount-not-confirmed",
}

// Codes lists every refusal code.
func Codes() []Code {
	out := make([]Code, 0, int(codeEnd)-1)
	for c := Code(1); c < codeEnd; c++ {
		out = append(out, c)
	}
	return out
}

func (c Code) String() string {
	if n, ok := codeNames[c]; ok {
		return n
	}
	return fmt.Sprintf("Code(%d)", uint16(c))
}

// MarshalText writes the code's name (for JSON and the journal).
func (c Code) MarshalText() ([]byte, error) { return []byte(c.String()), nil }

// IsApproval reports whether c is about approvals: a refusal whose every
// reason is one of these may be lifted by collecting approvals.
func (c Code) IsApproval() bool {
	switch c {
	case CodeApprovalsMissing, CodeApprovalExpired, CodeApprovalUnknownApprover, CodeApprovalDuplicate,
		CodeApprovalOtherTx, CodeApprovalMismatch, CodeApprovalSignature, CodeApprovalInitiator, CodeInitiatorUnknown:
		return true
	}
	return false
}

// Reason is one refusal: a code, the rule it belongs to ("" for the
// policy as a whole), and one sentence.
type Reason struct {
	Code     Code   `json:"code"`
	Rule     string `json:"rule,omitempty"`
	Output   int    `json:"output"`             // output number, or -1
	Approval string `json:"approval,omitempty"` // the approval's file or name
	Text     string `json:"text"`               // lower case, no final period
}

func (r Reason) String() string {
	if r.Rule != "" {
		return fmt.Sprintf("rule %q: %s", r.Rule, r.Text)
	}
	return r.Text
}

// ErrRefused is what every refusal of the policy wraps.
var ErrRefused = errors.New("refused by the spending policy")

// RefusalError lists every reason the policy refuses a transaction: the
// reasons that hold for the whole policy, then each rule's.
// errors.Is(err, ErrRefused) is true.
type RefusalError struct {
	Reasons []Reason
	// NeedsApprovals is true when some rule failed only for want of
	// approvals: collecting them may lift the refusal.
	NeedsApprovals bool
}

func (e *RefusalError) Error() string {
	parts := make([]string, len(e.Reasons))
	for i, r := range e.Reasons {
		parts[i] = r.String()
	}
	return "refused by the spending policy: " + strings.Join(parts, "; ")
}

// Unwrap makes errors.Is(err, ErrRefused) true.
func (e *RefusalError) Unwrap() error { return ErrRefused }

// Has reports whether the refusal includes code c.
func (e *RefusalError) Has(c Code) bool {
	for _, r := range e.Reasons {
		if r.Code == c {
			return true
		}
	}
	return false
}
