package sign

import (
	"bytes"
	"encoding/hex"
	"fmt"
	"math"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"unicode"

	"github.com/btcsuite/btcd/btcutil"
	"github.com/btcsuite/btcd/btcutil/hdkeychain"
	"github.com/btcsuite/btcd/chaincfg"
	"github.com/btcsuite/btcd/txscript"
	"github.com/btcsuite/btcd/wire"

	"github.com/coffer-custody/coffer/wallet"
)

// Wallets is what the vault knows about its own scripts: its master
// fingerprint, its single-key accounts and its registered multisig
// wallets, each as an output descriptor with key origins (a <0;1>
// multipath for receive and change, as wallet.SingleSigDescriptor and
// wallet.MultisigDescriptor make them).
type Wallets struct {
	Network     wallet.Network
	Fingerprint [4]byte
	Accounts    []Wallet // single-key accounts of the vault
	Multisig    []Wallet // registered multisig wallets
}

// Wallet is a named descriptor.
type Wallet struct {
	Name       string
	Descriptor *wallet.Descriptor
}

// Fee thresholds of the Review (Coldcard's list is the floor).
const (
	feeWarnPercent  = 5   // warn at or above 5% of the amount sent
	feeRefusePct    = 10  // refuse above 10% unless a policy allows it
	feeWarnRate     = 100 // warn above 100 sat/vB
	maxOpReturnData = 80  // warn above 80 bytes of OP_RETURN data
)

// analyzer carries the per-call state of Analyze.
type analyzer struct {
	p      *Packet
	w      Wallets
	v      *verifier // for outputs, on the calling goroutine
	review *Review
	// per input, computed up front (the claim checks in parallel)
	utxos   []utxoInfo
	uReason []*Reason
	addrs   []string // of the spent scripts, "" where none
	checked [][]claimResult
}

// verifier re-derives path claims through the vault's descriptors. It
// caches one wallet.BranchDeriver per descriptor and branch, so it is for
// one goroutine.
type verifier struct {
	fp       [4]byte
	all      []Wallet
	derivers map[deriverKey]*wallet.BranchDeriver
}

func newVerifier(w Wallets) *verifier {
	v := &verifier{fp: w.Fingerprint, derivers: map[deriverKey]*wallet.BranchDeriver{}}
	v.all = append(append(v.all, w.Accounts...), w.Multisig...)
	return v
}

// claimResult is the outcome of one claim check: the wallet's name, or
// why the claim does not hold.
type claimResult struct {
	name, why string
}

type deriverKey struct {
	d      *wallet.Descriptor
	branch uint32
}

