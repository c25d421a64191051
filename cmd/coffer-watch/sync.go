package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/coffer-custody/coffer/internal/cli"
	"github.com/coffer-custody/coffer/watch"
	"github.com/coffer-custody/coffer/watch/build"
)

func newSyncCommand(g *globalOptions) *cobra.Command {
	var gap int
	cmd := &cobra.Command{
		Use:   "sync [--gap 20]",
		Short: "Follow the chain: scan every wallet's addresses and record its coins",
		Long: `Scan every wallet's receive and change addresses through the node until --gap
unused addresses in a row follow the last used one, and record the addresses
used and every unspent output; then update the confirmations of broadcast
requests. The whole sync is written in one transaction: a node that stops
answering half way leaves the database as it was.`,
		Example: `  coffer-watch sync
  coffer-watch sync --gap 100 --backend btcd --node 127.0.0.1:18334 --rpc-cert ~/.btcd/rpc.cert`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := g.requireDB(); err != nil {
				return err
			}
			s, err := g.open(cmd, withNode, 0)
			if err != nil {
				return err
			}
			defer s.close()
			res, err := s.svc.Sync(cmd.Context(), gap)
			if err != nil {
				return nodeError(err)
			}
			w := cmd.OutOrStdout()
			if g.json {
				return cli.WriteJSON(w, res)
			}
			fmt.Fprintf(w, "synced to block %d (%s) through %s\n", res.Height, res.Tip, res.Backend)
			for _, x := range res.Wallets {
				fmt.Fprintf(w, "%-20s %s in %d coins; %d of %d addresses scanned are used\n", x.Name, build.FormatAmount(sats(x.Balance)), x.UTXOs, x.Used, x.Scanned)
			}
			for _, id := range res.Confirmed {
				fmt.Fprintf(w, "request %s confirmed\n", id)
			}
			return nil
		},
	}
	cmd.Flags().IntVar(&gap, "gap", watch.DefaultGap, "unused addresses in a row that end a branch's scan")
	return cmd
}
