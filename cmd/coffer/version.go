package main

import (
	"github.com/spf13/cobra"

	"github.com/coffer-custody/coffer/internal/cli"
)

func newVersionCommand(g *globalOptions) *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print the version, commit, Go version and the SHA-256 of this binary",
		Long: `Print the version, commit and Go version of this build and the SHA-256 of the
running binary. An auditor compares the hash with a reproducible build of the
same commit (see SECURITY.md).`,
		Example: `  coffer version
  coffer version --json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return cli.PrintVersion(cmd.OutOrStdout(), prog, g.json)
		},
	}
}