// Analyze describes what p does and decides whether it may be signed. It
// returns the Review in every case — also with a refusal, so the refused
// transaction can be shown and journaled — and a *RefusalError (errors.Is
// ErrRefused) listing every reason when it must not be signed.
//
// Amounts come from PSBT_IN_NON_WITNESS_UTXO checked against the spent
// txid (and PSBT_IN_WITNESS_UTXO must agree); a taproot input may rely on
// its witness UTXO alone, which BIP341 signatures commit to. Every BIP32
// derivation that carries the vault's fingerprint is a claim: the path is
// re-derived through the account or registered wallet it belongs to and
// the resulting script must be the one spent (inputs) or paid (outputs).
// A multisig input or change that no registered wallet derives is refused.
func Analyze(p *Packet, w Wallets) (*Review, error) {
	a := &analyzer{p: p, w: w, v: newVerifier(w)}
	tx := p.p.UnsignedTx
	r := &Review{
		Network:    w.Network.String(),
		PSBTVer:    p.Version(),
		TxID:       tx.TxHash().String(),
		TxVersion:  tx.Version,
		NumInputs:  len(tx.TxIn),
		NumOutputs: len(tx.TxOut),
		LockTime:   tx.LockTime,
	}
	a.review = r
	if len(tx.TxIn) == 0 {
		a.refuse(txReason(CodeNoInputs, "the transaction has no inputs"))
	}
	if len(tx.TxOut) == 0 {
		a.refuse(txReason(CodeNoOutputs, "the transaction has no outputs"))
	}
	seen := make(map[wire.OutPoint]int, len(tx.TxIn))
	for i, in := range tx.TxIn {
		if j, dup := seen[in.PreviousOutPoint]; dup {
			a.refuse(inputReason(CodeDuplicateInput, i, "spends %s, which input #%d already spends", in.PreviousOutPoint, j))
		}
		seen[in.PreviousOutPoint] = i
	}
	a.checkNetwork()
	a.checkInputClaims()

	plans := make([]*inputPlan, len(tx.TxIn))
	var inTotal int64
	feeKnown := true
	anyTaprootOurs := false
	for i := range tx.TxIn {
		ir, pl := a.input(i)
		plans[i] = pl
		r.Inputs = append(r.Inputs, ir)
		if ir.Ours {
			r.OursToSign++
			if pl.spend == SpendP2TRKey {
				anyTaprootOurs = true
			}
		}
		if !ir.AmountKnown {
			feeKnown = false
			continue
		}
		if ir.Amount < 0 || ir.Amount > btcutil.MaxSatoshi {
			a.refuse(inputReason(CodeAmountRange, i, "spends %d sat, outside 0 to 21 million BTC", int64(ir.Amount)))
			feeKnown = false
			continue
		}
		inTotal += int64(ir.Amount)
		if inTotal > btcutil.MaxSatoshi {
			a.refuse(txReason(CodeSumRange, "the inputs add up to more than 21 million BTC"))
			feeKnown = false
			inTotal = btcutil.MaxSatoshi + 1
		}
	}
	if anyTaprootOurs {
		for i, ir := range r.Inputs {
			if !ir.AmountKnown {
				a.refuse(inputReason(CodeTaprootMissingUTXO, i,
					"gives no UTXO, but a taproot signature commits to the amounts and scripts of every input"))
			}
		}
	}

	var outTotal, sent, change int64
	outOK := true
	opReturns := 0
	for o := range tx.TxOut {
		or := a.output(o)
		r.Outputs = append(r.Outputs, or)
		v := int64(or.Amount)
		if v < 0 || v > btcutil.MaxSatoshi {
			a.refuse(outputReason(CodeAmountRange, o, "pays %d sat, outside 0 to 21 million BTC", v))
			outOK = false
			continue
		}
		if outTotal += v; outTotal > btcutil.MaxSatoshi {
			if outOK {
				a.refuse(txReason(CodeSumRange, "the outputs add up to more than 21 million BTC"))
			}
			outOK = false
			outTotal = btcutil.MaxSatoshi + 1
		}
		if or.Label == LabelExternal {
			sent += v
		} else {
			change += v
		}
		if or.Type == "op_return" {
			opReturns++
		}
	}
	if opReturns > 1 {
		a.warn("the transaction has %d OP_RETURN outputs; standard relay allows one", opReturns)
	}
	r.OutputTotal = btcutil.Amount(outTotal)
	r.Sent, r.Change = btcutil.Amount(sent), btcutil.Amount(change)

	if feeKnown {
		r.InputTotal = btcutil.Amount(inTotal)
	}
	if feeKnown && outOK {
		if outTotal > inTotal {
			a.refuse(txReason(CodeOutputsExceedInputs, "the outputs (%d sat) are worth more than the inputs (%d sat)", outTotal, inTotal))
		} else {
			r.Fee = btcutil.Amount(inTotal - outTotal)
			r.FeeKnown = true
		}
	}
	r.VSize = a.estimateVSize(plans)
	if r.FeeKnown {
		r.FeeRate = math.Round(float64(r.Fee)/float64(r.VSize)*10) / 10
		a.judgeFee()
	}

	r.LockTimeText = lockTimeText(tx.LockTime)
	allFinal := true
	for _, in := range tx.TxIn {
		if in.Sequence != wire.MaxTxInSequenceNum {
			allFinal = false
		}
		if in.Sequence < wire.MaxTxInSequenceNum-1 {
			r.RBF = true
		}
	}
	if r.RBF {
		r.RBFText = "replaceable: signals BIP125 replace-by-fee"
	} else {
		r.RBFText = "final: does not signal replace-by-fee"
	}
	if tx.LockTime != 0 && allFinal && len(tx.TxIn) > 0 {
		a.warn("the locktime (%s) has no effect: every input's sequence is final (0xffffffff)", lockTimeText(tx.LockTime))
	}
	if r.OursToSign == 0 && len(tx.TxIn) > 0 {
		a.warn("no input has a key of this vault: there is nothing to sign")
	}
	if len(r.Refusals) > 0 {
		return r, &RefusalError{Reasons: r.Refusals}
	}
	return r, nil
}

