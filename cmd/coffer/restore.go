package main

import (
	"errors"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/coffer-custody/coffer/audit"
	"github.com/coffer-custody/coffer/internal/keystore"
	"github.com/coffer-custody/coffer/internal/secret"
	"github.com/coffer-custody/coffer/keygen"
	"github.com/coffer-custody/coffer/wallet"
)

type restoreOptions struct {
	mnemonicFile         string
	bip39PassphraseFile  string
	network              string
	officers             []string
	slip39               bool
	shareFiles           []string
	fromBIP39            bool
	slip39PassphraseFile string
	unlock               unlockFlags
}

func newRestoreCommand(g *globalOptions) *cobra.Command {
	o := &restoreOptions{}
	cmd := &cobra.Command{
		Use:   "restore",
		Short: "Restore a vault from BIP39 words",
		Long: `Restore a vault from a BIP39 mnemonic (12 to 24 English words).

The words are NFKD-normalised and canonically spaced before the seed is
derived, as BIP39 requires. A word that is not in the list is named by its
position, with the closest valid words suggested; a wrong checksum says so.
An optional BIP39 passphrase ("25th word") is read from a file or typed.
An existing vault is never overwritten.

With --slip39 the vault is restored from SLIP-39 shares instead, typed one at
a time or read from --share-file (one share per file), in any order; after
each share it says how many more are needed for which group. A share of
another set, a repeated share, a wrong checksum or a mistyped word is named.
Shares made by 'coffer backup split' of a BIP39 vault hold its BIP39
entropy: restore them with --from-bip39.`,
		Example: `  coffer restore --network regtest
  coffer restore --slip39 --share-file a.txt --share-file b.txt --network regtest
  coffer restore --mnemonic-file words.txt --passphrase-file pass.txt --non-interactive`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runRestore(cmd, g, o)
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.mnemonicFile, "mnemonic-file", "", "read the words from this file")
	f.StringVar(&o.bip39PassphraseFile, "bip39-passphrase-file", "", "read the BIP39 passphrase (\"25th word\") from this file")
	f.StringVar(&o.network, "network", "mainnet", "mainnet, testnet, signet or regtest")
	f.StringArrayVar(&o.officers, "officer", nil, "name of an officer present (repeat for each)")
	f.BoolVar(&o.slip39, "slip39", false, "restore from SLIP-39 shares instead of BIP39 words")
	f.StringArrayVar(&o.shareFiles, "share-file", nil, "read one SLIP-39 share from this file (repeat)")
	f.BoolVar(&o.fromBIP39, "from-bip39", false, "the shares hold a BIP39 vault's entropy ('coffer backup split' of a BIP39 vault)")
	f.StringVar(&o.slip39PassphraseFile, "slip39-passphrase-file", "", "read the SLIP-39 passphrase from this file (default: none)")
	o.unlock.register(cmd)
	return cmd
}

