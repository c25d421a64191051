package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/btcsuite/btcd/btcutil"
	"github.com/spf13/cobra"

	"github.com/coffer-custody/coffer/internal/qrcli"
	"github.com/coffer-custody/coffer/sign"
)

type inspectOptions struct {
	maxSize int
	unlock  unlockFlags
}

func newInspectCommand(g *globalOptions) *cobra.Command {
	o := &inspectOptions{}
	cmd := &cobra.Command{
		Use:   "inspect FILE|-",
		Short: "Show what an unsigned PSBT does, and whether coffer would sign it",
		Long: `Show the review of a PSBT: what the transaction does, as coffer sign shows
it before asking the officer, without signing anything.

The PSBT is read from FILE, or from standard input with -, as binary, base64
or hex (version 0 or 2). The review lists each output with its address,
amount and one label: change (re-derived on a change branch of the vault or a
registered multisig wallet), self (a receive branch of the vault) or
external; the inputs with their total and which keys of the vault sign them;
the fee in satoshis and in sat/vB of the estimated final size; the locktime
and replace-by-fee in words; the network; warnings; and every reason the
PSBT would be refused. Amounts are shown in BTC and in satoshis.

The vault is unlocked to re-derive its keys: paths in a PSBT are claims,
scripts are the truth. Nothing is written and nothing is journaled.

Exit status 3 means the PSBT would be refused; the review says why.`,
		Example: `  coffer inspect request.psbt
  coffer inspect request.psbt --json --passphrase-file pass.txt --non-interactive
  cat request.psbt | coffer inspect - --passphrase-file pass.txt`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runInspect(cmd, g, o, args[0])
		},
	}
	cmd.Flags().IntVar(&o.maxSize, "max-size", sign.DefaultMaxSize, "largest PSBT read, in bytes")
	o.unlock.register(cmd)
	return cmd
}

func runInspect(cmd *cobra.Command, g *globalOptions, o *inspectOptions, arg string) error {
	src, p, err := readPSBT(cmd, arg, o.maxSize)
	if err != nil {
		return err
	}
	v, err := unlockVault(cmd, g, &o.unlock)
	if err != nil {
		return err
	}
	defer v.close()
	r, refusal, err := reviewPSBT(v, p)
	if err != nil {
		return err
	}
	w := cmd.OutOrStdout()
	if g.json {
		if err := writeJSON(w, newReviewView(r, p)); err != nil {
			return err
		}
	} else {
		printReview(w, r, p, src)
	}
	if refusal != nil {
		return refusedError(src, refusal.Reasons)
	}
	return nil
}

// psbtSource is the PSBT a command was given.
type psbtSource struct {
	path  string // "" for standard input (and QR codes)
	label string // names a source that is no file, e.g. "4 images"; default "standard input"
	data  []byte
}

func (s *psbtSource) stdin() bool { return s.path == "" }

func (s *psbtSource) name() string {
	if s.label != "" {
		return s.label
	}
	if s.stdin() {
		return "standard input"
	}
	return s.path
}

// readPSBT reads FILE or - (bounded by maxSize) and decodes it. When the
// PSBT came on standard input, later questions (passphrase, confirmation)
// are read from the terminal.
func readPSBT(cmd *cobra.Command, arg string, maxSize int) (*psbtSource, *sign.Packet, error) {
	if maxSize <= 0 {
		return nil, nil, failf("", "--max-size %d is not a positive number of bytes", maxSize)
	}
	src := &psbtSource{}
	tooLarge := func(name string) error { return psbtTooLarge(name, maxSize) }
	if arg == "-" {
		data, err := io.ReadAll(io.LimitReader(cmd.InOrStdin(), int64(maxSize)+1))
		if err != nil {
			return nil, nil, failf("", "cannot read the PSBT from standard input: %v", err)
		}
		if len(data) > maxSize {
			return nil, nil, tooLarge("standard input")
		}
		src.data = data
		promptFromTerminal(cmd)
	} else {
		src.path = arg
		fi, err := os.Stat(arg)
		if err != nil {
			return nil, nil, failf("", "cannot read the PSBT %s: %v", arg, whyUnreadable(err))
		}
		if !fi.Mode().IsRegular() {
			return nil, nil, failf("", "cannot read the PSBT %s: it is not a regular file", arg)
		}
		if fi.Size() > int64(maxSize) {
			return nil, nil, tooLarge(arg)
		}
		// qrcli.ReadFile refuses a symlink out of the file's folder (USB).
		if src.data, err = qrcli.ReadFile(arg, maxSize); err != nil {
			if strings.Contains(err.Error(), "larger than") {
				return nil, nil, tooLarge(arg)
			}
			return nil, nil, err
		}
	}
	return decodePSBT(src, maxSize)
}

