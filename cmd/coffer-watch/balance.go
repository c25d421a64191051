package main

import (
	"context"
	"fmt"
	"io"

	"github.com/btcsuite/btcd/btcutil"
	"github.com/spf13/cobra"

	"github.com/coffer-custody/coffer/watch"
	"github.com/coffer-custody/coffer/watch/build"
)

func sats(v int64) btcutil.Amount { return btcutil.Amount(v) }

func newBalanceCommand(g *globalOptions) *cobra.Command {
	var name string
	cmd := &cobra.Command{
		Use:   "balance [--wallet N]",
		Short: "Show the balance of every wallet, or of one, as of the last sync",
		Long: `Show each wallet's confirmed, unconfirmed and immature (coinbase) coins as of
the last sync, without contacting the node. Run 'coffer-watch sync' first.`,
		Example: `  coffer-watch balance
  coffer-watch balance --wallet treasury --json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ask := func(ctx context.Context, svc *watch.Service) (*watch.BalanceResult, error) {
				return svc.Balances(ctx, name)
			}
			return query(cmd, g, ask, printBalances)
		},
	}
	cmd.Flags().StringVar(&name, "wallet", "", "only this wallet")
	return cmd
}

func printBalances(w io.Writer, res *watch.BalanceResult) {
	if res.SyncHeight < 0 {
		fmt.Fprintln(w, "never synced: run 'coffer-watch sync'")
	} else {
		fmt.Fprintf(w, "as of block %d\n", res.SyncHeight)
	}
	for _, b := range res.Wallets {
		fmt.Fprintf(w, "%-20s confirmed %s  unconfirmed %s  immature %s  (%d coins)\n", b.Wallet,
			build.FormatAmount(sats(b.Confirmed)), build.FormatAmount(sats(b.Unconfirmed)), build.FormatAmount(sats(b.Immature)), b.UTXOs)
	}
	fmt.Fprintf(w, "total %s\n", build.FormatAmount(sats(res.Total)))
}