func (a *analyzer) refuse(r Reason) { a.review.Refusals = append(a.review.Refusals, r) }

func (a *analyzer) warn(format string, args ...any) {
	a.review.Warnings = append(a.review.Warnings, fmt.Sprintf(format, args...))
}

// params is the chaincfg of the vault's network, for addresses.
func (a *analyzer) params() *chaincfg.Params {
	if a.w.Network.Valid() {
		return a.w.Network.Params()
	}
	return &chaincfg.MainNetParams
}

func (a *analyzer) address(spk []byte) string {
	_, addrs, _, err := txscript.ExtractPkScriptAddrs(spk, a.params())
	if err != nil || len(addrs) != 1 {
		return ""
	}
	switch txscript.GetScriptClass(spk) {
	case txscript.PubKeyHashTy, txscript.ScriptHashTy, txscript.WitnessV0PubKeyHashTy,
		txscript.WitnessV0ScriptHashTy, txscript.WitnessV1TaprootTy:
		return addrs[0].EncodeAddress()
	}
	return ""
}

// input reviews input i and checks its refusals.
func (a *analyzer) input(i int) (InputReview, *inputPlan) {
	p := a.p
	txin := p.p.UnsignedTx.TxIn[i]
	in := &p.p.Inputs[i]
	ir := InputReview{Index: i, Outpoint: txin.PreviousOutPoint.String(), Sequence: txin.Sequence,
		RelativeLock: relativeLockText(p.p.UnsignedTx.Version, txin.Sequence)}
	ir.Final = in.FinalScriptSig != nil || in.FinalScriptWitness != nil
	ir.Signatures = len(in.PartialSigs) + len(in.TaprootScriptSpendSig)
	if in.TaprootKeySpendSig != nil {
		ir.Signatures++
	}
	if v, ok := p.inputs[i].find(inSighashType); ok {
		ir.SighashType = sighashName(uint32(v[0]) | uint32(v[1])<<8 | uint32(v[2])<<16 | uint32(v[3])<<24)
	}
	u, reason := a.utxos[i], a.uReason[i]
	if reason != nil {
		a.refuse(*reason)
		ir.Spend = SpendUnknown.String()
		return ir, &inputPlan{index: i}
	}
	pl, reason := p.planInput(i, u)
	if reason != nil {
		a.refuse(*reason)
	}
	ir.Spend = pl.spend.String()
	if u.out != nil {
		ir.Amount, ir.AmountKnown = btcutil.Amount(u.out.Value), true
		ir.Script = hex.EncodeToString(u.out.PkScript)
		ir.Address = a.addrs[i]
		ir.UTXOProven = u.nonWitness
	} else {
		a.refuse(inputReason(CodeMissingUTXO, i, "gives neither non_witness_utxo nor witness_utxo, so what it spends is unknown"))
	}
	taprootSpend := u.out != nil && isP2TR(u.out.PkScript)
	if u.out != nil && !taprootSpend && !u.nonWitness {
		a.refuse(inputReason(CodeMissingNonWitnessUTXO, i,
			"has no non_witness_utxo, so its amount of %d sat cannot be proven (a segwit v0 signature commits only to its own amount)", u.out.Value))
	}

	fp := a.w.Fingerprint
	claims := claimsOf(in, fp)
	if len(claims) > 0 && u.out != nil && reason == nil {
		ir.Ours = true
		for k, c := range claims {
			ir.Keys = append(ir.Keys, KeyUse{Fingerprint: hex.EncodeToString(fp[:]), Path: hexPath(c.path)})
			name, why := a.checked[i][k].name, a.checked[i][k].why
			if why != "" {
				code := CodeInputPathMismatch
				if pl.ms != nil || len(fingerprintsOf(in)) > 1 {
					code = CodeUnregisteredMultisigInput
				}
				a.refuse(inputReason(code, i, "%s", why))
				ir.Ours = false
				continue
			}
			ir.Wallet = name
		}
		if ir.Ours {
			if _, r := p.sighashType(i, pl.spend, nil); r != nil {
				a.refuse(*r)
			}
		}
	}
	ir.PartialSigned = ir.Signatures > 0 && !ir.Final
	switch {
	case ir.Final:
		a.warn("input #%d is already finalized", i)
	case ir.Signatures > 0:
		a.warn("input #%d already carries %d signature(s)", i, ir.Signatures)
	}
	if !ir.Ours && !ir.Final {
		switch {
		case len(claims) == 0:
			ir.UnsignedWhy = "no key of this vault"
		case pl.spend == SpendUnknown:
			ir.UnsignedWhy = "a script Coffer cannot sign"
		default:
			ir.UnsignedWhy = "its key claims do not re-derive"
		}
		a.warn("input #%d will not be signed by this vault: %s", i, ir.UnsignedWhy)
	} else if ir.Ours && pl.spend == SpendUnknown {
		ir.Ours = false
		ir.UnsignedWhy = "a script Coffer cannot sign"
		a.warn("input #%d has a key of this vault but spends a script Coffer cannot sign", i)
	}
	return ir, pl
}

