package main

import (
	"errors"
	"fmt"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/coffer-custody/coffer/audit"
	"github.com/coffer-custody/coffer/internal/keystore"
	"github.com/coffer-custody/coffer/internal/secret"
)

type passwdOptions struct {
	unlock            unlockFlags
	newPassphraseFile string
}

func newPasswdCommand(g *globalOptions) *cobra.Command {
	o := &passwdOptions{}
	cmd := &cobra.Command{
		Use:   "passwd",
		Short: "Change the vault's keystore passphrase",
		Long: `Change the passphrase that encrypts keystore.json. The keystore is
re-encrypted under a fresh salt and replaced atomically: on any failure the
old file, and the old passphrase, stay valid.`,
		Example: `  coffer passwd
  coffer passwd --passphrase-file old.txt --new-passphrase-file new.txt --non-interactive`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			dir, err := g.vaultDir()
			if err != nil {
				return err
			}
			path := filepath.Join(dir, keystoreFile)
			if _, err := keystore.ReadMeta(path); err != nil {
				return failf("", "%v", err)
			}
			// A passphrase change that cannot be journaled is not made.
			if err := checkJournal(dir); err != nil {
				return err
			}
			p := newPrompter(cmd)
			old, err := o.unlock.passphrase(p, dir)
			if err != nil {
				return err
			}
			defer secret.Wipe(old)
			// Decrypt first: a wrong passphrase is refused before a new one
			// is asked, and the journal key comes from the secret.
			s, _, err := keystore.Open(path, old)
			if errors.Is(err, keystore.ErrWrongPassphrase) {
				return fail(exitPassphrase, fmt.Errorf("wrong passphrase for vault %s", dir), "nothing was changed; type the current passphrase again")
			}
			if err != nil {
				return failf("", "%v; nothing was changed", err)
			}
			jkey, err := journalKeyOf(s)
			s.Wipe()
			if err != nil {
				return err
			}
			defer audit.WipeKey(jkey)
			var next []byte
			switch {
			case o.newPassphraseFile != "":
				next, err = readPassphraseFile(o.newPassphraseFile, "--new-passphrase-file")
			case o.unlock.nonInteractive:
				err = failf("pass --new-passphrase-file F", "--non-interactive needs --new-passphrase-file for the new vault passphrase")
			default:
				next, err = p.newPassphrase(fmt.Sprintf("New passphrase for vault %s: ", dir), "--new-passphrase-file")
			}
			if err != nil {
				return err
			}
			defer secret.Wipe(next)
			err = keystore.ChangePassphrase(path, old, next)
			if errors.Is(err, keystore.ErrWrongPassphrase) {
				return fail(exitPassphrase, fmt.Errorf("wrong passphrase for vault %s", dir), "nothing was changed; type the current passphrase again")
			}
			if err != nil {
				return failf("", "%v; nothing was changed", err)
			}
			if err := appendJournal(dir, jkey, audit.KindPasswd, struct {
				Keystore string `json:"keystore"`
			}{keystoreFile}, g.env.now()); err != nil {
				return err
			}
			if g.json {
				return writeJSON(cmd.OutOrStdout(), struct {
					Vault   string `json:"vault"`
					Changed bool   `json:"changed"`
				}{dir, true})
			}
			fmt.Fprintf(cmd.OutOrStdout(), "The passphrase of vault %s is changed.\n", dir)
			return nil
		},
	}
	o.unlock.register(cmd)
	cmd.Flags().StringVar(&o.newPassphraseFile, "new-passphrase-file", "", "read the new passphrase from this file (scripts)")
	return cmd
}
