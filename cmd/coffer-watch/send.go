package main

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"strconv"
	"strings"

	"github.com/btcsuite/btcd/chaincfg/chainhash"
	"github.com/btcsuite/btcd/wire"
	"github.com/spf13/cobra"

	"github.com/coffer-custody/coffer/internal/atomicfile"
	"github.com/coffer-custody/coffer/internal/cli"
	"github.com/coffer-custody/coffer/internal/qrcli"
	"github.com/coffer-custody/coffer/policy/approval"
	"github.com/coffer-custody/coffer/watch"
	"github.com/coffer-custody/coffer/watch/build"
)

type sendOptions struct {
	wallet     string
	to         []string
	payouts    string
	feeRate    string
	confTarget int
	utxos      []string
	noRBF      bool
	out        string
	initiator  string
	qrOut      qrcli.OutFlags
}

func newSendCommand(g *globalOptions) *cobra.Command {
	o := &sendOptions{}
	cmd := &cobra.Command{
		Use:   "send --wallet N --to ADDR=AMOUNT... | --payouts FILE.csv [--fee-rate SATVB | --conf-target N] [--utxo TXID:VOUT]... [--no-rbf] [--out request.psbt] [--qr-out terminal|png:DIR|gif:FILE] [--initiator ID]",
		Short: "Prepare a withdrawal: an unsigned PSBT for the offline signer, saved as a request",
		Long: `Prepare a withdrawal request: choose coins, build an unsigned PSBT that the
offline signer can verify claim by claim, check it with the signer's own
review, save it as a request with an id, and write it to --out (or print it
in base64).

Payments: --to ADDRESS=AMOUNT (repeatable) or --payouts FILE.csv with lines
"address,amount[,label]". Amounts take a unit: 0.5btc or 50000sat. Addresses
must be of the wallet's network.

Fee: --fee-rate in sat/vB, or --conf-target BLOCKS for the node's estimate
(Bitcoin Core only: btcd has no estimatesmartfee, so with btcd --fee-rate is
required). The rate is met on the final size of the signed transaction
(low-R signatures, as coffer and Bitcoin Core make them).

Coins: the given --utxo ones, else branch-and-bound for a changeless match,
else the largest coins with change above dust; unconfirmed coins, immature
coinbase outputs and the coins of open requests (not yet broadcast and
synced) are not spent unless named with --utxo.

The PSBT carries non_witness_utxo and witness_utxo for every input, BIP32
derivations of every key of every input and of the change, redeem and witness
scripts, the taproot internal key and tap_bip32_derivation, and the global
xpubs of a multisig wallet. The locktime is the current height
(anti-fee-sniping) and RBF is on unless --no-rbf.

Maker-checker: --initiator ID names who asks for the withdrawal. It is kept
with the request and written into the PSBT (Coffer's proprietary global
field), so the offline signer's spending policy knows who initiated it and
never counts that person's own approval.

Across the air gap: --qr-out shows the PSBT as animated QR codes on the
terminal, or writes them as PNG frames (frame-0001.png, ...) or a GIF:
ur:crypto-psbt by default (--qr-ur-type psbt for the new name), BBQr with
--qr-format bbqr. The "sha256" line it prints is what the signer's
--expect-sha256 checks.`,
		Example: `  coffer-watch send --wallet hot --to bcrt1q...=0.5btc --fee-rate 2 --out request.psbt
  coffer-watch send --wallet treasury --payouts payroll.csv --conf-target 6 --out payroll.psbt --initiator alice
  coffer-watch send --wallet hot --to bcrt1q...=50000sat --fee-rate 2 --out request.psbt --qr-out png:request`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runSend(cmd, g, o)
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.wallet, "wallet", "", "the wallet to spend from (required)")
	f.StringArrayVar(&o.to, "to", nil, "a payment ADDRESS=AMOUNT (repeatable); amounts take a unit: 0.5btc, 50000sat")
	f.StringVar(&o.payouts, "payouts", "", "a CSV file of payments: address,amount[,label] per line")
	f.StringVar(&o.feeRate, "fee-rate", "", "fee rate in sat/vB (up to 3 decimals)")
	f.IntVar(&o.confTarget, "conf-target", 0, "ask the node for a fee rate to confirm within this many blocks")
	f.StringArrayVar(&o.utxos, "utxo", nil, "spend exactly these coins TXID:VOUT (repeatable)")
	f.BoolVar(&o.noRBF, "no-rbf", false, "do not signal replaceability (BIP125)")
	f.StringVar(&o.out, "out", "", "write the PSBT to this file (never overwritten; default: print it in base64)")
	f.StringVar(&o.initiator, "initiator", "", "who asks for this withdrawal (recorded with the request and in the PSBT, for the signer's maker-checker)")
	o.qrOut.Register(cmd)
	return cmd
}

func parseOutPoint(s string) (wire.OutPoint, error) {
	txid, vout, ok := strings.Cut(strings.TrimSpace(s), ":")
	if !ok {
		return wire.OutPoint{}, fmt.Errorf("--utxo %q is not TXID:VOUT", s)
	}
	h, err := chainhash.NewHashFromStr(txid)
	if err != nil || len(txid) != 64 {
		return wire.OutPoint{}, fmt.Errorf("--utxo %q: the txid is not 64 hex digits", s)
	}
	n, err := strconv.ParseUint(vout, 10, 32)
	if err != nil {
		return wire.OutPoint{}, fmt.Errorf("--utxo %q: the output number is not a number", s)
	}
	return wire.OutPoint{Hash: *h, Index: uint32(n)}, nil
}

