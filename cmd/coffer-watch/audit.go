package main

import (
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/coffer-custody/coffer/internal/auditcmd"
)

// newAuditCommand is the audit command shared with coffer (internal/auditcmd):
// journal, ceremony and proof verification with no secret; plus keep and
// show-kept, which hold the auditors' copies of the vault's journal in the
// data folder's journals/.
func newAuditCommand(g *globalOptions) *cobra.Command {
	o := auditcmd.Options{Prog: prog, JSON: &g.json}
	cmd := auditcmd.NewCommand(o)
	kept := func() (string, error) {
		dir, err := g.dataDir()
		if err != nil {
			return "", err
		}
		return filepath.Join(dir, "journals"), nil
	}
	cmd.AddCommand(auditcmd.NewKeepCommand(o, kept), auditcmd.NewShowKeptCommand(o, kept))
	return cmd
}