// claim is a BIP32 derivation carrying the vault's fingerprint.
type claim struct {
	pub  []byte // 33/65 bytes, or 32 (x-only) for taproot
	path []uint32
}

func claimsOf(in *psbtInput, fp [4]byte) []claim {
	var out []claim
	for _, d := range in.Bip32Derivation {
		if fingerprintOf(d.MasterKeyFingerprint) == fp {
			out = append(out, claim{pub: d.PubKey, path: d.Bip32Path})
		}
	}
	for _, d := range in.TaprootBip32Derivation {
		if fingerprintOf(d.MasterKeyFingerprint) == fp {
			out = append(out, claim{pub: d.XOnlyPubKey, path: d.Bip32Path})
		}
	}
	return out
}

func fingerprintsOf(in *psbtInput) map[uint32]bool {
	m := map[uint32]bool{}
	for _, d := range in.Bip32Derivation {
		m[d.MasterKeyFingerprint] = true
	}
	return m
}

// checkInputClaims finds what every input spends and checks the vault's
// path claims of every input, on all cores: re-deriving a public key is
// the costly part of Analyze.
func (a *analyzer) checkInputClaims() {
	p := a.p
	n := len(p.inputs)
	a.utxos = make([]utxoInfo, n)
	a.uReason = make([]*Reason, n)
	a.checked = make([][]claimResult, n)
	a.addrs = make([]string, n)
	// The UTXO proofs (a transaction hash each) and addresses, on all cores.
	parallelFor(n, func(i int) {
		a.utxos[i], a.uReason[i] = p.spentOutput(i)
		if a.uReason[i] == nil && a.utxos[i].out != nil {
			a.addrs[i] = a.address(a.utxos[i].out.PkScript)
		}
	})
	var todo []int
	for i := 0; i < n; i++ {
		if a.uReason[i] == nil && a.utxos[i].out != nil && len(claimsOf(&p.p.Inputs[i], a.w.Fingerprint)) > 0 {
			todo = append(todo, i)
		}
	}
	check := func(v *verifier, i int) {
		claims := claimsOf(&p.p.Inputs[i], a.w.Fingerprint)
		out := make([]claimResult, len(claims))
		for k, c := range claims {
			out[k].name, out[k].why = v.verifyClaim(c, a.utxos[i].out.PkScript)
		}
		a.checked[i] = out
	}
	workers := min(runtime.NumCPU(), len(todo)/16+1)
	if workers <= 1 {
		for _, i := range todo {
			check(a.v, i)
		}
		return
	}
	var next atomic.Int64
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			v := newVerifier(a.w)
			for {
				k := int(next.Add(1) - 1)
				if k >= len(todo) {
					return
				}
				check(v, todo[k])
			}
		}()
	}
	wg.Wait()
}

// verifyClaim re-derives a path claim through the vault's descriptors. It
// returns the wallet's name, or why the claim does not hold.
func (v *verifier) verifyClaim(c claim, spk []byte) (string, string) {
	fp := v.fp
	covered := false
	for _, wd := range v.all {
		branch, index, ok := wd.Descriptor.MatchKeyPath(fp, wallet.Path(c.path))
		if !ok {
			continue
		}
		covered = true
		os, err := v.derive(wd.Descriptor, branch, index)
		if err != nil {
			continue
		}
		if !bytes.Equal(os.ScriptPubKey, spk) {
			continue
		}
		for _, k := range os.Keys {
			if k.Origin.Fingerprint == fp && k.Origin.Path.Equal(wallet.Path(c.path)) && bytes.Equal(k.Serialized, c.pub) {
				return wd.Name, ""
			}
		}
	}
	if !covered {
		return "", fmt.Sprintf("claims the vault key at %s, which no account or registered wallet of this vault covers", hexPath(c.path))
	}
	return "", fmt.Sprintf("claims the vault key at %s, but that path does not derive the script %x", hexPath(c.path), spk)
}

