package main

import (
	"context"
	"fmt"
	"io"

	"github.com/spf13/cobra"

	"github.com/coffer-custody/coffer/watch"
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
			ask := func(ctx context.Context, svc *watch.Service) ([]watch.UTXOInfo, error) {
				us, err := svc.UTXOs(ctx, name)
				return orEmpty(us), err
			}
			return query(cmd, g, ask, func(w io.Writer, us []watch.UTXOInfo) {
				for _, u := range us {
					note := ""
					if !u.Spendable {
						note = "  (not yet spendable)"
					}
					fmt.Fprintf(w, "%-20s %s %18s  %s %s  %d conf%s\n", u.Wallet, u.Outpoint, build.FormatAmount(sats(u.Value)), u.Path, u.Address, u.Confirmations, note)
				}
			})
		},
	}
	cmd.Flags().StringVar(&name, "wallet", "", "only this wallet")
	return cmd
}
