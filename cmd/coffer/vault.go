package main

// The vault as the commands see it: where its files are, how the passphrase
// is read, how the keystore is unlocked and a new vault written.

import (
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math/big"
	"os"
	"path/filepath"
	"time"

	"github.com/btcsuite/btcd/btcutil/hdkeychain"
	"github.com/spf13/cobra"

	"github.com/coffer-custody/coffer/audit"
	"github.com/coffer-custody/coffer/internal/atomicfile"
	"github.com/coffer-custody/coffer/internal/auditcmd"
	"github.com/coffer-custody/coffer/internal/buildinfo"
	"github.com/coffer-custody/coffer/internal/keystore"
	"github.com/coffer-custody/coffer/internal/prompt"
	"github.com/coffer-custody/coffer/internal/secret"
	"github.com/coffer-custody/coffer/keygen"
	"github.com/coffer-custody/coffer/wallet"
)

const (
	keystoreFile = "keystore.json"
	ceremonyFile = "ceremony.json"
	journalFile  = "journal.jsonl"
)

// unlockFlags are the flags of every command that reads the vault passphrase.
type unlockFlags struct {
	passphraseFile string
	nonInteractive bool
}

func (u *unlockFlags) register(cmd *cobra.Command) {
	cmd.Flags().StringVar(&u.passphraseFile, "passphrase-file", "", "read the vault passphrase from this file (scripts; never a flag value)")
	cmd.Flags().BoolVar(&u.nonInteractive, "non-interactive", false, "never prompt: secrets come from the files named by flags")
}

// passphrase reads the passphrase of an existing vault.
func (u *unlockFlags) passphrase(p *prompter, dir string) ([]byte, error) {
	if u.passphraseFile != "" {
		return readPassphraseFile(u.passphraseFile, "--passphrase-file")
	}
	if u.nonInteractive {
		return nil, failf("pass --passphrase-file F", "--non-interactive needs --passphrase-file for the vault passphrase")
	}
	return p.passphrase(fmt.Sprintf("Passphrase for vault %s: ", dir))
}

// newPassphrase reads the passphrase for a new keystore: from the file, or
// typed twice at the terminal.
func (u *unlockFlags) newPassphrase(p *prompter, dir string) ([]byte, error) {
	if u.passphraseFile != "" {
		return readPassphraseFile(u.passphraseFile, "--passphrase-file")
	}
	if u.nonInteractive {
		return nil, failf("pass --passphrase-file F", "--non-interactive needs --passphrase-file for the new vault passphrase")
	}
	return p.newPassphrase(fmt.Sprintf("New passphrase for vault %s: ", dir), "--passphrase-file")
}

func readPassphraseFile(path, flag string) ([]byte, error) {
	b, err := prompt.ReadPassphraseFile(path)
	if err != nil {
		return nil, failf("", "%s: %v", flag, err)
	}
	return b, nil
}

// prompter talks to the officer through the command's streams.
type prompter struct {
	in  io.Reader
	out io.Writer // prompts and the screen of questions: stderr
	p   *prompt.Prompter
}

func newPrompter(cmd *cobra.Command) *prompter {
	return &prompter{in: cmd.InOrStdin(), out: cmd.ErrOrStderr(), p: &prompt.Prompter{In: cmd.InOrStdin(), Out: cmd.ErrOrStderr()}}
}

func (p *prompter) passphrase(label string) ([]byte, error) {
	b, err := p.p.ReadPassphrase(label)
	if err != nil {
		return nil, failf("pass --passphrase-file F when no terminal is attached", "cannot read the passphrase: %v", err)
	}
	return b, nil
}

// newPassphrase asks for a new passphrase twice; flag is the file flag
// that gives it in a script, for the hint when no terminal answers.
func (p *prompter) newPassphrase(label, flag string) ([]byte, error) {
	b, err := p.p.NewPassphrase(label, "Type it again: ")
	if errors.Is(err, io.EOF) {
		return nil, failf("pass "+flag+" F when no terminal is attached", "cannot read the new passphrase: %v", err)
	}
	if err != nil {
		return nil, failf("", "%v", err)
	}
	return b, nil
}

// words reads mnemonic words or a share, without echo; what names them in
// an error, flag is the file flag that gives them in a script.
func (p *prompter) words(label, what, flag string) ([]byte, error) {
	b, err := p.p.ReadPassphrase(label)
	if errors.Is(err, prompt.ErrEmpty) {
		err = errors.New("nothing was typed")
	}
	if err != nil {
		return nil, failf("pass "+flag+" F when no terminal is attached", "cannot read %s: %v", what, err)
	}
	return b, nil
}

