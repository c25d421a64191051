package main

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/coffer-custody/coffer/audit"
	"github.com/coffer-custody/coffer/internal/cli"
	"github.com/coffer-custody/coffer/policy"
	"github.com/coffer-custody/coffer/policy/approval"
	"github.com/coffer-custody/coffer/sign"
	"github.com/coffer-custody/coffer/wallet"
)

func newPolicyCommand(g *globalOptions) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "policy",
		Short: "Pre-flight a request against the signer's spending policy",
		Long: `Run the offline signer's spending policy on the online side, with the same
code, before a request crosses the air gap: treasury learns of a refusal
before an officer walks to the offline room.`,
		Example: `  coffer-watch policy check request.psbt --policy policy.yaml --approvals approvals/ --descriptors wpkh.txt --network regtest`,
	}
	cmd.AddCommand(newPolicyCheckCommand(g))
	return cmd
}

type policyCheckOptions struct {
	policy      string
	approvals   string
	descriptors []string
	journal     string
	ceremony    string
	journalKey  string
}

func newPolicyCheckCommand(g *globalOptions) *cobra.Command {
	o := &policyCheckOptions{}
	cmd := &cobra.Command{
		Use:   "check FILE.psbt --policy POLICY",
		Short: "Decide a request against the policy: every rule, pass or fail, and why",
		Long: `Review FILE.psbt as the signer will and decide it against --policy (the
vault's installed policy.yaml), with the approvals of --approvals DIR and
those inside the PSBT. The same package as the signer's decides.

--descriptors FILE names the vault's accounts (the output of 'coffer export
--format descriptor': its <0;1> lines are used), so that change is
recognised as the signer recognises it; without them every output counts as
leaving the vault. Velocity limits need the vault's journal (--journal, a
copy exported by 'coffer audit export') with its public key (--ceremony
ceremony.json or --journal-key HEX); the journal is verified before use.
Without it, nothing spent before counts, and the output says so.

Exit status: 0 allowed, 10 refused by the policy, 11 only approvals missing,
3 the review refuses the PSBT.`,
		Example: `  coffer-watch policy check request.psbt --policy policy.yaml --approvals approvals/ \
      --descriptors wpkh.txt --journal journal.jsonl --ceremony ceremony.json --network regtest`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runPolicyCheck(cmd, g, o, args[0])
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.policy, "policy", "", "the policy file (required)")
	f.StringVar(&o.approvals, "approvals", "", "folder of approvals (A.json with A.json.sig)")
	f.StringArrayVar(&o.descriptors, "descriptors", nil, "the vault's account descriptors, as 'coffer export --format descriptor' writes them (repeat)")
	f.StringVar(&o.journal, "journal", "", "a copy of the vault's journal, for velocity limits")
	f.StringVar(&o.ceremony, "ceremony", "", "the vault's ceremony.json, for the journal's public key")
	f.StringVar(&o.journalKey, "journal-key", "", "the journal's public key (64 hex digits), instead of --ceremony")
	return cmd
}

func runPolicyCheck(cmd *cobra.Command, g *globalOptions, o *policyCheckOptions, file string) error {
	if o.policy == "" {
		return cli.Failf("pass --policy with the vault's policy.yaml", "--policy is required")
	}
	net, err := networkFlag(g)
	if err != nil {
		return err
	}
	pdata, err := readFileBounded(o.policy, policy.MaxFileSize)
	if err != nil {
		return err
	}
	pol, err := policy.Parse(pdata, net)
	if err != nil {
		return cli.Fail(cli.ExitError, fmt.Errorf("%s: %v", o.policy, err), "")
	}
	w, err := readDescriptors(o.descriptors, net)
	if err != nil {
		return err
	}
	data, err := readFileBounded(file, sign.DefaultMaxSize)
	if err != nil {
		return err
	}
	p, err := sign.Decode(data, sign.DefaultMaxSize)
	if err != nil {
		return cli.Fail(cli.ExitError, fmt.Errorf("%s: %v", file, err), "give the PSBT as coffer-watch send wrote it")
	}
	r, err := sign.Analyze(p, w)
	var re *sign.RefusalError
	if errors.As(err, &re) && !re.OnlyPolicyMayAllow() {
		return cli.Fail(cli.ExitRefused, fmt.Errorf("%s: the signer's review refuses it: %s", file, re.Reasons[0]), "fix the request before it goes to the signer")
	} else if err != nil && re == nil {
		return cli.Failf("", "%s: cannot review the PSBT: %v", file, err)
	}
	in := policy.Input{Review: r, Clock: time.Now()}
	if o.journal != "" {
		if in.Journal, err = readJournalState(o); err != nil {
			return err
		}
	}
	emb, err := approval.ReadEmbedded(p.Encode())
	if err != nil {
		return cli.Failf("", "%s: %v", file, err)
	}
	in.Initiator, in.Approvals = emb.Initiator, emb.Approvals
	if o.approvals != "" {
		as, err := approval.ReadDir(o.approvals)
		if err != nil {
			return cli.Fail(cli.ExitError, err, "each approval is A.json with its signature A.json.sig beside it")
		}
		in.Approvals = append(in.Approvals, as...)
	}
	d := pol.Evaluate(in)
	if len(o.descriptors) == 0 {
		d.Notes = append(d.Notes, "no --descriptors were given: no input or output is known as the vault's, so change counts as leaving the vault and the signer may decide otherwise")
	}
	out := cmd.OutOrStdout()
	if g.json {
		if err := cli.WriteJSON(out, d); err != nil {
			return err
		}
	} else {
		d.Describe(out)
	}
	return decisionError(file, d)
}

