package main

import (
	"github.com/spf13/cobra"

	"github.com/coffer-custody/coffer/internal/qrcli"
)

// newQRCommand is "coffer qr encode|decode": any file across the air gap as
// animated QR codes. The command lives in internal/qrcli, shared with
// coffer-watch; it needs no vault.
func newQRCommand(g *globalOptions) *cobra.Command {
	return qrcli.NewCommand(prog, &g.json)
}