// readLine reads an answer that may be secret (die rolls, quiz words): with
// echo, as []byte, to be wiped after use.
func (p *prompter) readLine(label string) ([]byte, error) {
	b, err := p.p.ReadSecretLine(label)
	if err != nil {
		return nil, failf("", "cannot read the answer: %v", err)
	}
	return b, nil
}

// refuseExistingVault stops a ceremony that would overwrite a vault, or
// any part of one left behind (a journal, a policy, registered wallets):
// a new vault never chains onto, or cleans up, files it did not write.
func refuseExistingVault(dir string) error {
	for _, name := range []string{keystoreFile, ceremonyFile, auditcmd.CeremonySigFile, journalFile, policyFile, walletsDir} {
		if _, err := os.Lstat(filepath.Join(dir, name)); err == nil {
			return fail(exitError, fmt.Errorf("vault %s already exists (it has %s); a ceremony never overwrites a vault", dir, name),
				"choose another folder with --vault, or move the old vault away first")
		} else if !errors.Is(err, fs.ErrNotExist) {
			return failf("", "cannot check vault %s: %v", dir, err)
		}
	}
	return nil
}

// showWords prints the mnemonic once, numbered, for the officer to write down.
func showWords(w io.Writer, mnemonic []byte) {
	words := splitWords(mnemonic)
	fmt.Fprintf(w, "\nWrite down these %d words, in order. They are shown once.\n\n", len(words))
	for i, word := range words {
		fmt.Fprintf(w, "%4d. %-10s", i+1, word)
		if (i+1)%4 == 0 {
			fmt.Fprintln(w)
		}
	}
	fmt.Fprintln(w)
}

// splitWords splits a canonical mnemonic (single spaces) without making
// strings of it: each word is a sub-slice of the secret buffer.
func splitWords(mnemonic []byte) [][]byte {
	var words [][]byte
	start := 0
	for i := 0; i <= len(mnemonic); i++ {
		if i == len(mnemonic) || mnemonic[i] == ' ' {
			if i > start {
				words = append(words, mnemonic[start:i])
			}
			start = i + 1
		}
	}
	return words
}

// quizWords asks for 4 words at random positions; three wrong answers in a
// row abort the ceremony with nothing written.
func quizWords(p *prompter, mnemonic []byte, rng io.Reader) error {
	words := splitWords(mnemonic)
	if _, err := p.readLine("When the words are written down, press Enter to clear the screen and check them: "); err != nil {
		return err
	}
	fmt.Fprint(p.out, "\033[2J\033[H")
	positions, err := pickPositions(rng, len(words), 4)
	if err != nil {
		return failf("", "cannot choose the words to check: %v", err)
	}
	for _, pos := range positions {
		ok := false
		for try := 0; try < 3 && !ok; try++ {
			answer, err := p.readLine(fmt.Sprintf("Word #%d: ", pos+1))
			if err != nil {
				return err
			}
			ok = bytes.EqualFold(bytes.TrimSpace(answer), words[pos]) // no string copy of a word
			secret.Wipe(answer)
			if !ok {
				fmt.Fprintln(p.out, "That is not the word. Look at your written copy and try again.")
			}
		}
		if !ok {
			return failf("hold the ceremony again and write the words carefully", "word #%d was answered wrong three times: the backup does not match; nothing was written", pos+1)
		}
	}
	fmt.Fprintln(p.out, "The backup matches.")
	return nil
}

func pickPositions(rng io.Reader, n, k int) ([]int, error) {
	perm := make([]int, n)
	for i := range perm {
		perm[i] = i
	}
	for i := n - 1; i > 0; i-- {
		j, err := rand.Int(rng, big.NewInt(int64(i+1)))
		if err != nil {
			return nil, err
		}
		perm[i], perm[j.Int64()] = perm[j.Int64()], perm[i]
	}
	return perm[:k], nil
}

// vaultInfo is what keygen and restore report about the new vault.
type vaultInfo struct {
	Vault             string              `json:"vault"`
	Network           string              `json:"network"`
	MasterFingerprint string              `json:"master_fingerprint"`
	BackupVerified    bool                `json:"backup_verified"`
	Accounts          []audit.CeremonyKey `json:"accounts"`
}

