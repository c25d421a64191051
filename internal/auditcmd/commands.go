package auditcmd

import (
	"crypto/ed25519"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"github.com/coffer-custody/coffer/audit"
	"github.com/coffer-custody/coffer/internal/cli"
	"github.com/coffer-custody/coffer/proof"
	"github.com/coffer-custody/coffer/wallet"
)

// Options configure the commands for one binary.
type Options struct {
	// Prog is the binary's name, "coffer" or "coffer-watch", for examples
	// and hints.
	Prog string
	// JSON points at the root's --json flag.
	JSON *bool
	// VaultFiles, when set, gives the local vault's journal and ceremony
	// transcript, so that `audit verify` and `audit verify-ceremony` work
	// without arguments (coffer). Nil means the files must be named.
	VaultFiles func() (journal, ceremony string, err error)
}

func (o Options) json() bool { return o.JSON != nil && *o.JSON }

// NewCommand returns the `audit` command with its verify, verify-ceremony
// and verify-proof subcommands. A binary adds its own subcommands to it
// (coffer adds export).
func NewCommand(o Options) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "audit",
		Short: "Verify the journal, the ceremony transcript and proofs of control",
		Long: `Verify what the signer recorded, with no secret: the journal's hash chain and
signatures (audit verify), the key ceremony transcript against watch-only
exports and the binary (audit verify-ceremony), every recorded signing against
the spending policy that was in force (audit replay), and proofs of control
made by 'coffer prove' (audit verify-proof). The same checks run in coffer and in
coffer-watch.`,
		Example: fmt.Sprintf(`  %[1]s audit verify journal.jsonl --ceremony ceremony.json
  %[1]s audit verify-ceremony ceremony.json --export wallet.txt --binary ./coffer
  %[1]s audit replay journal.jsonl --ceremony ceremony.json --policy policy.yaml`, o.Prog),
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return cmd.Help() },
	}
	cmd.AddCommand(newVerifyCommand(o), newVerifyCeremonyCommand(o), newReplayCommand(o), NewVerifyProofCommand(o, "audit verify-proof"))
	return cmd
}

// keyOptions are the --pubkey and --ceremony flags of the commands that
// read a journal (verify, replay): the key it is checked with.
type keyOptions struct {
	pubkey   string
	ceremony string
}

func (k *keyOptions) addFlags(cmd *cobra.Command) {
	f := cmd.Flags()
	f.StringVar(&k.pubkey, "pubkey", "", "the journal public key, 64 hex digits")
	f.StringVar(&k.ceremony, "ceremony", "", "take the key from this ceremony transcript (and check seq 1 records it)")
	cmd.MarkFlagsMutuallyExclusive("pubkey", "ceremony")
}

// journal is the journal a command reads: its argument, or else the
// vault's own, whose ceremony transcript then gives the key unless
// --pubkey or --ceremony did.
func (k *keyOptions) journal(o Options, args []string) (string, error) {
	if len(args) == 1 {
		return args[0], nil
	}
	j, c, err := o.VaultFiles()
	if err != nil {
		return "", err
	}
	if k.pubkey == "" && k.ceremony == "" {
		k.ceremony = c
	}
	return j, nil
}

// key is the journal public key of --pubkey or --ceremony and, with
// --ceremony, the transcript's SHA-256 that seq 1 must record.
func (k *keyOptions) key() (ed25519.PublicKey, *[32]byte, error) {
	switch {
	case k.pubkey != "":
		pub, err := audit.ParsePublicKey(k.pubkey)
		if err != nil {
			return nil, nil, cli.Failf("give the journal_public_key of the ceremony transcript", "--pubkey: %v", err)
		}
		return pub, nil, nil
	case k.ceremony != "":
		pub, sum, err := ceremonyKey(k.ceremony)
		if err != nil {
			return nil, nil, err
		}
		return pub, &sum, nil
	}
	return nil, nil, cli.Failf("pass --ceremony ceremony.json or --pubkey KEY", "no journal public key: --pubkey or --ceremony is required")
}

