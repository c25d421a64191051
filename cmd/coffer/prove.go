package main

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"

	"github.com/btcsuite/btcd/btcutil"
	"github.com/btcsuite/btcd/txscript"
	"github.com/spf13/cobra"

	"github.com/coffer-custody/coffer/audit"
	"github.com/coffer-custody/coffer/internal/atomicfile"
	"github.com/coffer-custody/coffer/internal/auditcmd"
	"github.com/coffer-custody/coffer/proof"
	"github.com/coffer-custody/coffer/sign"
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
	out         string // multisig: the partial proof for the next cosigner
	combine     string // multisig: a partial proof from another cosigner
	wallet      string // multisig: the registered wallet to search
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
first --search (default 1000) of each.

A P2WSH or P2SH-P2WSH address of a multisig wallet registered with 'coffer
wallet register' (searched the same way, or only --wallet NAME) is proven
with a BIP-322 full proof that the cosigners make together, one vault after
the other, like a transaction: the first runs coffer prove with the address
and the message and --out F.psbt, which writes the to_sign transaction with
its signature as a PSBT; each next cosigner runs coffer prove with the same
address and message and --combine F.psbt (and --out G.psbt while signatures
are still missing). Each vault checks that the PSBT is the BIP-322 to_sign
of that address and message before it signs, so a payment cannot pass for
a challenge. The vault whose signature completes the threshold prints the
proof ("ful…"). A 1-of-N wallet's proof is printed at once.

