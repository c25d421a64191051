package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/coffer-custody/coffer/wallet"
)

type addressOptions struct {
	acct   accountFlags
	unlock unlockFlags
	change bool
	index  int64
}

func newAddressCommand(g *globalOptions) *cobra.Command {
	o := &addressOptions{}
	cmd := &cobra.Command{
		Use:   "address",
		Short: "Show the address at an index, derived on this machine",
		Long: `Derive the address at --index of an account's receive branch (or, with
--change, its change branch) from the vault's own keys, so an officer can
confirm on the offline machine an address that the online side shows.

For wsh-multi this is the single-key view of the vault's own cosigner key;
multisig addresses come from registered wallets.`,
		Example: `  coffer address --index 0
  coffer address --script tr --change --index 5 --json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if !cmd.Flags().Changed("index") {
				return failf("pass --index I, e.g. --index 0", "--index is required")
			}
			if o.index < 0 || o.index >= int64(wallet.Hardened) {
				return failf("", "--index %d is out of range (0 to %d)", o.index, wallet.Hardened-1)
			}
			st, err := o.acct.scriptType()
			if err != nil {
				return err
			}
			if st.IsMultisig() {
				return failf("use 'coffer export --format bsms --script wsh-multi' to join a multisig wallet, then its descriptor gives the addresses",
					"--script %s: a multisig address needs the other cosigners' keys; this vault alone has no such address", st)
			}
			v, a, err := o.acct.open(cmd, g, &o.unlock)
			if err != nil {
				return err
			}
			defer v.close()
			branch := uint32(0)
			if o.change {
				branch = 1
			}
			addr, err := a.address(v, branch, uint32(o.index))
			if err != nil {
				return err
			}
			path := a.path.Child(branch, uint32(o.index))
			if g.json {
				return writeJSON(cmd.OutOrStdout(), struct {
					Network string `json:"network"`
					Script  string `json:"script"`
					Path    string `json:"path"`
					Address string `json:"address"`
				}{v.net.String(), a.script.String(), path.String(), addr})
			}
			fmt.Fprintf(cmd.OutOrStdout(), "%s  %s\n", path, addr)
			return nil
		},
	}
	o.acct.register(cmd)
	o.unlock.register(cmd)
	cmd.Flags().BoolVar(&o.change, "change", false, "the change branch (1) instead of receive (0)")
	cmd.Flags().Int64Var(&o.index, "index", 0, "address index (required)")
	return cmd
}