func psbtTooLarge(name string, maxSize int) error {
	return fail(exitError, fmt.Errorf("%s: the PSBT is larger than --max-size %d bytes", name, maxSize), "raise --max-size if the PSBT is genuine")
}

// decodePSBT decodes the bytes of src, with the hint for each failure.
func decodePSBT(src *psbtSource, maxSize int) (*psbtSource, *sign.Packet, error) {
	p, err := sign.Decode(src.data, maxSize)
	switch {
	case err == nil:
		return src, p, nil
	case errors.Is(err, sign.ErrNotPSBT):
		return nil, nil, fail(exitError, fmt.Errorf("%s: %v", src.name(), err), "give the PSBT as the wallet exported it: binary, base64 or hex")
	case errors.Is(err, sign.ErrTooLarge):
		return nil, nil, psbtTooLarge(src.name(), maxSize)
	case errors.Is(err, sign.ErrMalformed):
		return nil, nil, fail(exitError, fmt.Errorf("%s: %v", src.name(), err), "ask the preparer for a new PSBT: this one breaks BIP174/BIP370 and is never signed")
	}
	return nil, nil, failf("", "%s: %v", src.name(), err)
}

// promptFromTerminal points the command's input at the terminal once
// standard input has been used up by the PSBT; without a terminal every
// question fails (the flags --passphrase-file and --yes answer them).
func promptFromTerminal(cmd *cobra.Command) {
	tty, err := os.Open("/dev/tty")
	if err != nil {
		cmd.SetIn(strings.NewReader(""))
		return
	}
	cmd.SetIn(tty) // closed when the process exits
}

// reviewPSBT analyzes p against the vault's accounts and registered
// wallets. The review comes back also when the PSBT is refused.
func reviewPSBT(v *unlocked, p *sign.Packet) (*sign.Review, *sign.RefusalError, error) {
	regs, err := loadWallets(v.dir, v.net, v.journalPublicKey())
	if err != nil {
		return nil, nil, err
	}
	w, err := vaultWallets(v, regs, nil)
	if err != nil {
		return nil, nil, err
	}
	r, aerr := sign.Analyze(p, w)
	if extra := extraAccounts(r, v.net, nil); len(extra) > 0 {
		// The PSBT names accounts other than 0: review it against them too.
		if w, err = vaultWallets(v, regs, extra); err != nil {
			return nil, nil, err
		}
		r, aerr = sign.Analyze(p, w)
	}
	if aerr == nil {
		return r, nil, nil
	}
	var refusal *sign.RefusalError
	if !errors.As(aerr, &refusal) {
		return nil, nil, failf("", "cannot review the PSBT: %v", aerr)
	}
	return r, refusal, nil
}

// refusedError is the one-sentence error of a refused PSBT (exit 3).
func refusedError(src *psbtSource, reasons []sign.Reason) error {
	if len(reasons) == 0 {
		return fail(exitRefused, fmt.Errorf("%s is refused", src.name()), "")
	}
	msg := fmt.Sprintf("%s is refused: %s", src.name(), reasons[0])
	if n := len(reasons) - 1; n == 1 {
		msg += " (and 1 more reason, listed in the review)"
	} else if n > 1 {
		msg += fmt.Sprintf(" (and %d more reasons, listed in the review)", n)
	}
	hint := "nothing was signed; ask the preparer for a corrected PSBT"
	if (&sign.RefusalError{Reasons: reasons}).OnlyPolicyMayAllow() {
		hint = "nothing was signed; only a signed spending policy may allow this"
	}
	return fail(exitRefused, errors.New(msg), hint)
}

// money is an amount as Coffer prints it: integer satoshis and the same in
// BTC with eight decimals. Every amount shown or written goes through
// moneyOf, from a btcutil.Amount; no float is involved.
type money struct {
	Sat int64  `json:"sat"`
	BTC string `json:"btc"`
}

func moneyOf(a btcutil.Amount) money {
	sat := int64(a)
	sign, abs := "", uint64(sat)
	if sat < 0 {
		sign, abs = "-", uint64(-sat)
	}
	return money{Sat: sat, BTC: fmt.Sprintf("%s%d.%08d", sign, abs/btcutil.SatoshiPerBitcoin, abs%btcutil.SatoshiPerBitcoin)}
}

func (m money) String() string { return fmt.Sprintf("%s BTC (%d sat)", m.BTC, m.Sat) }

