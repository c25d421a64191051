package policy

import (
	"fmt"
	"io"
	"strings"
	"time"
)

// Describe writes the decision in words, as both coffer and coffer-watch
// show it: the verdict, every rule with pass or fail and its reasons, and
// every approval with whether it counts.
func (d *Decision) Describe(w io.Writer) {
	if d.Allowed {
		fmt.Fprintf(w, "policy: ALLOWED by rule %q\n", d.Rule)
	} else {
		fmt.Fprintln(w, "policy: REFUSED")
	}
	fmt.Fprintf(w, "leaves the vault: %d sat; time used: %s", int64(d.Amount), d.Now.Format(time.RFC3339))
	if d.Initiator != "" {
		fmt.Fprintf(w, "; initiator: %s", d.Initiator)
	}
	fmt.Fprintln(w)
	for _, r := range d.Refusals {
		fmt.Fprintf(w, "  refused: %s\n", r.Text)
	}
	for i, r := range d.Rules {
		verdict := "pass"
		if !r.Passed {
			verdict = "fail"
		}
		fmt.Fprintf(w, "rule %d %q: %s\n", i+1, r.Name, verdict)
		for _, x := range r.Reasons {
			fmt.Fprintf(w, "  - %s\n", x.Text)
		}
		if len(r.Approvers) > 0 {
			fmt.Fprintf(w, "  approved by: %s\n", strings.Join(r.Approvers, ", "))
		}
	}
	for _, a := range d.Approvals {
		if a.Valid {
			fmt.Fprintf(w, "approval %s (%s): counts until %s\n", a.Name, a.Approver, a.Expires.Format(time.RFC3339))
		} else {
			fmt.Fprintf(w, "approval %s (%s): does not count: %s\n", a.Name, a.Approver, a.Why)
		}
	}
	for _, n := range d.Notes {
		fmt.Fprintf(w, "note: %s\n", n)
	}
	if d.Confirm {
		fmt.Fprintln(w, "the officer must type the amount to confirm")
	}
}
