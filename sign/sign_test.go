package sign

import (
	"bytes"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/btcsuite/btcd/btcec/v2"
	"github.com/btcsuite/btcd/btcutil"
	"github.com/btcsuite/btcd/btcutil/hdkeychain"
	"github.com/btcsuite/btcd/txscript"
	"github.com/btcsuite/btcd/wire"
)

// fixturePSBT builds n inputs of kind (receive branch) paying one external
// output and one change output of the same kind.
func fixturePSBT(t testing.TB, k fixtureKind, vaults []*testVault, n int) []byte {
	t.Helper()
	ins := make([]fixtureInput, n)
	for i := range ins {
		ins[i] = fixtureScript(t, k, vaults, 0, uint32(i), 100_000)
	}
	change := fixtureScript(t, k, vaults, 1, 0, int64(n)*100_000-60_000-int64(n)*200)
	outs := []fixtureOutput{externalOutput(60_000), change.asOutput()}
	return buildPSBT(t, ins, outs, 0)
}

func vaultsFor(t testing.TB, k fixtureKind) []*testVault {
	if k >= fxP2WSH2of3 {
		return []*testVault{newTestVault(t, "A"), newTestVault(t, "B"), newTestVault(t, "C")}
	}
	return []*testVault{newTestVault(t, "A")}
}