// createVault writes keystore.json and ceremony.json into dir. On any
// failure nothing it created is left behind.
func createVault(g *globalOptions, dir string, net wallet.Network, seed []byte, s *keystore.Secret, passphrase []byte, c audit.Ceremony) (*vaultInfo, error) {
	master, err := wallet.MasterFromSeed(seed, net)
	if err != nil {
		return nil, failf("", "cannot derive the master key: %v", err)
	}
	defer master.Zero()
	fp := wallet.Fingerprint(master)
	fpHex := hex.EncodeToString(fp[:])
	accounts, err := standardAccounts(master, net)
	if err != nil {
		return nil, err
	}
	info, err := buildinfo.Read()
	if err != nil {
		return nil, failf("", "%v", err)
	}
	jkey, err := audit.JournalKey(seed)
	if err != nil {
		return nil, failf("", "cannot derive the journal key: %v", err)
	}
	defer audit.WipeKey(jkey)
	c.JournalPublicKey = audit.FormatPublicKey(jkey.Public().(ed25519.PublicKey))
	c.Format = audit.CeremonyFormat
	c.Date = g.env.now()
	c.CofferVersion, c.CofferCommit, c.BinarySHA256 = info.Version, info.Commit, info.BinarySHA256
	c.Network = net.String()
	c.MasterFingerprint = fpHex
	c.Accounts = accounts
	transcript, err := c.Marshal()
	if err != nil {
		return nil, failf("", "%v", err)
	}

	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, failf("", "cannot create vault folder %s: %v", dir, err)
	}
	if err := os.Chmod(dir, 0o700); err != nil {
		return nil, failf("", "cannot make vault folder %s private: %v", dir, err)
	}
	ksPath := filepath.Join(dir, keystoreFile)
	if err := keystore.Create(ksPath, s, passphrase, keystore.Meta{Network: net.String(), MasterFingerprint: fpHex}); err != nil {
		if errors.Is(err, fs.ErrExist) {
			return nil, fail(exitError, fmt.Errorf("vault %s already exists (it has %s)", dir, keystoreFile), "choose another folder with --vault")
		}
		return nil, failf("", "cannot write %s: %v", ksPath, err)
	}
	cerPath := filepath.Join(dir, ceremonyFile)
	if err := atomicfile.WriteNew(cerPath, transcript, 0o600); err != nil {
		os.Remove(ksPath)
		return nil, failf("", "cannot write %s: %v", cerPath, err)
	}
	// The transcript's signature by the journal key, for verify-ceremony.
	sigPath := filepath.Join(dir, auditcmd.CeremonySigFile)
	if err := atomicfile.WriteNew(sigPath, auditcmd.SignCeremony(jkey, transcript), 0o600); err != nil {
		os.Remove(ksPath)
		os.Remove(cerPath)
		return nil, failf("", "cannot write %s: %v", sigPath, err)
	}
	sum := sha256.Sum256(transcript)
	entry := struct {
		MasterFingerprint string   `json:"master_fingerprint"`
		Network           string   `json:"network"`
		Method            string   `json:"entropy_method"`
		Backup            string   `json:"backup"`
		Officers          []string `json:"officers"`
		// The SLIP-39 scheme (thresholds, holders, share identifier) of a
		// vault backed up as shares, as in the transcript; never a share.
		Shamir         *audit.CeremonyShamir `json:"shamir,omitempty"`
		CeremonySHA256 string                `json:"ceremony_sha256"`
	}{fpHex, net.String(), c.Entropy.Method, c.Backup, c.Officers, c.Shamir, hex.EncodeToString(sum[:])}
	if entry.Officers == nil {
		entry.Officers = []string{}
	}
	jPath := filepath.Join(dir, journalFile)
	if _, err := audit.Append(jPath, jkey, c.Kind, entry, c.Date); err != nil {
		os.Remove(ksPath)
		os.Remove(cerPath)
		os.Remove(sigPath)
		os.Remove(jPath)
		return nil, failf("", "cannot start the journal %s: %v; nothing was written", jPath, err)
	}
	return &vaultInfo{Vault: dir, Network: net.String(), MasterFingerprint: fpHex, BackupVerified: c.BackupVerified, Accounts: accounts}, nil
}

// standardAccounts derives account 0 of every single-key script type and of
// P2WSH multisig, for the transcript.
func standardAccounts(master *hdkeychain.ExtendedKey, net wallet.Network) ([]audit.CeremonyKey, error) {
	var keys []audit.CeremonyKey
	for _, st := range []wallet.ScriptType{wallet.ScriptWPKH, wallet.ScriptSHWPKH, wallet.ScriptTR, wallet.ScriptWSHMulti} {
		a, err := deriveAccount(master, net, st, 0)
		if err != nil {
			return nil, err
		}
		keys = append(keys, audit.CeremonyKey{Script: st.String(), Path: a.path.String(), XPub: a.xpub.String(), SLIP132: a.slip132})
	}
	return keys, nil
}

