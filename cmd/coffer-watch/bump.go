package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/coffer-custody/coffer/internal/atomicfile"
	"github.com/coffer-custody/coffer/internal/cli"
	"github.com/coffer-custody/coffer/watch"
	"github.com/coffer-custody/coffer/watch/build"
)

func newBumpCommand(g *globalOptions) *cobra.Command {
	var (
		feeRate   string
		out       string
		initiator string
	)
	cmd := &cobra.Command{
		Use:   "bump TXID --fee-rate N [--out bump.psbt]",
		Short: "Build an RBF replacement of a request's transaction as a new unsigned request",
		Long: `Build a replacement (BIP125) of a broadcast request's transaction at a higher
fee rate, as a new unsigned request for the signers: the same inputs and
payments, less change (another coin is added when the change cannot pay).
The new fee covers the replaced one plus the relay fee on the new size.`,
		Example: "  coffer-watch bump 3f1a...9c0e --fee-rate 12 --out bump.psbt",
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			txid, err := watch.TxIDOf(args[0])
			if err != nil {
				return cli.Failf("", "%v", err)
			}
			if feeRate == "" {
				return cli.Failf("pass --fee-rate SATVB, above the replaced transaction's", "--fee-rate is required")
			}
			rate, err := build.ParseFeeRate(feeRate)
			if err != nil {
				return cli.Failf("", "--fee-rate: %v", err)
			}
			if err := checkOut(out); err != nil {
				return err
			}
			if err := g.requireDB(); err != nil {
				return err
			}
			s, err := g.open(cmd, withNode, 0)
			if err != nil {
				return err
			}
			defer s.close()
			res, err := s.svc.Bump(cmd.Context(), txid, rate, initiator)
			if err != nil {
				return nodeError(err)
			}
			if out != "" {
				if err := atomicfile.WriteNew(out, res.PSBT, 0o644); err != nil {
					return outError(out, err, "request "+res.ID+" is saved", "run 'coffer-watch request show "+res.ID+" --out FILE'")
				}
			}
			w := cmd.OutOrStdout()
			if g.json {
				return cli.WriteJSON(w, struct {
					*watch.SendResult
					Out    string `json:"out,omitempty"`
					SHA256 string `json:"sha256,omitempty"`
				}{res, out, outSHA256(out, res.PSBT)})
			}
			printSend(w, res)
			if out != "" {
				fmt.Fprintf(w, "wrote %s: sign it with 'coffer sign %s'\n", out, out)
				fmt.Fprintf(w, "sha256 %s\n", outSHA256(out, res.PSBT))
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&feeRate, "fee-rate", "", "the new fee rate in sat/vB (required)")
	cmd.Flags().StringVar(&out, "out", "", "write the replacement PSBT to this file (never overwritten)")
	cmd.Flags().StringVar(&initiator, "initiator", "", "who asks for the replacement")
	return cmd
}
