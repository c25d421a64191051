package main

// coffer key suspend|resume|status: the suspension of the vault's key
// (ISO/TR 23576 5.4.4) and the lifting of a lock after repeated refusals.

import (
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/coffer-custody/coffer/audit"
	"github.com/coffer-custody/coffer/internal/atomicfile"
	"github.com/coffer-custody/coffer/policy"
	"github.com/coffer-custody/coffer/policy/approval"
)

// maxSuspendReason bounds the reason of a suspension (one line).
const maxSuspendReason = 200

func newKeyCommand(g *globalOptions) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "key",
		Short: "Suspend the vault's key, show whether signing is held, resume with the admins' quorum",
		Long: `Suspend and resume the vault's key (ISO/TR 23576 5.4.4).

A suspended vault refuses to sign and says since when and why. Signing is
also locked, the same way, after 10 refusals in a row (a compromised online
side probing the policy). Either hold is lifted only by a quorum of the
installed policy's admins: each signs the resume statement that
'coffer key status --statement FILE' writes, in the namespace coffer-policy,
and 'coffer key resume --sig S...' checks the quorum. The statement names
the journal entry that began the hold, so a signature for one hold cannot
lift another.`,
		Example: `  coffer key suspend --reason "officer laptop lost"
  coffer key status --statement resume.txt
  coffer key resume --sig resume.txt.alice.sig --sig resume.txt.dan.sig`,
	}
	cmd.AddCommand(newKeySuspendCommand(g), newKeyResumeCommand(g), newKeyStatusCommand(g))
	return cmd
}

type keySuspendOptions struct {
	reason string
	unlock unlockFlags
}

func newKeySuspendCommand(g *globalOptions) *cobra.Command {
	o := &keySuspendOptions{}
	cmd := &cobra.Command{
		Use:   "suspend",
		Short: "Suspend the vault's key: nothing is signed until the admins resume it",
		Long: `Suspend the vault's key. From now on coffer sign refuses, saying since when
and why, until a quorum of the policy's admins signs a resume statement
(coffer key resume). The suspension is recorded in the journal.`,
		Example: `  coffer key suspend --reason "officer laptop lost"`,
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runKeySuspend(cmd, g, o)
		},
	}
	cmd.Flags().StringVar(&o.reason, "reason", "", "why the key is suspended (required; one line)")
	o.unlock.register(cmd)
	return cmd
}

func runKeySuspend(cmd *cobra.Command, g *globalOptions, o *keySuspendOptions) error {
	reason := policy.OneLine(o.reason, maxSuspendReason)
	if reason == "" {
		return failf("say why: --reason \"officer laptop lost\"", "--reason is required: a suspension says why")
	}
	v, err := unlockVault(cmd, g, &o.unlock)
	if err != nil {
		return err
	}
	defer v.close()
	vp, err := loadPolicy(v.dir, v.net, v.journalPublicKey())
	if err != nil {
		return err
	}
	if h := vp.state.Suspended(); h != nil {
		return fail(exitError, fmt.Errorf("the key is already suspended since %s (journal seq %d): %s", stamp(h.Time), h.Seq, h.Reason), "")
	}
	now := g.env.now()
	if err := v.journal(audit.KindKeySuspend, policy.SuspendRecord{Reason: reason}, now); err != nil {
		return err
	}
	w := cmd.OutOrStdout()
	if g.json {
		return writeJSON(w, struct {
			Suspended bool      `json:"suspended"`
			Since     time.Time `json:"since"`
			Reason    string    `json:"reason"`
		}{true, now.UTC().Truncate(time.Millisecond), reason})
	}
	fmt.Fprintf(w, "the vault's key is suspended since %s: %s\nnothing is signed until a quorum of the policy's admins resumes it (coffer key status --statement FILE, then coffer key resume --sig ...)\n", stamp(now), reason)
	return nil
}

type keyResumeOptions struct {
	sigs   []string
	unlock unlockFlags
}

func newKeyResumeCommand(g *globalOptions) *cobra.Command {
	o := &keyResumeOptions{}
	cmd := &cobra.Command{
		Use:   "resume",
		Short: "Lift a suspension or a lock with a quorum of the policy's admins",
		Long: `Lift the suspension of the key, or the lock after 10 refusals in a row. Each
--sig is an admin's signature over the resume statement that
'coffer key status --statement FILE' writes, made with

  ssh-keygen -Y sign -f KEY -n coffer-policy FILE

A quorum of the installed policy's admins must sign. The resume is recorded
in the journal with who signed.`,
		Example: `  coffer key resume --sig resume.txt.alice.sig --sig resume.txt.dan.sig`,
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runKeyResume(cmd, g, o)
		},
	}
	cmd.Flags().StringArrayVar(&o.sigs, "sig", nil, "an admin's signature over the resume statement (repeat for each admin)")
	o.unlock.register(cmd)
	return cmd
}

