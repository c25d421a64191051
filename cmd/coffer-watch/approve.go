package main

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"

	"github.com/spf13/cobra"

	"github.com/coffer-custody/coffer/internal/atomicfile"
	"github.com/coffer-custody/coffer/internal/cli"
	"github.com/coffer-custody/coffer/internal/secret"
	"github.com/coffer-custody/coffer/policy"
	"github.com/coffer-custody/coffer/policy/approval"
)

type approveOptions struct {
	key       string
	namespace string
	out       string
}

func newApproveCommand(g *globalOptions) *cobra.Command {
	o := &approveOptions{}
	cmd := &cobra.Command{
		Use:   "approve FILE --key KEY",
		Short: "Sign an approval (or, as an admin, a policy or resume statement) with an approver key",
		Long: `Sign FILE with the key made by 'coffer-watch approver keygen' and write the
signature to FILE.sig (or --out), never overwriting a file. The signature is
an OpenSSH signature, the same file 'ssh-keygen -Y sign -f KEY -n NAMESPACE
FILE' writes, so approvers may use either tool.

With the default namespace coffer-approval, FILE must be an approval
document (coffer-watch approval new); what it approves is shown before
signing. Admins sign a new policy file or a resume statement
(coffer key status --statement) with --namespace coffer-policy.`,
		Example: `  coffer-watch approve A.json --key bob.key
  coffer-watch approve policy-v2.yaml --key dan.key --namespace coffer-policy --out policy-v2.yaml.dan.sig`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runApprove(cmd, g, o, args[0])
		},
	}
	cmd.Flags().StringVar(&o.key, "key", "", "the approver's key file (required)")
	cmd.Flags().StringVar(&o.namespace, "namespace", approval.NamespaceApproval, "coffer-approval for approvals, coffer-policy for policy files and resume statements")
	cmd.Flags().StringVar(&o.out, "out", "", "signature file (default FILE.sig; never overwritten)")
	return cmd
}

func runApprove(cmd *cobra.Command, g *globalOptions, o *approveOptions, file string) error {
	if o.namespace != approval.NamespaceApproval && o.namespace != approval.NamespacePolicy {
		return cli.Failf("", "--namespace %q is neither %s nor %s", o.namespace, approval.NamespaceApproval, approval.NamespacePolicy)
	}
	if o.key == "" {
		return cli.Failf("pass --key FILE (made by 'coffer-watch approver keygen')", "--key is required")
	}
	out := o.out
	if out == "" {
		out = file + approval.SigSuffix
	}
	if _, err := os.Lstat(out); err == nil {
		return cli.Failf("move the old signature away, or choose --out", "%s already exists; coffer-watch never overwrites a file", out)
	}
	if err := checkOut(out); err != nil {
		return err
	}
	data, err := readFileBounded(file, policy.MaxFileSize)
	if err != nil {
		return err
	}
	screen := cmd.ErrOrStderr()
	var doc *approval.Document
	if o.namespace == approval.NamespaceApproval {
		if doc, err = approval.ParseDocument(data); err != nil {
			return cli.Fail(cli.ExitError, fmt.Errorf("%s: %v", file, err), "make the document with 'coffer-watch approval new'; admins signing a policy pass --namespace coffer-policy")
		}
		fmt.Fprintf(screen, "%s approves transaction %s (%s)%s\n", doc.Approver, doc.TxID, doc.Network, initiatorWords(doc.Initiator))
		for _, x := range doc.Outputs {
			to := x.Address
			if to == "" {
				to = "script " + x.Script
			}
			fmt.Fprintf(screen, "  output #%d: %d sat to %s\n", x.Index, x.Amount, to)
		}
		fmt.Fprintf(screen, "  fee: %d sat\n  valid until %s\n", doc.Fee, doc.Expires.UTC().Format("2006-01-02T15:04:05Z"))
		if doc.Reason != "" {
			fmt.Fprintf(screen, "  reason: %s\n", policy.OneLine(doc.Reason, approval.MaxReasonLen))
		}
	}
	keyFile, err := readFileBounded(o.key, approval.MaxPrivateKeyLen)
	if err != nil {
		return err
	}
	k, err := approval.ParsePrivateKey(keyFile)
	secret.Wipe(keyFile)
	if err != nil {
		return cli.Failf("", "%s: %v", o.key, err)
	}
	defer k.Zero()
	sig, err := k.Sign(rand.Reader, o.namespace, data)
	if err != nil {
		return cli.Failf("", "%v", err)
	}
	if err := atomicfile.WriteNew(out, sig, 0o644); err != nil {
		return outError(out, err, "", "choose another --out")
	}
	sum := sha256.Sum256(data)
	w := cmd.OutOrStdout()
	if g.json {
		return cli.WriteJSON(w, struct {
			File        string `json:"file"`
			SHA256      string `json:"sha256"`
			Namespace   string `json:"namespace"`
			Signature   string `json:"signature_file"`
			Fingerprint string `json:"key_fingerprint"`
		}{file, hex.EncodeToString(sum[:]), o.namespace, out, k.Public().Fingerprint()})
	}
	fmt.Fprintf(w, "signed %s (sha256 %x) in namespace %s with key %s\nwrote %s\n", file, sum, o.namespace, k.Public().Fingerprint(), out)
	return nil
}

func initiatorWords(id string) string {
	if id == "" {
		return ""
	}
	return ", requested by " + id
}

// readFileBounded reads a file of at most max bytes.
func readFileBounded(path string, max int64) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, cli.Failf("", "cannot read %s: %v", path, unwrapPathErr(err))
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, max+1))
	if err != nil {
		return nil, cli.Failf("", "cannot read %s: %v", path, unwrapPathErr(err))
	}
	if int64(len(b)) > max {
		clear(b) // it may be a key file: wipe what was read, as the caller would
		return nil, cli.Failf("", "%s is larger than %d bytes", path, max)
	}
	return b, nil
}

func unwrapPathErr(err error) error {
	if pe, ok := err.(*os.PathError); ok {
		return pe.Err
	}
	return err
}
