package main

// The spending policy on the signer: coffer policy install|show|check, and
// evaluatePolicy, the one call coffer sign makes between the review and the
// officer.

import (
	"bytes"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/btcsuite/btcd/txscript"
	"github.com/spf13/cobra"

	"github.com/coffer-custody/coffer/audit"
	"github.com/coffer-custody/coffer/internal/atomicfile"
	"github.com/coffer-custody/coffer/internal/cli"
	"github.com/coffer-custody/coffer/policy"
	"github.com/coffer-custody/coffer/policy/approval"
	"github.com/coffer-custody/coffer/sign"
	"github.com/coffer-custody/coffer/wallet"
)

const (
	policyFile     = "policy.yaml"      // the installed policy, its exact bytes
	policySigsFile = "policy.yaml.sigs" // the admin signatures it was installed with
	exitPolicy     = cli.ExitPolicy
	exitApprovals  = cli.ExitApprovals
)

func newPolicyCommand(g *globalOptions) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "policy",
		Short: "Install, show and try the vault's spending policy",
		Long: `The spending policy decides what coffer sign may sign: rules tried in order,
the first that the transaction satisfies allows it; limits per transaction and
over a sliding window (velocity, read from the journal), allowlisted
destinations, fees, approvals by named people, sighash and script types, time
windows. Without an installed policy coffer sign refuses unless --no-policy.

The policy is a YAML file (see the README and testdata/policy/sample.yaml).
It names its admins: a new policy replaces the installed one only when a
quorum of the installed policy's admins signed the new file's exact bytes
(ssh-keygen -Y sign -n coffer-policy, or coffer-watch approve --namespace
coffer-policy). The first policy of a vault is installed at the ceremony,
without signatures, and the journal records who was present.`,
		Example: `  coffer policy install policy.yaml --present alice --present dan
  coffer policy install policy-v2.yaml --sig alice.sig --sig dan.sig
  coffer policy show
  coffer policy check request.psbt --approvals approvals/`,
	}
	cmd.AddCommand(newPolicyInstallCommand(g), newPolicyShowCommand(g), newPolicyCheckCommand(g))
	return cmd
}

// vaultPolicy is the vault's journal state and its installed policy (nil
// when none was ever installed).
type vaultPolicy struct {
	state  *policy.State
	policy *policy.Policy
	report *audit.Report
}

// openPublicPolicy opens the vault without its passphrase and loads its
// policy state, the journal verified with the ceremony's public key.
func openPublicPolicy(g *globalOptions) (*publicVault, *vaultPolicy, error) {
	pv, err := openPublicVault(g)
	if err != nil {
		return nil, nil, err
	}
	vp, err := loadPolicy(pv.dir, pv.net, pv.journalPub)
	if err != nil {
		return nil, nil, err
	}
	return pv, vp, nil
}

// loadPolicy verifies the vault's whole journal, builds the policy state in
// the same pass, and reads the installed policy, which must be byte for
// byte the one the journal says was installed.
func loadPolicy(dir string, net wallet.Network, pub ed25519.PublicKey) (*vaultPolicy, error) {
	jpath := filepath.Join(dir, journalFile)
	f, err := os.Open(jpath)
	if err != nil {
		return nil, failf("a vault's journal is written at the ceremony; restore the vault folder from its backup", "cannot read the journal %s: %v", jpath, whyUnreadable(err))
	}
	defer f.Close()
	st, rep, err := policy.ReadState(f, pub)
	if err != nil {
		return nil, fail(exitError, fmt.Errorf("the journal %s does not verify: %v; nothing is signed on a journal that was changed", jpath, err),
			"check it with 'coffer audit verify' and restore the vault's journal from its backup")
	}
	vp := &vaultPolicy{state: st, report: rep}
	ppath := filepath.Join(dir, policyFile)
	in := st.Installed()
	data, err := readBounded(ppath, policy.MaxFileSize)
	switch {
	case in == nil && errors.Is(err, fs.ErrNotExist):
		return vp, nil
	case in == nil && err == nil:
		return nil, failf("remove it and install the policy with 'coffer policy install'",
			"%s is in the vault, but the journal records no policy install: it was put there by hand", ppath)
	case in != nil && err != nil:
		return nil, failf("restore the vault folder from its backup, or have the admins install the policy again",
			"the journal records a policy install (seq %d), but %s cannot be read: %v", in.Seq, ppath, err)
	case err != nil:
		return nil, failf("", "cannot read %s: %v", ppath, err)
	}
	if sha256.Sum256(data) != in.SHA256 {
		return nil, failf("put back the installed policy file (the admins keep it; its sha256 is in the journal) or restore the vault folder from its backup",
			"%s is not the policy installed at journal seq %d (sha256 %x): it was changed outside coffer", ppath, in.Seq, in.SHA256)
	}
	if vp.policy, err = policy.Parse(data, net); err != nil {
		return nil, failf("", "the installed policy %s: %v", ppath, err)
	}
	return vp, nil
}

