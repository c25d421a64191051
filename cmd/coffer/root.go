package main

import (
	"crypto/rand"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/spf13/cobra"

	"github.com/coffer-custody/coffer/internal/cli"
)

// env is what a command takes from the process: the environment, the clock
// and the random source. Commands get it as a value, never from globals, so
// tests can run many commands in one process.
type env struct {
	getenv func(string) string
	now    func() time.Time
	rand   io.Reader
}

func newEnv() *env {
	return &env{getenv: os.Getenv, now: time.Now, rand: rand.Reader}
}

// globalOptions are the flags every command shares.
type globalOptions struct {
	vault string
	json  bool
	env   *env
}

// vaultDir is --vault, else $COFFER_VAULT, else ~/.coffer.
func (g *globalOptions) vaultDir() (string, error) {
	dir := g.vault
	if dir == "" {
		dir = g.env.getenv("COFFER_VAULT")
	}
	if dir == "" {
		home := g.env.getenv("HOME")
		if home == "" {
			return "", failf("pass --vault DIR or set COFFER_VAULT", "no vault folder: --vault is not set and neither are COFFER_VAULT and HOME")
		}
		dir = filepath.Join(home, ".coffer")
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return "", failf("", "vault folder %q: %v", dir, err)
	}
	if fi, err := os.Stat(abs); err == nil && !fi.IsDir() {
		return "", failf("pass --vault DIR (or set COFFER_VAULT) naming the vault's folder", "vault folder %s is a file, not a folder", abs)
	}
	return abs, nil
}

func newRootCommand(e *env) *cobra.Command {
	g := &globalOptions{env: e}
	root := &cobra.Command{
		Use:   "coffer",
		Short: "Offline cold-storage signer for Bitcoin custodians",
		Long: `coffer is the offline signer of Coffer. It runs on a workstation that never
touches a network: it holds the key ceremony, keeps the seed encrypted in a
vault, exports watch-only data for coffer-watch and signs what the officer
has reviewed.

The vault is --vault DIR, else $COFFER_VAULT, else ~/.coffer.`,
		Example: `  coffer keygen --network regtest --officer alice
  coffer xpub --script wpkh
  coffer export --format descriptor --script wpkh`,
		SilenceErrors: true,
		SilenceUsage:  true,
	}
	root.PersistentFlags().StringVar(&g.vault, "vault", "", "vault folder (default $COFFER_VAULT, else ~/.coffer)")
	root.PersistentFlags().BoolVar(&g.json, "json", false, "print the result as JSON")
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error {
		return fail(exitError, cli.FlagError(err), "run 'coffer COMMAND --help' for the flags it takes")
	})
	root.AddCommand(
		newVersionCommand(g),
		newDoctorCommand(g),
		newKeygenCommand(g),
		newRestoreCommand(g),
		newXpubCommand(g),
		newAddressCommand(g),
		newExportCommand(g),
		newPasswdCommand(g),
		newBackupCommand(g),
		newInspectCommand(g),
		newSignCommand(g),
		newWalletCommand(g),
		newQRCommand(g),
		newAuditCommand(g),
		newProveCommand(g),
		newPolicyCommand(g), newKeyCommand(g),
	)
	cli.RequireSubcommands(root)
	cli.ArgsByContract(root)
	return root
}
