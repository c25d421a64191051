package main

import (
	"errors"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/coffer-custody/coffer/internal/atomicfile"
	"github.com/coffer-custody/coffer/internal/cli"
	"github.com/coffer-custody/coffer/internal/qrcli"
	"github.com/coffer-custody/coffer/watch"
	"github.com/coffer-custody/coffer/watch/build"
)

type finalizeOptions struct {
	broadcast bool
	out       string
	qrIn      qrcli.InFlags
}

func newFinalizeCommand(g *globalOptions) *cobra.Command {
	o := &finalizeOptions{}
	cmd := &cobra.Command{
		Use:   "finalize FILE | --qr-in [IMAGE...] [--broadcast] [--out tx.hex]",
		Short: "Build the network transaction of a fully signed PSBT, and broadcast it",
		Long: `Finalize a fully signed PSBT into the network transaction: every input gets
its final scriptSig or witness (exactly M signatures for a multisig), and
every input is executed with the script engine before anything is printed.
A PSBT that lacks signatures is refused with the inputs that lack them.
With --broadcast the transaction is checked against the node's view of the
coins it spends, tested with testmempoolaccept and sent.

By camera: --qr-in reads the signed PSBT from QR codes (UR crypto-psbt or
psbt, or BBQr), in the IMAGE files (PNG, JPEG, GIF; a folder stands for its
images) or, with none, from the text lines of a scanner on standard input.
--expect-sha256 HEX refuses a PSBT whose SHA-256 is not the one the signer
printed.`,
		Example: `  coffer-watch finalize signed.psbt --broadcast
  coffer-watch finalize signed.psbt --out tx.hex
  coffer-watch finalize --qr-in signed/frame-*.png --broadcast
  zbarcam --raw | coffer-watch finalize --qr-in --broadcast`,
		Args: o.qrIn.Args(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runFinalize(cmd, g, o, args)
		},
	}
	cmd.Flags().BoolVar(&o.broadcast, "broadcast", false, "send the transaction through the node")
	cmd.Flags().StringVar(&o.out, "out", "", "write the transaction's hex to this file (never overwritten)")
	o.qrIn.MaxBytes = build.MaxPSBT
	o.qrIn.Register(cmd)
	return cmd
}

// readSignedPSBT reads the PSBT to finalize: FILE or - as readInput does,
// or QR codes with --qr-in; --expect-sha256 is checked either way.
func readSignedPSBT(cmd *cobra.Command, in *qrcli.InFlags, args []string) ([]byte, string, error) {
	if !in.QR() {
		data, err := readInput(cmd, args[0], build.MaxPSBT)
		if err != nil {
			return nil, "", err
		}
		name := displayName(args[0])
		return data, name, in.Check(name, data)
	}
	r, err := in.Read(cmd, args)
	if err != nil {
		return nil, "", err
	}
	fmt.Fprintln(cmd.ErrOrStderr(), r.Summary())
	return r.Data, r.Source, nil
}

func runFinalize(cmd *cobra.Command, g *globalOptions, o *finalizeOptions, args []string) error {
	if err := checkOut(o.out); err != nil {
		return err
	}
	data, name, err := readSignedPSBT(cmd, &o.qrIn, args)
	if err != nil {
		return err
	}
	mode := offline
	if o.broadcast {
		mode = withNode
	}
	s, err := g.open(cmd, mode, 0)
	if err != nil {
		return err
	}
	defer s.close()
	res, err := s.svc.Finalize(cmd.Context(), data, name, o.broadcast)
	if err != nil {
		return notBroadcast(nodeError(err), res, "run this command again once the cause is fixed")
	}
	if o.out != "" {
		if err := atomicfile.WriteNew(o.out, []byte(res.Hex+"\n"), 0o644); err != nil {
			if res.Broadcast {
				return outError(o.out, err, "transaction "+res.TxID+" is broadcast", "")
			}
			return outError(o.out, err, "", "")
		}
	}
	return printTx(cmd, g, res, o.out)
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

// notBroadcast corrects the hint of a failed broadcast after the
// transaction was finalized (res is not nil then): its request records it
// as finalized, so "nothing was changed" would not be true.
func notBroadcast(err error, res *watch.FinalizeResult, next string) error {
	var ce *cli.Error
	if res == nil || !errors.As(err, &ce) {
		return err
	}
	done := "transaction " + res.TxID + " is not broadcast"
	if res.Request != "" {
		done = "request " + res.Request + " now records transaction " + res.TxID + " as finalized; it is not broadcast"
	}
	hint := strings.TrimSuffix(strings.TrimSuffix(ce.Hint, "; nothing was changed"), "nothing was changed")
	if hint != "" {
		hint += "; "
	}
	return cli.Fail(ce.Code, ce.Err, hint+done+": "+next)
}