func runSend(cmd *cobra.Command, g *globalOptions, o *sendOptions) error {
	if o.wallet == "" {
		return cli.Failf("pass --wallet NAME ('coffer-watch wallet list' shows them)", "--wallet is required")
	}
	if (len(o.to) == 0) == (o.payouts == "") {
		return cli.Failf("pass --to ADDRESS=AMOUNT (repeatable) or --payouts FILE.csv", "give the payments with --to or with --payouts, one of the two")
	}
	if o.feeRate != "" && o.confTarget != 0 {
		return cli.Failf("", "--fee-rate and --conf-target exclude each other")
	}
	if o.confTarget < 0 || o.confTarget > 1008 {
		return cli.Failf("", "--conf-target %d is not between 1 and 1008 blocks", o.confTarget)
	}
	var rate int64
	if o.feeRate != "" {
		var err error
		if rate, err = build.ParseFeeRate(o.feeRate); err != nil {
			return cli.Failf("", "--fee-rate: %v", err)
		}
	}
	p := watch.SendParams{Wallet: o.wallet, FeeRate: rate, ConfTarget: o.confTarget, NoRBF: o.noRBF, Initiator: o.initiator}
	for _, u := range o.utxos {
		op, err := parseOutPoint(u)
		if err != nil {
			return cli.Failf("", "%v", err)
		}
		p.UTXOs = append(p.UTXOs, op)
	}
	if o.initiator != "" {
		if err := approval.CheckID(o.initiator); err != nil {
			return cli.Failf("an initiator is a short id such as alice or bob.smith, as in the policy's groups", "--initiator: %v", err)
		}
	}
	if err := checkOut(o.out); err != nil {
		return err
	}
	if err := o.qrOut.Check(); err != nil {
		return err
	}
	if err := g.requireDB(); err != nil {
		return err
	}
	s, err := g.open(cmd, withNode, 0)
	if err != nil {
		return err
	}
	defer s.close()
	for i, t := range o.to {
		po, err := build.ParsePayout(t, s.svc.Network)
		if err != nil {
			return nodeError(fmt.Errorf("--to #%d: %w", i+1, err))
		}
		p.Payouts = append(p.Payouts, po)
	}
	if o.payouts != "" {
		b, err := readInput(cmd, o.payouts, build.MaxPayoutsFile)
		if err != nil {
			return err
		}
		p.Payouts, err = build.ParsePayouts(bytes.NewReader(b), displayName(o.payouts), s.svc.Network)
		if err != nil {
			return nodeError(err)
		}
	}
	if rate == 0 && o.confTarget == 0 && s.svc.Node.Name() == "btcd" {
		return cli.Failf("pass --fee-rate SATVB", "btcd has no estimatesmartfee: --fee-rate is required with --backend btcd")
	}
	res, err := s.svc.Send(cmd.Context(), p)
	if err != nil {
		return nodeError(err)
	}
	if o.out != "" {
		if err := atomicfile.WriteNew(o.out, res.PSBT, 0o644); err != nil {
			return outError(o.out, err, "request "+res.ID+" is saved", "run 'coffer-watch request show "+res.ID+" --out FILE'")
		}
	}
	w := cmd.OutOrStdout()
	sent, err := o.qrOut.Write(cmd, res.PSBT) // nil without --qr-out
	if err != nil {
		if o.out == "" {
			fmt.Fprintln(w, base64.StdEncoding.EncodeToString(res.PSBT))
		}
		return err
	}
	if g.json {
		return cli.WriteJSON(w, struct {
			*watch.SendResult
			Initiator string      `json:"initiator,omitempty"`
			Out       string      `json:"out,omitempty"`
			SHA256    string      `json:"sha256,omitempty"`
			PSBT      string      `json:"psbt,omitempty"`
			QR        *qrcli.Sent `json:"qr,omitempty"`
		}{res, o.initiator, o.out, outSHA256(o.out, res.PSBT), map[bool]string{true: "", false: base64.StdEncoding.EncodeToString(res.PSBT)}[o.out != ""], sent})
	}
	printSend(w, res)
	if o.initiator != "" {
		fmt.Fprintf(w, "initiator %s (in the PSBT: the signer never counts their own approval)\n", o.initiator)
	}
	if o.out != "" {
		fmt.Fprintf(w, "wrote %s: sign it with 'coffer sign %s'\n", o.out, o.out)
	} else {
		fmt.Fprintln(w, base64.StdEncoding.EncodeToString(res.PSBT))
	}
	if sent != nil {
		sent.Print(w) // its sha256 line is the binary PSBT's, as written to --out
	} else if o.out != "" {
		fmt.Fprintf(w, "sha256 %s\n", outSHA256(o.out, res.PSBT))
	}
	return nil
}

// outSHA256 is the SHA-256 in hex of data written to the --out file path,
// printed as "sha256 HEX" for the reading side's --expect-sha256; empty
// when nothing was written.
func outSHA256(path string, data []byte) string {
	if path == "" {
		return ""
	}
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:])
}

func printSend(w interface{ Write([]byte) (int, error) }, res *watch.SendResult) {
	fmt.Fprintf(w, "request %s from %s: transaction %s\n", res.ID, res.Wallet, res.TxID)
	if res.Replaces != "" {
		fmt.Fprintf(w, "replaces %s\n", res.Replaces)
	}
	fmt.Fprintf(w, "%d inputs, %d outputs; sends %s", res.Inputs, res.Outputs, build.FormatAmount(sats(res.Sent)))
	if res.Change > 0 {
		fmt.Fprintf(w, ", change %s to %s", build.FormatAmount(sats(res.Change)), res.ChangePath)
	} else {
		fmt.Fprint(w, ", no change")
	}
	fmt.Fprintf(w, "\nfee %s at %s on %d vbytes; locktime %d; rbf %v\n", build.FormatAmount(sats(res.Fee)), build.FormatFeeRate(res.FeeRate), res.VSize, res.LockTime, res.RBF)
}
