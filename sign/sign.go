package sign

import (
	"bytes"
	"errors"
	"fmt"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"

	"github.com/btcsuite/btcd/btcec/v2"
	"github.com/btcsuite/btcd/btcec/v2/schnorr"
	"github.com/btcsuite/btcd/btcutil/psbt"
	"github.com/btcsuite/btcd/txscript"
	"github.com/btcsuite/btcd/wire"
)

// Options adjust Sign. The zero value signs every input of the vault with
// SIGHASH_ALL (SIGHASH_DEFAULT for taproot) on every core.
type Options struct {
	// Inputs restricts signing to these input numbers; nil means every
	// input that has a key of the vault.
	Inputs []int
	// Workers is how many goroutines sign; 0 means runtime.NumCPU().
	Workers int
	// AllowSighash lists sighash types a policy has allowed beyond
	// DEFAULT and ALL (NONE, SINGLE, ANYONECANPAY variants).
	AllowSighash []txscript.SigHashType

	// trustWitnessUTXO lets segwit v0 inputs be signed on
	// PSBT_IN_WITNESS_UTXO alone. Package tests only: BIP174's signer
	// vector has such an input; Coffer's policy refuses it.
	trustWitnessUTXO bool
}

// Result says what Sign did.
type Result struct {
	Signed []SignedInput // inputs that got at least one new signature, by number
}

// SignedInput is one input Sign signed.
type SignedInput struct {
	Index    int
	Spend    SpendType
	Keys     []SignedKey // the vault keys that signed it
	Complete bool        // the input now has every signature its script needs
}

// SignedKey names a key that signed: its public key as in the PSBT and
// its path from the master.
type SignedKey struct {
	PubKey []byte
	Path   []uint32
}

// job is one input to sign.
type job struct {
	pl      *inputPlan
	signers []signer
	ht      txscript.SigHashType
	// existing partial signatures of other keys (multisig), by public key
	others map[string][]byte
}

// done is a signed, verified input waiting to be written into the PSBT.
type done struct {
	sigs     []keySig // ECDSA signatures made
	tapSig   []byte   // taproot key-path signature made
	by       []signer // the keys that signed
	complete bool
}