func mustDecode(t testing.TB, b []byte) *Packet {
	t.Helper()
	p, err := Decode(b, 0)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// checkSigSizes asserts every partial signature is at most 71 bytes with
// its sighash byte (low R) and every taproot signature 64 or 65 bytes.
func checkSigSizes(t *testing.T, p *Packet) {
	t.Helper()
	for i, in := range p.p.Inputs {
		for _, ps := range in.PartialSigs {
			if len(ps.Signature) > 71 {
				t.Fatalf("input %d: signature of %d bytes", i, len(ps.Signature))
			}
		}
		if s := in.TaprootKeySpendSig; s != nil && len(s) != 64 && len(s) != 65 {
			t.Fatalf("input %d: taproot signature of %d bytes", i, len(s))
		}
	}
}

// TestSignScriptTypes signs every script type and executes the result:
// single-key inputs are complete after one vault; 2-of-3 inputs are
// signed by two vaults in turn (through Encode/Decode, as on the air gap),
// then finalized; a third signature does not break finalization.
func TestSignScriptTypes(t *testing.T) {
	for _, k := range []fixtureKind{fxP2WPKH, fxP2SHP2WPKH, fxP2TR, fxP2WSH2of3, fxP2SHP2WSH2of3} {
		t.Run(k.String(), func(t *testing.T) {
			vaults := vaultsFor(t, k)
			raw := fixturePSBT(t, k, vaults, 3)
			p := mustDecode(t, raw)
			res, err := Sign(p, vaults[0].keys, Options{})
			if err != nil {
				t.Fatal(err)
			}
			if len(res.Signed) != 3 {
				t.Fatalf("signed %d inputs, want 3", len(res.Signed))
			}
			multi := k >= fxP2WSH2of3
			for _, s := range res.Signed {
				if s.Complete == multi {
					t.Fatalf("input %d: complete %v after the first vault", s.Index, s.Complete)
				}
				if len(s.Keys) != 1 {
					t.Fatalf("input %d: %d keys", s.Index, len(s.Keys))
				}
			}
			checkSigSizes(t, p)
			// Signing again adds nothing.
			again, err := Sign(p, vaults[0].keys, Options{})
			if err != nil || len(again.Signed) != 0 {
				t.Fatalf("second signing: %v, %d inputs", err, len(again.Signed))
			}
			out := p.Encode()
			if !multi {
				rawTx, err := Finalize(mustDecode(t, out))
				if err != nil {
					t.Fatal(err)
				}
				checkRawTx(t, rawTx, 3)
				return
			}
			if _, err := Finalize(mustDecode(t, out)); !errors.Is(err, ErrIncomplete) {
				t.Fatalf("finalizing a 1-of-2 signed PSBT: %v", err)
			}
			// Second vault, on the decoded output of the first.
			p2 := mustDecode(t, out)
			res2, err := Sign(p2, vaults[1].keys, Options{})
			if err != nil {
				t.Fatal(err)
			}
			for _, s := range res2.Signed {
				if !s.Complete {
					t.Fatalf("input %d incomplete after two vaults", s.Index)
				}
			}
			checkSigSizes(t, p2)
			rawTx, err := Finalize(mustDecode(t, p2.Encode()))
			if err != nil {
				t.Fatal(err)
			}
			checkRawTx(t, rawTx, 3)
			// A third signer: three signatures, finalization keeps two.
			p3 := mustDecode(t, p2.Encode())
			if _, err := Sign(p3, vaults[2].keys, Options{}); err != nil {
				t.Fatal(err)
			}
			rawTx3, err := Finalize(p3)
			if err != nil {
				t.Fatal(err)
			}
			tx := checkRawTx(t, rawTx3, 3)
			for i, in := range tx.TxIn {
				if len(in.Witness) != 4 { // dummy, two signatures, witness script
					t.Fatalf("input %d: witness of %d items", i, len(in.Witness))
				}
			}
		})
	}
}

func checkRawTx(t *testing.T, raw []byte, nIn int) *wire.MsgTx {
	t.Helper()
	tx := &wire.MsgTx{}
	if err := tx.Deserialize(bytes.NewReader(raw)); err != nil {
		t.Fatal(err)
	}
	if len(tx.TxIn) != nIn {
		t.Fatalf("%d inputs", len(tx.TxIn))
	}
	return tx
}

// TestSignV2 signs a version 2 PSBT: it is written back as version 2, the
// Signer clears the modifiable flags as BIP370 says, and the result
// finalizes.
func TestSignV2(t *testing.T) {
	for _, k := range []fixtureKind{fxP2WPKH, fxP2TR, fxP2WSH2of3} {
		t.Run(k.String(), func(t *testing.T) {
			vaults := vaultsFor(t, k)
			v0 := mustDecode(t, fixturePSBT(t, k, vaults, 2))
			mod := byte(0x03)
			raw2 := toV2(t, v0, &mod)
			p := mustDecode(t, raw2)
			if p.Version() != 2 || p.UnsignedTx().TxHash() != v0.UnsignedTx().TxHash() {
				t.Fatal("v2 conversion")
			}
			if _, err := Sign(p, vaults[0].keys, Options{}); err != nil {
				t.Fatal(err)
			}
			out := mustDecode(t, p.Encode())
			if out.Version() != 2 {
				t.Fatalf("written back as version %d", out.Version())
			}
			if v, _ := out.global.find(globalTxModifiable); len(v) != 1 || v[0] != 0 {
				t.Fatalf("TX_MODIFIABLE %x after signing, want 00", v)
			}
			if _, ok := out.global.find(globalUnsignedTx); ok {
				t.Fatal("v2 output carries PSBT_GLOBAL_UNSIGNED_TX")
			}
			if k == fxP2WSH2of3 {
				if _, err := Sign(out, vaults[2].keys, Options{}); err != nil {
					t.Fatal(err)
				}
				out = mustDecode(t, out.Encode())
			}
			if _, err := Finalize(out); err != nil {
				t.Fatal(err)
			}
		})
	}
}

// staticKeys is a KeySource over fixed keys by path (the BIP174 vector
// gives WIF keys and their paths).
type staticKeys struct {
	fp   [4]byte
	keys map[string]*btcec.PrivateKey
}

func (s *staticKeys) MasterFingerprint() [4]byte { return s.fp }
func (s *staticKeys) PrivateKey(path []uint32) (*btcec.PrivateKey, error) {
	k, ok := s.keys[pathKey(path)]
	if !ok {
		return nil, fmt.Errorf("%w: %s", ErrNoKey, hexPath(path))
	}
	c, _ := btcec.PrivKeyFromBytes(k.Serialize())
	return c, nil
}

func parseTestPath(t testing.TB, s string) []uint32 {
	var out []uint32
	for _, part := range strings.Split(strings.TrimPrefix(s, "m/"), "/") {
		hard := strings.HasSuffix(part, "'")
		var v uint32
		fmt.Sscanf(strings.TrimSuffix(part, "'"), "%d", &v)
		if hard {
			v += h
		}
		out = append(out, v)
	}
	return out
}

type bip174Workflow struct {
	Workflow struct {
		MasterKey struct {
			Tprv string `json:"tprv"`
		} `json:"master_key"`
		UpdaterSighashAll struct {
			Result psbtVector `json:"result"`
		} `json:"updater_sighash_all"`
		Signer1 struct {
			Keys []struct {
				WIF  string `json:"wif"`
				Path string `json:"path"`
			} `json:"keys"`
			Result psbtVector `json:"result"`
		} `json:"signer_1"`
		Signer2 struct {
			Keys []struct {
				WIF  string `json:"wif"`
				Path string `json:"path"`
			} `json:"keys"`
			Result psbtVector `json:"result"`
		} `json:"signer_2"`
		Combiner struct {
			Result psbtVector `json:"result"`
		} `json:"combiner"`
		Extractor struct {
			Result struct {
				TxHex string `json:"tx_hex"`
			} `json:"result"`
		} `json:"extractor"`
	} `json:"workflow"`
}

// TestSignBIP174Signer reproduces BIP174's signer vector byte for byte:
// the updated PSBT signed with the first signer's two keys. Its input 1
// carries only a witness UTXO, which Coffer's policy refuses; the vector
// is reproduced with the package-internal knob that trusts it.
func TestSignBIP174Signer(t *testing.T) {
	var vec bip174Workflow
	loadJSON(t, "bip174/bip174-psbt-vectors.json", &vec)
	w := vec.Workflow
	master, err := hdkeychain.NewKeyFromString(w.MasterKey.Tprv)
	if err != nil {
		t.Fatal(err)
	}
	hd, err := NewHDKeys(master)
	if err != nil {
		t.Fatal(err)
	}
	if hex.EncodeToString(hd.fp[:]) != "d90c6a4f" {
		t.Fatalf("master fingerprint %x", hd.fp)
	}
	signer := func(keys []struct {
		WIF  string `json:"wif"`
		Path string `json:"path"`
	}) *staticKeys {
		s := &staticKeys{fp: hd.fp, keys: map[string]*btcec.PrivateKey{}}
		for _, k := range keys {
			wif, err := btcutil.DecodeWIF(k.WIF)
			if err != nil {
				t.Fatal(err)
			}
			path := parseTestPath(t, k.Path)
			// The WIF is the key at that path below the master.
			got, _ := hd.PrivateKey(path)
			if !bytes.Equal(got.Serialize(), wif.PrivKey.Serialize()) {
				t.Fatalf("WIF for %s does not match the master", k.Path)
			}
			s.keys[pathKey(path)] = wif.PrivKey
		}
		return s
	}
	p := mustDecode(t, mustHex(t, w.UpdaterSighashAll.Result.Hex))
	// Without the knob, the witness-only input is refused.
	if _, err := Sign(mustDecode(t, p.Encode()), signer(w.Signer1.Keys), Options{}); !isRefusal(err, CodeMissingNonWitnessUTXO) {
		t.Fatalf("witness-only segwit input: %v", err)
	}
	res, err := Sign(p, signer(w.Signer1.Keys), Options{trustWitnessUTXO: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Signed) != 2 {
		t.Fatalf("signed %d inputs", len(res.Signed))
	}
	if got := hex.EncodeToString(p.Encode()); got != w.Signer1.Result.Hex {
		t.Fatalf("signer 1 result differs\n got %s\nwant %s", got, w.Signer1.Result.Hex)
	}
	// The second signer's published signatures are plain RFC6979 (one has
	// a high R); ours are ground, so they differ there but verify.
	p2 := mustDecode(t, mustHex(t, w.UpdaterSighashAll.Result.Hex))
	if _, err := Sign(p2, signer(w.Signer2.Keys), Options{trustWitnessUTXO: true}); err != nil {
		t.Fatal(err)
	}
	checkSigSizes(t, p2)
	// Finalizing the combined PSBT gives the extractor's transaction.
	comb := mustDecode(t, mustHex(t, w.Combiner.Result.Hex))
	rawTx, err := Finalize(comb)
	if err != nil {
		t.Fatal(err)
	}
	if got := hex.EncodeToString(rawTx); got != w.Extractor.Result.TxHex {
		t.Fatalf("finalized transaction differs\n got %s\nwant %s", got, w.Extractor.Result.TxHex)
	}
}

func isRefusal(err error, c Code) bool {
	var re *RefusalError
	return errors.As(err, &re) && re.Has(c) && errors.Is(err, ErrRefused)
}

// wrongKeys returns a different key than the path names.
type wrongKeys struct{ fp [4]byte }

func (w wrongKeys) MasterFingerprint() [4]byte { return w.fp }
func (w wrongKeys) PrivateKey([]uint32) (*btcec.PrivateKey, error) {
	k, _ := btcec.PrivKeyFromBytes(bytes.Repeat([]byte{9}, 32))
	return k, nil
}

func TestSignRefusals(t *testing.T) {
	v := newTestVault(t, "A")
	vaults := []*testVault{v}
	in := fixtureScript(t, fxP2WPKH, vaults, 0, 0, 50_000)
	out := []fixtureOutput{externalOutput(40_000)}
	none := uint32(txscript.SigHashNone)
	dflt := uint32(txscript.SigHashDefault)

	otherPrev := prevTxFor(99, in.spk, 50_000)
	cases := []struct {
		name string
		in   func(fixtureInput) fixtureInput
		opts Options
		code Code
	}{
		{"segwit without non_witness_utxo", func(f fixtureInput) fixtureInput {
			f.noNonWitness, f.witnessUTXO = true, true
			return f
		}, Options{}, CodeMissingNonWitnessUTXO},
		{"no utxo at all", func(f fixtureInput) fixtureInput { f.noNonWitness = true; return f }, Options{}, CodeMissingUTXO},
		{"witness_utxo amount lie", func(f fixtureInput) fixtureInput {
			f.witnessUTXO = true
			f.amount = 50_000
			f.prevTxOverride = prevTxFor(0, f.spk, 5_000) // the real output is 5,000 sat
			return f
		}, Options{}, CodeWitnessUTXOMismatch},
		{"sighash NONE", func(f fixtureInput) fixtureInput { f.sighash = &none; return f }, Options{}, CodeSighashType},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p := mustDecode(t, buildPSBT(t, []fixtureInput{c.in(in)}, out, 0))
			before := p.Encode()
			_, err := Sign(p, v.keys, c.opts)
			if !isRefusal(err, c.code) {
				t.Fatalf("got %v, want refusal %s", err, c.code)
			}
			if !bytes.Equal(before, p.Encode()) {
				t.Fatal("a refused PSBT was changed")
			}
		})
	}
	t.Run("non_witness_utxo of another transaction", func(t *testing.T) {
		p := mustDecode(t, buildPSBT(t, []fixtureInput{in}, out, 0))
		p.p.Inputs[0].NonWitnessUtxo = otherPrev
		if _, err := Sign(p, v.keys, Options{}); !isRefusal(err, CodeNonWitnessUTXOMismatch) {
			t.Fatalf("got %v", err)
		}
	})
	t.Run("explicit sighash DEFAULT on an ecdsa input", func(t *testing.T) {
		p := mustDecode(t, buildPSBT(t, []fixtureInput{in}, out, 0))
		p.inputs[0].put(inSighashType, nil, []byte{byte(dflt), 0, 0, 0})
		p = mustDecode(t, p.Encode())
		if _, err := Sign(p, v.keys, Options{}); !isRefusal(err, CodeSighashType) {
			t.Fatalf("got %v", err)
		}
	})
	t.Run("sighash NONE allowed by policy", func(t *testing.T) {
		f := in
		f.sighash = &none
		p := mustDecode(t, buildPSBT(t, []fixtureInput{f}, out, 0))
		if _, err := Sign(p, v.keys, Options{AllowSighash: []txscript.SigHashType{txscript.SigHashNone}}); err != nil {
			t.Fatal(err)
		}
		if s := p.p.Inputs[0].PartialSigs[0].Signature; s[len(s)-1] != byte(txscript.SigHashNone) {
			t.Fatal("signature does not carry SIGHASH_NONE")
		}
	})
	t.Run("key source gives another key", func(t *testing.T) {
		p := mustDecode(t, buildPSBT(t, []fixtureInput{in}, out, 0))
		before := p.Encode()
		_, err := Sign(p, wrongKeys{fp: v.fp}, Options{})
		if !isRefusal(err, CodeInputPathMismatch) {
			t.Fatalf("got %v", err)
		}
		if !bytes.Equal(before, p.Encode()) {
			t.Fatal("PSBT changed after a failed signature")
		}
	})
	t.Run("not our input", func(t *testing.T) {
		p := mustDecode(t, buildPSBT(t, []fixtureInput{in}, out, 0))
		other := newTestVault(t, "Z")
		if _, err := Sign(p, other.keys, Options{}); !errors.Is(err, ErrNotOurInput) {
			t.Fatalf("got %v", err)
		}
	})
	t.Run("taproot with another input lacking its utxo", func(t *testing.T) {
		tr := fixtureScript(t, fxP2TR, vaults, 0, 0, 50_000)
		foreign := externalOutput(10_000)
		p := mustDecode(t, buildPSBT(t, []fixtureInput{tr, {spk: foreign.spk, amount: 10_000, noNonWitness: true}}, out, 0))
		if _, err := Sign(p, v.keys, Options{}); !isRefusal(err, CodeTaprootMissingUTXO) {
			t.Fatalf("got %v", err)
		}
	})
	t.Run("restricted to one input", func(t *testing.T) {
		in2 := fixtureScript(t, fxP2WPKH, vaults, 0, 1, 50_000)
		p := mustDecode(t, buildPSBT(t, []fixtureInput{in, in2}, out, 0))
		res, err := Sign(p, v.keys, Options{Inputs: []int{1}})
		if err != nil || len(res.Signed) != 1 || res.Signed[0].Index != 1 || len(p.p.Inputs[0].PartialSigs) != 0 {
			t.Fatalf("restricted signing: %v %+v", err, res)
		}
		if _, err := Sign(p, v.keys, Options{Inputs: []int{2}}); err == nil {
			t.Fatal("input #2 of 2 accepted")
		}
	})
}