type account struct {
	script  wallet.ScriptType
	number  uint32
	path    wallet.Path
	xpub    *hdkeychain.ExtendedKey // neutered
	slip132 string                  // "" for taproot
}

func deriveAccount(master *hdkeychain.ExtendedKey, net wallet.Network, st wallet.ScriptType, number uint32) (*account, error) {
	path, err := wallet.AccountPath(st, net, number)
	if err != nil {
		return nil, failf("", "%v", err)
	}
	key, err := wallet.DerivePath(master, path)
	if err != nil {
		return nil, failf("", "cannot derive %s: %v", path, err)
	}
	pub, err := wallet.Neuter(key) // a copy that survives the wipe of key
	key.Zero()
	if err != nil {
		return nil, failf("", "cannot derive %s: %v", path, err)
	}
	slip, _ := wallet.SLIP132(pub, st)
	return &account{script: st, number: number, path: path, xpub: pub, slip132: slip}, nil
}

// address derives the single-key address at branch/index of the account.
func (a *account) address(v *unlocked, branch, index uint32) (string, error) {
	child, err := wallet.DerivePath(a.xpub, wallet.Path{branch, index})
	if err != nil {
		return "", failf("", "cannot derive %s: %v", a.path.Child(branch, index), err)
	}
	pub, err := child.ECPubKey()
	if err != nil {
		return "", failf("", "cannot derive %s: %v", a.path.Child(branch, index), err)
	}
	origin := wallet.KeyOrigin{Fingerprint: v.fingerprint, Path: a.path.Child(branch, index)}
	scripts, err := wallet.SingleKeyScripts(a.script, pub, origin)
	if err != nil {
		return "", failf("", "%v", err)
	}
	addr, err := wallet.AddressFromScript(scripts.ScriptPubKey, v.net)
	if err != nil {
		return "", failf("", "cannot make an address of %s: %v", a.path.Child(branch, index), err)
	}
	return addr.EncodeAddress(), nil
}

func printVaultCreated(w io.Writer, asJSON bool, v *vaultInfo) error {
	if asJSON {
		return writeJSON(w, v)
	}
	fmt.Fprintf(w, "\nVault written: %s\nnetwork:            %s\nmaster fingerprint: %s\nbackup verified:    %v\n",
		v.Vault, v.Network, v.MasterFingerprint, v.BackupVerified)
	for _, a := range v.Accounts {
		fmt.Fprintf(w, "%-10s %-16s %s\n", a.Script, a.Path, a.XPub)
	}
	return nil
}

// unlocked is an open vault: its keys live until close.
type unlocked struct {
	dir         string
	net         wallet.Network
	fingerprint [4]byte
	master      *hdkeychain.ExtendedKey
	journalKey  ed25519.PrivateKey
}

func (u *unlocked) close() {
	if u.master != nil {
		u.master.Zero()
	}
	audit.WipeKey(u.journalKey)
}

// journal appends an entry for an act on the vault; a command that cannot
// journal its act does not report it done.
func (u *unlocked) journal(kind string, data any, now time.Time) error {
	return appendJournal(u.dir, u.journalKey, kind, data, now)
}

func appendJournal(dir string, key ed25519.PrivateKey, kind string, data any, now time.Time) error {
	path := filepath.Join(dir, journalFile)
	if err := journalMissing(path); err != nil {
		return err
	}
	if _, err := audit.Append(path, key, kind, data, now); err != nil {
		return failf("run 'coffer doctor' and check the journal with 'coffer audit verify'", "cannot write the journal %s: %v", path, err)
	}
	return nil
}

// journalMissing refuses a vault whose journal is gone: the ceremony starts
// the journal (createVault), and an act on the vault never starts a new
// chain over the lost history.
func journalMissing(path string) error {
	if _, err := os.Lstat(path); errors.Is(err, fs.ErrNotExist) {
		return failf("restore the vault folder, journal included, from its backup; nothing was done",
			"the journal %s is missing: a vault's journal starts at its ceremony and is never started again", path)
	}
	return nil
}