// writeReport writes rep as JSON (--json) or with print.
func writeReport[R any](w io.Writer, o Options, rep R, print func(io.Writer, R)) error {
	if o.json() {
		return cli.WriteJSON(w, rep)
	}
	print(w, rep)
	return nil
}

type verifyOptions struct {
	keyOptions
	after string
}

func newVerifyCommand(o Options) *cobra.Command {
	v := &verifyOptions{}
	use := "verify JOURNAL"
	args := cobra.ExactArgs(1)
	if o.VaultFiles != nil {
		use = "verify [JOURNAL]"
		args = cobra.MaximumNArgs(1)
	}
	cmd := &cobra.Command{
		Use:   use,
		Short: "Verify a journal's chain and signatures and report what it holds",
		Long: `Verify a journal (journal.jsonl, or a copy made by 'coffer audit export'):
every line in canonical form, seq rising by one, each prev the SHA-256 of the
line before, times never going backwards, every signature by the journal key.
The key is --pubkey (64 hex digits) or the journal_public_key of --ceremony;
with --ceremony the journal's seq 1 must also record that transcript's
SHA-256.

The report gives the entries, first and last, the head (SEQ:HASH: keep it to
detect a journal cut short later), counts by kind, what the sign entries say
was signed per wallet, and when each key was last proven ('coffer prove').
On failure it names the first bad entry and why. It exits 0 only when every
entry holds.

A copy made with --since starts after seq 1: pass --after SEQ:HASH, the head
of the previous copy, to check the link.`,
		Example: fmt.Sprintf(`  %[1]s audit verify journal.jsonl --ceremony ceremony.json
  %[1]s audit verify journal.jsonl --pubkey 3b6a27bcceb6a42d62a3a8d02a6f0d73653215771de243a63ac048a18b59da29
  %[1]s audit verify new.jsonl --ceremony ceremony.json --after 41:9c0e…`, o.Prog),
		Args: args,
		RunE: func(cmd *cobra.Command, a []string) error {
			return runVerify(cmd, o, v, a)
		},
	}
	v.addFlags(cmd)
	cmd.Flags().StringVar(&v.after, "after", "", "SEQ:HASH the journal continues (for copies made with --since)")
	return cmd
}

func runVerify(cmd *cobra.Command, o Options, v *verifyOptions, args []string) error {
	journal, err := v.journal(o, args)
	if err != nil {
		return err
	}
	opts := JournalOptions{}
	if opts.PublicKey, opts.CeremonySHA256, err = v.key(); err != nil {
		return err
	}
	if v.after != "" {
		h, err := ParseHead(v.after)
		if err != nil {
			return cli.Failf("write the head as printed by 'audit verify' or 'audit export', e.g. 41:9c0e…(64 hex digits)", "--after: %v", err)
		}
		opts.After = &h
	}
	// A journal that cannot be opened gets no report: "entries: 0" would
	// read as an empty journal rather than a missing one.
	if fi, err := os.Stat(journal); err != nil {
		return cli.Failf("", "cannot read journal %s: %v", journal, unwrapPath(err))
	} else if !fi.Mode().IsRegular() {
		return cli.Failf("", "cannot read journal %s: it is not a regular file", journal)
	}
	rep, err := VerifyJournal(journal, opts)
	if werr := writeReport(cmd.OutOrStdout(), o, rep, printJournalReport); werr != nil {
		return werr
	}
	for _, warn := range rep.Warnings {
		cli.Warn(cmd.ErrOrStderr(), o.Prog, "%s", warn)
	}
	if err != nil {
		var ve *audit.VerifyError
		if errors.As(err, &ve) {
			return cli.Fail(cli.ExitError, fmt.Errorf("journal %s does not verify: %v", journal, err),
				"the entries before the one named verified; compare the file with the auditors' last copy")
		}
		return cli.Fail(cli.ExitError, fmt.Errorf("journal %s: %v", journal, err), "")
	}
	return nil
}

