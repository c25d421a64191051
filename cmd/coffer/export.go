package main

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/coffer-custody/coffer/audit"
	"github.com/coffer-custody/coffer/export"
	"github.com/coffer-custody/coffer/internal/atomicfile"
	"github.com/coffer-custody/coffer/internal/qrcli"
	"github.com/coffer-custody/coffer/qr/urtypes"
	"github.com/coffer-custody/coffer/wallet"
)

var exportFormats = []string{"descriptor", "core", "bsms", "generic-json", "electrum"}

type exportOptions struct {
	format      string
	out         string
	token       string
	description string
	acct        accountFlags
	unlock      unlockFlags
	qrOut       qrcli.OutFlags
}

func newExportCommand(g *globalOptions) *cobra.Command {
	o := &exportOptions{}
	cmd := &cobra.Command{
		Use:   "export",
		Short: "Write a watch-only export of an account for the online side",
		Long: `Write a watch-only export of an account: public keys only, never a secret.

Formats:
  descriptor    receive and change descriptors with key origin and BIP380
                checksum, and the BIP389 multipath <0;1> form, one per line
  core          JSON for Bitcoin Core's importdescriptors
  bsms          BIP129 key record (signer round 1), signed by the account key;
                --token HEX encrypts it for the coordinator's session
  generic-json  the generic JSON wallet export (Coldcard's; Sparrow, Specter
                and Nunchuk import it), listing every script type's account
  electrum      an Electrum watch-only wallet file

The export goes to stdout, or to --out F (never overwriting a file), and its
SHA-256 is printed so the reading side can check what crossed the gap
(--expect-sha256). --qr-out shows it as animated QR codes on the terminal or
writes them as PNG frames or a GIF instead of printing it, in the form wallets
scan: --format descriptor as ur:crypto-output (BCR-2020-010: the account key
with its origin and children <0;1>/*), --format generic-json as
ur:crypto-account (BCR-2020-015: every script type's account, as Keystone and
Passport show it and Sparrow scans it), other formats as ur:bytes of the file.
--qr-ur-type bytes sends any format as ur:bytes; --qr-format bbqr as BBQr. The export is recorded in the vault's journal.`,
		Example: `  coffer export --format descriptor --script wpkh
  coffer export --format core --script tr --out core.json
  coffer export --format bsms --script wsh-multi --out alice.bsms
  coffer export --format electrum --out wallet.electrum
  coffer export --format descriptor --script wpkh --qr-out terminal
  coffer export --format generic-json --qr-out png:frames`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runExport(cmd, g, o)
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.format, "format", "", "descriptor, core, bsms, generic-json or electrum (required)")
	f.StringVar(&o.out, "out", "", "write to this file instead of stdout (never overwritten)")
	f.StringVar(&o.token, "token", "", "bsms: the coordinator's TOKEN in hex (8 or 16 bytes) to encrypt the record")
	f.StringVar(&o.description, "description", "", "bsms: the key's description (default \"coffer <fingerprint>\")")
	o.acct.register(cmd)
	o.unlock.register(cmd)
	o.qrOut.Register(cmd)
	return cmd
}

