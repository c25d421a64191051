package main

import (
	"errors"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/coffer-custody/coffer/internal/atomicfile"
	"github.com/coffer-custody/coffer/internal/cli"
	"github.com/coffer-custody/coffer/internal/qrcli"
	"github.com/coffer-custody/coffer/wallet"
	"github.com/coffer-custody/coffer/watch"
)

func newWalletCommand(g *globalOptions) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "wallet",
		Short: "Import, create and list the watched wallets",
		Long: `The wallets coffer-watch follows: single-key accounts exported by 'coffer
export', and multisig wallets assembled from the signers' key records.`,
		Example: `  coffer-watch wallet import export.txt --name hot
  coffer-watch wallet create-multisig --name treasury --threshold 2 alice.bsms bob.bsms carol.bsms
  coffer-watch wallet list`,
	}
	cmd.AddCommand(newWalletImportCommand(g), newWalletCreateMultisigCommand(g), newWalletListCommand(g))
	return cmd
}

type walletImportOptions struct {
	name   string
	script string
	qrIn   qrcli.InFlags
}

func newWalletImportCommand(g *globalOptions) *cobra.Command {
	o := &walletImportOptions{}
	cmd := &cobra.Command{
		Use:   "import FILE|- | --qr-in [IMAGE...]",
		Short: "Import a watch-only wallet exported by coffer",
		Long: `Import a watch-only wallet from any export of 'coffer export': descriptor
(the receive, change and <0;1> lines), core (the importdescriptors JSON),
generic-json (--script picks the entry, default the first single-key one) or
a BIP129 descriptor record (BSMS round 2). Descriptor checksums are checked,
every key must carry its origin, a first address the file states must be the
one derived, and keys of another network than the database's are refused.

The first import settles the database's network: a tpub serves testnet,
signet and regtest alike, so pass --network for those (generic-json names
its chain itself).

By camera: --qr-in reads the wallet from QR codes, in the IMAGE files (PNG,
JPEG, GIF; a folder stands for its images) or, with none, from the text lines
of a scanner on standard input. Any export above carried as ur:bytes or BBQr
is read as the file; a ur:crypto-output (BCR-2020-010, as Sparrow, Keystone
or Passport show a wallet) becomes its descriptor, and a ur:crypto-hdkey
(BCR-2020-007) one account key whose script is --script, else the one its
path's purpose names (84h wpkh, 86h tr, 49h sh-wpkh). Every key must carry
its master's fingerprint and path; a key without children to derive serves
receive (0/*) and change (1/*). --expect-sha256 HEX refuses an input whose
SHA-256 is not the one the other side printed.`,
		Example: `  coffer export --format descriptor --script wpkh | coffer-watch wallet import - --name hot --network regtest
  coffer-watch wallet import core.json --name savings
  coffer-watch wallet import generic.json --script tr --name taproot
  coffer-watch wallet import --qr-in frames/ --name hot --network regtest
  zbarcam --raw | coffer-watch wallet import --qr-in --name sparrow`,
		Args: o.qrIn.Args(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runWalletImport(cmd, g, o, args)
		},
	}
	cmd.Flags().StringVar(&o.name, "name", "", "the wallet's name (default from its type and descriptor)")
	cmd.Flags().StringVar(&o.script, "script", "", "generic-json, ur:crypto-account or ur:crypto-hdkey: the script to import: wpkh (default), tr or sh-wpkh")
	o.qrIn.AllowCBOR = true // ur:crypto-output, ur:crypto-hdkey
	o.qrIn.MaxBytes = watch.MaxImportFile
	o.qrIn.Register(cmd)
	return cmd
}

