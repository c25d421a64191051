package main

import (
	"encoding/hex"
	"fmt"
	"io"

	"github.com/spf13/cobra"

	"github.com/coffer-custody/coffer/wallet"
)

// accountFlags select one account of the vault: --script and --account.
type accountFlags struct {
	script  string
	account uint32
}

func (a *accountFlags) register(cmd *cobra.Command) {
	cmd.Flags().StringVar(&a.script, "script", "wpkh", "script type: wpkh (BIP84), sh-wpkh (BIP49), tr (BIP86), wsh-multi (BIP48)")
	cmd.Flags().Uint32Var(&a.account, "account", 0, "account number")
}

func (a *accountFlags) scriptType() (wallet.ScriptType, error) {
	st, err := wallet.ParseScriptType(a.script)
	if err != nil {
		return st, failf("pass --script wpkh, sh-wpkh, tr or wsh-multi", "--script: %v", err)
	}
	if a.account >= wallet.Hardened {
		return st, failf("", "--account %d is too large (at most %d)", a.account, wallet.Hardened-1)
	}
	return st, nil
}

// open unlocks the vault and derives the selected account.
func (a *accountFlags) open(cmd *cobra.Command, g *globalOptions, u *unlockFlags) (*unlocked, *account, error) {
	st, err := a.scriptType()
	if err != nil {
		return nil, nil, err
	}
	v, err := unlockVault(cmd, g, u)
	if err != nil {
		return nil, nil, err
	}
	acct, err := deriveAccount(v.master, v.net, st, a.account)
	if err != nil {
		v.close()
		return nil, nil, err
	}
	return v, acct, nil
}

type xpubOptions struct {
	acct   accountFlags
	unlock unlockFlags
}

func newXpubCommand(g *globalOptions) *cobra.Command {
	o := &xpubOptions{}
	cmd := &cobra.Command{
		Use:   "xpub",
		Short: "Print the master fingerprint and an account's extended public key",
		Long: `Print the master fingerprint, the account's derivation path and its extended
public key (xpub on mainnet, tpub on test networks), with the SLIP-132 form
(zpub, ypub, Zpub, …) beside it for tools that want one.

Paths: wpkh m/84'/c'/a' (BIP84), sh-wpkh m/49'/c'/a' (BIP49),
tr m/86'/c'/a' (BIP86), wsh-multi m/48'/c'/a'/2' (BIP48).`,
		Example: `  coffer xpub
  coffer xpub --script tr --account 1 --json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			v, a, err := o.acct.open(cmd, g, &o.unlock)
			if err != nil {
				return err
			}
			defer v.close()
			return printXpub(cmd.OutOrStdout(), g.json, v, a)
		},
	}
	o.acct.register(cmd)
	o.unlock.register(cmd)
	return cmd
}

func printXpub(w io.Writer, asJSON bool, v *unlocked, a *account) error {
	fp := hex.EncodeToString(v.fingerprint[:])
	if asJSON {
		return writeJSON(w, struct {
			Network           string `json:"network"`
			MasterFingerprint string `json:"master_fingerprint"`
			Script            string `json:"script"`
			Account           uint32 `json:"account"`
			Path              string `json:"path"`
			XPub              string `json:"xpub"`
			SLIP132           string `json:"slip132,omitempty"`
			KeyOrigin         string `json:"key_origin"`
		}{v.net.String(), fp, a.script.String(), a.number, a.path.String(), a.xpub.String(), a.slip132,
			fmt.Sprintf("[%s/%s]%s", fp, a.path.Unprefixed(), a.xpub.String())})
	}
	fmt.Fprintf(w, "network:            %s\nmaster fingerprint: %s\nscript:             %s\npath:               %s\nxpub:               %s\n",
		v.net, fp, a.script, a.path, a.xpub)
	if a.slip132 != "" {
		fmt.Fprintf(w, "slip132:            %s\n", a.slip132)
	}
	return nil
}
