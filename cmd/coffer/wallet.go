package main

import (
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/coffer-custody/coffer/audit"
	"github.com/coffer-custody/coffer/wallet"
)

func newWalletCommand(g *globalOptions) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "wallet",
		Short: "Register and list the multisig wallets this vault signs for",
		Long: `Multisig wallets the vault signs for. A multisig input, or a multisig change
output, is signed only when it belongs to a wallet registered here: that is
what stops a PSBT from sending "change" to a multisig the attacker holds.

Registered wallets live in the vault's wallets/ folder, one file per wallet,
signed with the vault's journal key: a file placed there by anyone else is
refused.`,
		Example: `  coffer wallet register treasury.txt --name treasury
  coffer wallet list
  coffer wallet show treasury`,
	}
	cmd.AddCommand(newWalletRegisterCommand(g), newWalletListCommand(g), newWalletShowCommand(g))
	return cmd
}

type walletRegisterOptions struct {
	name   string
	yes    bool
	unlock unlockFlags
}

func newWalletRegisterCommand(g *globalOptions) *cobra.Command {
	o := &walletRegisterOptions{}
	cmd := &cobra.Command{
		Use:   "register FILE",
		Short: "Register a multisig wallet from a descriptor or a BSMS record",
		Long: `Register a multisig wallet the vault is one signer of.

FILE holds an output descriptor such as
  wsh(sortedmulti(2,[fp/48h/1h/0h/2h]tpub.../<0;1>/*,...))
(multi or sortedmulti, in wsh() or sh(wsh())), every key with its origin, or
a BIP129 descriptor record ("BSMS 1.0", the descriptor, the path restrictions,
the first address), whose first address is checked.

The command shows the threshold, each key's fingerprint and path, which one
is this vault's, and the first receive address, to compare with what the
other signers and the coordinator show. A wallet in which none of the keys
is the vault's own is refused: the key is re-derived from the vault's seed at
its path and compared, a matching fingerprint is not enough. After the
officer types yes (--yes in scripts; --non-interactive needs it) the
wallet is stored and the registration journaled.`,
		Example: `  coffer wallet register treasury.txt --name treasury
  coffer wallet register round2.bsms --yes --passphrase-file pass.txt --non-interactive`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runWalletRegister(cmd, g, o, args[0])
		},
	}
	cmd.Flags().StringVar(&o.name, "name", "", "the wallet's name (default from its type and descriptor, e.g. wsh-2of3-1a2b3c4d)")
	cmd.Flags().BoolVar(&o.yes, "yes", false, "register without the typed confirmation (scripts and tests; the wallet is still shown)")
	o.unlock.register(cmd)
	return cmd
}

func runWalletRegister(cmd *cobra.Command, g *globalOptions, o *walletRegisterOptions, file string) error {
	if o.unlock.nonInteractive && !o.yes {
		return failf("pass --yes in a script, or leave out --non-interactive to confirm at the prompt",
			"--non-interactive needs --yes: the officer's confirmation is typed at a prompt")
	}
	if o.name != "" {
		if err := wallet.CheckWalletName(o.name); err != nil {
			return failf("", "--name: %v", err)
		}
	}
	data, err := readBounded(file, wallet.MaxImportLen)
	if err != nil {
		return failf("", "cannot read the wallet %s: %v", file, err)
	}
	v, err := unlockVault(cmd, g, &o.unlock)
	if err != nil {
		return err
	}
	defer v.close()
	imp, err := wallet.ParseMultisigImport(data, v.net)
	if err != nil {
		return fail(exitError, fmt.Errorf("%s: %v", file, err), "ask the coordinator for the wallet's descriptor or BIP129 descriptor record")
	}
	d := imp.Descriptor
	ours, err := ownKeys(v, d)
	if err != nil {
		return fail(exitError, fmt.Errorf("%s: %v", file, err), "this wallet names the vault but not its key; do not use it, and ask the coordinator")
	}
	nOurs := 0
	for _, b := range ours {
		if b {
			nOurs++
		}
	}
	if nOurs == 0 {
		return fail(exitError, fmt.Errorf("%s: none of the %d keys of this wallet is this vault's (fingerprint %x)", file, len(ours), v.fingerprint),
			"give the coordinator this vault's key: coffer export --format bsms --script wsh-multi")
	}
	name := o.name
	if name == "" {
		name = wallet.DefaultWalletName(d)
	}
	existing, err := loadWallets(v.dir, v.net, v.journalPublicKey())
	if err != nil {
		return err
	}
	for _, e := range existing {
		if e.desc.String() == d.String() {
			return fail(exitError, fmt.Errorf("%s: this wallet is already registered as %s", file, e.reg.Name), "")
		}
		if e.reg.Name == name {
			return fail(exitError, fmt.Errorf("a wallet named %s is already registered", name), "choose another --name")
		}
	}
	reg, err := wallet.NewRegistration(name, v.net, imp, ours, g.env.now())
	if err != nil {
		return failf("", "%v", err)
	}

	screen := cmd.OutOrStdout()
	if g.json {
		screen = cmd.ErrOrStderr()
	}
	printRegistration(screen, reg)
	if nOurs >= reg.Threshold {
		printWarning(cmd.ErrOrStderr(), "this vault holds %d of the %d keys the wallet needs to spend: it is not a multisig for this vault", nOurs, reg.Threshold)
	}
	if d.MultipathLen() == 0 {
		printWarning(cmd.ErrOrStderr(), "the descriptor has no <0;1> receive and change branches: change to this wallet will not be recognised")
	}
	if !o.yes {
		ok, err := confirm(cmd, "\nRegister this wallet? Type yes to register, anything else to stop: ")
		if err != nil {
			return err
		}
		if !ok {
			return fail(exitError, fmt.Errorf("%s: the officer did not confirm; nothing was registered", file), "")
		}
	}
	reg.Sign(v.journalKey)

	// Journal first, then the file: a registration that is not journaled
	// is never used.
	type jkey struct {
		Fingerprint string `json:"fingerprint"`
		Path        string `json:"path"`
		Ours        bool   `json:"ours"`
	}
	entry := struct {
		Name         string `json:"name"`
		Network      string `json:"network"`
		Descriptor   string `json:"descriptor"`
		Threshold    int    `json:"threshold"`
		Keys         []jkey `json:"keys"`
		FirstAddress string `json:"first_address"`
		Source       string `json:"source"`
		SourceSHA256 string `json:"source_sha256"`
	}{reg.Name, reg.Network, reg.Descriptor, reg.Threshold, nil, reg.FirstAddress, reg.Source, reg.SourceSHA256}
	for _, k := range reg.Keys {
		entry.Keys = append(entry.Keys, jkey{k.Fingerprint, k.Path, k.Ours})
	}
	if err := v.journal(audit.KindWalletRegister, entry, g.env.now()); err != nil {
		return err
	}
	path, err := saveWallet(v.dir, reg)
	if err != nil {
		return err
	}
	if g.json {
		return writeJSON(cmd.OutOrStdout(), struct {
			File string `json:"file"`
			*wallet.Registration
		}{path, reg})
	}
	fmt.Fprintf(cmd.OutOrStdout(), "registered wallet %s (%s)\n", reg.Name, path)
	return nil
}