// Sign signs every input of p that has a key of the vault (a BIP32
// derivation carrying keys.MasterFingerprint() that the spent script
// uses): P2WPKH, P2SH-P2WPKH, P2TR key path, P2WSH and P2SH-P2WSH
// multisig (and legacy P2PKH and P2SH multisig). ECDSA signatures are
// ground to low R as Bitcoin Core does; Schnorr signatures use fresh
// BIP340 auxiliary randomness.
//
// The BIP143/BIP341 midstates are computed once and inputs are signed in
// parallel. Before anything is written into p, every input signed is
// checked: a single-key or taproot input, and a multisig input that now
// has its m signatures, by executing its script with btcd's engine; a
// multisig input still short of signatures by verifying each new
// signature against its sighash and public key. Any failure leaves p
// untouched and returns an error.
//
// Sign repeats the safety checks of Analyze that concern the inputs it
// signs (UTXO proofs, scripts matching their hashes, sighash types), so a
// caller that skipped Analyze still cannot be made to sign a fee lie; it
// does not judge outputs — that is Analyze's job.
//
// Errors: *RefusalError (ErrRefused); ErrNotOurInput when no input has a
// vault key; an *InputError wrapping ErrVerify when a signature fails its
// check; errors from the KeySource.
func Sign(p *Packet, keys KeySource, opts Options) (*Result, error) {
	fp := keys.MasterFingerprint()
	n := len(p.inputs)
	want := func(i int) bool { return opts.Inputs == nil || slices.Contains(opts.Inputs, i) }
	for _, i := range opts.Inputs {
		if i < 0 || i >= n {
			return nil, fmt.Errorf("input #%d does not exist (the PSBT has %d inputs)", i, n)
		}
	}

	var reasons []Reason
	utxos := make([]utxoInfo, n)
	prevOuts := make([]*wire.TxOut, n)
	for i := 0; i < n; i++ {
		u, r := p.spentOutput(i)
		if r != nil {
			reasons = append(reasons, *r)
			continue
		}
		utxos[i], prevOuts[i] = u, u.out
	}
	if len(reasons) > 0 {
		return nil, &RefusalError{Reasons: reasons}
	}

	var jobs []*job
	taproot := false
	for i := 0; i < n; i++ {
		in := &p.p.Inputs[i]
		if !want(i) || !claimsFingerprint(in.Bip32Derivation, in.TaprootBip32Derivation, fp) {
			continue
		}
		if in.FinalScriptSig != nil || in.FinalScriptWitness != nil {
			continue // already final: nothing to add
		}
		u := utxos[i]
		if u.out == nil {
			reasons = append(reasons, inputReason(CodeMissingUTXO, i, "has a key of this vault but the PSBT gives neither non_witness_utxo nor witness_utxo"))
			continue
		}
		pl, r := p.planInput(i, u)
		if r != nil {
			reasons = append(reasons, *r)
			continue
		}
		if pl.spend == SpendUnknown {
			continue // a script Coffer does not sign; Analyze warns about it
		}
		if pl.spend != SpendP2TRKey && !u.nonWitness && !(opts.trustWitnessUTXO && pl.spend.isSegwitV0()) {
			reasons = append(reasons, inputReason(CodeMissingNonWitnessUTXO, i,
				"spends a %s output without non_witness_utxo, so its amount cannot be proven", pl.spend))
			continue
		}
		ht, r := p.sighashType(i, pl.spend, opts.AllowSighash)
		if r != nil {
			reasons = append(reasons, *r)
			continue
		}
		sgs := pl.ourSigners(in, fp)
		if len(sgs) == 0 {
			reasons = append(reasons, inputReason(CodeInputPathMismatch, i,
				"has a derivation with this vault's fingerprint %x for a key the spent %s script does not use", fp, pl.spend))
			continue
		}
		j := &job{pl: pl, ht: ht}
		for _, s := range sgs {
			if pl.spend == SpendP2TRKey {
				if in.TaprootKeySpendSig == nil {
					j.signers = append(j.signers, s)
				}
				continue
			}
			if !hasPartialSig(in, s.pubKey) {
				j.signers = append(j.signers, s)
			}
		}
		if len(j.signers) == 0 {
			continue // signed before
		}
		if pl.ms != nil {
			j.others = make(map[string][]byte)
			for _, ps := range in.PartialSigs {
				j.others[string(ps.PubKey)] = ps.Signature
			}
		}
		if pl.spend == SpendP2TRKey {
			taproot = true
		}
		jobs = append(jobs, j)
	}
	if taproot {
		for i := 0; i < n; i++ {
			if prevOuts[i] == nil {
				reasons = append(reasons, inputReason(CodeTaprootMissingUTXO, i,
					"gives no UTXO, but a taproot signature commits to the amounts and scripts of every input"))
			}
		}
	}
	if len(reasons) > 0 {
		return nil, &RefusalError{Reasons: reasons}
	}
	if len(jobs) == 0 {
		if p.hasVaultKey(fp) {
			return &Result{}, nil // every input of the vault is signed already
		}
		return nil, ErrNotOurInput
	}

	ctx := newTxContext(p.p.UnsignedTx, prevOuts)
	results, err := runJobs(ctx, jobs, keys, opts.Workers)
	if err != nil {
		return nil, err
	}

	// Everything verified: write the signatures into the PSBT.
	res := &Result{}
	single := false
	for k, j := range jobs {
		d := results[k]
		if len(d.by) == 0 {
			continue // the key source had none of this input's keys
		}
		i := j.pl.index
		si := SignedInput{Index: i, Spend: j.pl.spend, Complete: d.complete}
		for _, s := range d.by {
			si.Keys = append(si.Keys, SignedKey{PubKey: bytes.Clone(s.pubKey), Path: slices.Clone(s.path)})
		}
		if d.tapSig != nil {
			p.inputs[i].put(inTapKeySig, nil, d.tapSig)
			p.p.Inputs[i].TaprootKeySpendSig = d.tapSig
		}
		for _, ks := range d.sigs {
			p.addPartialSig(i, ks.pub, ks.sig)
		}
		if j.ht&0x1f == txscript.SigHashSingle {
			single = true
		}
		res.Signed = append(res.Signed, si)
	}
	p.updateModifiable(single)
	return res, nil
}

