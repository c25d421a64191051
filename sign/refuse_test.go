package sign

import (
	"bytes"
	"encoding/base64"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/btcsuite/btcd/btcec/v2/schnorr"
	"github.com/btcsuite/btcd/btcutil"
	"github.com/btcsuite/btcd/btcutil/psbt"
	"github.com/btcsuite/btcd/txscript"
	"github.com/btcsuite/btcd/wire"
)

var update = flag.Bool("update", false, "regenerate testdata/psbt/refuse/")

const refuseDir = "../testdata/psbt/refuse"

type refusalCase struct {
	code Code
	what string
	psbt []byte
}

// withInputRecord rewrites one input field of an encoded PSBT.
func withInputRecord(t testing.TB, raw []byte, i int, typ uint64, value []byte) []byte {
	t.Helper()
	p := mustDecode(t, raw)
	p.inputs[i].put(typ, nil, value)
	return p.Encode()
}

func serializeTx(t testing.TB, tx *wire.MsgTx) []byte {
	var b bytes.Buffer
	if err := tx.Serialize(&b); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// refusalCases builds one PSBT per refusal code, for the vault of
// newAnalyzeEnv (vault A on testnet with its accounts and two 2-of-3
// wallets with B and C).
func refusalCases(t testing.TB, e *analyzeEnv) []refusalCase {
	a := []*testVault{e.a}
	in := fixtureScript(t, fxP2WPKH, a, 0, 0, 100_000)
	ext := externalOutput(97_000)
	outs := []fixtureOutput{ext}
	x, y := newTestVault(t, "X"), newTestVault(t, "Y")
	var cs []refusalCase
	add := func(c Code, what string, b []byte) { cs = append(cs, refusalCase{c, what, b}) }

	f := in
	f.noNonWitness, f.witnessUTXO = true, true
	add(CodeMissingNonWitnessUTXO, "a P2WPKH input of the vault with only witness_utxo: its amount cannot be proven (CVE-2020-14199)",
		buildPSBT(t, []fixtureInput{f}, outs, 0))

	add(CodeNonWitnessUTXOMismatch, "non_witness_utxo is another transaction than the one the input spends",
		withInputRecord(t, buildPSBT(t, []fixtureInput{in}, outs, 0), 0, inNonWitnessUtxo, serializeTx(t, prevTxFor(42, in.spk, 100_000))))

	f = in
	short := wire.NewMsgTx(2)
	short.AddTxIn(&wire.TxIn{PreviousOutPoint: wire.OutPoint{Index: 3}, SignatureScript: []byte{txscript.OP_TRUE}})
	short.AddTxOut(wire.NewTxOut(100_000, in.spk))
	f.prevTxOverride = short
	add(CodeNonWitnessUTXOIndex, "the input spends output 1 of a non_witness_utxo that has only output 0",
		buildPSBT(t, []fixtureInput{f}, outs, 0))

	f = in
	f.witnessUTXO = true
	f.prevTxOverride = prevTxFor(0, in.spk, 5_000)
	add(CodeWitnessUTXOMismatch, "witness_utxo claims 100000 sat but the non_witness_utxo output holds 5000 sat (the fee lie)",
		buildPSBT(t, []fixtureInput{f}, []fixtureOutput{externalOutput(4_000)}, 0))

	f = in
	f.noNonWitness = true
	add(CodeMissingUTXO, "an input with neither non_witness_utxo nor witness_utxo",
		buildPSBT(t, []fixtureInput{f}, outs, 0))

	tr := fixtureScript(t, fxP2TR, a, 0, 0, 100_000)
	foreign := fixtureInput{spk: externalOutput(0).spk, amount: 20_000, noNonWitness: true}
	add(CodeTaprootMissingUTXO, "a taproot input of the vault next to an input without any UTXO (BIP341 commits to every amount)",
		buildPSBT(t, []fixtureInput{tr, foreign}, []fixtureOutput{externalOutput(110_000)}, 0))

	pkh := fixtureInput{spk: p2pkhScript(hash160(x.pub(t, accountPath(fxP2WPKH, 0, 0)).SerializeCompressed())), amount: 30_000, witnessUTXO: true}
	add(CodeWitnessUTXONonWitness, "a P2PKH input carrying a witness_utxo (BIP174: no non-witness signature with a witness UTXO)",
		buildPSBT(t, []fixtureInput{in, pkh}, []fixtureOutput{externalOutput(125_000)}, 0))

	f = fixtureScript(t, fxP2SHP2WPKH, a, 0, 0, 100_000)
	f.redeem = spkP2WPKH(x.pub(t, accountPath(fxP2WPKH, 0, 0)))
	add(CodeRedeemScriptMismatch, "a P2SH-P2WPKH input whose redeem_script does not hash to the spent P2SH output",
		buildPSBT(t, []fixtureInput{f}, outs, 0))

	f = fixtureScript(t, fxP2WSH2of3, []*testVault{e.a, e.b, e.c}, 0, 0, 100_000)
	f.witness = fixtureScript(t, fxP2WSH2of3, []*testVault{e.a, x, y}, 0, 0, 0).witness
	add(CodeWitnessScriptMismatch, "a P2WSH input whose witness_script does not hash to the spent program",
		buildPSBT(t, []fixtureInput{f}, outs, 0))

	f = fixtureScript(t, fxP2TR, a, 0, 0, 100_000)
	f.tapInternal = schnorr.SerializePubKey(x.pub(t, accountPath(fxP2TR, 0, 0)))
	add(CodeTaprootKeyMismatch, "a taproot input whose internal key does not tweak to the spent output key",
		buildPSBT(t, []fixtureInput{f}, outs, 0))

	f = fixtureScript(t, fxP2WPKH, a, 0, 6, 100_000)
	f.derivs = []*psbt.Bip32Derivation{{PubKey: f.derivs[0].PubKey, MasterKeyFingerprint: e.a.fpLE(), Bip32Path: accountPath(fxP2WPKH, 0, 5)}}
	add(CodeInputPathMismatch, "an input whose derivation claims the vault key at m/84h/1h/0h/0/5 but spends the script of index 6",
		buildPSBT(t, []fixtureInput{f}, outs, 0))

	ch := fixtureScript(t, fxP2WPKH, a, 1, 0, 5_000).asOutput()
	ch.spk = externalOutput(0).spk
	add(CodeChangePathMismatch, "a change output claiming the vault path m/84h/1h/0h/1/0 but paying someone else's script",
		buildPSBT(t, []fixtureInput{in}, []fixtureOutput{externalOutput(90_000), ch}, 0))

	add(CodeUnregisteredMultisigInput, "a 2-of-3 input with the vault's key and two keys of no registered wallet",
		buildPSBT(t, []fixtureInput{fixtureScript(t, fxP2WSH2of3, []*testVault{e.a, x, y}, 0, 0, 100_000)}, outs, 0))

	msIn := fixtureScript(t, fxP2WSH2of3, []*testVault{e.a, e.b, e.c}, 0, 0, 100_000)
	badChange := fixtureScript(t, fxP2WSH2of3, []*testVault{e.a, x, y}, 1, 0, 9_000).asOutput()
	add(CodeUnregisteredMultisigChange, "a 2-of-3 input of a registered wallet whose change goes to a 2-of-3 with the vault's key and two foreign keys (the multisig change attack)",
		buildPSBT(t, []fixtureInput{msIn}, []fixtureOutput{externalOutput(90_000), badChange}, 0))

	none := uint32(txscript.SigHashNone)
	f = in
	f.sighash = &none
	add(CodeSighashType, "an input of the vault asking for SIGHASH_NONE",
		buildPSBT(t, []fixtureInput{f}, outs, 0))

	mainPath := []uint32{84 + h, 0 + h, 0 + h, 0, 0}
	mp := e.a.pub(t, mainPath)
	add(CodeWrongNetwork, "an input claiming the vault key at m/84h/0h/0h/0/0 (mainnet coin type) on a testnet vault",
		buildPSBT(t, []fixtureInput{{spk: spkP2WPKH(mp), amount: 100_000, derivs: []*psbt.Bip32Derivation{deriv(e.a, mp, mainPath)}}}, outs, 0))

	add(CodeDuplicateInput, "the same outpoint spent by two inputs",
		buildPSBT(t, []fixtureInput{withPrev(in, 0), withPrev(in, 0)}, []fixtureOutput{externalOutput(190_000)}, 0))

	add(CodeNoInputs, "a transaction without inputs",
		buildPSBT(t, nil, outs, 0))

	add(CodeNoOutputs, "a transaction without outputs",
		buildPSBT(t, []fixtureInput{in}, nil, 0))

	add(CodeAmountRange, "an output of 21,000,000 BTC and one satoshi",
		buildPSBT(t, []fixtureInput{in}, []fixtureOutput{externalOutput(btcutil.MaxSatoshi + 1)}, 0))

	add(CodeSumRange, "two outputs of 15,000,000 BTC each: each in range, together over 21 million BTC",
		buildPSBT(t, []fixtureInput{in}, []fixtureOutput{externalOutput(15_000_000 * btcutil.SatoshiPerBitcoin), externalOutput(15_000_000 * btcutil.SatoshiPerBitcoin)}, 0))

	add(CodeOutputsExceedInputs, "outputs of 200000 sat funded by an input of 100000 sat",
		buildPSBT(t, []fixtureInput{in}, []fixtureOutput{externalOutput(200_000)}, 0))

	add(CodeFeeTooHigh, "a fee of 20000 sat on 80000 sat sent (25%)",
		buildPSBT(t, []fixtureInput{in}, []fixtureOutput{externalOutput(80_000)}, 0))
	return cs
}

// withPrev fixes the funding transaction so two inputs share an outpoint.
func withPrev(f fixtureInput, i int) fixtureInput {
	f.prevTxOverride = prevTxFor(i, f.spk, f.amount)
	return f
}

// TestRefusalCorpus checks that every PSBT under testdata/psbt/refuse/ is
// refused by Analyze with its code, and that there is one for every code.
// Run with -update to regenerate the files and README from refusalCases.
func TestRefusalCorpus(t *testing.T) {
	e := newAnalyzeEnv(t)
	if *update {
		writeCorpus(t, refusalCases(t, e))
	}
	covered := map[Code]bool{}
	for _, c := range Codes() {
		name := c.String() + ".psbt"
		b, err := os.ReadFile(filepath.Join(refuseDir, name))
		if err != nil {
			t.Errorf("%s: %v (run go test -run TestRefusalCorpus -update)", name, err)
			continue
		}
		p, err := Decode(b, 0)
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		r, err := Analyze(p, e.w)
		if !isRefusal(err, c) {
			t.Errorf("%s: got %v, want a refusal with code %s", name, err, c)
			continue
		}
		if r == nil || len(r.Refusals) == 0 {
			t.Errorf("%s: the review does not carry the refusals", name)
		}
		covered[c] = true
	}
	if len(covered) != len(Codes()) {
		t.Errorf("%d of %d codes have a corpus PSBT", len(covered), len(Codes()))
	}
}

func writeCorpus(t *testing.T, cs []refusalCase) {
	if err := os.MkdirAll(refuseDir, 0o755); err != nil {
		t.Fatal(err)
	}
	var readme strings.Builder
	readme.WriteString("# Refusal corpus\n\n")
	readme.WriteString("One PSBT (base64) per refusal code of `sign.Analyze`, each refused with that code by\n")
	readme.WriteString("`TestRefusalCorpus` (sign/refuse_test.go). They are built by `refusalCases` and written by\n")
	readme.WriteString("`go test ./sign -run TestRefusalCorpus -update`; do not edit them by hand.\n\n")
	readme.WriteString("The vault is test vault A (seed sha256(\"coffer test seed A\"), testnet) with its wpkh, sh-wpkh and tr\n")
	readme.WriteString("accounts (m/84h/1h/0h, m/49h/1h/0h, m/86h/1h/0h) and two registered 2-of-3 wallets with vaults B and C\n")
	readme.WriteString("(m/48h/1h/0h/2h wsh, m/48h/1h/0h/1h sh-wsh). Vaults X and Y are strangers.\n\n")
	readme.WriteString("| file | code | case |\n| --- | --- | --- |\n")
	for _, c := range cs {
		name := c.code.String() + ".psbt"
		if err := os.WriteFile(filepath.Join(refuseDir, name), []byte(base64.StdEncoding.EncodeToString(c.psbt)+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(&readme, "| `%s` | `%s` | %s |\n", name, c.code, c.what)
	}
	if err := os.WriteFile(filepath.Join(refuseDir, "README.md"), []byte(readme.String()), 0o644); err != nil {
		t.Fatal(err)
	}
}