// printRegistration shows a wallet for the officer to compare with the
// other signers' screens.
func printRegistration(w io.Writer, r *wallet.Registration) {
	d, _ := wallet.ParseDescriptor(r.Descriptor)
	kind, sorted := "multisig", ""
	if d != nil {
		kind = d.ScriptType().String()
		if d.Sorted() {
			sorted = ", sortedmulti"
		} else {
			sorted = ", multi (key order matters)"
		}
	}
	fmt.Fprintf(w, "wallet:      %s\n", r.Name)
	fmt.Fprintf(w, "type:        %s, %d of %d%s\n", kind, r.Threshold, len(r.Keys), sorted)
	fmt.Fprintf(w, "network:     %s\n", r.Network)
	fmt.Fprintf(w, "keys:\n")
	for i, k := range r.Keys {
		mark := ""
		if k.Ours {
			mark = "  <- this vault"
		}
		fmt.Fprintf(w, "  %d. %s  %s  %s%s\n", i+1, k.Fingerprint, k.Path, k.Key, mark)
	}
	fmt.Fprintf(w, "first receive address: %s\n", r.FirstAddress)
	fmt.Fprintf(w, "descriptor:  %s\n", r.Descriptor)
	fmt.Fprintf(w, "source:      %s (sha256 %s)\n", r.Source, r.SourceSHA256)
}

func newWalletListCommand(g *globalOptions) *cobra.Command {
	return &cobra.Command{
		Use:   "list",
		Short: "List the registered multisig wallets",
		Long: `List the multisig wallets registered in the vault: name, type, threshold and
first receive address. No passphrase is needed; each file's signature is
checked with the journal public key of the vault's ceremony transcript.`,
		Example: `  coffer wallet list
  coffer wallet list --json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			pv, err := openPublicVault(g)
			if err != nil {
				return err
			}
			ws, err := loadWallets(pv.dir, pv.net, pv.journalPub)
			if err != nil {
				return err
			}
			w := cmd.OutOrStdout()
			if g.json {
				list := make([]*wallet.Registration, 0, len(ws))
				for _, x := range ws {
					list = append(list, x.reg)
				}
				return writeJSON(w, list)
			}
			if len(ws) == 0 {
				fmt.Fprintln(w, "no multisig wallet is registered")
				return nil
			}
			for _, x := range ws {
				fmt.Fprintf(w, "%-24s %-14s %d of %d  %s\n", x.reg.Name, x.desc.ScriptType(), x.reg.Threshold, len(x.reg.Keys), x.reg.FirstAddress)
			}
			return nil
		},
	}
}

func newWalletShowCommand(g *globalOptions) *cobra.Command {
	return &cobra.Command{
		Use:   "show NAME",
		Short: "Show one registered multisig wallet",
		Long: `Show a registered multisig wallet: threshold, every key's fingerprint and
path (and which is this vault's), the first receive address and the
descriptor with its checksum.`,
		Example: `  coffer wallet show treasury
  coffer wallet show treasury --json`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			name := args[0]
			if err := wallet.CheckWalletName(name); err != nil {
				return failf("run 'coffer wallet list' for the names", "%v", err)
			}
			pv, err := openPublicVault(g)
			if err != nil {
				return err
			}
			ws, err := loadWallets(pv.dir, pv.net, pv.journalPub)
			if err != nil {
				return err
			}
			for _, x := range ws {
				if x.reg.Name != name {
					continue
				}
				if g.json {
					return writeJSON(cmd.OutOrStdout(), x.reg)
				}
				printRegistration(cmd.OutOrStdout(), x.reg)
				return nil
			}
			names := make([]string, 0, len(ws))
			for _, x := range ws {
				names = append(names, x.reg.Name)
			}
			hint := "no wallet is registered yet: coffer wallet register FILE"
			if len(names) > 0 {
				hint = "registered: " + strings.Join(names, ", ")
			}
			return fail(exitError, errors.New("no wallet named "+name+" is registered in "+filepath.Join(pv.dir, walletsDir)), hint)
		},
	}
}
