package main

import (
	"os"
	"strings"

	"github.com/spf13/cobra"

	"github.com/coffer-custody/coffer/internal/cli"
	"github.com/coffer-custody/coffer/internal/qrcli"
	"github.com/coffer-custody/coffer/watch"
)

func newBroadcastCommand(g *globalOptions) *cobra.Command {
	var in qrcli.InFlags
	cmd := &cobra.Command{
		Use:   "broadcast TXHEX|FILE",
		Short: "Send a finalized transaction through the node",
		Long: `Send a finalized transaction, given as hex or as a file holding its hex. Every
input is first executed with the script engine against the coins the node
knows it spends, then the node's testmempoolaccept must accept it.

--expect-sha256 HEX refuses a file whose SHA-256 is not the "tx sha256" that
'coffer sign --finalize' printed when it wrote the file.`,
		Example: "  coffer-watch broadcast tx.hex\n  coffer-watch broadcast signed.tx --expect-sha256 9f86d0...\n  coffer-watch broadcast 0200000000010...",
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			text := args[0]
			name := "the argument"
			if _, err := os.Stat(text); err == nil || !isHexText(text) {
				b, err := readInput(cmd, text, 4<<20)
				if err != nil {
					return err
				}
				if err := in.Check(displayName(args[0]), b); err != nil {
					return err
				}
				text, name = string(b), displayName(args[0])
			} else if cmd.Flags().Changed("expect-sha256") {
				return cli.Failf("write the transaction to a file, or leave out --expect-sha256", "--expect-sha256 checks a file, and the argument is a transaction's hex")
			}
			tx, err := watch.ParseTx(text)
			if err != nil {
				return cli.Failf("give the hex of a signed transaction ('coffer-watch finalize' writes it)", "%s: %v", name, err)
			}
			s, err := g.open(cmd, withNode, 0)
			if err != nil {
				return err
			}
			defer s.close()
			res, err := s.svc.Broadcast(cmd.Context(), tx)
			if err != nil {
				return nodeError(err)
			}
			return printTx(cmd, g, res, "")
		},
	}
	in.RegisterExpect(cmd)
	return cmd
}

func isHexText(s string) bool {
	s = strings.TrimSpace(s)
	if len(s) < 20 || len(s)%2 != 0 {
		return false
	}
	for _, c := range s {
		if !strings.ContainsRune("0123456789abcdefABCDEF", c) {
			return false
		}
	}
	return true
}