// TestSignerChecksFail runs BIP174's "fails signer checks" PSBTs through
// the input planner: each must be refused with the matching code.
func TestSignerChecksFail(t *testing.T) {
	vec := loadBIP(t, "bip174/bip174-psbt-vectors.json")
	want := map[string]Code{
		"A Witness UTXO is provided for a non-witness input":                 CodeWitnessUTXONonWitness,
		"redeemScript with non-witness UTXO does not match the scriptPubKey": CodeRedeemScriptMismatch,
		"redeemScript with witness UTXO does not match the scriptPubKey":     CodeRedeemScriptMismatch,
		"witnessScript with witness UTXO does not match the redeemScript":    CodeWitnessScriptMismatch,
	}
	if len(vec.SignerChecksFail) != 4 {
		t.Fatalf("%d vectors", len(vec.SignerChecksFail))
	}
	for _, v := range vec.SignerChecksFail {
		code, ok := want[v.note()]
		if !ok {
			t.Fatalf("no expectation for %q", v.note())
		}
		p := mustDecode(t, mustHex(t, v.Hex))
		var got []Code
		for i := range p.inputs {
			u, r := p.spentOutput(i)
			if r == nil {
				_, r = p.planInput(i, u)
			}
			if r != nil {
				got = append(got, r.Code)
			}
		}
		if len(got) != 1 || got[0] != code {
			t.Errorf("%q: codes %v, want [%s]", v.note(), got, code)
		}
	}
}

