package main

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"

	"github.com/btcsuite/btcd/btcutil"
	"github.com/btcsuite/btcd/txscript"
	"github.com/spf13/cobra"

	"github.com/coffer-custody/coffer/audit"
	"github.com/coffer-custody/coffer/internal/auditcmd"
	"github.com/coffer-custody/coffer/proof"
	"github.com/coffer-custody/coffer/wallet"
)

// maxProveSearch bounds --search: each index costs two derivations.
const maxProveSearch = 100000

type proveOptions struct {
	address     string
	message     string
	messageFile string
	format      string
	account     uint32
	index       int64
	search      uint32
	noPrefix    bool
	unlock      unlockFlags
}

func newProveCommand(g *globalOptions) *cobra.Command {
	o := &proveOptions{}
	cmd := &cobra.Command{
		Use:   "prove",
		Short: "Sign a challenge with an address's key: proof of control (BIP-322 or legacy)",
		Long: `Prove control of one of the vault's addresses by signing a message, usually
an auditor's challenge, and print the signature in base64.

--format bip322 (the default) makes a BIP-322 proof: "simple" (prefix smp)
for P2WPKH and P2TR addresses, "full" (prefix ful) for P2SH-P2WPKH, which
needs a scriptSig. --no-prefix leaves the prefix out for verifiers written
before BIP-322 1.0.0. --format legacy makes a compact "Bitcoin Signed
Message" signature with the BIP137 header of the address type (not for P2TR).

The address is found by deriving the vault's account of its script type
(--account, default 0): the receive and change addresses at --index, or the
first --search (default 1000) of each. Multisig addresses are not proven here.

The proof is recorded in the journal as a key health check (kind prove, with
the address, its path, the message's SHA-256 and the signature) before it is
printed; 'audit verify' reports when each key was last proven. Anyone checks
it with 'coffer-watch verify-proof' or 'coffer audit verify-proof'.`,
		Example: `  coffer prove --address bc1qcr8te4kr609gcawutmrza0j4xv80jy8z306fyu --message "audit 2026-08-20 #7"
  coffer prove --address 37VucYSaXLCAsxYyAPfbSi9eh4iEcbShgf --message-file challenge.txt --format legacy
  coffer prove --address bc1p5cyxnuxmeuwuvkwfem96lqzszd02n6xdcjrs20cac6yqjjwudpxqkedrcr --message x --index 0 --json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runProve(cmd, g, o)
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.address, "address", "", "the vault's address to prove (required)")
	f.StringVar(&o.message, "message", "", "the message to sign, as text")
	f.StringVar(&o.messageFile, "message-file", "", "read the message's exact bytes from this file")
	f.StringVar(&o.format, "format", "bip322", "bip322 or legacy")
	f.Uint32Var(&o.account, "account", 0, "the account number to search")
	f.Int64Var(&o.index, "index", -1, "the address index (receive or change) instead of a search")
	f.Uint32Var(&o.search, "search", 1000, fmt.Sprintf("how many receive and change indexes to search (at most %d)", maxProveSearch))
	f.BoolVar(&o.noPrefix, "no-prefix", false, "bip322: leave out the smp/ful prefix (for verifiers older than BIP-322 1.0.0)")
	cmd.MarkFlagsMutuallyExclusive("message", "message-file")
	o.unlock.register(cmd)
	return cmd
}

// proveEntry is the journal's record of a proof.
type proveEntry struct {
	Address           string `json:"address"`
	Script            string `json:"script"`
	Path              string `json:"path"`
	AccountPath       string `json:"account_path"`
	MasterFingerprint string `json:"master_fingerprint"`
	Format            string `json:"format"`
	MessageSHA256     string `json:"message_sha256"`
	MessageBytes      int    `json:"message_bytes"`
	Signature         string `json:"signature"`
}

func runProve(cmd *cobra.Command, g *globalOptions, o *proveOptions) error {
	var format proof.Format
	switch o.format {
	case "bip322":
	case "legacy":
		format = proof.FormatLegacy
		if o.noPrefix {
			return failf("", "--no-prefix goes with --format bip322")
		}
	default:
		return failf("pass --format bip322 or --format legacy", "--format %q is not bip322 or legacy", o.format)
	}
	if o.address == "" {
		return failf("pass --address A, an address of the vault", "--address is required")
	}
	if o.search == 0 || o.search > maxProveSearch {
		return failf("", "--search %d is not between 1 and %d", o.search, maxProveSearch)
	}
	if o.index >= int64(wallet.Hardened) {
		return failf("", "--index %d is too large (at most %d)", o.index, wallet.Hardened-1)
	}
	if o.account >= wallet.Hardened {
		return failf("", "--account %d is too large (at most %d)", o.account, wallet.Hardened-1)
	}
	msg, err := auditcmd.ReadMessage(cmd.Flags().Changed("message"), o.message, o.messageFile)
	if err != nil {
		return err
	}

	v, err := unlockVault(cmd, g, &o.unlock)
	if err != nil {
		return err
	}
	defer v.close()

	addr, err := btcutil.DecodeAddress(o.address, v.net.Params())
	if err != nil || !addr.IsForNet(v.net.Params()) {
		return failf("the vault is on "+v.net.String()+"; give one of its addresses ('coffer address')", "--address %q is not a %s address", o.address, v.net)
	}
	var st wallet.ScriptType
	switch addr.(type) {
	case *btcutil.AddressWitnessPubKeyHash:
		st = wallet.ScriptWPKH
	case *btcutil.AddressScriptHash:
		st = wallet.ScriptSHWPKH
	case *btcutil.AddressTaproot:
		st = wallet.ScriptTR
	case *btcutil.AddressWitnessScriptHash:
		return failf("prove a single-key address of the vault", "--address %s is a P2WSH address: a multisig proof needs every cosigner's signature, which coffer prove does not gather", o.address)
	default:
		return failf("prove a P2WPKH, P2SH-P2WPKH or P2TR address of the vault", "--address %s is of a type the vault has no account for", o.address)
	}
	a, err := deriveAccount(v.master, v.net, st, o.account)
	if err != nil {
		return err
	}
	branch, index, err := findAddress(v, a, addr, o)
	if err != nil {
		return err
	}
	path := a.path.Child(branch, index)
	key, err := wallet.DerivePath(v.master, path)
	if err != nil {
		return failf("", "cannot derive %s: %v", path, err)
	}
	defer key.Zero()
	priv, err := key.ECPrivKey()
	if err != nil {
		return failf("", "cannot derive %s: %v", path, err)
	}
	defer priv.Zero()
	sig, err := proof.Sign(priv, addr, msg, proof.SignOptions{Format: format, NoPrefix: o.noPrefix, Rand: g.env.rand})
	if errors.Is(err, proof.ErrUnsupported) {
		return failf("use --format bip322", "--address %s: %v", o.address, err)
	}
	if err != nil {
		return failf("", "cannot make the proof for %s: %v", o.address, err)
	}
	r, err := proof.Verify(addr, msg, sig)
	if err != nil {
		return failf("", "the proof made for %s does not verify: %v", o.address, err)
	}
	sum := sha256.Sum256(msg)
	entry := proveEntry{
		Address:           addr.EncodeAddress(),
		Script:            st.String(),
		Path:              path.String(),
		AccountPath:       a.path.String(),
		MasterFingerprint: hex.EncodeToString(v.fingerprint[:]),
		Format:            r.Format.String(),
		MessageSHA256:     hex.EncodeToString(sum[:]),
		MessageBytes:      len(msg),
		Signature:         sig,
	}
	// Journal first: a proof that is not journaled is never released.
	if err := v.journal(audit.KindProve, entry, g.env.now()); err != nil {
		return err
	}
	w := cmd.OutOrStdout()
	if g.json {
		return writeJSON(w, entry)
	}
	fmt.Fprintln(w, sig)
	fmt.Fprintf(cmd.ErrOrStderr(), "%s proof for %s (%s), message sha256 %s; recorded in the journal\n", entry.Format, entry.Address, entry.Path, entry.MessageSHA256)
	return nil
}

// findAddress finds addr among the account's receive and change addresses.
func findAddress(v *unlocked, a *account, addr btcutil.Address, o *proveOptions) (branch, index uint32, err error) {
	spk, err := txscript.PayToAddrScript(addr)
	if err != nil {
		return 0, 0, failf("", "--address %s has no output script: %v", o.address, err)
	}
	d, err := wallet.SingleSigDescriptor(a.script, wallet.AccountKey{Origin: wallet.KeyOrigin{Fingerprint: v.fingerprint, Path: a.path}, XPub: a.xpub})
	if err != nil {
		return 0, 0, failf("", "account %s: %v", a.path, err)
	}
	if o.index >= 0 {
		for b := uint32(0); b < 2; b++ {
			s, err := d.ScriptPubKey(b, uint32(o.index))
			if err == nil && string(s) == string(spk) {
				return b, uint32(o.index), nil
			}
		}
		return 0, 0, failf("leave out --index to search the first addresses, or pass --account N",
			"--address %s is neither the receive nor the change address at index %d of %s", o.address, o.index, a.path)
	}
	b, i, ok, err := d.FindScript(spk, o.search)
	if err != nil {
		return 0, 0, failf("", "cannot derive the addresses of %s: %v", a.path, err)
	}
	if !ok {
		return 0, 0, failf("pass --account N, --index I or a larger --search",
			"--address %s is not among the first %d receive and change addresses of %s", o.address, o.search, a.path)
	}
	return b, i, nil
}
