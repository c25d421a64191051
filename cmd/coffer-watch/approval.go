package main

import (
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/spf13/cobra"

	"github.com/coffer-custody/coffer/internal/atomicfile"
	"github.com/coffer-custody/coffer/internal/cli"
	"github.com/coffer-custody/coffer/policy"
	"github.com/coffer-custody/coffer/policy/approval"
	"github.com/coffer-custody/coffer/sign"
	"github.com/coffer-custody/coffer/wallet"
)

func newApprovalCommand(g *globalOptions) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "approval",
		Short: "Write approval documents and attach approvals to a PSBT",
		Long: `An approval is a small signed document by which one named person approves one
transaction: the PSBT's unsigned transaction id, its outputs and fee, the
approver, the request's initiator, when it was made and when it expires, and
why. It is void for any other transaction.

'approval new' writes the document; the approver signs it with
'coffer-watch approve A.json --key KEY' or 'ssh-keygen -Y sign -f KEY -n
coffer-approval A.json'; 'approval attach' puts signed approvals inside the
PSBT, so one QR stream carries everything to the signer.`,
		Example: `  coffer-watch approval new request.psbt --approver bob --network regtest --out bob.json
  coffer-watch approval attach request.psbt --approvals approvals/ --out request.approved.psbt`,
	}
	cmd.AddCommand(newApprovalNewCommand(g), newApprovalAttachCommand(g))
	return cmd
}

type approvalNewOptions struct {
	approver  string
	initiator string
	expires   string
	reason    string
	out       string
}

func newApprovalNewCommand(g *globalOptions) *cobra.Command {
	o := &approvalNewOptions{}
	cmd := &cobra.Command{
		Use:   "new FILE.psbt --approver ID --out A.json",
		Short: "Write the approval document of a PSBT for one approver",
		Long: `Review FILE.psbt (binary, base64 or hex) for the network of --network and
write the approval document for --approver to --out (never overwriting a
file): transaction id, outputs, fee, initiator, creation time now, expiry
after --expires (default 24h), and --reason.

The initiator is the one the PSBT carries, else --initiator. An initiator's
own approval never counts, so none is written for them. The approver then
signs the file (coffer-watch approve, or ssh-keygen -Y sign -n
coffer-approval).`,
		Example: `  coffer-watch approval new request.psbt --approver bob --network regtest --expires 8h --reason "payroll June" --out bob.json`,
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runApprovalNew(cmd, g, o, args[0])
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.approver, "approver", "", "the approver's id, as the policy lists it (required)")
	f.StringVar(&o.initiator, "initiator", "", "who made the request, when the PSBT does not say")
	f.StringVar(&o.expires, "expires", "24h", "how long the approval is valid: 30m, 8h, 7d")
	f.StringVar(&o.reason, "reason", "", "why it is approved (one line, at most 500 characters)")
	f.StringVar(&o.out, "out", "", "file for the approval document (required; never overwritten)")
	return cmd
}

// readRequest reads and reviews a PSBT for the online side: no vault keys,
// so every output is reviewed as external; the amounts and the fee come
// from the PSBT's UTXOs as the signer reads them.
func readRequest(g *globalOptions, path string) (*sign.Packet, *sign.Review, wallet.Network, error) {
	net, err := networkFlag(g)
	if err != nil {
		return nil, nil, 0, err
	}
	data, err := readFileBounded(path, sign.DefaultMaxSize)
	if err != nil {
		return nil, nil, 0, err
	}
	p, err := sign.Decode(data, sign.DefaultMaxSize)
	if err != nil {
		return nil, nil, 0, cli.Fail(cli.ExitError, fmt.Errorf("%s: %v", path, err), "give the PSBT as coffer-watch send wrote it")
	}
	r, err := sign.Analyze(p, sign.Wallets{Network: net})
	var re *sign.RefusalError
	if errors.As(err, &re) && !re.OnlyPolicyMayAllow() {
		return nil, nil, 0, cli.Fail(cli.ExitRefused, fmt.Errorf("%s: the signer would refuse this PSBT: %s", path, re.Reasons[0]), "fix the request; an approval of it would serve nothing")
	} else if err != nil && re == nil {
		return nil, nil, 0, cli.Failf("", "%s: cannot review the PSBT: %v", path, err)
	}
	return p, r, net, nil
}

func networkFlag(g *globalOptions) (wallet.Network, error) {
	name := ""
	if v := g.w.values["network"]; v != nil {
		name = *v
	}
	if name == "" {
		return 0, cli.Failf("pass --network mainnet|testnet|signet|regtest", "--network is required to read the PSBT's addresses")
	}
	net, err := wallet.ParseNetwork(name)
	if err != nil {
		return 0, cli.Failf("", "--network: %v", err)
	}
	return net, nil
}