// ceremonyKey reads a transcript's journal public key and its SHA-256.
func ceremonyKey(path string) (ed25519.PublicKey, [32]byte, error) {
	data, err := readBounded(path, 1<<20, "ceremony transcript")
	if err != nil {
		return nil, [32]byte{}, cli.Failf("", "--ceremony: %v", err)
	}
	c, err := audit.ReadCeremony(strings.NewReader(string(data)), path)
	if err != nil {
		return nil, [32]byte{}, cli.Failf("", "--ceremony: %v", err)
	}
	if c.JournalPublicKey == "" {
		return nil, [32]byte{}, cli.Failf("pass --pubkey KEY", "ceremony transcript %s records no journal_public_key", path)
	}
	pub, err := audit.ParsePublicKey(c.JournalPublicKey)
	if err != nil {
		return nil, [32]byte{}, cli.Failf("", "ceremony transcript %s: %v", path, err)
	}
	return pub, sha256.Sum256(data), nil
}

type ceremonyOptions struct {
	exports []string
	binary  string
	journal string
	sig     string
	pubkey  string
}

func newVerifyCeremonyCommand(o Options) *cobra.Command {
	c := &ceremonyOptions{}
	use := "verify-ceremony CEREMONY"
	args := cobra.ExactArgs(1)
	if o.VaultFiles != nil {
		use = "verify-ceremony [CEREMONY]"
		args = cobra.MaximumNArgs(1)
	}
	cmd := &cobra.Command{
		Use:   use,
		Short: "Verify a key ceremony transcript, its exports and the binary that ran it",
		Long: `Verify a key ceremony transcript (ceremony.json):

  signature  ceremony.sig beside it (or --sig F) is the Ed25519 signature of
             the transcript's exact bytes by the journal key it names; pass
             --pubkey to pin the key you were given at the ceremony
  export     every extended public key in each --export file (descriptors,
             Bitcoin Core JSON, BSMS, generic JSON, Electrum) that carries
             this master's fingerprint, or carries none, is the transcript's
             key for its path; keys of other signers are counted
  binary     --binary F hashes to the binary_sha256 the transcript records
  journal    --journal F verifies with the transcript's key and its seq 1
             records the transcript's SHA-256

Every check runs and is reported; the command exits 0 only when all pass.`,
		Example: fmt.Sprintf(`  %[1]s audit verify-ceremony ceremony.json --export wallet.txt
  %[1]s audit verify-ceremony ceremony.json --export core.json --binary ./coffer --journal journal.jsonl`, o.Prog),
		Args: args,
		RunE: func(cmd *cobra.Command, a []string) error {
			path := ""
			if len(a) == 1 {
				path = a[0]
			} else {
				j, cer, err := o.VaultFiles()
				if err != nil {
					return err
				}
				path = cer
				if c.journal == "" {
					c.journal = j
				}
			}
			// A transcript that cannot be opened gets no report of checks.
			if fi, err := os.Stat(path); err != nil {
				return cli.Failf("", "cannot read ceremony transcript %s: %v", path, unwrapPath(err))
			} else if !fi.Mode().IsRegular() {
				return cli.Failf("", "cannot read ceremony transcript %s: it is not a regular file", path)
			}
			opts := CeremonyOptions{Path: path, SigPath: c.sig, Exports: c.exports, Binary: c.binary, Journal: c.journal}
			if c.pubkey != "" {
				pub, err := audit.ParsePublicKey(c.pubkey)
				if err != nil {
					return cli.Failf("", "--pubkey: %v", err)
				}
				opts.PublicKey = pub
			}
			rep, err := VerifyCeremony(opts)
			if werr := writeReport(cmd.OutOrStdout(), o, rep, printCeremonyReport); werr != nil {
				return werr
			}
			if err != nil {
				return cli.Fail(cli.ExitError, fmt.Errorf("ceremony transcript %s: %v", path, err), "")
			}
			return nil
		},
	}
	f := cmd.Flags()
	f.StringArrayVar(&c.exports, "export", nil, "a watch-only export whose keys must be the ceremony's (repeat)")
	f.StringVar(&c.binary, "binary", "", "a coffer binary whose SHA-256 must be the one recorded")
	f.StringVar(&c.journal, "journal", "", "a journal whose seq 1 must record this transcript")
	f.StringVar(&c.sig, "sig", "", "the transcript's signature (default: ceremony.sig beside it)")
	f.StringVar(&c.pubkey, "pubkey", "", "the journal public key you hold, 64 hex digits")
	return cmd
}

