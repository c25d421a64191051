package main

import (
	"github.com/spf13/cobra"

	"github.com/coffer-custody/coffer/internal/auditcmd"
)

// newAuditCommand is the audit command shared with coffer (internal/auditcmd):
// journal, ceremony and proof verification with no secret.
func newAuditCommand(g *globalOptions) *cobra.Command {
	return auditcmd.NewCommand(auditcmd.Options{Prog: prog, JSON: &g.json})
}
