// Command coffer-watch is the online watch-only companion of Coffer. It
// holds no private key: it imports what coffer exported, follows the chain
// through a node, builds unsigned PSBTs, combines signatures and broadcasts.
// For now it has only the version command; see the open issues.
package main

import (
	"io"
	"os"

	"github.com/spf13/cobra"

	"github.com/coffer-custody/coffer/internal/cli"
)

const prog = "coffer-watch"

func main() {
	os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

func run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	root := newRootCommand()
	root.SetArgs(args)
	root.SetIn(stdin)
	root.SetOut(stdout)
	root.SetErr(stderr)
	if err := root.Execute(); err != nil {
		return cli.Report(stderr, prog, err)
	}
	return cli.ExitOK
}

type globalOptions struct {
	json bool
	w    watchFlags // data folder and node settings (node.go)
}

func newRootCommand() *cobra.Command {
	g := &globalOptions{}
	root := &cobra.Command{
		Use:   "coffer-watch",
		Short: "Online watch-only companion of the coffer signer",
		Long: `coffer-watch runs on the online machine. It never holds a private key: it
imports the watch-only exports of coffer, follows the chain through a node,
builds unsigned PSBTs for coffer to sign, and finalizes and broadcasts them.`,
		Example:       `  coffer-watch version`,
		SilenceErrors: true,
		SilenceUsage:  true,
	}
	root.PersistentFlags().BoolVar(&g.json, "json", false, "print the result as JSON")
	g.w.register(root)
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error {
		return cli.Fail(cli.ExitError, err, "run 'coffer-watch COMMAND --help' for the flags it takes")
	})
	root.AddCommand(newVersionCommand(g), newQRCommand(g), newAuditCommand(g), newVerifyProofCommand(g))
	root.AddCommand(newWalletCommand(g), newSyncCommand(g), newBalanceCommand(g), newUTXOsCommand(g), newReceiveCommand(g),
		newAddressesCommand(g), newSendCommand(g), newCombineCommand(g), newFinalizeCommand(g), newBroadcastCommand(g),
		newRequestsCommand(g), newRequestCommand(g), newBumpCommand(g))
	root.AddCommand(newApproverCommand(g), newApprovalCommand(g), newApproveCommand(g), newPolicyCommand(g))
	cli.RequireSubcommands(root)
	cli.ArgsByContract(root)
	return root
}
