package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/coffer-custody/coffer/internal/cli"
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
			s, err := g.open(cmd, offline, 0)
			if err != nil {
				return err
			}
			defer s.close()
			as, err := s.svc.Addresses(cmd.Context(), name, change, count)
			if err != nil {
				return nodeError(err)
			}
			w := cmd.OutOrStdout()
			if g.json {
				return cli.WriteJSON(w, as)
			}
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
			return nil
		},
	}
	cmd.Flags().StringVar(&name, "wallet", "", "the wallet (required)")
	cmd.Flags().BoolVar(&change, "change", false, "the change branch instead of receive")
	cmd.Flags().IntVar(&count, "count", 10, "how many addresses")
	return cmd
}
