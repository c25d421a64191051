package main

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/coffer-custody/coffer/internal/auditcmd"
	"github.com/coffer-custody/coffer/sign"
)

// TestSignEntryReplay: a sign entry carries the whole review for audit
// replay; a review too large for a journal line is left out, its SHA-256
// kept and the reason said, so the line stays under audit.MaxLineLen.
func TestSignEntryReplay(t *testing.T) {
	review := func(outputs int) *sign.Review {
		r := &sign.Review{Network: "regtest", TxID: strings.Repeat("ab", 32), Sent: 1000, Warnings: []string{}, Refusals: []sign.Reason{}}
		for i := 0; i < outputs; i++ {
			r.Outputs = append(r.Outputs, sign.OutputReview{Index: i, Address: "bcrt1qlf87mkg4juq3veea2zvwe7zprda2cnpjctc3y6",
				Script: "0014fa4fedd915970116673d5098ecf8411b7aac4c32", Type: "p2wpkh", Amount: 1000, Label: sign.LabelExternal})
		}
		r.NumOutputs = outputs
		return r
	}
	for _, c := range []struct {
		outputs int
		kept    bool
	}{{2, true}, {1000, true}, {8000, false}} {
		r := review(c.outputs)
		rp, err := auditcmd.NewSignReplay(r, "alice", nil)
		if err != nil {
			t.Fatal(err)
		}
		sum := rp.ReviewSHA256
		rec := signRecord{src: &psbtSource{path: "req.psbt"}, review: r, policy: &policyOutcome{Rule: "petty"}, replay: rp}
		b, err := json.Marshal(rec.entry())
		if err != nil {
			t.Fatal(err)
		}
		if len(b) > auditcmd.MaxSignEntryData {
			t.Fatalf("%d outputs: entry of %d bytes", c.outputs, len(b))
		}
		var back struct {
			Replay *auditcmd.SignReplay `json:"replay"`
		}
		if err := json.Unmarshal(b, &back); err != nil {
			t.Fatal(err)
		}
		if got := back.Replay.Review != nil; got != c.kept || back.Replay.ReviewSHA256 != sum || back.Replay.Initiator != "alice" && c.kept {
			t.Fatalf("%d outputs: review kept %v, replay %+v", c.outputs, got, back.Replay)
		}
		if !c.kept && !strings.Contains(back.Replay.Omitted, "more than a journal line holds") {
			t.Fatalf("omitted %q", back.Replay.Omitted)
		}
		if c.kept && len(back.Replay.Review.Outputs) != c.outputs {
			t.Fatalf("%d outputs recorded", len(back.Replay.Review.Outputs))
		}
	}
}