type proofOptions struct {
	address       string
	message       string
	messageFile   string
	signature     string
	signatureFile string
}

// NewVerifyProofCommand returns the verify-proof command, which checks a
// proof of control; path is how its example names it ("audit verify-proof"
// or "verify-proof").
func NewVerifyProofCommand(o Options, path string) *cobra.Command {
	p := &proofOptions{}
	cmd := &cobra.Command{
		Use:   "verify-proof",
		Short: "Verify a proof of control (BIP-322 or legacy message signature)",
		Long: `Verify that a signature proves a message for an address: a BIP-322 proof
("smp…" simple, "ful…" full; unprefixed ones as written before BIP-322 1.0.0)
checked by executing the address's script with btcd's engine, or a legacy
compact signature (BIP137 headers for segwit addresses). Proofs of funds
("pof…") are not checked. It exits 0 only when the proof is valid.

The message is --message TEXT (exact bytes, UTF-8) or --message-file F
(exact bytes, including any final newline); the signature is --signature or
--signature-file (white space around it is ignored).`,
		Example: fmt.Sprintf(`  %[1]s %[2]s --address bc1q9vza2e8x573nczrlzms0wvx3gsqjx7vavgkx0l --message "Hello World" \
      --signature smpAkcwRAIgZRfIY3p7/DoVTty6YZbWS71bc5Vct9p9Fia83eRmw2QCICK/ENGfwLtptFluMGs2KsqoNSk89pO7F29zJLUx9a/sASECx/EgAxlkQpQ9hYjgGu6EBCPMVPwVIVJqO4XCsMvViHI=`, o.Prog, path),
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runVerifyProof(cmd, o, p)
		},
	}
	f := cmd.Flags()
	f.StringVar(&p.address, "address", "", "the address the proof is for (required)")
	f.StringVar(&p.message, "message", "", "the message, as text")
	f.StringVar(&p.messageFile, "message-file", "", "read the message's exact bytes from this file")
	f.StringVar(&p.signature, "signature", "", "the signature, base64 (with its BIP-322 prefix)")
	f.StringVar(&p.signatureFile, "signature-file", "", "read the signature from this file")
	cmd.MarkFlagsMutuallyExclusive("message", "message-file")
	cmd.MarkFlagsMutuallyExclusive("signature", "signature-file")
	return cmd
}

// ProofReport is what verify-proof prints.
type ProofReport struct {
	Address  string `json:"address"`
	Network  string `json:"network"`
	Valid    bool   `json:"valid"`
	Format   string `json:"format,omitempty"`
	Prefixed bool   `json:"prefixed,omitempty"`
	LockTime uint32 `json:"lock_time"`
	Sequence uint32 `json:"sequence"`
	Message  int    `json:"message_bytes"`
	Error    string `json:"error,omitempty"`
}

// MaxMessageLen bounds the message a proof is checked against.
const MaxMessageLen = 1 << 20