// reviewView is the review as inspect --json and sign --json print it.
type reviewView struct {
	PSBTVersion int          `json:"psbt_version"`
	Encoding    string       `json:"encoding"`
	Network     string       `json:"network"`
	TxID        string       `json:"txid"`
	TxVersion   int32        `json:"tx_version"`
	Inputs      inputsView   `json:"inputs"`
	Outputs     []outputView `json:"outputs"`
	Sent        money        `json:"sent"`
	Change      money        `json:"change"`
	Fee         *money       `json:"fee"` // null when an input's amount is unknown
	VSize       int          `json:"vsize"`
	FeeRate     float64      `json:"fee_rate_sat_vb"`
	LockTime    uint32       `json:"locktime"`
	LockText    string       `json:"locktime_text"`
	RBF         bool         `json:"rbf"`
	RBFText     string       `json:"rbf_text"`
	Warnings    []string     `json:"warnings"`
	Refusals    []reasonView `json:"refusals"`
	Refused     bool         `json:"refused"`
}

type inputsView struct {
	Count int         `json:"count"`
	Total *money      `json:"total"` // null when an input's amount is unknown
	Ours  int         `json:"ours"`
	List  []inputView `json:"list"`
}

type inputView struct {
	Index        int           `json:"index"`
	Outpoint     string        `json:"outpoint"`
	Address      string        `json:"address,omitempty"`
	Amount       *money        `json:"amount"`
	Spend        string        `json:"spend"`
	Ours         bool          `json:"ours"`
	Wallet       string        `json:"wallet,omitempty"`
	Keys         []sign.KeyUse `json:"keys,omitempty"`
	Signatures   int           `json:"signatures"`
	Final        bool          `json:"final"`
	Sequence     uint32        `json:"sequence"`
	RelativeLock string        `json:"relative_lock,omitempty"`
	Sighash      string        `json:"sighash,omitempty"`
	UTXOProven   bool          `json:"utxo_proven"`
	NotSignedWhy string        `json:"not_signed_because,omitempty"`
}

type outputView struct {
	Index    int           `json:"index"`
	Address  string        `json:"address,omitempty"`
	Script   string        `json:"script"`
	Type     string        `json:"type"`
	Amount   money         `json:"amount"`
	Label    string        `json:"label"`
	Wallet   string        `json:"wallet,omitempty"`
	Keys     []sign.KeyUse `json:"keys,omitempty"`
	DataHex  string        `json:"data_hex,omitempty"`
	DataText string        `json:"data_text,omitempty"`
}

type reasonView struct {
	Code           string `json:"code"`
	Input          *int   `json:"input,omitempty"`
	Output         *int   `json:"output,omitempty"`
	Text           string `json:"text"`
	PolicyMayAllow bool   `json:"policy_may_allow"`
}

func newReasonViews(rs []sign.Reason) []reasonView {
	out := make([]reasonView, 0, len(rs))
	for _, r := range rs {
		rv := reasonView{Code: r.Code.String(), Text: r.Text, PolicyMayAllow: r.Code.PolicyMayAllow()}
		if r.Input >= 0 {
			i := r.Input
			rv.Input = &i
		}
		if r.Output >= 0 {
			o := r.Output
			rv.Output = &o
		}
		out = append(out, rv)
	}
	return out
}

func newReviewView(r *sign.Review, p *sign.Packet) *reviewView {
	v := &reviewView{PSBTVersion: r.PSBTVer, Encoding: p.Encoding().String(), Network: r.Network, TxID: r.TxID, TxVersion: r.TxVersion,
		Sent: moneyOf(r.Sent), Change: moneyOf(r.Change), VSize: r.VSize, FeeRate: r.FeeRate,
		LockTime: r.LockTime, LockText: r.LockTimeText, RBF: r.RBF, RBFText: r.RBFText,
		Warnings: append([]string{}, r.Warnings...), Refusals: newReasonViews(r.Refusals), Refused: len(r.Refusals) > 0}
	if r.FeeKnown {
		fee := moneyOf(r.Fee)
		v.Fee = &fee
		total := moneyOf(r.InputTotal)
		v.Inputs.Total = &total
	}
	v.Inputs.Count, v.Inputs.Ours = r.NumInputs, r.OursToSign
	v.Inputs.List = make([]inputView, 0, len(r.Inputs))
	for _, in := range r.Inputs {
		iv := inputView{Index: in.Index, Outpoint: in.Outpoint, Address: in.Address, Spend: in.Spend, Ours: in.Ours, Wallet: in.Wallet,
			Keys: in.Keys, Signatures: in.Signatures, Final: in.Final, Sequence: in.Sequence, RelativeLock: in.RelativeLock,
			Sighash: in.SighashType, UTXOProven: in.UTXOProven, NotSignedWhy: in.UnsignedWhy}
		if in.AmountKnown {
			a := moneyOf(in.Amount)
			iv.Amount = &a
		}
		v.Inputs.List = append(v.Inputs.List, iv)
	}
	v.Outputs = make([]outputView, 0, len(r.Outputs))
	for _, o := range r.Outputs {
		v.Outputs = append(v.Outputs, outputView{Index: o.Index, Address: o.Address, Script: o.Script, Type: o.Type, Amount: moneyOf(o.Amount),
			Label: string(o.Label), Wallet: o.Wallet, Keys: o.Keys, DataHex: o.DataHex, DataText: o.DataText})
	}
	return v
}