func unwrapPath(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// readPolicyFile reads and parses a policy file given on the command line.
func readPolicyFile(path string, net wallet.Network) (*policy.Policy, error) {
	data, err := readBounded(path, policy.MaxFileSize)
	if err != nil {
		return nil, failf("", "cannot read the policy %s: %v", path, err)
	}
	p, err := policy.Parse(data, net)
	if err != nil {
		return nil, fail(exitError, fmt.Errorf("%s: %v", path, err), "fix the policy file; see testdata/policy/sample.yaml and the README")
	}
	return p, nil
}

// readSigFiles reads admin signature files (--sig).
func readSigFiles(paths []string) ([]policy.SignatureFile, error) {
	var out []policy.SignatureFile
	for _, p := range paths {
		s, err := approval.ReadSignatureFile(p)
		if err != nil {
			return nil, failf("each --sig is a signature file written by 'ssh-keygen -Y sign -n coffer-policy' or 'coffer-watch approve --namespace coffer-policy'", "%v", err)
		}
		out = append(out, policy.SignatureFile{Name: p, Sig: s})
	}
	return out, nil
}

type policyInstallOptions struct {
	sigs    []string
	present []string
	unlock  unlockFlags
}

func newPolicyInstallCommand(g *globalOptions) *cobra.Command {
	o := &policyInstallOptions{}
	cmd := &cobra.Command{
		Use:   "install FILE",
		Short: "Install a spending policy (a quorum of the installed policy's admins must sign it)",
		Long: `Install FILE as the vault's spending policy.

The file is read strictly: an unknown or misspelt field, an amount without a
unit or below zero, a rule without any limit, a destination of another
network is refused with its line.

The first policy of a vault installs without signatures: name the people
present with --present (the journal records them). Every later policy needs
--sig files from a quorum of the INSTALLED policy's admins, each a signature
over FILE's exact bytes in the namespace coffer-policy:

  ssh-keygen -Y sign -f ~/.ssh/id_ed25519 -n coffer-policy FILE

A policy that was installed before is never installed again (no rollback),
and a policy's serial, when set, never goes down. The install is journaled
first; the file is then kept in the vault as policy.yaml.`,
		Example: `  coffer policy install policy.yaml --present alice --present dan
  coffer policy install policy-v2.yaml --sig policy-v2.yaml.alice.sig --sig policy-v2.yaml.dan.sig`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runPolicyInstall(cmd, g, o, args[0])
		},
	}
	cmd.Flags().StringArrayVar(&o.sigs, "sig", nil, "an admin's signature file over FILE (repeat for each admin)")
	cmd.Flags().StringArrayVar(&o.present, "present", nil, "who is present (repeat; required for the first policy)")
	o.unlock.register(cmd)
	return cmd
}

