package auditcmd

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/coffer-custody/coffer/audit"
	"github.com/coffer-custody/coffer/internal/cli"
)

type replayOptions struct {
	keyOptions
	policies []string
}

func newReplayCommand(o Options) *cobra.Command {
	v := &replayOptions{}
	use := "replay JOURNAL --policy FILE..."
	args := cobra.ExactArgs(1)
	if o.VaultFiles != nil {
		use = "replay [JOURNAL] --policy FILE..."
		args = cobra.MaximumNArgs(1)
	}
	cmd := &cobra.Command{
		Use:   use,
		Short: "Decide every recorded signing again with the policy that was in force",
		Long: `Verify a whole journal (as audit verify does) and decide every signing it
records again, with the spending policy that was in force when it was made.

The policy in force for a sign entry is the last policy-install entry before
it, which names the policy's SHA-256. Give the policy files with --policy
(repeat it for each policy the journal installed): each file is matched by
its SHA-256, and a policy that was not given is reported, never guessed. The
decision is made again with what the entry recorded — the whole review, the
approvals (documents and signatures), the initiator, the time the signer's
decision used — and the journal as it stood before the entry: what had
left the vault in each velocity window, suspensions and locks.

Every signing that would not pass is reported with the policy's reasons, as
is a record that contradicts the journal (another policy, another amount).
Signings made with --no-policy are reported loudly. Entries written by an
older coffer, without the review, and entries whose review was too large
for a journal line (only its SHA-256 is kept) are listed as not checkable.

The exit status is 0 only when the journal verifies and every signing
passes; 10 when a signing would not pass or was made without a policy; 1
when the journal does not verify or a signing could not be checked (not
checkable, or its policy not given).`,
		Example: fmt.Sprintf(`  %[1]s audit replay journal.jsonl --ceremony ceremony.json --policy policy-v1.yaml --policy policy-v2.yaml
  %[1]s audit replay journal.jsonl --pubkey 3b6a27bcceb6a42d62a3a8d02a6f0d73653215771de243a63ac048a18b59da29 --policy policy.yaml --json`, o.Prog),
		Args: args,
		RunE: func(cmd *cobra.Command, a []string) error {
			return runReplay(cmd, o, v, a)
		},
	}
	v.addFlags(cmd)
	cmd.Flags().StringArrayVar(&v.policies, "policy", nil, "a policy file the journal installed (repeat; matched by SHA-256)")
	if o.VaultFiles != nil {
		cmd.Long += `

Without a file argument the vault's own journal.jsonl is replayed with the
key of its ceremony.json, and its installed policy.yaml is among the policy
files.`
	}
	return cmd
}

func runReplay(cmd *cobra.Command, o Options, v *replayOptions, args []string) error {
	journal, err := v.journal(o, args)
	if err != nil {
		return err
	}
	paths := append([]string(nil), v.policies...)
	if len(args) == 0 {
		installed := filepath.Join(filepath.Dir(journal), "policy.yaml")
		if _, err := os.Stat(installed); err == nil {
			paths = append(paths, installed)
		} else if !errors.Is(err, fs.ErrNotExist) {
			return cli.Failf("", "cannot read the installed policy %s: %v", installed, unwrapPath(err))
		}
	}
	opts := ReplayOptions{}
	if opts.PublicKey, opts.CeremonySHA256, err = v.key(); err != nil {
		return err
	}
	files, err := ReadPolicyFiles(paths)
	if err != nil {
		return cli.Failf("", "--policy: %v", err)
	}
	opts.Policies = files
	rep, err := Replay(journal, opts)
	if werr := writeReport(cmd.OutOrStdout(), o, rep, printReplayReport); werr != nil {
		return werr
	}
	for _, s := range rep.Signings {
		if s.Status == StatusNoPolicy {
			cli.Warn(cmd.ErrOrStderr(), o.Prog, "SIGNED WITHOUT A SPENDING POLICY: journal seq %d (%s, txid %s): %s", s.Seq, s.Time.UTC().Format(timeFormat), orNone(s.TxID), strings.Join(s.Why, "; "))
		}
	}
	for _, f := range rep.UnusedFiles {
		cli.Warn(cmd.ErrOrStderr(), o.Prog, "--policy %s matches no policy the journal installed", f)
	}
	if err != nil {
		var ve *audit.VerifyError
		if errors.As(err, &ve) {
			return cli.Fail(cli.ExitError, fmt.Errorf("journal %s does not verify: %v; nothing after that entry was replayed", journal, err),
				"check it with 'audit verify'; the entries before the one named verified")
		}
		return cli.Fail(cli.ExitError, fmt.Errorf("journal %s: %v", journal, err), "")
	}
	switch {
	case rep.Failed > 0 || rep.NoPolicy > 0:
		return cli.Fail(cli.ExitPolicy, fmt.Errorf("journal %s: %s", journal, replayVerdict(rep)), "each one is listed above with why")
	case rep.NotCheckable > 0 || rep.PolicyMissing > 0:
		hint := ""
		if rep.PolicyMissing > 0 {
			hint = "pass every policy the journal installed with --policy FILE (the admins keep them; the journal names each sha256)"
		}
		return cli.Fail(cli.ExitError, fmt.Errorf("journal %s: %s", journal, replayVerdict(rep)), hint)
	}
	return nil
}