// checkJournal makes sure the journal will take an entry, before an act
// that cannot be taken back (a new passphrase, shares shown) is done: it
// exists, is a regular file and its last line is whole.
func checkJournal(dir string) error {
	path := filepath.Join(dir, journalFile)
	if err := journalMissing(path); err != nil {
		return err
	}
	j, err := audit.Open(path)
	if err != nil {
		return failf("run 'coffer doctor' and check the journal with 'coffer audit verify'", "cannot write the journal %s: %v; nothing was done", path, err)
	}
	return j.Close()
}

// openedKeystore is a decrypted keystore; wipe its secret after use.
type openedKeystore struct {
	dir    string
	path   string
	meta   keystore.Meta
	net    wallet.Network
	secret *keystore.Secret
}

// openKeystore reads the passphrase and decrypts the vault's keystore.
func openKeystore(cmd *cobra.Command, g *globalOptions, f *unlockFlags) (*openedKeystore, error) {
	dir, err := g.vaultDir()
	if err != nil {
		return nil, err
	}
	path := filepath.Join(dir, keystoreFile)
	meta, err := keystore.ReadMeta(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fail(exitError, fmt.Errorf("no vault at %s (no %s)", dir, keystoreFile), "run 'coffer keygen' or 'coffer restore', or pass --vault DIR")
	}
	if err != nil {
		return nil, failf("", "%v", err)
	}
	net, err := wallet.ParseNetwork(meta.Network)
	if err != nil {
		return nil, failf("", "keystore %s: %v", path, err)
	}
	pass, err := f.passphrase(newPrompter(cmd), dir)
	if err != nil {
		return nil, err
	}
	s, _, err := keystore.Open(path, pass)
	secret.Wipe(pass)
	if errors.Is(err, keystore.ErrWrongPassphrase) {
		return nil, fail(exitPassphrase, fmt.Errorf("wrong passphrase for vault %s", dir), "type the passphrase again; if the keystore file was altered, restore it from the backup")
	}
	if err != nil {
		return nil, failf("", "%v", err)
	}
	return &openedKeystore{dir: dir, path: path, meta: meta, net: net, secret: s}, nil
}

// unlockVault decrypts the keystore and derives the master key, checking it
// against the fingerprint in clear.
func unlockVault(cmd *cobra.Command, g *globalOptions, f *unlockFlags) (*unlocked, error) {
	ks, err := openKeystore(cmd, g, f)
	if err != nil {
		return nil, err
	}
	defer ks.secret.Wipe()
	seed, err := seedOf(ks.secret)
	if err != nil {
		return nil, failf("", "keystore %s: %v", ks.path, err)
	}
	defer secret.Wipe(seed)
	master, err := wallet.MasterFromSeed(seed, ks.net)
	if err != nil {
		return nil, failf("", "cannot derive the master key: %v", err)
	}
	fp := wallet.Fingerprint(master)
	if hex.EncodeToString(fp[:]) != ks.meta.MasterFingerprint {
		master.Zero()
		return nil, failf("", "keystore %s: the decrypted seed has master fingerprint %x, not %s as recorded", ks.path, fp, ks.meta.MasterFingerprint)
	}
	jkey, err := audit.JournalKey(seed)
	if err != nil {
		master.Zero()
		return nil, failf("", "cannot derive the journal key: %v", err)
	}
	return &unlocked{dir: ks.dir, net: ks.net, fingerprint: fp, master: master, journalKey: jkey}, nil
}

// journalKeyOf derives the journal key from a decrypted keystore secret.
func journalKeyOf(s *keystore.Secret) (ed25519.PrivateKey, error) {
	seed, err := seedOf(s)
	if err != nil {
		return nil, failf("", "%v", err)
	}
	defer secret.Wipe(seed)
	key, err := audit.JournalKey(seed)
	if err != nil {
		return nil, failf("", "cannot derive the journal key: %v", err)
	}
	return key, nil
}

// seedOf turns the keystore's secret into the BIP32 seed.
func seedOf(s *keystore.Secret) ([]byte, error) {
	switch s.Kind {
	case "bip39":
		m, err := keygen.MnemonicFromEntropy(s.Entropy)
		if err != nil {
			return nil, err
		}
		defer secret.Wipe(m)
		return keygen.Seed(m, s.BIP39Passphrase), nil
	case "slip39":
		// A SLIP-39 master secret is the BIP32 seed itself.
		return append([]byte(nil), s.Entropy...), nil
	default:
		return nil, fmt.Errorf("secret of kind %q is not supported by this version", s.Kind)
	}
}