func runPolicyInstall(cmd *cobra.Command, g *globalOptions, o *policyInstallOptions, file string) error {
	pv, err := openPublicVault(g)
	if err != nil {
		return err
	}
	for _, id := range o.present {
		if err := approval.CheckID(id); err != nil {
			return failf("", "--present %q: %v", id, err)
		}
	}
	vp, err := loadPolicy(pv.dir, pv.net, pv.journalPub)
	if err != nil {
		return err
	}
	newPol, err := readPolicyFile(file, pv.net)
	if err != nil {
		return err
	}
	sigs, err := readSigFiles(o.sigs)
	if err != nil {
		return err
	}
	sum := newPol.SHA256()
	rec := policy.InstallRecord{SHA256: hex.EncodeToString(sum[:]), Serial: newPol.Serial, Present: o.present, Signers: []string{}}
	for _, r := range newPol.Rules {
		rec.Rules = append(rec.Rules, r.Name)
	}
	if seq, again := vp.state.InstalledBefore(sum); again {
		return fail(exitError, fmt.Errorf("%s was installed before (journal seq %d); a policy is never installed twice, so an old policy cannot come back", file, seq),
			"to return to those rules, raise the policy's serial and have the admins sign the new file")
	}
	if vp.policy == nil {
		if len(o.present) == 0 {
			return failf("name the people present: --present alice --present dan",
				"%s would be the vault's first policy, which installs without signatures: --present must say who is present", file)
		}
		rec.First = true
		if len(sigs) > 0 { // signatures on a first policy are checked against its own admins
			if rec.Signers, err = newPol.CheckQuorum(newPol.Raw(), sigs); err != nil {
				return fail(exitError, fmt.Errorf("%s: %v", file, err), "")
			}
		}
	} else {
		in := vp.state.Installed()
		rec.Previous = hex.EncodeToString(in.SHA256[:])
		if newPol.Serial < in.Serial {
			return failf("raise the serial above the installed policy's and have the admins sign again",
				"%s has serial %d, lower than the installed policy's %d", file, newPol.Serial, in.Serial)
		}
		if len(sigs) == 0 {
			return fail(exitError, fmt.Errorf("%s would replace the installed policy, which needs %d signatures of its admins (%s) over the new file",
				file, vp.policy.Admins.Required, adminIDs(vp.policy)), fmt.Sprintf("each admin runs 'ssh-keygen -Y sign -f KEY -n %s %s'; pass each file with --sig", approval.NamespacePolicy, file))
		}
		if rec.Signers, err = vp.policy.CheckQuorum(newPol.Raw(), sigs); err != nil {
			return fail(exitError, fmt.Errorf("%s is not installed: %v", file, err), "")
		}
	}

	v, err := unlockVault(cmd, g, &o.unlock)
	if err != nil {
		return err
	}
	defer v.close()
	if !bytes.Equal(v.journalPublicKey(), pv.journalPub) {
		return failf("", "the keystore's journal key is not the one in %s", ceremonyFile)
	}
	now := g.env.now()
	if err := v.journal(audit.KindPolicyInstall, rec, now); err != nil {
		return err
	}
	if err := atomicfile.Write(filepath.Join(v.dir, policyFile), newPol.Raw(), 0o600); err != nil {
		return failf("the install is journaled; run the same install again to write the file", "cannot write %s: %v", filepath.Join(v.dir, policyFile), err)
	}
	var armored []byte
	for _, s := range sigs {
		armored = append(armored, s.Sig.Marshal()...)
	}
	if err := atomicfile.Write(filepath.Join(v.dir, policySigsFile), armored, 0o600); err != nil {
		return failf("", "cannot write %s: %v", filepath.Join(v.dir, policySigsFile), err)
	}
	w := cmd.OutOrStdout()
	if g.json {
		return writeJSON(w, rec)
	}
	fmt.Fprintf(w, "installed %s as the vault's spending policy\nsha256:  %s\nrules:   %s\n", file, rec.SHA256, strings.Join(rec.Rules, ", "))
	if rec.First {
		fmt.Fprintf(w, "first policy, present: %s\n", strings.Join(o.present, ", "))
	}
	if len(rec.Signers) > 0 {
		fmt.Fprintf(w, "signed by: %s\n", strings.Join(rec.Signers, ", "))
	}
	return nil
}

func adminIDs(p *policy.Policy) string {
	var ids []string
	for _, a := range p.Admins.Keys {
		ids = append(ids, a.ID)
	}
	return strings.Join(ids, ", ")
}

