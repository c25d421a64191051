package main

import (
	"context"
	"fmt"
	"io"

	"github.com/spf13/cobra"

	"github.com/coffer-custody/coffer/internal/cli"
	"github.com/coffer-custody/coffer/watch"
)

func newAddressesCommand(g *globalOptions) *cobra.Command {
	var (
		name   string
		change bool
		count  int
	)
	cmd := &cobra.Command{
		Use:     "addresses --wallet N [--change] [--count N]",
		Short:   "List a wallet's receive (or change) addresses from index 0",
		Example: "  coffer-watch addresses --wallet treasury --count 5\n  coffer-watch addresses --wallet treasury --change --json",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if name == "" {
				return cli.Failf("pass --wallet NAME ('coffer-watch wallet list' shows them)", "--wallet is required")
			}
			ask := func(ctx context.Context, svc *watch.Service) ([]watch.AddressInfo, error) {
				return svc.Addresses(ctx, name, change, count)
			}
			return query(cmd, g, ask, func(w io.Writer, as []watch.AddressInfo) {
				for _, a := range as {
					state := ""
					switch {
					case a.Used:
						state = "used"
					case a.Given:
						state = "handed out"
					}
					fmt.Fprintf(w, "%-6s %s %s\n", a.Path, a.Address, state)
				}
			})
		},
	}
	cmd.Flags().StringVar(&name, "wallet", "", "the wallet (required)")
	cmd.Flags().BoolVar(&change, "change", false, "the change branch instead of receive")
	cmd.Flags().IntVar(&count, "count", 10, "how many addresses")
	return cmd
}