func runKeyResume(cmd *cobra.Command, g *globalOptions, o *keyResumeOptions) error {
	pv, vp, err := openPublicPolicy(g)
	if err != nil {
		return err
	}
	h := vp.state.Hold()
	if h == nil {
		return fail(exitError, fmt.Errorf("signing is not suspended or locked in %s: there is nothing to resume", pv.dir), "")
	}
	if vp.policy == nil {
		return failf("install the first policy (coffer policy install FILE --present ...); its admins then sign the resume statement",
			"no spending policy is installed, so there are no admins to lift the %s", holdWord(h))
	}
	if len(o.sigs) == 0 {
		return failf("write the statement with 'coffer key status --statement FILE'; each admin runs 'ssh-keygen -Y sign -f KEY -n coffer-policy FILE'",
			"resuming needs --sig files from %d of the admins (%s)", vp.policy.Admins.Required, adminIDs(vp.policy))
	}
	sigs, err := readSigFiles(o.sigs)
	if err != nil {
		return err
	}
	stmt := policy.ResumeStatement(h)
	signers, err := vp.policy.CheckQuorum(stmt, sigs)
	if err != nil {
		return fail(exitError, fmt.Errorf("the %s is not lifted: %v", holdWord(h), err),
			"the admins sign the statement of 'coffer key status --statement FILE' as it is now")
	}
	v, err := unlockVault(cmd, g, &o.unlock)
	if err != nil {
		return err
	}
	defer v.close()
	rec := policy.ResumeRecord{Signers: signers, HoldSeq: h.Seq, HoldHash: fmt.Sprintf("%x", h.Hash)}
	if err := v.journal(audit.KindKeyResume, rec, g.env.now()); err != nil {
		return err
	}
	w := cmd.OutOrStdout()
	if g.json {
		return writeJSON(w, rec)
	}
	fmt.Fprintf(w, "the %s that began at journal seq %d is lifted, signed by %s; signing is open\n", holdWord(h), h.Seq, joinIDs(signers))
	return nil
}

func holdWord(h *policy.Hold) string {
	if h.Locked {
		return "lock"
	}
	return "suspension"
}

func joinIDs(ids []string) string {
	out := ""
	for i, id := range ids {
		if i > 0 {
			out += ", "
		}
		out += id
	}
	return out
}

type keyStatusOptions struct {
	statement string
}

func newKeyStatusCommand(g *globalOptions) *cobra.Command {
	o := &keyStatusOptions{}
	cmd := &cobra.Command{
		Use:   "status",
		Short: "Say whether signing is suspended or locked, and write the resume statement",
		Long: `Say whether the vault's key is suspended or signing locked, since when and
why, and how many refusals in a row end the journal. With --statement FILE
the resume statement the admins must sign is written to FILE (never
overwriting a file). Needs no passphrase.`,
		Example: `  coffer key status
  coffer key status --statement resume.txt`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runKeyStatus(cmd, g, o)
		},
	}
	cmd.Flags().StringVar(&o.statement, "statement", "", "write the resume statement for the admins to sign to this file")
	return cmd
}

func runKeyStatus(cmd *cobra.Command, g *globalOptions, o *keyStatusOptions) error {
	if o.statement != "" {
		if err := checkNewFile("--statement", o.statement); err != nil {
			return err
		}
	}
	_, vp, err := openPublicPolicy(g)
	if err != nil {
		return err
	}
	st := vp.state
	h := st.Hold()
	if o.statement != "" {
		if h == nil {
			return fail(exitError, fmt.Errorf("signing is not suspended or locked: there is no resume statement to write"), "")
		}
		if err := atomicfile.WriteNew(o.statement, policy.ResumeStatement(h), 0o644); err != nil {
			return failf("choose another file, or move the old one away", "cannot write %s: %v", o.statement, err)
		}
	}
	view := struct {
		Held      bool       `json:"held"`
		Kind      string     `json:"kind,omitempty"`
		Since     *time.Time `json:"since,omitempty"`
		Seq       uint64     `json:"seq,omitempty"`
		Reason    string     `json:"reason,omitempty"`
		Refusals  int        `json:"refusals_in_a_row"`
		LockAt    int        `json:"lock_after_refusals"`
		Policy    bool       `json:"policy_installed"`
		Statement string     `json:"statement_file,omitempty"`
	}{Held: h != nil, Refusals: st.Streak(), LockAt: policy.LockAfterRefusals, Policy: vp.policy != nil, Statement: o.statement}
	if h != nil {
		since := h.Time.UTC()
		view.Kind, view.Since, view.Seq, view.Reason = map[bool]string{true: "locked", false: "suspended"}[h.Locked], &since, h.Seq, policy.OneLine(h.Reason, maxSuspendReason)
	}
	w := cmd.OutOrStdout()
	if g.json {
		return writeJSON(w, view)
	}
	if h == nil {
		fmt.Fprintf(w, "signing is open; %d refusal(s) in a row (signing locks at %d)\n", st.Streak(), policy.LockAfterRefusals)
		return nil
	}
	fmt.Fprintf(w, "signing is %s since %s (journal seq %d): %s\n", view.Kind, stamp(h.Time), h.Seq, view.Reason)
	if o.statement != "" {
		fmt.Fprintf(w, "wrote the resume statement to %s; each admin signs it with\n  ssh-keygen -Y sign -f KEY -n %s %s\nthen run 'coffer key resume --sig ...'\n", o.statement, approval.NamespacePolicy, o.statement)
	} else {
		fmt.Fprintln(w, "to lift it, write the resume statement with --statement FILE for the admins to sign")
	}
	return nil
}

func stamp(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05Z") }
