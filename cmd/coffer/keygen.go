package main

import (
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/spf13/cobra"

	"github.com/coffer-custody/coffer/audit"
	"github.com/coffer-custody/coffer/internal/keystore"
	"github.com/coffer-custody/coffer/internal/secret"
	"github.com/coffer-custody/coffer/internal/textsafe"
	"github.com/coffer-custody/coffer/keygen"
	"github.com/coffer-custody/coffer/wallet"
)

type keygenOptions struct {
	words    int
	dice     bool
	diceOnly bool
	diceFile string
	network  string
	officers []string
	shares   sharesFlags
	unlock   unlockFlags
}

func newKeygenCommand(g *globalOptions) *cobra.Command {
	o := &keygenOptions{}
	cmd := &cobra.Command{
		Use:   "keygen",
		Short: "Hold a key ceremony: make a new seed and an encrypted vault",
		Long: `Make a new BIP39 seed and write it, encrypted, into a new vault.

The entropy comes from the system RNG (checked by a health test first). With
--dice the officer's die rolls are mixed in: entropy = SHA-256(RNG bytes ||
SHA-256(rolls)). With --dice-only the entropy is SHA-256 of the roll string
alone (first 16 bytes for 12 words), so an auditor can recompute the words with
sha256sum and any BIP39 tool; no machine randomness is then included.

The words are shown once; then 4 of them are asked at random positions before
anything is written. --non-interactive (scripts, tests) skips that quiz, reads
the passphrase from --passphrase-file, and the transcript records that the
backup was not verified. An existing vault is never overwritten.

With --shares M-of-N (or --groups for two-level schemes) the seed is a
SLIP-39 master secret (16 bytes for --words 12, 32 for --words 24) backed up
as shares instead of BIP39 words; any SLIP-39 wallet restores it. Each share
is shown on its own screen for its holder, named by --officer in order, and
the quiz asks each holder for words of their own share.`,
		Example: `  coffer keygen --network regtest --officer alice --officer bob
  coffer keygen --words 24 --dice
  coffer keygen --dice-only --dice-file rolls.txt --network testnet
  coffer keygen --non-interactive --passphrase-file pass.txt --network regtest
  coffer keygen --shares 2-of-3 --officer alice --officer bob --officer carol`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runKeygen(cmd, g, o)
		},
	}
	f := cmd.Flags()
	f.IntVar(&o.words, "words", 12, "number of BIP39 words: 12 or 24")
	f.BoolVar(&o.dice, "dice", false, "mix the officer's die rolls with the system RNG")
	f.BoolVar(&o.diceOnly, "dice-only", false, "take the entropy from die rolls alone (Coldcard's method)")
	f.StringVar(&o.diceFile, "dice-file", "", "read the die rolls (digits 1-6) from this file")
	f.StringVar(&o.network, "network", "mainnet", "mainnet, testnet, signet or regtest")
	f.StringArrayVar(&o.officers, "officer", nil, "name of an officer present (repeat for each)")
	cmd.MarkFlagsMutuallyExclusive("dice", "dice-only")
	o.shares.register(cmd)
	o.unlock.register(cmd)
	return cmd
}

func runKeygen(cmd *cobra.Command, g *globalOptions, o *keygenOptions) error {
	out, stderr := cmd.OutOrStdout(), cmd.ErrOrStderr()
	if o.words != 12 && o.words != 24 {
		return failf("pass --words 12 or --words 24", "--words %d: a ceremony makes 12 or 24 words", o.words)
	}
	net, dir, err := prepareNewVault(g, o.network, o.officers)
	if err != nil {
		return err
	}
	if o.diceFile != "" && !o.dice && !o.diceOnly {
		o.dice = true
	}
	var holders [][]string
	if o.shares.set() {
		sc, err := o.shares.scheme()
		if err != nil {
			return err
		}
		if holders, err = shareHolders(sc, o.officers); err != nil {
			return err
		}
	}
	p := newPrompter(cmd)

	// Everything that can be refused is refused before the officer types a
	// passphrase or sees a word.
	var rolls []byte
	if o.dice || o.diceOnly {
		rolls, err = readRolls(p, o.diceFile, o.words, o.unlock.nonInteractive)
		if err != nil {
			return err
		}
		defer secret.Wipe(rolls)
	}
	method := "rng"
	if err := keygen.CheckRNG(g.env.rand); err != nil {
		return failf("do not hold the ceremony on this machine until its random generator is fixed",
			"the system random generator failed its health test: %v", err)
	}
	var entropy []byte
	switch {
	case o.diceOnly:
		method = "dice-only"
		printWarning(stderr, "--dice-only: the seed comes from the die rolls alone; no machine randomness is included")
		entropy, err = keygen.DiceOnlyEntropy(rolls, o.words)
	case o.dice:
		method = "rng+dice"
		entropy, err = keygen.MixedEntropy(g.env.rand, rolls, o.words)
	default:
		entropy, err = keygen.Entropy(g.env.rand, o.words)
	}
	if err != nil {
		return failf("", "cannot make the entropy: %v", err)
	}
	defer secret.Wipe(entropy)

	passphrase, err := o.unlock.newPassphrase(p, dir)
	if err != nil {
		return err
	}
	defer secret.Wipe(passphrase)

	// The words go to the screen: stdout for a person, stderr when stdout
	// carries --json (the JSON result never holds a secret).
	screen := out
	if g.json {
		screen = stderr
	}
	ceremony := audit.Ceremony{
		Kind:     "keygen",
		Entropy:  audit.CeremonyEntropy{Method: method, Words: o.words, DiceRolls: countRolls(rolls), RNGHealthCheck: true},
		Officers: o.officers,
	}
	var seed []byte
	var stored *keystore.Secret
	if o.shares.set() {
		sc, _ := o.shares.scheme()
		rec, err := splitToShares(p, screen, entropy, sc, holders, g.env.rand, !o.unlock.nonInteractive)
		if err != nil {
			return err
		}
		ceremony.Backup, ceremony.Shamir = "slip39", rec
		ceremony.BackupVerified = !o.unlock.nonInteractive
		// A SLIP-39 master secret is the BIP32 seed itself.
		seed = append([]byte(nil), entropy...)
		stored = &keystore.Secret{Kind: "slip39", Entropy: entropy}
	} else {
		mnemonic, err := keygen.MnemonicFromEntropy(entropy)
		if err != nil {
			return failf("", "cannot encode the words: %v", err)
		}
		defer secret.Wipe(mnemonic)
		showWords(screen, mnemonic)
		if !o.unlock.nonInteractive {
			if err := quizWords(p, mnemonic, g.env.rand); err != nil {
				return err
			}
			ceremony.BackupVerified = true
		}
		ceremony.Backup = "bip39"
		seed = keygen.Seed(mnemonic, nil)
		stored = &keystore.Secret{Kind: "bip39", Entropy: entropy}
	}
	defer secret.Wipe(seed)
	if !ceremony.BackupVerified {
		fmt.Fprintln(screen, "Backup NOT verified (--non-interactive): the transcript records it.")
	}
	v, err := createVault(g, dir, net, seed, stored, passphrase, ceremony)
	if err != nil {
		return err
	}
	return printVaultCreated(out, g.json, v)
}