func runExport(cmd *cobra.Command, g *globalOptions, o *exportOptions) error {
	known := false
	for _, f := range exportFormats {
		known = known || f == o.format
	}
	if !known {
		if o.format == "" {
			return failf("pass --format "+strings.Join(exportFormats, "|"), "--format is required")
		}
		return failf("pass --format "+strings.Join(exportFormats, "|"), "--format %q is not a known export format", o.format)
	}
	st, err := o.acct.scriptType()
	if err != nil {
		return err
	}
	if st.IsMultisig() && (o.format == "descriptor" || o.format == "core" || o.format == "electrum") {
		return failf("use --format bsms (or generic-json) for a multisig key; the coordinator builds the wallet's descriptor",
			"--format %s: a %s account has no descriptor of its own: a multisig wallet needs every cosigner's key", o.format, st)
	}
	if o.format != "bsms" && (o.token != "" || o.description != "") {
		return failf("", "--token and --description go with --format bsms")
	}
	var token []byte
	if o.token != "" {
		if token, err = hex.DecodeString(o.token); err != nil || (len(token) != 8 && len(token) != 16) {
			return failf("the coordinator gives a TOKEN of 16 or 32 hex digits", "--token %q is not 8 or 16 bytes of hex", o.token)
		}
	}

	if o.out != "" {
		if err := checkNewFile("--out", o.out); err != nil {
			return err
		}
	}
	if err := o.qrOut.Check(); err != nil {
		return err
	}
	if err := qrOutClash(o.qrOut.Target(), o.out); err != nil {
		return err
	}

	v, a, err := o.acct.open(cmd, g, &o.unlock)
	if err != nil {
		return err
	}
	defer v.close()
	acct := export.Account{Network: v.net, Fingerprint: v.fingerprint, Script: a.script, Account: a.number, Path: a.path, XPub: a.xpub}

	var data []byte
	switch o.format {
	case "descriptor":
		data, err = export.Descriptors(acct)
	case "core":
		data, err = export.Core(acct, nil)
	case "electrum":
		data, err = export.Electrum(acct)
	case "bsms":
		data, err = exportBSMS(v, acct, token, o.description)
	case "generic-json":
		data, err = exportGeneric(v, a.number)
	}
	if err != nil {
		return failf("", "cannot make the %s export: %v", o.format, err)
	}
	sum := sha256.Sum256(data)
	sumHex := hex.EncodeToString(sum[:])
	// What the QR codes carry, when it is a CBOR structure wallets scan
	// rather than the export's bytes: made before the journal records it.
	var qrType string
	var qrCBOR []byte
	if o.qrOut.CarriesCBOR() {
		if qrType, qrCBOR, err = exportUR(v, acct, o.format); err != nil {
			return failf("", "cannot make the %s export's QR structure: %v", o.format, err)
		}
	}
	qrSum := ""
	if qrCBOR != nil {
		s := sha256.Sum256(qrCBOR)
		qrSum = hex.EncodeToString(s[:])
	}

	// Journal first: an export that is not journaled is never released.
	if err := v.journal(audit.KindExport, struct {
		Format  string `json:"format"`
		Script  string `json:"script"`
		Account uint32 `json:"account"`
		Path    string `json:"path"`
		Out     string `json:"out,omitempty"`
		QR      string `json:"qr,omitempty"`
		QRType  string `json:"qr_type,omitempty"`
		QRSHA   string `json:"qr_sha256,omitempty"`
		SHA256  string `json:"sha256"`
	}{o.format, a.script.String(), a.number, a.path.String(), o.out, o.qrOut.Target().String(), qrType, qrSum, sumHex}, g.env.now()); err != nil {
		return err
	}
	if o.out != "" {
		if err := atomicfile.WriteNew(o.out, data, 0o644); err != nil {
			return failf("choose another --out, or move the old file away", "cannot write %s: %v", o.out, err)
		}
	}
	var sent *qrcli.Sent
	if qrCBOR != nil {
		sent, err = o.qrOut.WriteCBOR(cmd, qrType, qrCBOR)
	} else {
		sent, err = o.qrOut.Write(cmd, data) // nil without --qr-out
	}
	if err != nil {
		return err
	}
	w := cmd.OutOrStdout()
	if g.json {
		return writeJSON(w, struct {
			Format string      `json:"format"`
			Script string      `json:"script"`
			Path   string      `json:"path"`
			Out    string      `json:"out,omitempty"`
			SHA256 string      `json:"sha256"`
			Data   string      `json:"data,omitempty"`
			QR     *qrcli.Sent `json:"qr,omitempty"`
		}{o.format, a.script.String(), a.path.String(), o.out, sumHex, map[bool]string{true: "", false: string(data)}[o.out != ""], sent})
	}
	if o.out == "" && sent == nil {
		if _, err := w.Write(data); err != nil {
			return failf("", "cannot write the export: %v", err)
		}
		fmt.Fprintf(cmd.ErrOrStderr(), "sha256 %s\n", sumHex)
		return nil
	}
	if o.out != "" {
		fmt.Fprintf(w, "wrote %s (%s export, %d bytes)\n", o.out, o.format, len(data))
	}
	if sent != nil {
		sent.Print(w)
		return nil
	}
	fmt.Fprintf(w, "sha256 %s\n", sumHex)
	return nil
}

// exportBSMS signs the BIP129 key record with the account's private key.
func exportBSMS(v *unlocked, acct export.Account, token []byte, description string) ([]byte, error) {
	if description == "" {
		description = "coffer " + hex.EncodeToString(v.fingerprint[:])
	}
	key, err := wallet.DerivePath(v.master, acct.Path)
	if err != nil {
		return nil, err
	}
	defer key.Zero()
	priv, err := key.ECPrivKey()
	if err != nil {
		return nil, err
	}
	defer priv.Zero()
	record, err := export.BSMS(acct, token, description, export.NewMessageSigner(priv))
	if err != nil || token == nil {
		return record, err
	}
	return export.EncryptBSMS(token, record)
}

// exportGeneric lists the account of every script type.
func exportGeneric(v *unlocked, number uint32) ([]byte, error) {
	master, err := wallet.Neuter(v.master)
	if err != nil {
		return nil, err
	}
	var accounts []export.Account
	for _, st := range []wallet.ScriptType{wallet.ScriptSHWPKH, wallet.ScriptWPKH, wallet.ScriptTR, wallet.ScriptSHWSHMulti, wallet.ScriptWSHMulti} {
		a, err := deriveAccount(v.master, v.net, st, number)
		if err != nil {
			return nil, err
		}
		accounts = append(accounts, export.Account{Network: v.net, Fingerprint: v.fingerprint, Script: st, Account: number, Path: a.path, XPub: a.xpub})
	}
	return export.GenericJSON(master, v.net, accounts...)
}