// readWalletInput reads the file to import: FILE or - as readInput does,
// or QR codes with --qr-in (then, for a UR of a CBOR structure, the
// wallet is mapped from it here). --expect-sha256 is checked either way.
func readWalletInput(cmd *cobra.Command, o *walletImportOptions, args []string) (*watch.Imported, string, error) {
	if !o.qrIn.QR() {
		data, err := readInput(cmd, args[0], watch.MaxImportFile)
		if err != nil {
			return nil, "", err
		}
		name := displayName(args[0])
		if err := o.qrIn.Check(name, data); err != nil {
			return nil, "", err
		}
		im, err := watch.ParseWalletFile(data, o.script)
		return im, name, err
	}
	r, err := o.qrIn.Read(cmd, args)
	if err != nil {
		return nil, "", err
	}
	fmt.Fprintln(cmd.ErrOrStderr(), r.Summary())
	if r.Data == nil {
		im, err := watch.ParseWalletUR(r.Type, r.CBOR, o.script)
		return im, r.Source, err
	}
	im, err := watch.ParseWalletFile(r.Data, o.script)
	return im, r.Source, err
}

func runWalletImport(cmd *cobra.Command, g *globalOptions, o *walletImportOptions, args []string) error {
	im, file, err := readWalletInput(cmd, o, args)
	var ce *cli.Error
	if errors.As(err, &ce) {
		return err
	}
	if err != nil {
		hint := "give a file written by 'coffer export --format descriptor|core|generic-json', or a BSMS descriptor record"
		if errors.Is(err, watch.ErrKeyRecord) {
			hint = "run 'coffer-watch wallet create-multisig --threshold M' with every signer's key record"
		}
		return cli.Failf(hint, "%s: %v", file, err)
	}
	if o.name != "" {
		if err := checkName(o.name); err != nil {
			return err
		}
	}
	// The file's network, else mainnet for xpub keys; test networks need
	// --network (or the database's).
	fallback := im.Network
	if fallback == 0 {
		fallback = keyNetwork(im.Descriptor)
	}
	s, err := g.open(cmd, offline, fallback)
	if err != nil {
		return err
	}
	defer s.close()
	if !s.svc.Network.Valid() {
		return cli.Failf("pass --network testnet, signet or regtest", "%s: the keys are tpubs, which serve testnet, signet and regtest alike, and the database has no network yet", file)
	}
	res, err := s.svc.ImportWallet(cmd.Context(), im, o.name)
	if err != nil {
		return cli.Failf("", "%s: %v", file, err)
	}
	return printImport(cmd, g, res, nil, "")
}

// keyNetwork is mainnet when the descriptor's keys are xpubs, 0 for tpubs.
func keyNetwork(d *wallet.Descriptor) wallet.Network {
	if d.CheckNetwork(wallet.Mainnet) == nil {
		return wallet.Mainnet
	}
	return 0
}

func checkName(name string) error {
	if err := wallet.CheckWalletName(name); err != nil && !strings.Contains(err.Error(), "own accounts") {
		return cli.Failf("", "--name: %v", err)
	}
	return nil
}

func printImport(cmd *cobra.Command, g *globalOptions, res *watch.ImportResult, record []byte, out string) error {
	w := cmd.OutOrStdout()
	if g.json {
		return cli.WriteJSON(w, struct {
			*watch.ImportResult
			Record string `json:"bsms_record,omitempty"`
			Out    string `json:"out,omitempty"`
		}{res, string(record), out})
	}
	kind := res.Script
	if res.Keys > 1 {
		kind = fmt.Sprintf("%s %d of %d", res.Script, res.Threshold, res.Keys)
	}
	fmt.Fprintf(w, "wallet %s (%s, %s, from %s)\n", res.Name, kind, res.Network, res.Format)
	fmt.Fprintf(w, "descriptor    %s\n", res.Descriptor)
	fmt.Fprintf(w, "first address %s\n", res.First)
	if out != "" {
		fmt.Fprintf(w, "wrote %s (BIP129 descriptor record for every signer to register)\n", out)
	}
	return nil
}

type createMultisigOptions struct {
	name      string
	threshold int
	out       string
}

