package main

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/coffer-custody/coffer/audit"
	"github.com/coffer-custody/coffer/internal/atomicfile"
	"github.com/coffer-custody/coffer/internal/auditcmd"
	"github.com/coffer-custody/coffer/internal/qrcli"
	"github.com/coffer-custody/coffer/policy/approval"
	"github.com/coffer-custody/coffer/sign"
)

// testOnlyAfterSign runs between signing and journaling; an error from it
// stops the command there, as a crash or a full disk would. It is set only
// by a _test.go file, never by a flag or the environment of a real build.
var testOnlyAfterSign func() error

type signOptions struct {
	out      string
	finalize bool
	yes      bool
	maxSize  int
	unlock   unlockFlags
	policy   policyFlags // the spending policy's flags (policy.go)
	qrIn     qrcli.InFlags
	qrOut    qrcli.OutFlags
}

func newSignCommand(g *globalOptions) *cobra.Command {
	o := &signOptions{}
	cmd := &cobra.Command{
		Use:   "sign {FILE|- | --qr-in [IMAGE...]}",
		Short: "Review a PSBT, and sign it once the officer confirms",
		Long: `Review a PSBT and sign every input that belongs to the vault, after the
officer has read the review and typed yes.

The PSBT is read from FILE, or from standard input with -, as binary, base64
or hex, version 0 or 2. The review (the one 'coffer inspect' prints) is shown
on standard error. A PSBT the review refuses is never signed: the command
exits with status 3, names the reason in one sentence, writes nothing and
records the refusal in the vault's journal.

Inputs are signed for the vault's single-key accounts (wpkh, sh-wpkh, tr) and
for the multisig wallets registered with 'coffer wallet register'; each
signature is checked by executing the input's script before anything is
written. The signing is recorded in the journal (with the whole review, the
amount sent to external outputs, the policy's decision and the approvals it
was given, so that 'coffer audit replay' can decide it again) before the
signed PSBT is released.

The input file is never changed. The signed PSBT goes to --out, by default
NAME.signed.psbt beside FILE (never overwriting a file), in the version and
encoding it came in; a PSBT read from standard input is printed in base64.
With --finalize a fully signed transaction is also finalized: its raw hex is
written to NAME.tx beside FILE, or printed after the PSBT for standard input.

--yes skips the typed confirmation, for scripts and tests: the review is
still printed. --non-interactive asks nothing, so it needs --yes (and
--passphrase-file). When the PSBT comes on standard input, the passphrase
and the confirmation are read from the terminal.

The spending policy (coffer policy) judges the review before the officer is
asked; --approvals DIR adds approvals to those inside the PSBT. A refusal by
the policy exits with status 10, or 11 when only approvals are missing, and
is journaled; 10 refusals in a row lock signing until the admins resume it
(coffer key). Without an installed policy nothing is signed unless
--no-policy, which is said loudly and journaled. A rule with confirm asks
the officer to type the amount leaving the vault.

Across the air gap: --qr-in reads the PSBT from QR codes, in the IMAGE files
(PNG, JPEG, GIF; a folder stands for its images) or, with none, from the text
lines of a scanner on standard input (UR crypto-psbt or psbt, or BBQr), and
--expect-sha256 HEX refuses a PSBT whose SHA-256 is not the one the preparer
printed. A FILE that is a symlink out of its folder is refused. --qr-out shows
the signed PSBT as animated QR codes, or writes them as PNG frames or a GIF.`,
		Example: `  coffer sign request.psbt
  coffer sign request.psbt --out signed.psbt --finalize
  coffer sign - --yes --passphrase-file pass.txt --non-interactive < request.psbt
  coffer sign --qr-in frames/ --qr-out terminal
  zbarcam --raw | coffer sign --qr-in --expect-sha256 HEX --qr-out png:signed`,
		Args: o.qrIn.Args(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runSign(cmd, g, o, args)
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.out, "out", "", "write the signed PSBT to this file (default NAME.signed.psbt beside FILE; never overwritten)")
	f.BoolVar(&o.finalize, "finalize", false, "when every input is signed, also write the raw transaction (NAME.tx, or print it for -)")
	f.BoolVar(&o.yes, "yes", false, "sign without the typed confirmation (scripts and tests; the review is still printed)")
	f.IntVar(&o.maxSize, "max-size", sign.DefaultMaxSize, "largest PSBT read, in bytes")
	o.unlock.register(cmd)
	o.policy.register(cmd)
	o.qrIn.Register(cmd)
	o.qrOut.Register(cmd)
	return cmd
}

// signTargets are the files a signing writes, chosen (and checked not to
// exist) before the vault is opened.
type signTargets struct {
	psbt string // "" when the signed PSBT is printed
	tx   string // "" when the raw transaction is printed (or not asked for)
}

func planSignTargets(src *psbtSource, o *signOptions) (signTargets, error) {
	var t signTargets
	name := ""
	if !src.stdin() {
		name = strings.TrimSuffix(src.path, ".psbt")
	}
	switch {
	case o.out != "":
		t.psbt = o.out
	case name != "":
		t.psbt = name + ".signed.psbt"
	}
	if o.finalize && name != "" {
		t.tx = name + ".tx"
	}
	if t.psbt != "" {
		// The default beside FILE is --out's default: --out chooses another.
		if err := checkNewFile("--out", t.psbt); err != nil {
			return t, err
		}
	}
	if t.tx != "" {
		if err := checkNewFile("", t.tx); err != nil {
			return t, err
		}
		if samePath(t.psbt, t.tx) {
			return t, failf("choose another --out: --finalize writes the raw transaction to "+t.tx,
				"--out %s is the file --finalize writes the raw transaction to", o.out)
		}
	}
	return t, nil
}

// qrOutClash refuses a --qr-out gif:FILE that is also a file the command
// writes: the second write would fail after the act was journaled.
func qrOutClash(t qrcli.Target, files ...string) error {
	if t.Kind != "gif" {
		return nil
	}
	for _, f := range files {
		if samePath(t.Path, f) {
			return failf("give --qr-out gif: another file", "--qr-out gif:%s names %s, which the command also writes", t.Path, f)
		}
	}
	return nil
}

// samePath says whether two paths name the same file, as far as can be told
// before either exists.
func samePath(a, b string) bool {
	if a == "" || b == "" {
		return false
	}
	aa, err1 := filepath.Abs(a)
	bb, err2 := filepath.Abs(b)
	return err1 == nil && err2 == nil && aa == bb
}

func runSign(cmd *cobra.Command, g *globalOptions, o *signOptions, args []string) error {
	if o.unlock.nonInteractive && !o.yes {
		return failf("pass --yes in a script that reviewed the PSBT, or leave out --non-interactive to confirm at the prompt",
			"--non-interactive needs --yes: the officer's confirmation is typed at a prompt")
	}
	src, p, err := readPSBTInput(cmd, &o.qrIn, args, o.maxSize)
	if err != nil {
		return err
	}
	targets, err := planSignTargets(src, o)
	if err != nil {
		return err
	}
	if err := o.qrOut.Check(); err != nil {
		return err
	}
	if err := qrOutClash(o.qrOut.Target(), targets.psbt, targets.tx); err != nil {
		return err
	}
	v, err := unlockVault(cmd, g, &o.unlock)
	if err != nil {
		return err
	}
	defer v.close()
	inSum := sha256.Sum256(src.data)
	rec := signRecord{src: src, inputSHA256: hex.EncodeToString(inSum[:])}

	// 1. The review, on the screen (stdout carries the result).
	r, refusal, err := reviewPSBT(v, p)
	if err != nil {
		return err
	}
	rec.review = r
	screen := cmd.ErrOrStderr()
	printReview(screen, r, p, src)
	if refusal != nil && !refusal.OnlyPolicyMayAllow() { // the policy may lift the others
		return refuseSign(g, v, rec, "review", refusal.Reasons)
	}
	if r.OursToSign == 0 {
		return fail(exitError, fmt.Errorf("%s: no input has a key of this vault (fingerprint %x): there is nothing to sign", src.name(), v.fingerprint),
			"check that the PSBT was made for this vault's accounts or registered wallets")
	}

	// 2. The spending policy (policy/) judges the review here, between the
	// review and the officer: one call that may refuse (exit 10 or 11).
	pol, err := evaluatePolicy(cmd, g, v, p, &rec, refusal, &o.policy)
	if err != nil {
		return err
	}
	rec.policy = pol
	if err := rec.recordForReplay(); err != nil {
		return err
	}

	// 3. The officer confirms.
	if !o.yes {
		ok, err := confirm(cmd, "\nSign this transaction? Type yes to sign, anything else to stop: ")
		if err != nil {
			return err
		}
		if !ok {
			return refuseSign(g, v, rec, "officer", nil)
		}
		rec.by = "officer"
	} else {
		rec.by = "--yes"
	}

	// 4. Sign: every signature is script-checked inside sign.Sign.
	keys, err := sign.NewHDKeys(v.master)
	if err != nil {
		return failf("", "cannot use the vault's keys: %v", err)
	}
	res, err := sign.Sign(p, keys, sign.Options{AllowSighash: pol.sighashes()})
	keys.Zero()
	if err != nil {
		var re *sign.RefusalError
		if errors.As(err, &re) {
			return refuseSign(g, v, rec, "signer", re.Reasons)
		}
		return failf("nothing was signed; report this PSBT to the Coffer maintainers if it should have been signable", "%s: cannot sign: %v", src.name(), err)
	}
	if len(res.Signed) == 0 {
		return fail(exitError, fmt.Errorf("%s: every input of this vault is signed already; nothing new to write", src.name()), "")
	}
	rec.signed = res.Signed
	signed := encodeAs(p, src)
	outSum := sha256.Sum256(signed)
	rec.psbtSHA256 = hex.EncodeToString(outSum[:])
	rec.out = targets.psbt

	var raw []byte
	var notFinal error
	if o.finalize {
		raw, err = sign.Finalize(p)
		switch {
		case errors.Is(err, sign.ErrIncomplete):
			notFinal, raw = err, nil
		case err != nil:
			return failf("nothing was written", "%s: cannot finalize: %v", src.name(), err)
		default:
			rec.finalized = true
			rec.txFile = targets.tx
		}
	}

	// 5. Journal first: a signature that is not journaled is never released.
	if testOnlyAfterSign != nil {
		if err := testOnlyAfterSign(); err != nil {
			return failf("", "%v; nothing was written", err)
		}
	}
	if err := v.journal(audit.KindSign, rec.entry(), rec.policy.journalTime(g.env.now())); err != nil {
		return err
	}

	// 6. Release.
	out, screenOut := cmd.OutOrStdout(), screen
	if targets.psbt != "" {
		if err := atomicfile.WriteNew(targets.psbt, signed, 0o644); err != nil {
			return failf("the signing is journaled; sign again into another --out", "cannot write %s: %v", targets.psbt, err)
		}
	}
	if targets.tx != "" && raw != nil {
		if err := atomicfile.WriteNew(targets.tx, txFileData(raw), 0o644); err != nil {
			return failf("the signing is journaled; finalize again from the signed PSBT", "cannot write %s: %v", targets.tx, err)
		}
	}
	sent, err := o.qrOut.Write(cmd, signed) // nil without --qr-out
	if err != nil {
		if targets.psbt == "" {
			fmt.Fprintln(out, p.Base64()) // the signature is journaled: never lose it
		}
		return err
	}
	if g.json {
		return writeJSON(out, struct {
			*signResult
			QR *qrcli.Sent `json:"qr,omitempty"`
		}{rec.result(p, signed, raw, notFinal), sent})
	}
	if targets.psbt == "" {
		fmt.Fprintln(out, p.Base64())
	} else {
		screenOut = out
	}
	if raw != nil && targets.tx == "" {
		fmt.Fprintln(out, hex.EncodeToString(raw))
	}
	printSignSummary(screenOut, rec, p, signed, raw, notFinal)
	if sent != nil {
		sent.Print(screenOut)
	}
	return nil
}

// txFileData is what the --finalize transaction file holds: the raw
// transaction in hex and a newline.
func txFileData(raw []byte) []byte { return []byte(hex.EncodeToString(raw) + "\n") }

// encodeAs serializes the signed PSBT in the encoding the input came in;
// a PSBT from standard input is written in base64.
func encodeAs(p *sign.Packet, src *psbtSource) []byte {
	switch {
	case src.stdin() || p.Encoding() == sign.EncodingBase64:
		return []byte(p.Base64() + "\n")
	case p.Encoding() == sign.EncodingHex:
		return []byte(hex.EncodeToString(p.Encode()) + "\n")
	}
	return p.Encode()
}

// confirm asks the officer a yes/no question; only "yes" is yes.
func confirm(cmd *cobra.Command, question string) (bool, error) {
	pr := newPrompter(cmd)
	ans, err := pr.p.ReadLine(question)
	if !pr.p.IsTerminal() {
		fmt.Fprintln(pr.out) // the answer was not echoed: end the prompt's line
	}
	if err != nil {
		return false, failf("type yes at the prompt; scripts that reviewed the PSBT pass --yes", "cannot read the officer's confirmation: %v", err)
	}
	return strings.TrimSpace(ans) == "yes", nil
}

// refuseSign journals a refusal (by the review, the signer's own checks or
// the officer) and returns the exit-3 error.
func refuseSign(g *globalOptions, v *unlocked, rec signRecord, by string, reasons []sign.Reason) error {
	entry := struct {
		TxID        string       `json:"txid"`
		Network     string       `json:"network"`
		Input       string       `json:"input"`
		InputSHA256 string       `json:"input_sha256"`
		By          string       `json:"by"`
		Reasons     []reasonView `json:"reasons"`
	}{rec.review.TxID, rec.review.Network, rec.inputName(), rec.inputSHA256, by, newReasonViews(reasons)}
	if by == "officer" {
		entry.Reasons = []reasonView{{Code: "officer-declined", Text: "the officer did not confirm"}}
	}
	if err := v.journal(audit.KindRefusal, entry, g.env.now()); err != nil {
		return err
	}
	if by == "officer" {
		return fail(exitRefused, fmt.Errorf("%s: the officer did not confirm; nothing was signed", rec.src.name()), "")
	}
	return refusedError(rec.src, reasons)
}

// signRecord gathers what the journal and the result say of a signing.
type signRecord struct {
	src         *psbtSource
	inputSHA256 string
	review      *sign.Review
	by          string
	signed      []sign.SignedInput
	out         string
	psbtSHA256  string
	finalized   bool
	txFile      string
	policy      *policyOutcome // what the spending policy decided
	replay      *auditcmd.SignReplay
}

// recordForReplay keeps what 'audit replay' needs to decide the signing
// again: the whole review, and, under a policy, the initiator the PSBT
// names and the very approvals the decision was given.
func (r *signRecord) recordForReplay() error {
	initiator := ""
	var approvals []*approval.Approval
	if r.policy != nil && r.policy.judged != nil {
		initiator, approvals = r.policy.judged.Initiator, r.policy.judged.Approvals
	}
	rp, err := auditcmd.NewSignReplay(r.review, initiator, approvals)
	if err != nil {
		return failf("", "%s: cannot record the review for the journal: %v", r.src.name(), err)
	}
	r.replay = rp
	return nil
}

func (r *signRecord) inputName() string {
	if r.src.stdin() {
		return "-"
	}
	return r.src.path
}

// maxJournalOutputs bounds the outputs listed in one journal entry (a
// line is at most 1 MiB); the txid and hashes identify the rest.
const maxJournalOutputs = 1000

type journalOutput struct {
	Index     int    `json:"index"`
	Address   string `json:"address,omitempty"`
	Script    string `json:"script,omitempty"` // when there is no address
	AmountSat int64  `json:"amount_sat"`
	Label     string `json:"label"`
	Wallet    string `json:"wallet,omitempty"`
}

// signEntry is the journal's record of a signing. spent_sats is what left
// the vault: the external outputs (not change, not self); the policy's
// velocity limit reads it (audit.SpentField).
type signEntry struct {
	TxID            string          `json:"txid"`
	Network         string          `json:"network"`
	PSBTVersion     int             `json:"psbt_version"`
	Input           string          `json:"input"`
	InputSHA256     string          `json:"input_sha256"`
	Inputs          int             `json:"inputs"`
	InputTotalSat   *int64          `json:"input_total_sat"`
	InputsOurs      int             `json:"inputs_ours"`
	InputsSigned    int             `json:"inputs_signed"`
	Outputs         []journalOutput `json:"outputs"`
	OutputsListed   int             `json:"outputs_listed"`
	OutputCount     int             `json:"output_count"`
	FeeSat          *int64          `json:"fee_sat"`
	FeeRate         float64         `json:"fee_rate_sat_vb"`
	VSize           int             `json:"vsize"`
	SpentSats       int64           `json:"spent_sats"`
	ChangeSat       int64           `json:"change_sat"`
	Warnings        int             `json:"warnings"`
	ConfirmedBy     string          `json:"confirmed_by"`
	Out             string          `json:"out"` // "-" when printed
	PSBTSHA256      string          `json:"psbt_sha256"`
	Finalized       bool            `json:"finalized"`
	TxFile          string          `json:"tx_file,omitempty"`
	InputsSignedIDs []int           `json:"inputs_signed_list,omitempty"`
	Policy          *policyOutcome  `json:"policy"` // the rule that allowed it, or no_policy
	// Replay is the whole review, the initiator and the approvals, for
	// 'audit replay'; for a review too large for a journal line only the
	// review's SHA-256 (and why).
	Replay *auditcmd.SignReplay `json:"replay,omitempty"`
}

func (r *signRecord) entry() signEntry {
	rv := r.review
	e := signEntry{TxID: rv.TxID, Network: rv.Network, PSBTVersion: rv.PSBTVer, Input: r.inputName(), InputSHA256: r.inputSHA256,
		Inputs: rv.NumInputs, InputsOurs: rv.OursToSign, InputsSigned: len(r.signed), OutputCount: rv.NumOutputs,
		FeeRate: rv.FeeRate, VSize: rv.VSize, SpentSats: int64(rv.Sent), ChangeSat: int64(rv.Change), Warnings: len(rv.Warnings),
		ConfirmedBy: r.by, Out: r.out, PSBTSHA256: r.psbtSHA256, Finalized: r.finalized, TxFile: r.txFile, Policy: r.policy}
	if e.Out == "" {
		e.Out = "-"
	}
	if rv.FeeKnown {
		in, fee := int64(rv.InputTotal), int64(rv.Fee)
		e.InputTotalSat, e.FeeSat = &in, &fee
	}
	for _, o := range rv.Outputs {
		if len(e.Outputs) == maxJournalOutputs {
			break
		}
		jo := journalOutput{Index: o.Index, Address: o.Address, AmountSat: int64(o.Amount), Label: string(o.Label), Wallet: o.Wallet}
		if jo.Address == "" {
			jo.Script = o.Script
		}
		e.Outputs = append(e.Outputs, jo)
	}
	e.OutputsListed = len(e.Outputs)
	if len(r.signed) <= maxJournalOutputs {
		for _, s := range r.signed {
			e.InputsSignedIDs = append(e.InputsSignedIDs, s.Index)
		}
	}
	if r.replay != nil {
		e.Replay = r.replay
		if b, err := json.Marshal(e); err != nil || len(b) > auditcmd.MaxSignEntryData {
			e.Replay.Omit(fmt.Sprintf("the review and approvals take %d bytes of JSON, more than a journal line holds", len(b)))
		}
	}
	return e
}

// signResult is what sign --json prints.
type signResult struct {
	Review       *reviewView `json:"review"`
	SignedInputs []int       `json:"signed_inputs"`
	Complete     bool        `json:"complete"`
	Out          string      `json:"out,omitempty"`
	PSBT         string      `json:"psbt,omitempty"` // base64, when printed
	PSBTSHA256   string      `json:"psbt_sha256"`
	Finalized    bool        `json:"finalized"`
	TxFile       string      `json:"tx_file,omitempty"`
	TxSHA256     string      `json:"tx_sha256,omitempty"` // of the tx file, for broadcast --expect-sha256
	Tx           string      `json:"tx,omitempty"`        // hex, when printed
	NotFinalized string      `json:"not_finalized_because,omitempty"`
}

func (r *signRecord) result(p *sign.Packet, signed, raw []byte, notFinal error) *signResult {
	res := &signResult{Review: newReviewView(r.review, p), SignedInputs: []int{}, Complete: allComplete(r.signed, r.review),
		Out: r.out, PSBTSHA256: r.psbtSHA256, Finalized: r.finalized, TxFile: r.txFile}
	for _, s := range r.signed {
		res.SignedInputs = append(res.SignedInputs, s.Index)
	}
	if r.out == "" {
		res.PSBT = strings.TrimSpace(string(signed))
	}
	if raw != nil && r.txFile == "" {
		res.Tx = hex.EncodeToString(raw)
	}
	if raw != nil && r.txFile != "" {
		sum := sha256.Sum256(txFileData(raw))
		res.TxSHA256 = hex.EncodeToString(sum[:])
	}
	if notFinal != nil {
		res.NotFinalized = notFinal.Error()
	}
	return res
}

// allComplete reports whether every input now has its signatures, as far
// as this signing can tell: every input signed here is complete and every
// other input was final already.
func allComplete(signed []sign.SignedInput, r *sign.Review) bool {
	done := map[int]bool{}
	for _, s := range signed {
		if !s.Complete {
			return false
		}
		done[s.Index] = true
	}
	for _, in := range r.Inputs {
		if !done[in.Index] && !in.Final {
			return false
		}
	}
	return true
}

func printSignSummary(w io.Writer, rec signRecord, p *sign.Packet, signed, raw []byte, notFinal error) {
	ids := make([]string, len(rec.signed))
	partial := 0
	for i, s := range rec.signed {
		ids[i] = fmt.Sprintf("#%d", s.Index)
		if !s.Complete {
			partial++
		}
	}
	fmt.Fprintf(w, "signed %d input(s): %s\n", len(rec.signed), strings.Join(ids, ", "))
	if partial > 0 {
		fmt.Fprintf(w, "%d input(s) still need signatures of other signers\n", partial)
	}
	if rec.out != "" {
		enc := p.Encoding().String()
		if rec.src.stdin() {
			enc = "base64"
		}
		fmt.Fprintf(w, "wrote %s (PSBT version %d, %s, %d bytes)\n", rec.out, p.Version(), enc, len(signed))
	}
	switch {
	case raw != nil && rec.txFile != "":
		fmt.Fprintf(w, "wrote %s (raw transaction, %d bytes, txid %s)\n", rec.txFile, len(raw), rec.review.TxID)
		sum := sha256.Sum256(txFileData(raw))
		fmt.Fprintf(w, "tx sha256 %x\n", sum)
	case raw != nil:
		fmt.Fprintf(w, "finalized: raw transaction of %d bytes, txid %s\n", len(raw), rec.review.TxID)
	case notFinal != nil:
		fmt.Fprintf(w, "not finalized: %v\n", notFinal)
	}
	fmt.Fprintf(w, "psbt sha256 %s\n", rec.psbtSHA256)
}
