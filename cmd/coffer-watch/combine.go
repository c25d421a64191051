package main

import (
	"encoding/base64"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/coffer-custody/coffer/internal/atomicfile"
	"github.com/coffer-custody/coffer/internal/cli"
	"github.com/coffer-custody/coffer/watch/build"
)

func newCombineCommand(g *globalOptions) *cobra.Command {
	var out string
	cmd := &cobra.Command{
		Use:   "combine A B... [--out combined.psbt]",
		Short: "Merge the signatures of PSBTs of one transaction (BIP174 combiner)",
		Long: `Merge PSBTs of one transaction, each signed by another signer, into one: the
signatures, derivations, scripts and UTXOs of every input and output. PSBTs of
different transactions are refused by name. The request of the transaction
records how many signatures it now has.`,
		Example: `  coffer-watch combine alice.psbt bob.psbt --out signed.psbt`,
		Args:    cobra.MinimumNArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := checkOut(out); err != nil {
				return err
			}
			var datas [][]byte
			for _, a := range args {
				b, err := readInput(cmd, a, build.MaxPSBT)
				if err != nil {
					return err
				}
				datas = append(datas, b)
			}
			s, err := g.open(cmd, offline, 0)
			if err != nil {
				return err
			}
			defer s.close()
			res, err := s.svc.Combine(cmd.Context(), datas, args)
			if err != nil {
				return nodeError(err)
			}
			if out != "" {
				if err := atomicfile.WriteNew(out, res.PSBT, 0o644); err != nil {
					if res.Request != "" {
						return outError(out, err, "the signatures are recorded with request "+res.Request, "run 'coffer-watch request show "+res.Request+" --out FILE'")
					}
					return outError(out, err, "", "")
				}
			}
			w := cmd.OutOrStdout()
			if g.json {
				return cli.WriteJSON(w, struct {
					TxID       string `json:"txid"`
					Request    string `json:"request,omitempty"`
					Signatures int    `json:"signatures"`
					Required   int    `json:"required"`
					Complete   bool   `json:"complete"`
					Out        string `json:"out,omitempty"`
					SHA256     string `json:"sha256,omitempty"`
				}{res.TxID, res.Request, res.Signatures, res.Required, res.Complete, out, outSHA256(out, res.PSBT)})
			}
			fmt.Fprintf(w, "combined %d PSBTs of %s: %d of %d signatures", len(args), res.TxID, res.Signatures, res.Required)
			if res.Request != "" {
				fmt.Fprintf(w, " (request %s)", res.Request)
			}
			fmt.Fprintln(w)
			if out != "" {
				fmt.Fprintf(w, "wrote %s\n", out)
				fmt.Fprintf(w, "sha256 %s\n", outSHA256(out, res.PSBT))
			} else {
				fmt.Fprintln(w, base64.StdEncoding.EncodeToString(res.PSBT))
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&out, "out", "", "write the combined PSBT to this file (never overwritten; default: print it in base64)")
	return cmd
}