// derive returns the scripts at branch/index of d, with a deriver cached
// per branch.
func (v *verifier) derive(d *wallet.Descriptor, branch, index uint32) (*wallet.OutputScripts, error) {
	k := deriverKey{d, branch}
	bd, ok := v.derivers[k]
	if !ok {
		var err error
		if bd, err = d.Branch(branch); err != nil {
			return nil, err
		}
		v.derivers[k] = bd
	}
	return bd.Derive(index)
}

// output reviews output o: label, warnings, change refusals.
func (a *analyzer) output(o int) OutputReview {
	p := a.p
	out := p.p.UnsignedTx.TxOut[o]
	po := &p.p.Outputs[o]
	or := OutputReview{Index: o, Script: hex.EncodeToString(out.PkScript), Amount: btcutil.Amount(out.Value),
		Address: a.address(out.PkScript), Type: outputType(out.PkScript), Label: LabelExternal}
	fp := a.w.Fingerprint
	var claims []claim
	fps := map[uint32]bool{}
	for _, d := range po.Bip32Derivation {
		fps[d.MasterKeyFingerprint] = true
		if fingerprintOf(d.MasterKeyFingerprint) == fp {
			claims = append(claims, claim{pub: d.PubKey, path: d.Bip32Path})
		}
	}
	for _, d := range po.TaprootBip32Derivation {
		if fingerprintOf(d.MasterKeyFingerprint) == fp {
			claims = append(claims, claim{pub: d.XOnlyPubKey, path: d.Bip32Path})
		}
	}
	multisig := len(fps) > 1
	if ws := po.WitnessScript; ws != nil {
		if _, ok := parseMultisig(ws, true); ok {
			multisig = true
		}
	}
	if len(claims) > 0 {
		ok := true
		for _, c := range claims {
			or.Keys = append(or.Keys, KeyUse{Fingerprint: hex.EncodeToString(fp[:]), Path: hexPath(c.path)})
			name, why := a.v.verifyClaim(c, out.PkScript)
			if why != "" {
				code := CodeChangePathMismatch
				if multisig {
					code = CodeUnregisteredMultisigChange
				}
				a.refuse(outputReason(code, o, "%s", why))
				ok = false
				continue
			}
			or.Wallet = name
		}
		if ok {
			or.Label = LabelSelf
			if last := claims[0].path; len(last) >= 2 && last[len(last)-2] == 1 {
				or.Label = LabelChange
			}
		}
	}
	switch or.Type {
	case "op_return":
		data := opReturnData(out.PkScript)
		or.DataHex = hex.EncodeToString(data)
		if isText(data) {
			or.DataText = string(data)
		}
		if len(data) > maxOpReturnData {
			a.warn("output #%d carries %d bytes of OP_RETURN data, more than the %d standard relay allows: %s", o, len(data), maxOpReturnData, describeData(data))
		} else {
			a.warn("output #%d is OP_RETURN data: %s", o, describeData(data))
		}
		if out.Value > 0 {
			a.warn("output #%d burns %d sat in an OP_RETURN output", o, out.Value)
		}
	case "unknown":
		a.warn("output #%d pays to a script of unknown type: %x", o, out.PkScript)
	}
	if or.Type != "op_return" {
		switch dust := dustLimit(or.Type); {
		case out.Value == 0:
			a.warn("output #%d has a value of zero", o)
		case out.Value > 0 && out.Value < dust:
			a.warn("output #%d is dust: %d sat is below the %d sat a %s output needs to relay", o, out.Value, dust, or.Type)
		}
	}
	return or
}

func outputType(spk []byte) string {
	switch {
	case isP2PKH(spk):
		return "p2pkh"
	case isP2SH(spk):
		return "p2sh"
	case isP2WPKH(spk):
		return "p2wpkh"
	case isP2WSH(spk):
		return "p2wsh"
	case isP2TR(spk):
		return "p2tr"
	case len(spk) > 0 && spk[0] == txscript.OP_RETURN:
		return "op_return"
	}
	return "unknown"
}