The proof is recorded in the journal as a key health check (kind prove, with
the address, its path, the message's SHA-256 and the signature, or for a
partial multisig proof the SHA-256 of the PSBT written) before it is
printed or written; 'audit verify' reports when each key was last proven. Anyone checks
it with 'coffer-watch verify-proof' or 'coffer audit verify-proof'.`,
		Example: `  coffer prove --address bc1qcr8te4kr609gcawutmrza0j4xv80jy8z306fyu --message "audit 2026-08-20 #7"
  coffer prove --address 37VucYSaXLCAsxYyAPfbSi9eh4iEcbShgf --message-file challenge.txt --format legacy
  coffer prove --address bc1p5cyxnuxmeuwuvkwfem96lqzszd02n6xdcjrs20cac6yqjjwudpxqkedrcr --message x --index 0 --json
  coffer prove --address bc1qmultisig... --message-file challenge.txt --out proof-1.psbt
  coffer prove --address bc1qmultisig... --message-file challenge.txt --combine proof-1.psbt`,
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
	f.StringVar(&o.out, "out", "", "multisig: write the partial proof (a PSBT with this vault's signature) to this new file for the next cosigner")
	f.StringVar(&o.combine, "combine", "", "multisig: add this vault's signature to the partial proof F.psbt of another cosigner")
	f.StringVar(&o.wallet, "wallet", "", "multisig: search only this registered wallet")
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
	Signature         string `json:"signature"` // empty for a partial multisig proof
	// A multisig proof: the registered wallet, the signatures it has with
	// this vault's and how many its script needs, and for a partial
	// proof the SHA-256 of the PSBT written for the next cosigner.
	Wallet     string `json:"wallet,omitempty"`
	Signatures int    `json:"signatures,omitempty"`
	Required   int    `json:"required,omitempty"`
	Partial    bool   `json:"partial,omitempty"`
	Out        string `json:"out,omitempty"`
	PSBTSHA256 string `json:"psbt_sha256,omitempty"`
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
	if o.out != "" {
		if err := checkNewFile("--out", o.out); err != nil {
			return err
		}
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
	ms, err := findMultisigAddress(v, addr, o)
	if err != nil {
		return err
	}
	if ms != nil {
		return proveMultisig(cmd, g, o, v, addr, ms, msg)
	}
	if o.out != "" || o.combine != "" || o.wallet != "" {
		return failf("--out, --combine and --wallet are for an address of a registered multisig wallet ('coffer wallet list')",
			"--address %s is not among the first %d receive and change addresses of a registered multisig wallet of this vault", o.address, o.search)
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
		return failf("register the multisig wallet with 'coffer wallet register', or pass --index I or a larger --search",
			"--address %s is a P2WSH address, but not among the first %d receive and change addresses of a registered multisig wallet of this vault", o.address, o.search)
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

// multisigTarget is a multisig address of a registered wallet.
type multisigTarget struct {
	w             storedWallet
	branch, index uint32
	out           *wallet.OutputScripts
}

// findMultisigAddress looks for a P2WSH or P2SH address among the
// registered multisig wallets of its script type (only --wallet's when
// given): at --index, or the first --search of each branch. It returns nil
// when none derives it.
func findMultisigAddress(v *unlocked, addr btcutil.Address, o *proveOptions) (*multisigTarget, error) {
	var want wallet.ScriptType
	switch addr.(type) {
	case *btcutil.AddressWitnessScriptHash:
		want = wallet.ScriptWSHMulti
	case *btcutil.AddressScriptHash:
		want = wallet.ScriptSHWSHMulti
	default:
		return nil, nil
	}
	spk, err := txscript.PayToAddrScript(addr)
	if err != nil {
		return nil, failf("", "--address %s has no output script: %v", o.address, err)
	}
	regs, err := loadWallets(v.dir, v.net, v.journalPublicKey())
	if err != nil {
		return nil, err
	}
	named := false
	for _, w := range regs {
		if o.wallet != "" && w.reg.Name != o.wallet {
			continue
		}
		named = true
		if w.desc.ScriptType() != want {
			continue
		}
		var b, i uint32
		ok := false
		if o.index >= 0 {
			for br := 0; br < w.desc.Branches() && !ok; br++ {
				s, err := w.desc.ScriptPubKey(uint32(br), uint32(o.index))
				if err == nil && bytes.Equal(s, spk) {
					b, i, ok = uint32(br), uint32(o.index), true
				}
			}
		} else if b, i, ok, err = w.desc.FindScript(spk, o.search); err != nil {
			return nil, failf("", "cannot derive the addresses of wallet %s: %v", w.reg.Name, err)
		}
		if !ok {
			continue
		}
		out, err := w.desc.Derive(b, i)
		if err != nil {
			return nil, failf("", "wallet %s: cannot derive branch %d index %d: %v", w.reg.Name, b, i, err)
		}
		return &multisigTarget{w: w, branch: b, index: i, out: out}, nil
	}
	if o.wallet != "" && !named {
		return nil, failf("see 'coffer wallet list'", "--wallet %s: no registered wallet of this vault has that name", o.wallet)
	}
	return nil, nil
}

// proveMultisig adds the vault's signature to the BIP-322 to_sign of a
// multisig address: a new one, or the partial proof of --combine. When the
// signatures reach the threshold it finalizes and prints the full proof;
// otherwise it writes the partial proof to --out for the next cosigner.
// Journal first, in both cases.
func proveMultisig(cmd *cobra.Command, g *globalOptions, o *proveOptions, v *unlocked, addr btcutil.Address, t *multisigTarget, msg []byte) error {
	if o.format == "legacy" {
		return failf("use --format bip322", "--address %s is a multisig address: the legacy message format has no form for it; BIP-322 full proofs do", o.address)
	}
	var cos []proof.Cosigner
	var ours *wallet.DerivedKey
	for i, k := range t.out.Keys {
		cos = append(cos, proof.Cosigner{PubKey: k.Serialized, Fingerprint: k.Origin.Fingerprint, Path: k.Origin.Path})
		if k.Origin.Fingerprint == v.fingerprint && ours == nil {
			ours = &t.out.Keys[i]
		}
	}
	if ours == nil {
		return failf("", "wallet %s has no key of this vault (fingerprint %x)", t.w.reg.Name, v.fingerprint)
	}
	name := "the new to_sign"
	var data []byte
	var err error
	if o.combine != "" {
		name = o.combine
		if data, err = readBounded(o.combine, sign.DefaultMaxSize); err != nil {
			return failf("pass the partial proof the previous cosigner wrote with --out", "--combine %s: %v", o.combine, err)
		}
	} else if data, err = proof.ToSignPSBT(addr, msg, t.out.WitnessScript, cos, proof.SignOptions{}); err != nil {
		return failf("", "cannot make the to_sign PSBT for %s: %v", o.address, err)
	}
	p, err := sign.Decode(data, sign.DefaultMaxSize)
	if err != nil {
		return failf("pass the partial proof the previous cosigner wrote with --out", "%s is not a PSBT: %v", name, err)
	}
	if err := proof.CheckToSign(p.UnsignedTx(), addr, msg); err != nil {
		return fail(exitRefused, fmt.Errorf("%s is not the BIP-322 to_sign of --address %s and this message: %v; nothing was signed", name, o.address, err),
			"give the address and the message byte for byte as the first cosigner did (--message-file keeps a final newline)")
	}
	r, refusal, err := reviewPSBT(v, p)
	if err != nil {
		return err
	}
	if refusal != nil {
		return fail(exitRefused, fmt.Errorf("%s is refused: %s; nothing was signed", name, refusal.Reasons[0]), "")
	}
	if r.OursToSign != 1 || r.Inputs[0].Wallet != t.w.reg.Name {
		return failf("", "%s: its input is not one this vault signs for wallet %s", name, t.w.reg.Name)
	}
	keys, err := sign.NewHDKeys(v.master)
	if err != nil {
		return failf("", "cannot use the vault's keys: %v", err)
	}
	res, err := sign.Sign(p, keys, sign.Options{})
	keys.Zero()
	if err != nil {
		return failf("", "cannot sign %s: %v", name, err)
	}
	if len(res.Signed) == 0 {
		return fail(exitError, fmt.Errorf("%s carries this vault's signature already", name), "give it to a cosigner that has not signed")
	}
	entry := proveEntry{
		Address:           addr.EncodeAddress(),
		Script:            t.w.desc.ScriptType().String(),
		Path:              ours.Origin.Path.String(),
		AccountPath:       ours.Origin.Path.String(),
		MasterFingerprint: hex.EncodeToString(v.fingerprint[:]),
		Format:            proof.FormatFull.String(),
		MessageBytes:      len(msg),
		Wallet:            t.w.reg.Name,
		Signatures:        r.Inputs[0].Signatures + len(res.Signed[0].Keys),
		Required:          t.w.desc.Threshold(),
	}
	if n := len(ours.Origin.Path); n >= 2 { // the key's account: its path without branch and index
		entry.AccountPath = ours.Origin.Path[:n-2].String()
	}
	sum := sha256.Sum256(msg)
	entry.MessageSHA256 = hex.EncodeToString(sum[:])
	w, screen := cmd.OutOrStdout(), cmd.ErrOrStderr()

	if !res.Signed[0].Complete {
		if o.out == "" {
			return failf("pass --out F.psbt and give F.psbt to the next cosigner, who runs coffer prove with the same address and message and --combine F.psbt",
				"--address %s needs %d signatures of wallet %s; with this vault's it has %d: the proof is not complete and nothing was written", o.address, entry.Required, t.w.reg.Name, entry.Signatures)
		}
		outData := []byte(p.Base64() + "\n")
		osum := sha256.Sum256(outData)
		entry.Partial, entry.Out, entry.PSBTSHA256 = true, o.out, hex.EncodeToString(osum[:])
		// Journal first: a signature that is not journaled is never released.
		if err := v.journal(audit.KindProve, entry, g.env.now()); err != nil {
			return err
		}
		if err := atomicfile.WriteNew(o.out, outData, 0o644); err != nil {
			return failf("the signature is journaled; run the same command again with another --out", "cannot write %s: %v", o.out, err)
		}
		if g.json {
			return writeJSON(w, entry)
		}
		fmt.Fprintf(w, "wrote %s: a partial BIP-322 proof for %s with %d of the %d signatures wallet %s needs\n", o.out, entry.Address, entry.Signatures, entry.Required, entry.Wallet)
		fmt.Fprintf(screen, "next: another cosigner runs coffer prove --address %s with the same message and --combine %s\n", entry.Address, o.out)
		return nil
	}
	raw, err := sign.Finalize(p)
	if err != nil {
		return failf("", "cannot finalize the proof for %s: %v", o.address, err)
	}
	sig, err := proof.EncodeFull(raw, o.noPrefix)
	if err != nil {
		return failf("", "cannot write the proof for %s: %v", o.address, err)
	}
	if _, err := proof.Verify(addr, msg, sig); err != nil {
		return failf("", "the proof made for %s does not verify: %v", o.address, err)
	}
	entry.Signature = sig
	if err := v.journal(audit.KindProve, entry, g.env.now()); err != nil {
		return err
	}
	if g.json {
		return writeJSON(w, entry)
	}
	fmt.Fprintln(w, sig)
	fmt.Fprintf(screen, "%s proof for %s (wallet %s, %d of %d signatures; this vault's key %s), message sha256 %s; recorded in the journal\n",
		entry.Format, entry.Address, entry.Wallet, entry.Signatures, entry.Required, entry.Path, entry.MessageSHA256)
	return nil
}