// exportUR returns the UR type and CBOR that carry a descriptor export
// (ur:crypto-output) or a generic-json one (ur:crypto-account); for other
// formats it returns no CBOR, and the export's bytes go as ur:bytes.
func exportUR(v *unlocked, acct export.Account, format string) (string, []byte, error) {
	fp := binary.BigEndian.Uint32(v.fingerprint[:])
	switch format {
	case "descriptor":
		k, err := accountHDKey(acct, fp, true)
		if err != nil {
			return "", nil, err
		}
		o, err := accountOutput(acct.Script, k)
		if err != nil {
			return "", nil, err
		}
		b, err := o.MarshalCBOR()
		return urtypes.TypeOutput, b, err
	case "generic-json":
		// BCR-2020-015's order: sh(wpkh), wpkh, sh(wsh), wsh, tr. The
		// keys' origins leave the master fingerprint to the account.
		a := urtypes.Account{MasterFingerprint: fp}
		for _, st := range []wallet.ScriptType{wallet.ScriptSHWPKH, wallet.ScriptWPKH, wallet.ScriptSHWSHMulti, wallet.ScriptWSHMulti, wallet.ScriptTR} {
			d, err := deriveAccount(v.master, v.net, st, acct.Account)
			if err != nil {
				return "", nil, err
			}
			k, err := accountHDKey(export.Account{Network: v.net, Script: st, Account: acct.Account, Path: d.path, XPub: d.xpub}, 0, false)
			if err != nil {
				return "", nil, err
			}
			o, err := accountOutput(st, k)
			if err != nil {
				return "", nil, err
			}
			a.Outputs = append(a.Outputs, o)
		}
		b, err := a.MarshalCBOR()
		return urtypes.TypeAccount, b, err
	}
	return "", nil, nil
}

// accountHDKey is the account's xpub as a crypto-hdkey: key, chain code,
// the network for test networks (UR knows mainnet and testnet only, so
// regtest is testnet), its origin (with fp when not 0) and, when children
// is set, the receive and change branches <0;1>/*.
func accountHDKey(acct export.Account, fp uint32, children bool) (*urtypes.HDKey, error) {
	path, err := acct.AccountPath()
	if err != nil {
		return nil, err
	}
	pub, err := acct.XPub.ECPubKey()
	if err != nil {
		return nil, err
	}
	origin := &urtypes.Keypath{SourceFingerprint: fp, Depth: -1}
	for _, c := range path {
		origin.Steps = append(origin.Steps, urtypes.Step{Kind: urtypes.StepIndex, Index: c &^ wallet.Hardened, Hardened: c >= wallet.Hardened})
	}
	k := &urtypes.HDKey{
		KeyData:           pub.SerializeCompressed(),
		ChainCode:         acct.XPub.ChainCode(),
		Origin:            origin,
		ParentFingerprint: acct.XPub.ParentFingerprint(),
	}
	if acct.Network.IsTest() {
		k.UseInfo = &urtypes.CoinInfo{Network: 1}
	}
	if children {
		k.Children = &urtypes.Keypath{Depth: -1, Steps: []urtypes.Step{{Kind: urtypes.StepPair, Index: 0, High: 1}, {Kind: urtypes.StepWildcard}}}
	}
	return k, nil
}

// accountOutput wraps an account key in its script type's expression:
// wpkh(K), sh(wpkh(K)), tr(K), and for a multisig cosigner's key wsh(K)
// and sh(wsh(K)) as BCR-2020-015 writes them.
func accountOutput(st wallet.ScriptType, k *urtypes.HDKey) (urtypes.Output, error) {
	key := &urtypes.Key{HD: k}
	switch st {
	case wallet.ScriptWPKH:
		return urtypes.Output{Kind: urtypes.WPKH, Key: key}, nil
	case wallet.ScriptSHWPKH:
		return urtypes.Output{Kind: urtypes.SH, Inner: &urtypes.Output{Kind: urtypes.WPKH, Key: key}}, nil
	case wallet.ScriptTR:
		return urtypes.Output{Kind: urtypes.Taproot, Key: key}, nil
	case wallet.ScriptWSHMulti:
		return urtypes.Output{Kind: urtypes.WSH, Key: key}, nil
	case wallet.ScriptSHWSHMulti:
		return urtypes.Output{Kind: urtypes.SH, Inner: &urtypes.Output{Kind: urtypes.WSH, Key: key}}, nil
	}
	return urtypes.Output{}, fmt.Errorf("script type %s has no output expression", st)
}
