package main

import (
	"crypto/rand"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/coffer-custody/coffer/internal/atomicfile"
	"github.com/coffer-custody/coffer/internal/cli"
	"github.com/coffer-custody/coffer/internal/secret"
	"github.com/coffer-custody/coffer/policy/approval"
)

func newApproverCommand(g *globalOptions) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "approver",
		Short: "Make an approver's signing key",
		Long: `Approvers sign approvals (coffer-watch approve) with an ed25519 key made here,
or with their own SSH key (ssh-keygen -Y sign). The policy lists each
approver's id with the public key printed here.`,
		Example: `  coffer-watch approver keygen --id bob --out bob.key`,
	}
	cmd.AddCommand(newApproverKeygenCommand(g))
	return cmd
}

type approverKeygenOptions struct {
	id  string
	out string
}

func newApproverKeygenCommand(g *globalOptions) *cobra.Command {
	o := &approverKeygenOptions{}
	cmd := &cobra.Command{
		Use:   "keygen --id ID --out FILE",
		Short: "Make an ed25519 approver key and print its public key for the policy",
		Long: `Make a new ed25519 key for an approver (or an admin) and write it to --out,
mode 0600, never overwriting a file. The file is an OpenSSH private key
(unencrypted), so 'ssh-keygen -Y sign -f FILE' can use it too; keep it on the
approver's machine or token only.

The public key is printed as the policy writes it:
  {id: bob, key: "ed25519:BASE64"}`,
		Example: `  coffer-watch approver keygen --id bob --out bob.key`,
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := approval.CheckID(o.id); err != nil {
				return cli.Failf("pass --id with the approver's id as the policy lists it", "--id: %v", err)
			}
			if o.out == "" {
				return cli.Failf("pass --out FILE for the private key", "--out is required")
			}
			if err := checkOut(o.out); err != nil {
				return err
			}
			k, err := approval.GenerateKey(rand.Reader)
			if err != nil {
				return cli.Failf("", "%v", err)
			}
			defer k.Zero()
			file, err := k.Marshal(o.id)
			if err != nil {
				return cli.Failf("", "%v", err)
			}
			err = atomicfile.WriteNew(o.out, file, 0o600)
			secret.Wipe(file)
			if err != nil {
				return outError(o.out, err, "", "choose another --out, or move the old file away")
			}
			pub := k.Public()
			w := cmd.OutOrStdout()
			if g.json {
				return cli.WriteJSON(w, struct {
					ID            string `json:"id"`
					PublicKey     string `json:"public_key"`
					AuthorizedKey string `json:"authorized_key"`
					Fingerprint   string `json:"fingerprint"`
					KeyFile       string `json:"key_file"`
				}{o.id, pub.String(), pub.AuthorizedKey(), pub.Fingerprint(), o.out})
			}
			fmt.Fprintf(w, "wrote %s (keep it secret)\npublic key %s\nfor the policy: {id: %s, key: %q}\n", o.out, pub.Fingerprint(), o.id, pub.String())
			return nil
		},
	}
	cmd.Flags().StringVar(&o.id, "id", "", "the approver's id, as the policy lists it (required)")
	cmd.Flags().StringVar(&o.out, "out", "", "file for the private key (required; never overwritten)")
	return cmd
}