// claimsFingerprint reports whether any derivation carries fp.
func claimsFingerprint(ds []*psbtDerivation, tds []*psbtTapDerivation, fp [4]byte) bool {
	for _, d := range ds {
		if fingerprintOf(d.MasterKeyFingerprint) == fp {
			return true
		}
	}
	for _, d := range tds {
		if fingerprintOf(d.MasterKeyFingerprint) == fp {
			return true
		}
	}
	return false
}

// hasVaultKey reports whether any input has a derivation carrying fp.
func (p *Packet) hasVaultKey(fp [4]byte) bool {
	for i := range p.p.Inputs {
		in := &p.p.Inputs[i]
		if claimsFingerprint(in.Bip32Derivation, in.TaprootBip32Derivation, fp) {
			return true
		}
	}
	return false
}

func hasPartialSig(in *psbtInput, pub []byte) bool {
	for _, ps := range in.PartialSigs {
		if bytes.Equal(ps.PubKey, pub) {
			return true
		}
	}
	return false
}

// sighashType is the sighash input i is to be signed with: the PSBT's
// PSBT_IN_SIGHASH_TYPE if given, else ALL (DEFAULT for taproot). Types
// other than DEFAULT/ALL are refused unless allowed.
func (p *Packet) sighashType(i int, spend SpendType, allow []txscript.SigHashType) (txscript.SigHashType, *Reason) {
	v, ok := p.inputs[i].find(inSighashType)
	if !ok {
		if spend == SpendP2TRKey {
			return txscript.SigHashDefault, nil
		}
		return txscript.SigHashAll, nil
	}
	raw := uint32(v[0]) | uint32(v[1])<<8 | uint32(v[2])<<16 | uint32(v[3])<<24
	ht := txscript.SigHashType(raw)
	switch {
	case raw == uint32(txscript.SigHashAll):
		return ht, nil
	case raw == uint32(txscript.SigHashDefault) && spend == SpendP2TRKey:
		return ht, nil
	case raw <= 0xff && slices.Contains(allow, ht) && validSighash(ht, spend):
		return ht, nil
	}
	r := inputReason(CodeSighashType, i, "asks for sighash type %s; only %s is signed unless a policy allows it",
		sighashName(raw), map[bool]string{true: "DEFAULT or ALL", false: "ALL"}[spend == SpendP2TRKey])
	return 0, &r
}

func validSighash(ht txscript.SigHashType, spend SpendType) bool {
	base := ht &^ txscript.SigHashAnyOneCanPay
	if spend == SpendP2TRKey && ht == txscript.SigHashDefault {
		return true
	}
	return base >= txscript.SigHashAll && base <= txscript.SigHashSingle
}

// sighashName names a sighash type for messages.
func sighashName(v uint32) string {
	if v > 0xff {
		return fmt.Sprintf("0x%08x", v)
	}
	names := map[uint32]string{0: "DEFAULT", 1: "ALL", 2: "NONE", 3: "SINGLE"}
	base := v &^ 0x80
	n, ok := names[base]
	if !ok {
		return fmt.Sprintf("0x%02x", v)
	}
	if v&0x80 != 0 {
		n += "|ANYONECANPAY"
	}
	return n
}

// addPartialSig writes PSBT_IN_PARTIAL_SIG into the records and the view.
func (p *Packet) addPartialSig(i int, pub, sig []byte) {
	pub, sig = bytes.Clone(pub), bytes.Clone(sig)
	p.inputs[i].put(inPartialSig, pub, sig)
	in := &p.p.Inputs[i]
	for _, ps := range in.PartialSigs {
		if bytes.Equal(ps.PubKey, pub) {
			ps.Signature = sig
			return
		}
	}
	in.PartialSigs = append(in.PartialSigs, &psbtPartialSig{PubKey: pub, Signature: sig})
}

// updateModifiable clears the Inputs and Outputs Modifiable flags of
// PSBT_GLOBAL_TX_MODIFIABLE after signing with ALL, as BIP370's Signer
// must (and sets Has SIGHASH_SINGLE when such a signature was made). An
// absent field means nothing is modifiable and stays absent.
func (p *Packet) updateModifiable(single bool) {
	if p.version != 2 {
		return
	}
	v, ok := p.global.find(globalTxModifiable)
	if !ok {
		return
	}
	nv := v[0] &^ 0x03
	if single {
		nv |= 0x04
	}
	if nv != v[0] {
		p.global.put(globalTxModifiable, nil, []byte{nv})
	}
}