func newWalletCreateMultisigCommand(g *globalOptions) *cobra.Command {
	o := &createMultisigOptions{}
	cmd := &cobra.Command{
		Use:   "create-multisig --name N --threshold M KEYFILE...",
		Short: "Assemble a multisig wallet from the signers' key records (BIP129 coordinator)",
		Long: `The BIP129 coordinator's step: read every signer's key record (a signed BSMS
key record from 'coffer export --format bsms --script wsh-multi', whose
signature is checked, or a line [fingerprint/path]xpub), build
wsh(sortedmulti(M,...)) with every key's origin and the descriptor checksum,
import it, and print the descriptor and its first address. Every signer then
registers it with 'coffer wallet register' and compares the first address.
--out writes the BIP129 descriptor record to hand to the signers.`,
		Example: `  coffer-watch wallet create-multisig --name treasury --threshold 2 alice.bsms bob.bsms carol.bsms --out treasury.bsms`,
		Args:    cobra.MinimumNArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runCreateMultisig(cmd, g, o, args)
		},
	}
	cmd.Flags().StringVar(&o.name, "name", "", "the wallet's name (required)")
	cmd.Flags().IntVar(&o.threshold, "threshold", 0, "signatures needed, M (required)")
	cmd.Flags().StringVar(&o.out, "out", "", "write the BIP129 descriptor record to this file (never overwritten)")
	return cmd
}

func runCreateMultisig(cmd *cobra.Command, g *globalOptions, o *createMultisigOptions, files []string) error {
	if o.name == "" {
		return cli.Failf("pass --name NAME", "--name is required")
	}
	if err := checkName(o.name); err != nil {
		return err
	}
	if o.threshold < 1 || o.threshold > len(files) {
		return cli.Failf("pass --threshold M with M between 1 and the number of key files", "--threshold %d is not between 1 and %d (the key files given)", o.threshold, len(files))
	}
	if err := checkOut(o.out); err != nil {
		return err
	}
	var keys []wallet.AccountKey
	for _, f := range files {
		b, err := readInput(cmd, f, 64<<10)
		if err != nil {
			return err
		}
		k, err := watch.KeyFromRecord(b, f)
		if err != nil {
			return cli.Failf("give each signer's 'coffer export --format bsms --script wsh-multi' record", "%v", err)
		}
		keys = append(keys, k)
	}
	fallback := wallet.Network(0)
	if f, ok := wallet.KeyNetworkFormat(keys[0].XPub); ok && f.Mainnet {
		fallback = wallet.Mainnet
	}
	s, err := g.open(cmd, offline, fallback)
	if err != nil {
		return err
	}
	defer s.close()
	if !s.svc.Network.Valid() {
		return cli.Failf("pass --network testnet, signet or regtest", "the keys are tpubs, which serve testnet, signet and regtest alike, and the database has no network yet")
	}
	res, rec, err := s.svc.CreateMultisig(cmd.Context(), o.name, o.threshold, keys)
	if err != nil {
		return cli.Failf("", "%v", err)
	}
	if o.out != "" {
		if err := atomicfile.WriteNew(o.out, rec, 0o644); err != nil {
			return outError(o.out, err, "wallet "+res.Name+" is imported", "")
		}
	}
	return printImport(cmd, g, res, rec, o.out)
}

func newWalletListCommand(g *globalOptions) *cobra.Command {
	return &cobra.Command{
		Use:     "list",
		Short:   "List the watched wallets",
		Example: "  coffer-watch wallet list --json",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := g.requireDB(); err != nil {
				return err
			}
			s, err := g.open(cmd, offline, 0)
			if err != nil {
				return err
			}
			defer s.close()
			ws, err := s.svc.Store.Wallets(cmd.Context())
			if err != nil {
				return cli.Failf("", "%v", err)
			}
			type row struct {
				Name       string `json:"name"`
				Script     string `json:"script"`
				Threshold  int    `json:"threshold"`
				Keys       int    `json:"keys"`
				Descriptor string `json:"descriptor"`
				Source     string `json:"source"`
			}
			rows := make([]row, len(ws))
			for i, w := range ws {
				rows[i] = row{w.Name, w.Script.String(), w.Threshold, w.Keys, w.Descriptor, w.Source}
			}
			if g.json {
				return cli.WriteJSON(cmd.OutOrStdout(), rows)
			}
			for _, r := range rows {
				fmt.Fprintf(cmd.OutOrStdout(), "%-20s %-10s %d of %d  %s\n", r.Name, r.Script, r.Threshold, r.Keys, r.Descriptor)
			}
			return nil
		},
	}
}
