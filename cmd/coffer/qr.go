package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/coffer-custody/coffer/internal/qrcli"
	"github.com/coffer-custody/coffer/sign"
)

// newQRCommand is "coffer qr encode|decode": any file across the air gap as
// animated QR codes. The command lives in internal/qrcli, shared with
// coffer-watch; it needs no vault.
func newQRCommand(g *globalOptions) *cobra.Command {
	return qrcli.NewCommand(prog, &g.json)
}

// readPSBTInput reads the PSBT of coffer sign: from QR codes with --qr-in
// (images, or scanner lines on stdin, after which questions go to the
// terminal), else FILE or - as readPSBT does; --expect-sha256 is checked
// either way, on the bytes read.
func readPSBTInput(cmd *cobra.Command, in *qrcli.InFlags, args []string, maxSize int) (*psbtSource, *sign.Packet, error) {
	if !in.QR() {
		src, p, err := readPSBT(cmd, args[0], maxSize)
		if err != nil {
			return nil, nil, err
		}
		return src, p, in.Check(src.name(), src.data)
	}
	if maxSize <= 0 {
		return nil, nil, failf("", "--max-size %d is not a positive number of bytes", maxSize)
	}
	in.MaxBytes = maxSize
	r, err := in.Read(cmd, args)
	if err != nil {
		return nil, nil, err
	}
	if len(args) == 0 {
		promptFromTerminal(cmd) // the scanner's lines used up stdin
	}
	fmt.Fprintln(cmd.ErrOrStderr(), r.Summary())
	return decodePSBT(&psbtSource{label: r.Source, data: r.Data}, maxSize)
}