// signChunk is the most inputs a worker takes at a time: their ECDSA
// signatures are made together (see signECDSABatch), so a chunk's
// private keys live until its signatures are made, then are zeroed.
const signChunk = 16

// runJobs signs and verifies the jobs on workers goroutines. Each takes up
// to signChunk jobs at a time, fewer towards the end so that the workers
// finish together.
func runJobs(ctx *txContext, jobs []*job, keys KeySource, workers int) ([]done, error) {
	if workers <= 0 {
		workers = runtime.NumCPU()
	}
	n := len(jobs)
	workers = max(1, min(workers, n))
	results := make([]done, n)
	errs := make([]error, n)
	var next atomic.Int64
	grab := func() (lo, hi int, ok bool) {
		for {
			cur := int(next.Load())
			if cur >= n {
				return 0, 0, false
			}
			size := min(signChunk, max(1, (n-cur)/(2*workers)))
			if next.CompareAndSwap(int64(cur), int64(cur+size)) {
				return cur, cur + size, true
			}
		}
	}
	var failed atomic.Bool
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			tx := ctx.tx.Copy() // this worker's copy, to place scripts in for execution
			for !failed.Load() {
				lo, hi, ok := grab()
				if !ok {
					return
				}
				if !signJobs(ctx, tx, jobs[lo:hi], keys, results[lo:hi], errs[lo:hi]) {
					failed.Store(true)
				}
			}
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	return results, nil
}

// signJobs makes the signatures of a chunk of inputs and checks each
// input's, filling results and errs (one per job). It reports whether
// every job succeeded.
func signJobs(ctx *txContext, tx *wire.MsgTx, jobs []*job, keys KeySource, results []done, errs []error) bool {
	hashes := make([][]byte, len(jobs))
	var reqs []ecdsaReq
	var owner []int   // the job of each request
	var pubs [][]byte // the public key of each request, as in the PSBT
	defer func() {
		for k := range reqs {
			reqs[k].key.Zero()
		}
	}()
	for k, j := range jobs {
		hashes[k], errs[k] = prepareJob(ctx, j, keys, &results[k], func(s signer, priv *btcec.PrivateKey, hash []byte) {
			reqs = append(reqs, ecdsaReq{key: priv, hash: hash})
			owner = append(owner, k)
			pubs = append(pubs, s.pubKey)
		})
	}
	signECDSABatch(reqs)
	for n := range reqs {
		k := owner[n]
		q := &reqs[n]
		q.key.Zero()
		if errs[k] != nil {
			continue
		}
		if q.err != nil {
			errs[k] = &InputError{Index: jobs[k].pl.index, Err: q.err}
			continue
		}
		d := &results[k]
		d.sigs = append(d.sigs, keySig{pub: pubs[n], sig: append(q.sig.Serialize(), byte(jobs[k].ht))})
	}
	ok := true
	for k, j := range jobs {
		if errs[k] == nil && len(results[k].by) > 0 {
			if err := verifyJob(ctx, tx, j, &results[k], hashes[k]); err != nil {
				errs[k] = diagnose(j, &results[k], keys, err)
			}
		}
		if errs[k] != nil {
			ok = false
		}
	}
	return ok
}

// prepareJob computes the input's sighash and takes its keys: a taproot
// signature is made at once; each ECDSA key goes to ecdsa, to be signed
// in the chunk's batch (in the order of j.signers, which is the order of
// d.by). The keys handed to ecdsa are the caller's to zero.
func prepareJob(ctx *txContext, j *job, keys KeySource, d *done, ecdsa func(signer, *btcec.PrivateKey, []byte)) ([]byte, error) {
	pl := j.pl
	i := pl.index
	hash, err := ctx.sighash(pl, j.ht)
	if err != nil {
		return nil, &InputError{Index: i, Err: err}
	}
	for _, s := range j.signers {
		priv, err := keys.PrivateKey(s.path)
		if errors.Is(err, ErrNoKey) {
			continue
		}
		if err != nil {
			return nil, &InputError{Index: i, Err: fmt.Errorf("key %s: %w", hexPath(s.path), err)}
		}
		d.by = append(d.by, s)
		if pl.spend == SpendP2TRKey {
			tweaked := txscript.TweakTaprootPrivKey(*priv, pl.merkleRoot)
			priv.Zero()
			sig, err := signSchnorr(tweaked, hash)
			tweaked.Zero()
			if err != nil {
				return nil, &InputError{Index: i, Err: err}
			}
			b := sig.Serialize()
			if j.ht != txscript.SigHashDefault {
				b = append(b, byte(j.ht))
			}
			d.tapSig = b
			continue
		}
		ecdsa(s, priv, hash)
	}
	return hash, nil
}