// dustLimit is Bitcoin Core's dust threshold at the default 3 sat/vB
// dust relay fee.
func dustLimit(typ string) int64 {
	switch typ {
	case "p2pkh":
		return 546
	case "p2sh":
		return 540
	case "p2wpkh":
		return 294
	case "p2wsh", "p2tr":
		return 330
	}
	return 546
}

// opReturnData returns the pushed bytes after OP_RETURN.
func opReturnData(spk []byte) []byte {
	var data []byte
	tok := txscript.MakeScriptTokenizer(0, spk[1:])
	for tok.Next() {
		data = append(data, tok.Data()...)
	}
	if tok.Err() != nil {
		return spk[1:]
	}
	return data
}

func isText(b []byte) bool {
	if len(b) == 0 {
		return false
	}
	for _, r := range string(b) {
		if r == unicode.ReplacementChar || (!unicode.IsPrint(r) && r != ' ') {
			return false
		}
	}
	return true
}

func describeData(b []byte) string {
	if isText(b) {
		return fmt.Sprintf("%x (text %q)", b, string(b))
	}
	return fmt.Sprintf("%x (not text)", b)
}

// judgeFee warns about and refuses high fees.
func (a *analyzer) judgeFee() {
	r := a.review
	base := r.Sent
	what := "the amount sent"
	if base == 0 {
		base, what = r.OutputTotal, "the amount moved"
	}
	if base > 0 {
		pct := float64(r.Fee) * 100 / float64(base)
		switch {
		case pct > feeRefusePct:
			a.refuse(txReason(CodeFeeTooHigh, "the fee of %d sat is %.1f%% of %s (%d sat), above the %d%% limit", int64(r.Fee), pct, what, int64(base), feeRefusePct))
		case pct >= feeWarnPercent:
			a.warn("the fee of %d sat is %.1f%% of %s (%d sat)", int64(r.Fee), pct, what, int64(base))
		}
	} else if r.Fee > 0 {
		a.refuse(txReason(CodeFeeTooHigh, "the whole %d sat spent goes to the fee", int64(r.Fee)))
	}
	if r.FeeRate > feeWarnRate {
		a.warn("the fee rate of %.1f sat/vB is above %d sat/vB", r.FeeRate, feeWarnRate)
	}
}

// checkNetwork refuses a PSBT whose global xpubs or vault key paths name
// another network than the vault's.
func (a *analyzer) checkNetwork() {
	n := a.w.Network
	if !n.Valid() {
		return
	}
	want := "mainnet"
	if n.IsTest() {
		want = "the test networks"
	}
	for _, x := range a.p.p.XPubs {
		main, known := xpubNetwork(x.ExtendedKey)
		if known && main == n.IsTest() {
			a.refuse(txReason(CodeWrongNetwork, "a global xpub (fingerprint %x) is for %s, but the vault is on %s",
				fingerprintOf(x.MasterKeyFingerprint), map[bool]string{true: "mainnet", false: "the test networks"}[main], n))
			return
		}
	}
	fp := a.w.Fingerprint
	check := func(path []uint32, where string) bool {
		if len(path) < 2 {
			return true
		}
		switch path[0] {
		case 44 + hdkeychain.HardenedKeyStart, 45 + hdkeychain.HardenedKeyStart, 48 + hdkeychain.HardenedKeyStart,
			49 + hdkeychain.HardenedKeyStart, 84 + hdkeychain.HardenedKeyStart, 86 + hdkeychain.HardenedKeyStart:
		default:
			return true
		}
		coin := n.CoinType() + hdkeychain.HardenedKeyStart
		if path[1] != coin {
			a.refuse(txReason(CodeWrongNetwork, "%s claims the vault key at %s, whose coin type is not %s's (%dh); it belongs to %s",
				where, hexPath(path), n, n.CoinType(), otherNet(want)))
			return false
		}
		return true
	}
	for i := range a.p.p.Inputs {
		for _, c := range claimsOf(&a.p.p.Inputs[i], fp) {
			if !check(c.path, fmt.Sprintf("input #%d", i)) {
				return
			}
		}
	}
	for o := range a.p.p.Outputs {
		po := &a.p.p.Outputs[o]
		for _, d := range po.Bip32Derivation {
			if fingerprintOf(d.MasterKeyFingerprint) == fp && !check(d.Bip32Path, fmt.Sprintf("output #%d", o)) {
				return
			}
		}
		for _, d := range po.TaprootBip32Derivation {
			if fingerprintOf(d.MasterKeyFingerprint) == fp && !check(d.Bip32Path, fmt.Sprintf("output #%d", o)) {
				return
			}
		}
	}
}