// readDescriptors reads the vault's account descriptors: every line with a
// <0;1> multipath. Each becomes an account named as the signer names it
// ("wpkh-0"), and the master fingerprint is their keys' origin.
func readDescriptors(files []string, net wallet.Network) (sign.Wallets, error) {
	w := sign.Wallets{Network: net}
	var fp *[4]byte
	for _, f := range files {
		data, err := readFileBounded(f, 1<<20)
		if err != nil {
			return w, err
		}
		sc := bufio.NewScanner(bytes.NewReader(data))
		line := 0
		for sc.Scan() {
			line++
			text := strings.TrimSpace(sc.Text())
			if text == "" || strings.HasPrefix(text, "#") || !strings.Contains(text, "<") {
				continue
			}
			d, err := wallet.ParseDescriptorWithChecksum(text)
			if err != nil {
				return w, cli.Failf("", "%s line %d: %v", f, line, err)
			}
			if err := d.CheckNetwork(net); err != nil {
				return w, cli.Failf("", "%s line %d: %v", f, line, err)
			}
			keys := d.Keys()
			origin, ok := keys[0].Origin()
			if len(keys) != 1 || !ok || len(origin.Path) < 3 {
				return w, cli.Failf("registered multisig wallets are not read here yet", "%s line %d: not a single-key account descriptor with a key origin", f, line)
			}
			if fp != nil && *fp != origin.Fingerprint {
				return w, cli.Failf("", "%s line %d: the key's fingerprint %x is not the vault's %x", f, line, origin.Fingerprint, *fp)
			}
			fp = &origin.Fingerprint
			name := fmt.Sprintf("%s-%d", d.ScriptType(), origin.Path[2]&^wallet.Hardened)
			w.Accounts = append(w.Accounts, sign.Wallet{Name: name, Descriptor: d})
		}
	}
	if fp != nil {
		w.Fingerprint = *fp
	} else if len(files) > 0 {
		return w, cli.Failf("use the file 'coffer export --format descriptor' writes", "%s holds no <0;1> descriptor", strings.Join(files, ", "))
	}
	return w, nil
}

// readJournalState verifies the journal copy and builds its policy state.
func readJournalState(o *policyCheckOptions) (*policy.State, error) {
	var keyHex string
	switch {
	case o.journalKey != "" && o.ceremony != "":
		return nil, cli.Failf("", "pass --ceremony or --journal-key, not both")
	case o.journalKey != "":
		keyHex = o.journalKey
	case o.ceremony != "":
		data, err := readFileBounded(o.ceremony, 1<<20)
		if err != nil {
			return nil, err
		}
		c, err := audit.ReadCeremony(bytes.NewReader(data), o.ceremony)
		if err != nil {
			return nil, cli.Failf("", "%v", err)
		}
		keyHex = c.JournalPublicKey
	default:
		return nil, cli.Failf("pass --ceremony ceremony.json or --journal-key HEX", "--journal needs the journal's public key to verify it")
	}
	pub, err := audit.ParsePublicKey(keyHex)
	if err != nil {
		return nil, cli.Failf("", "%v", err)
	}
	f, err := os.Open(o.journal)
	if err != nil {
		return nil, cli.Failf("", "cannot read %s: %v", o.journal, unwrapPathErr(err))
	}
	defer f.Close()
	st, _, err := policy.ReadState(io.Reader(f), pub)
	if err != nil {
		return nil, cli.Fail(cli.ExitError, fmt.Errorf("the journal %s does not verify: %v", o.journal, err), "export the journal from the vault again")
	}
	return st, nil
}

// decisionError is nil for an allowed decision, else the exit-10 (or 11
// when only approvals are missing) error naming the first reason.
func decisionError(name string, d *policy.Decision) error {
	err := d.Err()
	if err == nil {
		return nil
	}
	var re *policy.RefusalError
	errors.As(err, &re)
	code, hint := cli.ExitPolicy, "the signer will refuse it for the reasons above"
	if re.NeedsApprovals {
		code, hint = cli.ExitApprovals, "collect the approvals the rule needs: coffer-watch approval new, then approve"
	}
	msg := fmt.Sprintf("%s would be refused by the spending policy", name)
	if len(re.Reasons) > 0 {
		msg += ": " + re.Reasons[0].String()
		if n := len(re.Reasons) - 1; n > 0 {
			msg += fmt.Sprintf(" (and %d more, listed above)", n)
		}
	}
	return cli.Fail(code, errors.New(msg), hint)
}