// verifyJob checks the new signatures: by script execution when the input
// is complete, otherwise each against its sighash.
func verifyJob(ctx *txContext, tx *wire.MsgTx, j *job, d *done, hash []byte) error {
	pl := j.pl
	sigs := d.sigs
	if pl.ms != nil {
		have := make(map[string][]byte, len(j.others)+len(d.sigs))
		for k, v := range j.others {
			have[k] = v
		}
		for _, ks := range d.sigs {
			have[string(ks.pub)] = ks.sig
		}
		sigs = ctx.chooseMultisig(pl, have, false)
		if len(sigs) < pl.ms.m {
			// Still short of signatures: the script cannot run yet, so
			// check each new signature against its sighash and key.
			return verifyEach(d, hash)
		}
		err := executeWith(ctx, tx, pl, sigs, nil)
		if err == nil {
			d.complete = true
			return nil
		}
		// The script failed: our signatures, or a bad one of another
		// signer? Ours must verify; then retry with verified ones only.
		if err := verifyEach(d, hash); err != nil {
			return err
		}
		sigs = ctx.chooseMultisig(pl, have, true)
		if len(sigs) < pl.ms.m {
			return nil // our signatures are good; others' are not
		}
	}
	if err := executeWith(ctx, tx, pl, sigs, d.tapSig); err != nil {
		return err
	}
	d.complete = true
	return nil
}

// verifyEach checks each new ECDSA signature against hash.
func verifyEach(d *done, hash []byte) error {
	for _, ks := range d.sigs {
		if !verifyECDSA(ks.sig, hash, ks.pub) {
			return fmt.Errorf("the new signature by %x does not verify", ks.pub)
		}
	}
	return nil
}

// executeWith places the final scripts for sigs in tx and runs the input's
// script, then clears them again.
func executeWith(ctx *txContext, tx *wire.MsgTx, pl *inputPlan, sigs []keySig, tapSig []byte) error {
	ss, wit, ok := pl.finalScripts(sigs, tapSig)
	if !ok {
		return fmt.Errorf("the signatures made do not complete the %s input", pl.spend)
	}
	in := tx.TxIn[pl.index]
	in.SignatureScript, in.Witness = ss, wit
	err := ctx.execute(tx, pl.index)
	in.SignatureScript, in.Witness = nil, nil
	return err
}

// diagnose turns a failed check into the most precise error: a key that
// does not match the PSBT's public key is a false path claim.
func diagnose(j *job, d *done, keys KeySource, cause error) error {
	i := j.pl.index
	for _, s := range d.by {
		priv, err := keys.PrivateKey(s.path)
		if err != nil {
			continue
		}
		pub := priv.PubKey()
		priv.Zero()
		var mine []byte
		if len(s.pubKey) == 32 {
			mine = schnorr.SerializePubKey(pub)
		} else if len(s.pubKey) == 65 {
			mine = pub.SerializeUncompressed()
		} else {
			mine = pub.SerializeCompressed()
		}
		if !bytes.Equal(mine, s.pubKey) {
			return &RefusalError{Reasons: []Reason{inputReason(CodeInputPathMismatch, i,
				"the vault key at %s is %x, not the key %x the PSBT names for that path", hexPath(s.path), mine, s.pubKey)}}
		}
	}
	return &InputError{Index: i, Err: fmt.Errorf("%w: %v", ErrVerify, cause)}
}

// Short names for btcd's psbt types.
type (
	psbtInput         = psbt.PInput
	psbtPartialSig    = psbt.PartialSig
	psbtDerivation    = psbt.Bip32Derivation
	psbtTapDerivation = psbt.TaprootBip32Derivation
)