func TestHDKeys(t *testing.T) {
	v := newTestVault(t, "A")
	path := []uint32{84 + h, 1 + h, 0 + h, 0, 7}
	k, err := v.keys.PrivateKey(path)
	if err != nil {
		t.Fatal(err)
	}
	if !k.PubKey().IsEqual(v.pub(t, path)) {
		t.Fatal("derived key differs from the public derivation")
	}
	// A hardened last step works too.
	if _, err := v.keys.PrivateKey([]uint32{86 + h, 1 + h, 0 + h}); err != nil {
		t.Fatal(err)
	}
	if _, err := v.keys.PrivateKey(nil); err == nil {
		t.Fatal("master key handed out")
	}
	for _, verb := range []string{"%v", "%+v", "%#v", "%s"} {
		s := fmt.Sprintf(verb, v.keys)
		if strings.Contains(s, "prv") || !strings.Contains(s, hex.EncodeToString(v.fp[:])) {
			t.Fatalf("%s prints %q", verb, s)
		}
	}
	if _, err := NewHDKeys(nil); err == nil {
		t.Fatal("nil master accepted")
	}
	neut, _ := v.master.Neuter()
	if _, err := NewHDKeys(neut); err == nil {
		t.Fatal("public master accepted")
	}
	child, _ := v.master.Derive(h)
	if _, err := NewHDKeys(child); err == nil {
		t.Fatal("non-master accepted")
	}
	v.keys.Zero()
	if _, err := v.keys.PrivateKey(path); !errors.Is(err, ErrKeysZeroed) {
		t.Fatalf("after Zero: %v", err)
	}
	// The caller's master is not wiped by Zero.
	if _, err := v.master.ECPrivKey(); err != nil {
		t.Fatal(err)
	}
}

