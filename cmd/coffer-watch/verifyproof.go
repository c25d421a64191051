package main

import (
	"github.com/spf13/cobra"

	"github.com/coffer-custody/coffer/internal/auditcmd"
)

// newVerifyProofCommand checks a proof of control made by 'coffer prove'
// (or any BIP-322 or legacy message signer): the same command as
// 'coffer-watch audit verify-proof'.
func newVerifyProofCommand(g *globalOptions) *cobra.Command {
	return auditcmd.NewVerifyProofCommand(auditcmd.Options{Prog: prog, JSON: &g.json}, "verify-proof")
}
