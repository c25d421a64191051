package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/coffer-custody/coffer/audit"
)

func newBackupCommand(g *globalOptions) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "backup",
		Short: "Back up the vault's secret (SLIP-39 shares)",
		Example: `  coffer backup split --shares 2-of-3 --officer alice --officer bob --officer carol
  coffer backup split --groups "2 of (2-of-3, 1-of-1)"`,
		Args: cobra.NoArgs,
	}
	cmd.AddCommand(newBackupSplitCommand(g))
	return cmd
}

type backupSplitOptions struct {
	shares   sharesFlags
	officers []string
	unlock   unlockFlags
}

func newBackupSplitCommand(g *globalOptions) *cobra.Command {
	o := &backupSplitOptions{}
	cmd := &cobra.Command{
		Use:   "split",
		Short: "Split the vault's secret into SLIP-39 shares for M of N holders",
		Long: `Split the vault's secret into SLIP-39 shares so that M of N holders (or M of
N groups of holders) are needed to restore it.

A SLIP-39 vault (made with 'coffer keygen --shares') is split as its master
secret: any SLIP-39 wallet restores it. A BIP39 vault's entropy is split as
the SLIP-39 master secret: restoring it needs Coffer
('coffer restore --slip39 --from-bip39') or a tool that follows the same
convention (turn the recovered secret back into BIP39 words); a plain SLIP-39
wallet would restore a different wallet from it. A BIP39 passphrase is not
in the shares.

Each share is shown on its own screen for its holder (--officer, one per
share, in order) and checked with a quiz; --non-interactive prints each share
on one line as "share N/M HOLDER: words" for scripted ceremonies.`,
		Example: `  coffer backup split --shares 2-of-3 --officer alice --officer bob --officer carol
  coffer backup split --groups "2 of (2-of-3, 1-of-1)" --non-interactive --passphrase-file pass.txt`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if !o.shares.set() {
				return failf("pass --shares M-of-N or --groups", "backup split needs a scheme")
			}
			sc, err := o.shares.scheme()
			if err != nil {
				return err
			}
			if err := checkOfficers(o.officers); err != nil {
				return err
			}
			holders, err := shareHolders(sc, o.officers)
			if err != nil {
				return err
			}
			ks, err := openKeystore(cmd, g, &o.unlock)
			if err != nil {
				return err
			}
			defer ks.secret.Wipe()
			masterSecret := ks.secret.Entropy
			if ks.secret.Kind == "bip39" && len(ks.secret.BIP39Passphrase) > 0 {
				printWarning(cmd.ErrOrStderr(), "this vault has a BIP39 passphrase; it is not in the shares and must be kept separately")
			}
			screen := cmd.OutOrStdout()
			if g.json {
				screen = cmd.ErrOrStderr()
			}
			jkey, err := journalKeyOf(ks.secret)
			if err != nil {
				return err
			}
			defer audit.WipeKey(jkey)
			// Shares that cannot be journaled are never shown.
			if err := checkJournal(ks.dir); err != nil {
				return err
			}
			rec, err := splitToShares(newPrompter(cmd), screen, masterSecret, sc, holders, g.env.rand, !o.unlock.nonInteractive)
			if err != nil {
				return err
			}
			// The scheme, holders and set identifier are journaled, never a share.
			if err := appendJournal(ks.dir, jkey, "backup-split", struct {
				Source string                `json:"source"`
				Shamir *audit.CeremonyShamir `json:"shamir"`
			}{ks.secret.Kind, rec}, g.env.now()); err != nil {
				return err
			}
			if g.json {
				return writeJSON(cmd.OutOrStdout(), struct {
					Vault  string `json:"vault"`
					Source string `json:"source"`
					Scheme any    `json:"scheme"`
				}{ks.dir, ks.secret.Kind, rec})
			}
			fmt.Fprintf(cmd.OutOrStdout(), "Split the %s secret of vault %s into %s (set %d).\n", ks.secret.Kind, ks.dir, sc, rec.Identifier)
			return nil
		},
	}
	o.shares.register(cmd)
	cmd.Flags().StringArrayVar(&o.officers, "officer", nil, "holder of each share, in order (repeat)")
	o.unlock.register(cmd)
	return cmd
}