func runVerifyProof(cmd *cobra.Command, o Options, p *proofOptions) error {
	if p.address == "" {
		return cli.Failf("pass --address A", "--address is required")
	}
	msg, err := ReadMessage(cmd.Flags().Changed("message"), p.message, p.messageFile)
	if err != nil {
		return err
	}
	sig := p.signature
	if p.signatureFile != "" {
		b, err := readBounded(p.signatureFile, proof.MaxSignatureLen, "signature file")
		if err != nil {
			return cli.Failf("", "--signature-file: %v", err)
		}
		sig = string(b)
	} else if !cmd.Flags().Changed("signature") {
		return cli.Failf("pass --signature SIG or --signature-file F", "no signature: --signature or --signature-file is required")
	}
	sig = strings.TrimSpace(sig)
	addr, net, err := proof.ParseAddress(p.address)
	if err != nil {
		return cli.Failf("", "--address: %v", err)
	}
	rep := &ProofReport{Address: p.address, Network: net.String(), Message: len(msg)}
	if net != wallet.Mainnet && !strings.HasPrefix(strings.ToLower(p.address), net.HRP()+"1") {
		rep.Network = "testnet/signet/regtest" // base58 prefixes are shared
	}
	r, verr := proof.Verify(addr, msg, sig)
	if verr == nil {
		rep.Valid, rep.Format, rep.Prefixed, rep.LockTime, rep.Sequence = true, r.Format.String(), r.Prefixed, r.LockTime, r.Sequence
	} else {
		rep.Error = verr.Error()
	}
	w := cmd.OutOrStdout()
	if o.json() {
		if err := cli.WriteJSON(w, rep); err != nil {
			return err
		}
	} else if verr == nil {
		fmt.Fprintf(w, "valid: %s proof for %s (%s), %d-byte message", rep.Format, rep.Address, rep.Network, rep.Message)
		if r.LockTime != 0 || r.Sequence != 0 {
			fmt.Fprintf(w, ", valid at time %d and age %d", r.LockTime, r.Sequence)
		}
		fmt.Fprintln(w)
		if r.Format != proof.FormatLegacy && !r.Prefixed {
			cli.Warn(cmd.ErrOrStderr(), o.Prog, "the signature has no BIP-322 prefix (smp/ful); it was read as written before BIP-322 1.0.0")
		}
	}
	if verr != nil {
		hint := ""
		switch {
		case errors.Is(verr, proof.ErrInvalid):
			hint = "check the message byte for byte (spaces, final newline: use --message-file) and the address"
		case errors.Is(verr, proof.ErrInconclusive):
			hint = "the proof uses rules reserved for upgrades; it is neither valid nor invalid here"
		}
		return cli.Fail(cli.ExitError, fmt.Errorf("the signature does not prove the message for %s: %v", p.address, verr), hint)
	}
	return nil
}

// ReadMessage gives the message of a proof: the text of --message, or the
// exact bytes of --message-file. fromFlag says whether --message was set
// (an empty message is a message).
func ReadMessage(fromFlag bool, text, file string) ([]byte, error) {
	switch {
	case file != "":
		b, err := readBounded(file, MaxMessageLen, "message file")
		if err != nil {
			return nil, cli.Failf("", "--message-file: %v", err)
		}
		return b, nil
	case fromFlag:
		if len(text) > MaxMessageLen {
			return nil, cli.Failf("use --message-file", "--message is longer than %d bytes", MaxMessageLen)
		}
		return []byte(text), nil
	}
	return nil, cli.Failf("pass --message TEXT or --message-file F", "no message: --message or --message-file is required")
}

// WriteNew writes what write produces to a new file at path, never
// replacing one: a temporary file in the same folder is written, synced and
// linked into place, and removed on any failure.
func WriteNew(path string, perm os.FileMode, write func(io.Writer) error) error {
	dir := "."
	if i := strings.LastIndexByte(path, '/'); i >= 0 {
		dir = path[:i+1]
	}
	if _, err := os.Lstat(path); err == nil {
		return fmt.Errorf("%s exists; it is never overwritten", path)
	}
	tmp, err := os.CreateTemp(dir, ".coffer-tmp-*")
	if err != nil {
		return fmt.Errorf("cannot create a file beside %s: %v", path, unwrapPath(err))
	}
	name := tmp.Name()
	defer os.Remove(name)
	if err := tmp.Chmod(perm); err != nil {
		tmp.Close()
		return fmt.Errorf("cannot set the mode of %s: %v", path, unwrapPath(err))
	}
	if err := write(tmp); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return fmt.Errorf("cannot sync %s: %v", path, unwrapPath(err))
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("cannot close %s: %v", path, unwrapPath(err))
	}
	if err := os.Link(name, path); err != nil {
		if errors.Is(err, os.ErrExist) {
			return fmt.Errorf("%s exists; it is never overwritten", path)
		}
		return fmt.Errorf("cannot write %s: %v", path, unwrapPath(err))
	}
	if d, err := os.Open(dir); err == nil {
		_ = d.Sync()
		d.Close()
	}
	return nil
}