func runApprovalNew(cmd *cobra.Command, g *globalOptions, o *approvalNewOptions, file string) error {
	if err := approval.CheckID(o.approver); err != nil {
		return cli.Failf("pass --approver with the id the policy lists", "--approver: %v", err)
	}
	if o.out == "" {
		return cli.Failf("pass --out A.json", "--out is required")
	}
	if _, err := os.Lstat(o.out); err == nil {
		return cli.Failf("move the old file away, or choose another --out", "%s already exists; coffer-watch never overwrites a file", o.out)
	}
	if err := checkOut(o.out); err != nil {
		return err
	}
	life, err := policy.ParseDuration(o.expires)
	if err != nil {
		return cli.Failf("write it as 30m, 8h or 7d", "--expires: %v", err)
	}
	p, r, _, err := readRequest(g, file)
	if err != nil {
		return err
	}
	emb, err := approval.ReadEmbedded(p.Encode())
	if err != nil {
		return cli.Failf("", "%s: %v", file, err)
	}
	initiator := emb.Initiator
	switch {
	case initiator == "":
		initiator = o.initiator
	case o.initiator != "" && o.initiator != initiator:
		return cli.Failf("leave out --initiator", "--initiator %s disagrees with the PSBT, which says the request was made by %s", o.initiator, initiator)
	}
	if initiator != "" {
		if err := approval.CheckID(initiator); err != nil {
			return cli.Failf("", "--initiator: %v", err)
		}
	}
	if initiator == o.approver {
		return cli.Fail(cli.ExitError, fmt.Errorf("%s made this request: an initiator's own approval never counts", o.approver), "another member of the group approves it")
	}
	doc, err := approval.New(approval.Request{Review: r, Approver: o.approver, Initiator: initiator, Created: time.Now(), Lifetime: life, Reason: o.reason})
	if err != nil {
		return cli.Failf("", "%s: %v", file, err)
	}
	raw, err := doc.Marshal()
	if err != nil {
		return cli.Failf("", "%v", err)
	}
	if err := atomicfile.WriteNew(o.out, raw, 0o644); err != nil {
		return outError(o.out, err, "", "choose another --out")
	}
	w := cmd.OutOrStdout()
	if g.json {
		return cli.WriteJSON(w, doc)
	}
	fmt.Fprintf(w, "wrote %s: %s approves transaction %s, fee %d sat, until %s\nnext: coffer-watch approve %s --key KEY   (or ssh-keygen -Y sign -f KEY -n %s %s)\n",
		o.out, doc.Approver, doc.TxID, doc.Fee, doc.Expires.UTC().Format(time.RFC3339), o.out, approval.NamespaceApproval, o.out)
	return nil
}

type approvalAttachOptions struct {
	approvals string
	out       string
}

func newApprovalAttachCommand(g *globalOptions) *cobra.Command {
	o := &approvalAttachOptions{}
	cmd := &cobra.Command{
		Use:   "attach FILE.psbt --approvals DIR --out F",
		Short: "Put signed approvals inside the PSBT (proprietary fields)",
		Long: `Read every A.json with its A.json.sig from --approvals DIR and write FILE.psbt
with them inside, as proprietary global fields (identifier "coffer"), to
--out, in the encoding FILE.psbt came in (never overwriting a file). Every
PSBT tool keeps fields it does not know; coffer sign reads them. An approval
for another transaction is refused here already.`,
		Example: `  coffer-watch approval attach request.psbt --approvals approvals/ --network regtest --out request.approved.psbt`,
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runApprovalAttach(cmd, g, o, args[0])
		},
	}
	cmd.Flags().StringVar(&o.approvals, "approvals", "", "folder of signed approvals (required)")
	cmd.Flags().StringVar(&o.out, "out", "", "file for the PSBT with the approvals (required; never overwritten)")
	return cmd
}

func runApprovalAttach(cmd *cobra.Command, g *globalOptions, o *approvalAttachOptions, file string) error {
	if o.approvals == "" || o.out == "" {
		return cli.Failf("pass --approvals DIR and --out F", "--approvals and --out are required")
	}
	if _, err := os.Lstat(o.out); err == nil {
		return cli.Failf("choose another --out", "%s already exists; coffer-watch never overwrites a file", o.out)
	}
	if err := checkOut(o.out); err != nil {
		return err
	}
	p, r, _, err := readRequest(g, file)
	if err != nil {
		return err
	}
	as, err := approval.ReadDir(o.approvals)
	if err != nil {
		return cli.Fail(cli.ExitError, err, "each approval is A.json with its signature A.json.sig beside it")
	}
	if len(as) == 0 {
		return cli.Failf("", "%s holds no approvals (A.json with A.json.sig)", o.approvals)
	}
	raw := p.Encode()
	for _, a := range as {
		if why := a.Doc.Matches(r); why != "" {
			return cli.Failf("remove it from the folder", "%s: %s's approval %s", a.Name, a.Doc.Approver, why)
		}
		if raw, err = approval.Embed(raw, a); err != nil {
			return cli.Failf("", "%v", err)
		}
	}
	out := raw
	switch p.Encoding() {
	case sign.EncodingBase64:
		out = []byte(base64.StdEncoding.EncodeToString(raw) + "\n")
	case sign.EncodingHex:
		out = []byte(hex.EncodeToString(raw) + "\n")
	}
	if err := atomicfile.WriteNew(o.out, out, 0o644); err != nil {
		return outError(o.out, err, "", "choose another --out")
	}
	w := cmd.OutOrStdout()
	if g.json {
		var names []string
		for _, a := range as {
			names = append(names, a.Name)
		}
		return cli.WriteJSON(w, struct {
			Out       string   `json:"out"`
			Approvals []string `json:"approvals"`
		}{o.out, names})
	}
	fmt.Fprintf(w, "wrote %s with %d approval(s) inside\n", o.out, len(as))
	return nil
}
