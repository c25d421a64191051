package main

import (
	"context"
	"fmt"
	"io"

	"github.com/spf13/cobra"

	"github.com/coffer-custody/coffer/internal/cli"
	"github.com/coffer-custody/coffer/watch"
)

func newReceiveCommand(g *globalOptions) *cobra.Command {
	var name string
	cmd := &cobra.Command{
		Use:   "receive --wallet N",
		Short: "Hand out the wallet's next unused receive address",
		Long: `Hand out the next receive address that is neither used nor handed out yet,
and mark it handed out, so two payers never get one address. Compare it with
'coffer address' on the offline side before giving it to a payer.`,
		Example: "  coffer-watch receive --wallet treasury",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if name == "" {
				return cli.Failf("pass --wallet NAME ('coffer-watch wallet list' shows them)", "--wallet is required")
			}
			ask := func(ctx context.Context, svc *watch.Service) (*watch.AddressInfo, error) {
				return svc.Receive(ctx, name)
			}
			return query(cmd, g, ask, func(w io.Writer, a *watch.AddressInfo) {
				fmt.Fprintf(w, "%s\t%s\n", a.Address, a.Path)
			})
		},
	}
	cmd.Flags().StringVar(&name, "wallet", "", "the wallet (required)")
	return cmd
}