func otherNet(want string) string {
	if strings.Contains(want, "test") {
		return "mainnet"
	}
	return "a test network"
}

// xpubNetwork reads the version bytes of a serialized extended public key
// (BIP32 or SLIP-132): main is true for mainnet; known is false for a
// version it does not know.
func xpubNetwork(k []byte) (main, known bool) {
	if len(k) < 4 {
		return false, false
	}
	switch uint32(k[0])<<24 | uint32(k[1])<<16 | uint32(k[2])<<8 | uint32(k[3]) {
	case 0x0488b21e, 0x049d7cb2, 0x04b24746, 0x0295b43f, 0x02aa7ed3:
		return true, true
	case 0x043587cf, 0x044a5262, 0x045f1cf6, 0x024289ef, 0x02575483:
		return false, true
	}
	return false, false
}

// estimateVSize is the virtual size of the transaction once every input
// is finalized: ECDSA signatures counted at 71 bytes with their sighash
// byte for vault keys (low R) and 72 for other signers, Schnorr at 64 (65
// with an explicit sighash).
func (a *analyzer) estimateVSize(plans []*inputPlan) int {
	tx := a.p.p.UnsignedTx
	base := tx.SerializeSizeStripped()
	witness := 0
	segwit := false
	fp := a.w.Fingerprint
	for i, pl := range plans {
		in := &a.p.p.Inputs[i]
		var ssLen int
		var wit wire.TxWitness
		switch {
		case in.FinalScriptSig != nil || in.FinalScriptWitness != nil:
			ssLen = len(in.FinalScriptSig)
			if in.FinalScriptWitness != nil {
				wit, _ = parseWitness(in.FinalScriptWitness)
			}
		default:
			ours := 0
			for _, d := range in.Bip32Derivation {
				if fingerprintOf(d.MasterKeyFingerprint) == fp && pl.needsKey(d.PubKey) {
					ours++
				}
			}
			sig := func(k int) []byte {
				if k < ours {
					return make([]byte, 71)
				}
				return make([]byte, 72)
			}
			pub := make([]byte, 33)
			switch pl.spend {
			case SpendP2PKH:
				ssLen = len(pushData(sig(0), pub))
			case SpendP2WPKH:
				wit = wire.TxWitness{sig(0), pub}
			case SpendP2SHP2WPKH:
				ssLen = len(pushData(pl.redeem))
				wit = wire.TxWitness{sig(0), pub}
			case SpendP2WSHMulti, SpendP2SHP2WSHMulti:
				wit = wire.TxWitness{nil}
				for k := 0; k < pl.ms.m; k++ {
					wit = append(wit, sig(k))
				}
				wit = append(wit, pl.witness)
				if pl.spend == SpendP2SHP2WSHMulti {
					ssLen = len(pushData(pl.redeem))
				}
			case SpendP2SHMulti:
				items := [][]byte{nil}
				for k := 0; k < pl.ms.m; k++ {
					items = append(items, sig(k))
				}
				ssLen = len(pushData(append(items, pl.redeem)...))
			case SpendP2TRKey:
				n := 64
				if v, ok := a.p.inputs[i].find(inSighashType); ok && v[0] != 0 {
					n = 65
				}
				wit = wire.TxWitness{make([]byte, n)}
			}
		}
		base += ssLen + wire.VarIntSerializeSize(uint64(ssLen)) - 1
		if wit != nil {
			segwit = true
		}
		witness += wit.SerializeSize() // an empty witness still takes its count byte
		if pl.spend == SpendUnknown && in.FinalScriptSig == nil && in.FinalScriptWitness == nil {
			a.warn("the size estimate leaves out the signatures of input #%d, whose script Coffer does not know", i)
		}
	}
	weight := base * 4
	if segwit {
		weight += 2 + witness
	}
	return (weight + 3) / 4
}
