package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/coffer-custody/coffer/internal/atomicfile"
	"github.com/coffer-custody/coffer/internal/cli"
	"github.com/coffer-custody/coffer/watch"
	"github.com/coffer-custody/coffer/watch/build"
)

func newFinalizeCommand(g *globalOptions) *cobra.Command {
	var (
		bcast bool
		out   string
	)
	cmd := &cobra.Command{
		Use:   "finalize FILE [--broadcast] [--out tx.hex]",
		Short: "Build the network transaction of a fully signed PSBT, and broadcast it",
		Long: `Finalize a fully signed PSBT into the network transaction: every input gets
its final scriptSig or witness (exactly M signatures for a multisig), and
every input is executed with the script engine before anything is printed.
A PSBT that lacks signatures is refused with the inputs that lack them.
With --broadcast the transaction is checked against the node's view of the
coins it spends, tested with testmempoolaccept and sent.`,
		Example: `  coffer-watch finalize signed.psbt --broadcast
  coffer-watch finalize signed.psbt --out tx.hex`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := checkOut(out); err != nil {
				return err
			}
			data, err := readInput(cmd, args[0], build.MaxPSBT)
			if err != nil {
				return err
			}
			mode := offline
			if bcast {
				mode = withNode
			}
			s, err := g.open(cmd, mode, 0)
			if err != nil {
				return err
			}
			defer s.close()
			res, err := s.svc.Finalize(cmd.Context(), data, displayName(args[0]), bcast)
			if err != nil {
				return nodeError(err)
			}
			if out != "" {
				if err := atomicfile.WriteNew(out, []byte(res.Hex+"\n"), 0o644); err != nil {
					return cli.Failf("", "cannot write %s: %v", out, err)
				}
			}
			return printTx(cmd, g, res, out)
		},
	}
	cmd.Flags().BoolVar(&bcast, "broadcast", false, "send the transaction through the node")
	cmd.Flags().StringVar(&out, "out", "", "write the transaction's hex to this file (never overwritten)")
	return cmd
}

func printTx(cmd *cobra.Command, g *globalOptions, res *watch.FinalizeResult, out string) error {
	w := cmd.OutOrStdout()
	if g.json {
		return cli.WriteJSON(w, struct {
			*watch.FinalizeResult
			Out string `json:"out,omitempty"`
		}{res, out})
	}
	fmt.Fprintf(w, "transaction %s, %d vbytes", res.TxID, res.VSize)
	if res.Fee >= 0 {
		fmt.Fprintf(w, ", fee %s (%s)", build.FormatAmount(sats(res.Fee)), build.FormatFeeRate(res.FeeRateKvB))
	}
	if res.Request != "" {
		fmt.Fprintf(w, ", request %s", res.Request)
	}
	fmt.Fprintln(w)
	if res.Broadcast {
		fmt.Fprintf(w, "broadcast %s\n", res.TxID)
	}
	switch {
	case out != "":
		fmt.Fprintf(w, "wrote %s\n", out)
	case !res.Broadcast:
		fmt.Fprintln(w, res.Hex)
	}
	return nil
}
