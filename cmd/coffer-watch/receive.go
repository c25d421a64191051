package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/coffer-custody/coffer/internal/cli"
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
			s, err := g.open(cmd, offline, 0)
			if err != nil {
				return err
			}
			defer s.close()
			a, err := s.svc.Receive(cmd.Context(), name)
			if err != nil {
				return nodeError(err)
			}
			if g.json {
				return cli.WriteJSON(cmd.OutOrStdout(), a)
			}
			fmt.Fprintf(cmd.OutOrStdout(), "%s\t%s\n", a.Address, a.Path)
			return nil
		},
	}
	cmd.Flags().StringVar(&name, "wallet", "", "the wallet (required)")
	return cmd
}