// TestSignMultisigBadCosignerSig: a cosigner's signature that does not
// verify neither blocks our signature nor ends up in the final witness.
func TestSignMultisigBadCosignerSig(t *testing.T) {
	vaults := vaultsFor(t, fxP2WSH2of3)
	p := mustDecode(t, fixturePSBT(t, fxP2WSH2of3, vaults, 2))
	if _, err := Sign(p, vaults[1].keys, Options{}); err != nil {
		t.Fatal(err)
	}
	// Spoil B's signatures: sign the wrong message with B's key.
	for i := range p.inputs {
		ps := p.p.Inputs[i].PartialSigs[0]
		k, _ := vaults[1].keys.PrivateKey(accountPath(fxP2WSH2of3, 0, uint32(i)))
		bad, _ := signECDSA(k, bytes.Repeat([]byte{1}, 32))
		p.addPartialSig(i, ps.PubKey, append(bad.Serialize(), 1))
	}
	p = mustDecode(t, p.Encode())
	res, err := Sign(p, vaults[0].keys, Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range res.Signed {
		if s.Complete {
			t.Fatalf("input %d complete with a bad cosigner signature", s.Index)
		}
	}
	if _, err := Finalize(p); !errors.Is(err, ErrVerify) && !errors.Is(err, ErrIncomplete) {
		t.Fatalf("finalize with one good signature: %v", err)
	}
	res, err = Sign(p, vaults[2].keys, Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range res.Signed {
		if !s.Complete {
			t.Fatalf("input %d incomplete with A and C", s.Index)
		}
	}
	if _, err := Finalize(p); err != nil {
		t.Fatal(err)
	}
}

// TestSignWorkers signs 100-input PSBTs with 1, 2, 3 and 7 workers (so
// with chunks of every size from 16 down to 1): every input is signed
// once, every worker count gives the same bytes (ECDSA signing is
// deterministic), and the result finalizes. The 2-of-3 PSBT is signed by
// two vaults in turn, the second one completing every input.
func TestSignWorkers(t *testing.T) {
	const n = 100
	for _, k := range []fixtureKind{fxP2WPKH, fxP2SHP2WPKH, fxP2WSH2of3} {
		t.Run(k.String(), func(t *testing.T) {
			vaults := vaultsFor(t, k)
			raw := fixturePSBT(t, k, vaults, n)
			signAll := func(raw []byte, v *testVault, workers int) []byte {
				p := mustDecode(t, raw)
				res, err := Sign(p, v.keys, Options{Workers: workers})
				if err != nil {
					t.Fatalf("%d workers: %v", workers, err)
				}
				if len(res.Signed) != n {
					t.Fatalf("%d workers: signed %d of %d inputs", workers, len(res.Signed), n)
				}
				for i, s := range res.Signed {
					if s.Index != i || len(s.Keys) != 1 {
						t.Fatalf("%d workers: result %d is input %d with %d keys", workers, i, s.Index, len(s.Keys))
					}
				}
				checkSigSizes(t, p)
				return p.Encode()
			}
			var want []byte
			for _, w := range []int{1, 2, 3, 7} {
				out := signAll(raw, vaults[0], w)
				if k >= fxP2WSH2of3 {
					out = signAll(out, vaults[1], w)
				}
				if want == nil {
					want = out
					rawTx, err := Finalize(mustDecode(t, out))
					if err != nil {
						t.Fatal(err)
					}
					checkRawTx(t, rawTx, n)
				} else if !bytes.Equal(out, want) {
					t.Fatalf("%d workers signed differently from 1", w)
				}
			}
		})
	}
}
