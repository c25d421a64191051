package auditcmd

import (
	"fmt"
	"io"
	"sort"
	"strings"
)

const timeFormat = "2006-01-02T15:04:05.000Z"

// printJournalReport writes the text form of a journal report.
func printJournalReport(w io.Writer, r *JournalReport) {
	fmt.Fprintf(w, "journal:     %s\n", r.Journal)
	fmt.Fprintf(w, "public key:  %s\n", r.PublicKey)
	if r.Entries > 0 {
		fmt.Fprintf(w, "entries:     %d (seq %d to %d)\n", r.Entries, r.FirstSeq, r.LastSeq)
		fmt.Fprintf(w, "first:       %s\n", r.FirstTime.UTC().Format(timeFormat))
		fmt.Fprintf(w, "last:        %s\n", r.LastTime.UTC().Format(timeFormat))
		fmt.Fprintf(w, "head:        %d:%s\n", r.LastSeq, r.LastHash)
	} else {
		fmt.Fprintf(w, "entries:     0\n")
	}
	kinds := make([]string, 0, len(r.Kinds))
	for k := range r.Kinds {
		kinds = append(kinds, k)
	}
	sort.Strings(kinds)
	parts := make([]string, 0, len(kinds))
	for _, k := range kinds {
		parts = append(parts, fmt.Sprintf("%s %d", k, r.Kinds[k]))
	}
	fmt.Fprintf(w, "kinds:       %s\n", orNone(strings.Join(parts, ", ")))
	if len(r.Signed) == 0 {
		fmt.Fprintf(w, "signed:      none recorded\n")
	}
	for i, s := range r.Signed {
		label := "signed:      "
		if i > 0 {
			label = "             "
		}
		fmt.Fprintf(w, "%s%s: %d signing(s), %d sats", label, s.Wallet, s.Signings, s.SpentSats)
		if s.Unknown > 0 {
			fmt.Fprintf(w, " (%d without an amount)", s.Unknown)
		}
		fmt.Fprintln(w)
	}
	if len(r.Proven) == 0 {
		fmt.Fprintf(w, "proven:      no key proven\n")
	}
	for i, p := range r.Proven {
		label := "proven:      "
		if i > 0 {
			label = "             "
		}
		fmt.Fprintf(w, "%s%s last at %s (seq %d, %s), %d proof(s)\n", label, p.Key, p.Time.UTC().Format(timeFormat), p.Seq, p.Address, p.Count)
	}
	if r.CeremonyChecked {
		fmt.Fprintf(w, "ceremony:    seq 1 records the ceremony transcript\n")
	}
	if r.Valid {
		fmt.Fprintf(w, "result:      ok\n")
		return
	}
	if r.Failure != nil {
		fmt.Fprintf(w, "result:      FAILED: %s\n", r.Failure.Error)
	}
}

func orNone(s string) string {
	if s == "" {
		return "none"
	}
	return s
}

// printCeremonyReport writes the text form of a ceremony report: nothing
// when no check ran (the transcript did not read; the error says why).
func printCeremonyReport(w io.Writer, r *CeremonyReport) {
	if len(r.Checks) == 0 {
		return
	}
	fmt.Fprintf(w, "ceremony:    %s (sha256 %s)\n", r.Ceremony, r.SHA256)
	fmt.Fprintf(w, "made:        %s on %s at %s, master %s\n", r.Kind, r.Network, r.Date, r.MasterFingerprint)
	for _, c := range r.Checks {
		status := "ok"
		if !c.OK {
			status = "FAILED"
		}
		fmt.Fprintf(w, "%-12s %s: %s: %s\n", c.Name+":", c.Subject, status, c.Detail)
	}
	if r.Valid {
		fmt.Fprintf(w, "result:      ok\n")
	} else {
		fmt.Fprintf(w, "result:      FAILED\n")
	}
}
