package main

import (
	"github.com/spf13/cobra"

	"github.com/coffer-custody/coffer/internal/cli"
)

func newVersionCommand(g *globalOptions) *cobra.Command {
	return &cobra.Command{
		Use:     "version",
		Short:   "Print the version, commit, Go version and the SHA-256 of this binary",
		Example: "  coffer-watch version --json",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return cli.PrintVersion(cmd.OutOrStdout(), prog, g.json)
		},
	}
}
