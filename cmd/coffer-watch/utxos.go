package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/coffer-custody/coffer/internal/cli"
	"github.com/coffer-custody/coffer/watch/build"
)

func newUTXOsCommand(g *globalOptions) *cobra.Command {
	var name string
	cmd := &cobra.Command{
		Use:     "utxos [--wallet N]",
		Short:   "List the unspent outputs as of the last sync",
		Example: "  coffer-watch utxos --wallet treasury",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			s, err := g.open(cmd, offline, 0)
			if err != nil {
				return err
			}
			defer s.close()
			us, err := s.svc.UTXOs(cmd.Context(), name)
			if err != nil {
				return nodeError(err)
			}
			w := cmd.OutOrStdout()
			if g.json {
				if us == nil {
					return cli.WriteJSON(w, []struct{}{})
				}
				return cli.WriteJSON(w, us)
			}
			for _, u := range us {
				note := ""
				if !u.Spendable {
					note = "  (not yet spendable)"
				}
				fmt.Fprintf(w, "%-20s %s %18s  %s %s  %d conf%s\n", u.Wallet, u.Outpoint, build.FormatAmount(sats(u.Value)), u.Path, u.Address, u.Confirmations, note)
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&name, "wallet", "", "only this wallet")
	return cmd
}