// replayVerdict says in one sentence why a replay did not pass.
func replayVerdict(r *ReplayReport) string {
	var parts []string
	add := func(n int, one, many string) {
		if n == 1 {
			parts = append(parts, "1 "+one)
		} else if n > 1 {
			parts = append(parts, fmt.Sprintf("%d %s", n, many))
		}
	}
	add(r.Failed, "signing would not pass the policy in force", "signings would not pass the policy in force")
	add(r.NoPolicy, "signing was made without a spending policy", "signings were made without a spending policy")
	add(r.PolicyMissing, "signing could not be checked: its policy was not given", "signings could not be checked: their policy was not given")
	add(r.NotCheckable, "signing is not checkable", "signings are not checkable")
	return strings.Join(parts, ", ")
}

// printReplayReport writes the text form of a replay report.
func printReplayReport(w io.Writer, r *ReplayReport) {
	fmt.Fprintf(w, "journal:     %s\n", r.Journal)
	fmt.Fprintf(w, "public key:  %s\n", r.PublicKey)
	if r.Entries > 0 {
		fmt.Fprintf(w, "entries:     %d, head %d:%s\n", r.Entries, r.LastSeq, r.LastHash)
	}
	if len(r.Policies) == 0 {
		fmt.Fprintf(w, "policies:    none installed\n")
	}
	for i, p := range r.Policies {
		label := "policies:    "
		if i > 0 {
			label = "             "
		}
		file := "NOT GIVEN"
		if p.File != "" {
			file = "file " + p.File
		}
		fmt.Fprintf(w, "%s%s installed at seq %d (%s), %d signing(s), %s\n", label, p.SHA256, p.InstallSeq, p.InstalledAt.UTC().Format(timeFormat), p.Signings, file)
	}
	fmt.Fprintf(w, "signings:    %d: %d passed, %d failed, %d without a policy, %d not checkable, %d without their policy file\n",
		r.Total, r.Passed, r.Failed, r.NoPolicy, r.NotCheckable, r.PolicyMissing)
	for _, s := range r.Signings {
		fmt.Fprintf(w, "seq %d (%s, txid %s): %s", s.Seq, s.Time.UTC().Format(timeFormat), orNone(s.TxID), strings.ToUpper(string(s.Status)))
		if s.RecordedRule != "" {
			fmt.Fprintf(w, " (recorded rule %q)", s.RecordedRule)
		}
		fmt.Fprintln(w)
		for _, why := range s.Why {
			fmt.Fprintf(w, "  - %s\n", why)
		}
	}
	switch {
	case r.Failure != nil:
		fmt.Fprintf(w, "result:      FAILED: %s\n", r.Failure.Error)
	case r.Valid:
		fmt.Fprintf(w, "result:      ok: every signing passes the policy that was in force\n")
	default:
		fmt.Fprintf(w, "result:      FAILED: %s\n", replayVerdict(r))
	}
}