func runRestore(cmd *cobra.Command, g *globalOptions, o *restoreOptions) error {
	net, dir, err := prepareNewVault(g, o.network, o.officers)
	if err != nil {
		return err
	}
	p := newPrompter(cmd)
	if o.slip39 {
		return runRestoreSLIP39(cmd, g, o, p, dir, net)
	}
	if len(o.shareFiles) > 0 || o.fromBIP39 || o.slip39PassphraseFile != "" {
		return failf("add --slip39", "--share-file, --from-bip39 and --slip39-passphrase-file go with --slip39")
	}

	var mnemonic []byte
	where := "the mnemonic"
	switch {
	case o.mnemonicFile != "":
		where = "mnemonic file " + o.mnemonicFile
		mnemonic, err = readSmallFile(o.mnemonicFile, 4096, "mnemonic file")
	case o.unlock.nonInteractive:
		return failf("pass --mnemonic-file F", "--non-interactive needs --mnemonic-file for the words")
	default:
		mnemonic, err = p.words("Type the words, separated by spaces (not shown): ", "the words", "--mnemonic-file")
	}
	if err != nil {
		return err
	}
	defer secret.Wipe(mnemonic)
	entropy, err := keygen.ParseMnemonic(mnemonic)
	if err != nil {
		var uw *keygen.UnknownWordError
		if errors.As(err, &uw) {
			return fail(exitError, fmt.Errorf("%s: %v", where, err), uw.Hint())
		}
		if errors.Is(err, keygen.ErrChecksum) {
			return fail(exitError, fmt.Errorf("%s: %v", where, err), "check each word against your backup, in order")
		}
		return failf("", "%s: %v", where, err)
	}
	defer secret.Wipe(entropy)

	var bip39Pass []byte
	if o.bip39PassphraseFile != "" {
		bip39Pass, err = readPassphraseFile(o.bip39PassphraseFile, "--bip39-passphrase-file")
		if err != nil {
			return err
		}
		defer secret.Wipe(bip39Pass)
	}
	passphrase, err := o.unlock.newPassphrase(p, dir)
	if err != nil {
		return err
	}
	defer secret.Wipe(passphrase)

	canonical, err := keygen.MnemonicFromEntropy(entropy)
	if err != nil {
		return failf("", "cannot encode the words: %v", err)
	}
	defer secret.Wipe(canonical)
	seed := keygen.Seed(canonical, bip39Pass)
	defer secret.Wipe(seed)
	words := len(splitWords(canonical))
	v, err := createVault(g, dir, net, seed, &keystore.Secret{Kind: "bip39", Entropy: entropy, BIP39Passphrase: bip39Pass}, passphrase, audit.Ceremony{
		Kind:           "restore",
		Entropy:        audit.CeremonyEntropy{Method: "restored-bip39", Words: words},
		Officers:       o.officers,
		Backup:         "bip39",
		BackupVerified: true, // the words were typed back from the backup
	})
	if err != nil {
		return err
	}
	return printVaultCreated(cmd.OutOrStdout(), g.json, v)
}

func runRestoreSLIP39(cmd *cobra.Command, g *globalOptions, o *restoreOptions, p *prompter, dir string, net wallet.Network) error {
	if o.mnemonicFile != "" || o.bip39PassphraseFile != "" {
		return failf("", "--mnemonic-file and --bip39-passphrase-file are for BIP39 words, not --slip39")
	}
	rec, err := readShares(p, o.shareFiles, o.unlock.nonInteractive)
	if err != nil {
		return err
	}
	defer rec.Wipe()
	status := rec.Status()
	var pass []byte
	if o.slip39PassphraseFile != "" {
		if pass, err = readPassphraseFile(o.slip39PassphraseFile, "--slip39-passphrase-file"); err != nil {
			return err
		}
		defer secret.Wipe(pass)
	}
	masterSecret, err := rec.Secret(pass)
	if err != nil {
		return failf("", "cannot restore from the shares: %v", err)
	}
	defer secret.Wipe(masterSecret)
	passphrase, err := o.unlock.newPassphrase(p, dir)
	if err != nil {
		return err
	}
	defer secret.Wipe(passphrase)

	groups := make([]audit.CeremonyShareGroup, 0, len(status.Groups))
	for _, gs := range status.Groups {
		groups = append(groups, audit.CeremonyShareGroup{Threshold: gs.Threshold, Holders: []string{}})
	}
	c := audit.Ceremony{
		Kind:           "restore",
		Officers:       o.officers,
		Backup:         "slip39",
		BackupVerified: true,
		Shamir: &audit.CeremonyShamir{Identifier: status.Identifier, Extendable: status.Extendable,
			IterationExponent: status.IterationExponent, GroupThreshold: status.GroupThreshold, Groups: groups},
	}
	var seed []byte
	var stored *keystore.Secret
	if o.fromBIP39 {
		m, err := keygen.MnemonicFromEntropy(masterSecret)
		if err != nil {
			return failf("restore without --from-bip39: the shares may hold a SLIP-39 master secret", "the restored secret is not BIP39 entropy: %v", err)
		}
		defer secret.Wipe(m)
		seed = keygen.Seed(m, nil)
		stored = &keystore.Secret{Kind: "bip39", Entropy: masterSecret}
		c.Entropy = audit.CeremonyEntropy{Method: "restored-slip39-bip39", Words: len(splitWords(m))}
	} else {
		seed = append([]byte(nil), masterSecret...)
		stored = &keystore.Secret{Kind: "slip39", Entropy: masterSecret}
		c.Entropy = audit.CeremonyEntropy{Method: "restored-slip39"}
	}
	defer secret.Wipe(seed)
	v, err := createVault(g, dir, net, seed, stored, passphrase, c)
	if err != nil {
		return err
	}
	return printVaultCreated(cmd.OutOrStdout(), g.json, v)
}