func newPolicyShowCommand(g *globalOptions) *cobra.Command {
	return &cobra.Command{
		Use:   "show",
		Short: "Show the installed spending policy in words",
		Long: `Show the installed spending policy: its hash, when it was installed and by
whom, its admins and groups, each rule in words, and whether signing is
suspended or locked. Needs no passphrase: the journal is verified with the
public key of the ceremony transcript.`,
		Example: `  coffer policy show
  coffer policy show --json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			pv, vp, err := openPublicPolicy(g)
			if err != nil {
				return err
			}
			if vp.policy == nil {
				return failf("install one with 'coffer policy install FILE --present ID...'",
					"no spending policy is installed in %s: coffer sign refuses to sign without --no-policy", pv.dir)
			}
			view := newPolicyView(vp)
			if g.json {
				return writeJSON(cmd.OutOrStdout(), view)
			}
			printPolicy(cmd.OutOrStdout(), view)
			return nil
		},
	}
}

// policyView is the installed policy for show --json.
type policyView struct {
	SHA256      string      `json:"sha256"`
	Serial      uint64      `json:"serial"`
	Network     string      `json:"network"`
	InstalledAt time.Time   `json:"installed_at"`
	InstallSeq  uint64      `json:"install_seq"`
	SignedBy    []string    `json:"signed_by"`
	Admins      groupView   `json:"admins"`
	Groups      []groupView `json:"groups"`
	Rules       []ruleView  `json:"rules"`
	Hold        *holdView   `json:"hold,omitempty"`
	Refusals    int         `json:"refusals_in_a_row"`
	Signings    int         `json:"signings"`
}

type groupView struct {
	Name     string   `json:"name,omitempty"`
	Required int      `json:"required,omitempty"`
	Members  []string `json:"members"`
}

type ruleView struct {
	Name  string   `json:"name"`
	Line  int      `json:"line"`
	Words []string `json:"allows_when"`
}

type holdView struct {
	Kind   string    `json:"kind"` // suspended or locked
	Since  time.Time `json:"since"`
	Seq    uint64    `json:"seq"`
	Reason string    `json:"reason"`
}

func newPolicyView(vp *vaultPolicy) *policyView {
	p, st := vp.policy, vp.state
	in := st.Installed()
	v := &policyView{SHA256: hex.EncodeToString(in.SHA256[:]), Serial: p.Serial, Network: p.Network.String(), InstalledAt: in.Time.UTC(),
		InstallSeq: in.Seq, SignedBy: append([]string{}, in.Signers...), Refusals: st.Streak(), Signings: st.Signings()}
	v.Admins = groupView{Required: p.Admins.Required}
	for _, a := range p.Admins.Keys {
		v.Admins.Members = append(v.Admins.Members, a.ID)
	}
	for _, g := range p.Groups {
		gv := groupView{Name: g.Name}
		for _, m := range g.Members {
			gv.Members = append(gv.Members, m.ID)
		}
		v.Groups = append(v.Groups, gv)
	}
	for _, r := range p.Rules {
		v.Rules = append(v.Rules, ruleView{Name: r.Name, Line: r.Line, Words: ruleWords(p, r)})
	}
	if h := st.Hold(); h != nil {
		kind := "suspended"
		if h.Locked {
			kind = "locked"
		}
		v.Hold = &holdView{Kind: kind, Since: h.Time.UTC(), Seq: h.Seq, Reason: policy.OneLine(h.Reason, 200)}
	}
	return v
}

// ruleWords says what a rule asks, one condition a line.
func ruleWords(p *policy.Policy, r *policy.Rule) []string {
	var w []string
	if r.MaxPerTx != nil {
		w = append(w, fmt.Sprintf("at most %d sat leaves the vault in the transaction (max_per_tx)", int64(*r.MaxPerTx)))
	}
	if v := r.Velocity; v != nil {
		w = append(w, fmt.Sprintf("with what left the vault in the last %s, under any rule, at most %d sat (velocity)", policy.FormatDuration(v.Window), int64(v.Limit)))
	}
	switch d := r.Destinations; {
	case d.Any:
		w = append(w, "to any address")
	default:
		descs := 0
		for _, e := range d.Entries {
			if e.Descriptor {
				descs++
			}
		}
		w = append(w, fmt.Sprintf("only to the %s and %s of its destinations list (change and the vault's own addresses are always allowed)",
			plural(len(d.Entries)-descs, "address", "addresses"), plural(descs, "descriptor", "descriptors")))
	}
	if r.Wallets != nil {
		w = append(w, "spending only from "+strings.Join(r.Wallets, ", "))
	}
	if r.MaxFee != nil {
		w = append(w, fmt.Sprintf("with a fee of at most %d sat", int64(*r.MaxFee)))
	}
	if r.MaxFeeRate != nil {
		w = append(w, fmt.Sprintf("at a fee rate of at most %s sat/vB", strconv.FormatFloat(*r.MaxFeeRate, 'f', -1, 64)))
	}
	if r.MaxFeePercent != nil {
		w = append(w, fmt.Sprintf("with a fee of at most %s%% of the amount sent", strconv.FormatFloat(*r.MaxFeePercent, 'f', -1, 64)))
	}
	if a := r.Approvals; a != nil {
		var ids []string
		for _, m := range p.Group(a.Group).Members {
			ids = append(ids, m.ID)
		}
		w = append(w, fmt.Sprintf("approved by %d of group %s (%s), never counting the request's initiator", a.Required, a.Group, strings.Join(ids, ", ")))
	}
	if r.Sighash != nil {
		w = append(w, "with sighash "+strings.Join(r.Sighash, ", "))
	} else {
		w = append(w, "with sighash ALL only")
	}
	if r.ScriptTypes != nil {
		w = append(w, "spending only "+strings.Join(r.ScriptTypes, ", ")+" inputs")
	}
	if r.TimeWindow != nil {
		w = append(w, "inside the time window "+r.TimeWindow.Text)
	}
	if r.WarningsOK {
		w = append(w, "even when the review warns (warnings_ok)")
	} else {
		w = append(w, "when the review has no warnings")
	}
	if r.Confirm {
		w = append(w, "and the officer types the amount to confirm")
	}
	return w
}

func printPolicy(w io.Writer, v *policyView) {
	fmt.Fprintf(w, "spending policy %s (serial %d, %s)\n", v.SHA256, v.Serial, v.Network)
	fmt.Fprintf(w, "installed %s (journal seq %d)", v.InstalledAt.Format(time.RFC3339), v.InstallSeq)
	if len(v.SignedBy) > 0 {
		fmt.Fprintf(w, ", signed by %s", strings.Join(v.SignedBy, ", "))
	}
	fmt.Fprintf(w, "\nadmins: %d of %s may replace it or lift a suspension\n", v.Admins.Required, strings.Join(v.Admins.Members, ", "))
	for _, g := range v.Groups {
		fmt.Fprintf(w, "group %s: %s\n", g.Name, strings.Join(g.Members, ", "))
	}
	fmt.Fprintln(w, "\nThe first rule a transaction satisfies allows it; none means refused.")
	for i, r := range v.Rules {
		fmt.Fprintf(w, "\nrule %d %q (line %d) allows a transaction\n", i+1, r.Name, r.Line)
		for _, s := range r.Words {
			fmt.Fprintf(w, "  - %s\n", s)
		}
	}
	fmt.Fprintln(w)
	if h := v.Hold; h != nil {
		fmt.Fprintf(w, "SIGNING IS %s since %s (journal seq %d): %s\n", strings.ToUpper(h.Kind), h.Since.Format(time.RFC3339), h.Seq, h.Reason)
		fmt.Fprintln(w, "lift it with 'coffer key resume --sig S...' (see 'coffer key status')")
	} else {
		fmt.Fprintf(w, "signing is open; %d refusal(s) in a row (signing locks at %d)\n", v.Refusals, policy.LockAfterRefusals)
	}
}

type policyCheckOptions struct {
	approvals string
	policy    string
	maxSize   int
	unlock    unlockFlags
}

func newPolicyCheckCommand(g *globalOptions) *cobra.Command {
	o := &policyCheckOptions{}
	cmd := &cobra.Command{
		Use:   "check FILE.psbt",
		Short: "Decide a PSBT against the policy without signing: every rule, pass or fail, and why",
		Long: `Review FILE.psbt as coffer sign does and decide it against the installed
policy (or --policy FILE, to try a policy before installing it), with the
approvals of --approvals DIR (every A.json with its A.json.sig) and those
carried inside the PSBT. Every rule is shown with pass or fail and its
reasons, and every approval with whether it counts.

Nothing is signed and nothing is journaled. The exit status is 0 when the
policy allows the transaction, 10 when it refuses it, 11 when only
approvals are missing, 3 when the review itself refuses it.`,
		Example: `  coffer policy check request.psbt --approvals approvals/
  coffer policy check request.psbt --policy next-policy.yaml --json`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runPolicyCheck(cmd, g, o, args[0])
		},
	}
	cmd.Flags().StringVar(&o.approvals, "approvals", "", "folder of approvals (A.json with A.json.sig)")
	cmd.Flags().StringVar(&o.policy, "policy", "", "decide with this policy file instead of the installed one")
	cmd.Flags().IntVar(&o.maxSize, "max-size", sign.DefaultMaxSize, "largest PSBT read, in bytes")
	o.unlock.register(cmd)
	return cmd
}

func runPolicyCheck(cmd *cobra.Command, g *globalOptions, o *policyCheckOptions, file string) error {
	src, p, err := readPSBT(cmd, file, o.maxSize)
	if err != nil {
		return err
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
	pol := vp.policy
	if o.policy != "" {
		if pol, err = readPolicyFile(o.policy, v.net); err != nil {
			return err
		}
	}
	if pol == nil {
		return fail(exitPolicy, errors.New("no spending policy is installed: coffer sign would refuse this PSBT unless --no-policy"),
			"try a policy file with --policy FILE, or install one with 'coffer policy install'")
	}
	r, refusal, err := reviewPSBT(v, p)
	if err != nil {
		return err
	}
	if refusal != nil && !refusal.OnlyPolicyMayAllow() {
		printReview(cmd.ErrOrStderr(), r, p, src)
		return refusedError(src, refusal.Reasons)
	}
	in, err := policyInput(p, r, o.approvals, vp.state, g.env.now())
	if err != nil {
		return err
	}
	d := pol.Evaluate(in)
	w := cmd.OutOrStdout()
	if g.json {
		if err := writeJSON(w, d); err != nil {
			return err
		}
	} else {
		d.Describe(w)
	}
	return decisionError(src.name(), d)
}

// policyInput gathers what a decision reads: the approvals of dir and of
// the PSBT, the PSBT's initiator, the journal state and the clock.
func policyInput(p *sign.Packet, r *sign.Review, dir string, st *policy.State, now time.Time) (policy.Input, error) {
	in := policy.Input{Review: r, Journal: st, Clock: now}
	emb, err := approval.ReadEmbedded(p.Encode())
	if err != nil {
		return in, fail(exitError, fmt.Errorf("the PSBT's approvals: %v", err), "ask the preparer for the PSBT again, or pass the approvals as files with --approvals")
	}
	in.Initiator = emb.Initiator
	in.Approvals = emb.Approvals
	if dir != "" {
		as, err := approval.ReadDir(dir)
		if err != nil {
			return in, fail(exitError, err, "each approval is A.json with its signature A.json.sig beside it")
		}
		in.Approvals = append(in.Approvals, as...)
	}
	return in, nil
}

// decisionError is nil for an allowed decision, else the exit-10 (or, when
// only approvals are missing, exit-11) error naming the first reason.
func decisionError(name string, d *policy.Decision) error {
	err := d.Err()
	if err == nil {
		return nil
	}
	var re *policy.RefusalError
	errors.As(err, &re)
	code, hint := exitPolicy, "see every rule's reasons above; the policy decides, the officer cannot override it"
	if h := holdHint(re.Reasons); h != "" {
		hint = h
	}
	if re.NeedsApprovals {
		code, hint = exitApprovals, "collect the approvals the rule needs (coffer-watch approval new, then approve) and pass them with --approvals DIR"
	}
	first := ""
	if len(re.Reasons) > 0 {
		first = re.Reasons[0].String()
	}
	msg := fmt.Sprintf("%s is refused by the spending policy: %s", name, first)
	if n := len(re.Reasons) - 1; n > 0 {
		msg += fmt.Sprintf(" (and %d more reason%s, listed above)", n, map[bool]string{true: "", false: "s"}[n == 1])
	}
	return fail(code, errors.New(msg), hint)
}

// policyFlags are coffer sign's flags for the spending policy.
type policyFlags struct {
	approvals string
	noPolicy  bool
}

func (f *policyFlags) register(cmd *cobra.Command) {
	cmd.Flags().StringVar(&f.approvals, "approvals", "", "folder of approvals for the spending policy (A.json with A.json.sig)")
	cmd.Flags().BoolVar(&f.noPolicy, "no-policy", false, "sign although no spending policy is installed (said loudly and journaled; refused when one is installed)")
}

// policyOutcome is what the policy decided for a signing; the sign entry of
// the journal carries it.
type policyOutcome struct {
	NoPolicy  bool      `json:"no_policy,omitempty"`
	Rule      string    `json:"rule,omitempty"`
	SHA256    string    `json:"sha256,omitempty"`
	Initiator string    `json:"initiator,omitempty"`
	Approvers []string  `json:"approvers,omitempty"`
	Time      time.Time `json:"time"` // the time the decision used

	allowSighash []txscript.SigHashType
	// judged is what the policy was given: the journal records exactly
	// these approvals and initiator, never a second reading of the folder.
	judged *policy.Input
}

// sighashes are the sighash types beyond ALL the allowing rule permits.
func (o *policyOutcome) sighashes() []txscript.SigHashType {
	if o == nil {
		return nil
	}
	return o.allowSighash
}

// journalTime is when the signing is journaled: the clock, or the later
// time the decision used (an approval made after the clock's reading), so
// the velocity window sees the signing where the decision placed it.
func (o *policyOutcome) journalTime(clock time.Time) time.Time {
	if o != nil && o.Time.After(clock) {
		return o.Time
	}
	return clock
}

// evaluatePolicy is the spending policy's step of coffer sign, between the
// review and the officer's confirmation. review is the review's refusal,
// if any: only refusals a policy may lift (a fee above 10%, a sighash other
// than ALL) reach this point. It returns what the policy decided, or, after
// journaling the refusal, the error to exit with: 10 refused by the policy,
// 11 approvals missing, 3 refused by the review or the officer.
func evaluatePolicy(cmd *cobra.Command, g *globalOptions, v *unlocked, p *sign.Packet, rec *signRecord, review *sign.RefusalError, f *policyFlags) (*policyOutcome, error) {
	now := g.env.now()
	screen := cmd.ErrOrStderr()
	vp, err := loadPolicy(v.dir, v.net, v.journalPublicKey())
	if err != nil {
		return nil, err
	}
	if vp.policy == nil {
		if !f.noPolicy {
			return nil, refuseByPolicy(g, v, rec, now, []policy.Reason{{Code: policy.CodeNoPolicy, Output: -1,
				Text: "no spending policy is installed, and coffer sign does not sign without one unless --no-policy is given"}},
				exitPolicy, "install a policy with 'coffer policy install FILE', or pass --no-policy to sign without one (journaled)")
		}
		if review != nil { // no policy lifts the review's refusal
			return nil, refuseSign(g, v, *rec, "review", review.Reasons)
		}
		if reasons := vp.state.Check(now); len(reasons) > 0 {
			return nil, refuseByPolicy(g, v, rec, now, reasons, exitPolicy, holdHint(reasons))
		}
		printWarning(screen, "NO SPENDING POLICY IS INSTALLED: signing with --no-policy, without limits, approvals or velocity checks; the journal records it")
		return &policyOutcome{NoPolicy: true, Time: now.UTC().Truncate(time.Millisecond)}, nil
	}
	if f.noPolicy {
		return nil, failf("leave out --no-policy; the policy decides, or its admins replace it",
			"--no-policy cannot bypass the installed spending policy")
	}
	in, err := policyInput(p, rec.review, f.approvals, vp.state, now)
	if err != nil {
		return nil, err
	}
	d := vp.policy.Evaluate(in)
	fmt.Fprintln(screen)
	d.Describe(screen)
	if !d.Allowed {
		var re *policy.RefusalError
		errors.As(d.Err(), &re)
		code := exitPolicy
		if re.NeedsApprovals {
			code = exitApprovals
		}
		derr := decisionError(rec.src.name(), d)
		var ce *cli.Error
		errors.As(derr, &ce)
		return nil, refuseByPolicy(g, v, rec, d.Now, re.Reasons, code, ce.Hint)
	}
	sum := vp.policy.SHA256()
	out := &policyOutcome{Rule: d.Rule, SHA256: hex.EncodeToString(sum[:]), Initiator: d.Initiator, Time: d.Now.UTC().Truncate(time.Millisecond), allowSighash: d.AllowSighash, judged: &in}
	for _, r := range d.Rules {
		if r.Name == d.Rule {
			out.Approvers = r.Approvers
		}
	}
	if d.Confirm {
		ans, err := newPrompter(cmd).p.ReadLine(fmt.Sprintf("\nRule %q asks the officer to confirm the amount. Type the amount leaving the vault, in sat: ", d.Rule))
		if err != nil {
			return nil, failf("the rule's confirm asks for the amount at a prompt", "cannot read the amount: %v", err)
		}
		if strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(ans), "sat")) != strconv.FormatInt(int64(d.Amount), 10) {
			return nil, refuseByPolicy(g, v, rec, d.Now, []policy.Reason{{Code: policy.CodeAmountNotConfirmed, Rule: d.Rule, Output: -1,
				Text: fmt.Sprintf("the officer typed another amount than the %d sat leaving the vault", int64(d.Amount))}},
				exitRefused, "read the amount in the review and type it exactly, in sat")
		}
	}
	return out, nil
}

func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}

func holdHint(reasons []policy.Reason) string {
	for _, r := range reasons {
		switch r.Code {
		case policy.CodeSuspended, policy.CodeLocked:
			return "an admin quorum lifts it: see 'coffer key status'"
		case policy.CodeClockBehind:
			return "set the signer's clock right"
		}
	}
	return ""
}

// refuseByPolicy journals a refusal by the policy and returns the error to
// exit with.
func refuseByPolicy(g *globalOptions, v *unlocked, rec *signRecord, at time.Time, reasons []policy.Reason, code int, hint string) error {
	views := make([]reasonView, 0, len(reasons))
	for _, r := range reasons {
		rv := reasonView{Code: r.Code.String(), Text: r.String()}
		if r.Output >= 0 {
			o := r.Output
			rv.Output = &o
		}
		views = append(views, rv)
	}
	entry := struct {
		TxID        string       `json:"txid"`
		Network     string       `json:"network"`
		Input       string       `json:"input"`
		InputSHA256 string       `json:"input_sha256"`
		By          string       `json:"by"`
		Reasons     []reasonView `json:"reasons"`
	}{rec.review.TxID, rec.review.Network, rec.inputName(), rec.inputSHA256, "policy", views}
	clock := g.env.now()
	if at.Before(clock) {
		at = clock
	}
	behind := false
	for _, r := range reasons {
		behind = behind || r.Code == policy.CodeClockBehind
	}
	// A clock behind the journal cannot write to it (the journal's times
	// never go backwards): that refusal is only reported.
	if !behind {
		if err := v.journal(audit.KindRefusal, entry, at); err != nil {
			return err
		}
	}
	msg := fmt.Sprintf("%s is refused by the spending policy", rec.src.name())
	if len(reasons) > 0 {
		msg += ": " + reasons[0].String()
		if n := len(reasons) - 1; n > 0 {
			msg += fmt.Sprintf(" (and %d more reason%s, listed above)", n, map[bool]string{true: "", false: "s"}[n == 1])
		}
	}
	return fail(code, fmt.Errorf("%s; nothing was signed", msg), hint)
}