// prepareNewVault checks what every ceremony needs before anything is asked:
// the network, the officers' names, and a vault folder that holds no vault.
func prepareNewVault(g *globalOptions, network string, officers []string) (wallet.Network, string, error) {
	net, err := wallet.ParseNetwork(network)
	if err != nil {
		return net, "", failf("pass --network mainnet, testnet, signet or regtest", "--network: %v", err)
	}
	if err := checkOfficers(officers); err != nil {
		return net, "", err
	}
	dir, err := g.vaultDir()
	if err != nil {
		return net, "", err
	}
	return net, dir, refuseExistingVault(dir)
}

const maxOfficerLen = 100

func checkOfficers(names []string) error {
	seen := map[string]bool{}
	for i, n := range names {
		n = strings.TrimSpace(n)
		if n == "" {
			return failf("", "--officer #%d is empty", i+1)
		}
		// The names go into the transcript, the journal and the share
		// holders' list: plain text that cannot move a terminal's cursor.
		hint := "name each officer in plain text of at most " + strconv.Itoa(maxOfficerLen) + " characters"
		if utf8.RuneCountInString(n) > maxOfficerLen {
			return failf(hint, "--officer #%d is longer than %d characters", i+1, maxOfficerLen)
		}
		if !utf8.ValidString(n) || textsafe.Clip(n, maxOfficerLen) != n {
			return failf(hint, "--officer #%d holds a control character or invalid UTF-8", i+1)
		}
		if seen[n] {
			return failf("", "--officer %q is named twice", n)
		}
		seen[n] = true
	}
	return nil
}

func countRolls(rolls []byte) int {
	n := 0
	for _, c := range rolls {
		if c >= '1' && c <= '6' {
			n++
		}
	}
	return n
}

// readRolls reads die rolls from a file or, interactively, from the officer.
// They are checked (characters, count, bias) before anything else happens.
func readRolls(p *prompter, file string, words int, nonInteractive bool) ([]byte, error) {
	var rolls []byte
	var err error
	switch {
	case file != "":
		rolls, err = readSmallFile(file, 64*1024, "dice file")
		if err != nil {
			return nil, err
		}
	case nonInteractive:
		return nil, failf("pass --dice-file F with the rolls", "--non-interactive needs --dice-file for the die rolls")
	default:
		fmt.Fprintf(p.out, "Roll a six-sided die at least %d times and type the results (digits 1-6), then Enter:\n", keygen.MinRolls(words))
		rolls, err = p.readLine("rolls: ")
		if err != nil {
			return nil, err
		}
	}
	if err := keygen.CheckRolls(rolls, words); err != nil {
		secret.Wipe(rolls)
		where := "the die rolls"
		if file != "" {
			where = "dice file " + file
		}
		return nil, failf("", "%s: %v", where, err)
	}
	return rolls, nil
}

func readSmallFile(path string, limit int64, what string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, failf("", "cannot read %s %s: %v", what, path, whyUnreadable(err))
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		secret.Wipe(data)
		return nil, failf("", "cannot read %s %s: %v", what, path, whyUnreadable(err))
	}
	if int64(len(data)) > limit {
		secret.Wipe(data)
		return nil, failf("", "%s %s is larger than %d bytes", what, path, limit)
	}
	return data, nil
}