// maxListedInputs is how many inputs the text review lists one by one;
// --json lists them all.
const maxListedInputs = 50

// printReview writes the review in words, for the officer.
func printReview(w io.Writer, r *sign.Review, p *sign.Packet, src *psbtSource) {
	fmt.Fprintf(w, "PSBT:      %s, version %d (%s), %d input(s), %d output(s)\n", src.name(), r.PSBTVer, p.Encoding(), r.NumInputs, r.NumOutputs)
	fmt.Fprintf(w, "network:   %s\n", r.Network)
	fmt.Fprintf(w, "txid:      %s\n", r.TxID)

	total := "unknown (an input does not give its amount)"
	if r.FeeKnown {
		total = moneyOf(r.InputTotal).String()
	}
	fmt.Fprintf(w, "\ninputs: %d, total %s, %d with a key of this vault\n", r.NumInputs, total, r.OursToSign)
	for k, in := range r.Inputs {
		if k == maxListedInputs {
			fmt.Fprintf(w, "  ... and %d more inputs (--json lists every one)\n", len(r.Inputs)-k)
			break
		}
		amount := "amount unknown"
		if in.AmountKnown {
			amount = moneyOf(in.Amount).String()
		}
		where := in.Address
		if where == "" {
			where = in.Outpoint
		}
		fmt.Fprintf(w, "  #%-3d %s  %s  %s\n", in.Index, amount, where, in.Spend)
		switch {
		case in.Final:
			fmt.Fprintf(w, "        already finalized\n")
		case in.Ours:
			paths := make([]string, len(in.Keys))
			for i, k := range in.Keys {
				paths[i] = k.Fingerprint + " " + k.Path
			}
			fmt.Fprintf(w, "        ours: %s, key %s\n", in.Wallet, strings.Join(paths, ", "))
		default:
			fmt.Fprintf(w, "        not signed by this vault: %s\n", in.UnsignedWhy)
		}
		if in.Signatures > 0 && !in.Final {
			fmt.Fprintf(w, "        carries %d signature(s) already\n", in.Signatures)
		}
		if in.RelativeLock != "" {
			fmt.Fprintf(w, "        %s\n", in.RelativeLock)
		}
	}

	fmt.Fprintf(w, "\noutputs: %d\n", r.NumOutputs)
	for _, o := range r.Outputs {
		where := o.Address
		switch {
		case o.Type == "op_return":
			where = "OP_RETURN data " + o.DataHex
			if o.DataText != "" {
				where += fmt.Sprintf(" (text %q)", o.DataText)
			}
		case where == "":
			where = o.Type + " script " + o.Script
		}
		label := string(o.Label)
		if o.Wallet != "" {
			paths := make([]string, len(o.Keys))
			for i, k := range o.Keys {
				paths[i] = k.Path
			}
			label += fmt.Sprintf(" (%s, %s)", o.Wallet, strings.Join(paths, ", "))
		}
		fmt.Fprintf(w, "  #%-3d %s  %s  %s\n", o.Index, moneyOf(o.Amount), where, label)
	}

	fmt.Fprintf(w, "\nsent:      %s to external outputs\n", moneyOf(r.Sent))
	fmt.Fprintf(w, "change:    %s back to this vault or its wallets\n", moneyOf(r.Change))
	if r.FeeKnown {
		fmt.Fprintf(w, "fee:       %s, %.1f sat/vB for an estimated %d vB\n", moneyOf(r.Fee), r.FeeRate, r.VSize)
	} else {
		fmt.Fprintf(w, "fee:       unknown (an input does not give its amount); estimated size %d vB\n", r.VSize)
	}
	fmt.Fprintf(w, "locktime:  %s\n", r.LockTimeText)
	fmt.Fprintf(w, "rbf:       %s\n", r.RBFText)
	if len(r.Warnings) > 0 {
		fmt.Fprintf(w, "\nwarnings:\n")
		for _, s := range r.Warnings {
			fmt.Fprintf(w, "  - %s\n", s)
		}
	}
	if len(r.Refusals) > 0 {
		fmt.Fprintf(w, "\nREFUSED: coffer never signs this PSBT:\n")
		for _, rs := range r.Refusals {
			fmt.Fprintf(w, "  - %s [%s]\n", rs, rs.Code)
		}
	}
}
