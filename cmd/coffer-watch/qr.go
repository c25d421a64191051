package main

import (
	"github.com/spf13/cobra"

	"github.com/coffer-custody/coffer/internal/qrcli"
)

// newQRCommand is "coffer-watch qr encode|decode": any file across the air
// gap as animated QR codes, the same command as coffer's (internal/qrcli).
func newQRCommand(g *globalOptions) *cobra.Command {
	return qrcli.NewCommand(prog, &g.json)
}
