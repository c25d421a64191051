package sign

import (
	"bytes"
	"encoding/json"
	"errors"
	"reflect"
	"testing"

	"github.com/btcsuite/btcd/txscript"
)

// TestReviewJSONRoundTrip: a Review written as JSON (the journal's sign
// entries carry it, and audit replay judges it again) reads back to the
// same value and re-encodes to the same bytes, for every script type,
// warnings, OP_RETURN data, a partly unknown fee and liftable refusals.
func TestReviewJSONRoundTrip(t *testing.T) {
	e := newAnalyzeEnv(t)
	none := uint32(txscript.SigHashNone)
	opReturn := fixtureOutput{spk: append([]byte{0x6a, 12}, "hello coffer"...)}
	type tcase struct {
		name string
		ins  []fixtureInput
		outs []fixtureOutput
		lt   uint32
	}
	var cases []tcase
	for _, k := range []fixtureKind{fxP2WPKH, fxP2SHP2WPKH, fxP2TR, fxP2WSH2of3, fxP2SHP2WSH2of3} {
		vs := e.vaults(k)
		cases = append(cases, tcase{k.String(),
			[]fixtureInput{fixtureScript(t, k, vs, 0, 0, 100_000), fixtureScript(t, k, vs, 0, 1, 50_000)},
			[]fixtureOutput{externalOutput(100_000), fixtureScript(t, k, vs, 1, 3, 40_000).asOutput(), fixtureScript(t, k, vs, 0, 9, 8_000).asOutput()}, 0})
	}
	a := []*testVault{e.a}
	in := fixtureScript(t, fxP2WPKH, a, 0, 0, 1_000_000)
	cases = append(cases,
		tcase{"warnings and op_return", []fixtureInput{in}, []fixtureOutput{externalOutput(940_000), externalOutput(100), opReturn}, 800_000},
		tcase{"fee above 10%", []fixtureInput{in}, []fixtureOutput{externalOutput(800_000)}, 1_700_000_000},
	)
	noUTXO := in
	noUTXO.noNonWitness, noUTXO.witnessUTXO = true, false
	cases = append(cases, tcase{"amount unknown", []fixtureInput{noUTXO}, []fixtureOutput{externalOutput(900_000)}, 0})
	sh := in
	sh.sighash = &none
	cases = append(cases, tcase{"sighash none", []fixtureInput{sh}, []fixtureOutput{externalOutput(990_000)}, 0})

	seen := map[string]bool{}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p := mustDecode(t, buildPSBT(t, c.ins, c.outs, c.lt))
			r, err := Analyze(p, e.w)
			var re *RefusalError
			if err != nil && !errors.As(err, &re) {
				t.Fatal(err)
			}
			if r == nil {
				t.Fatal("no review")
			}
			for _, x := range r.Refusals {
				seen[x.Code.String()] = true
			}
			seen["warnings"] = seen["warnings"] || len(r.Warnings) > 0
			seen["fee unknown"] = seen["fee unknown"] || !r.FeeKnown
			for _, o := range r.Outputs {
				seen["op_return text"] = seen["op_return text"] || o.DataText != ""
				seen["change keys"] = seen["change keys"] || o.Label == LabelChange && len(o.Keys) > 0
			}
			b1, err := json.Marshal(r)
			if err != nil {
				t.Fatal(err)
			}
			var back Review
			dec := json.NewDecoder(bytes.NewReader(b1))
			dec.DisallowUnknownFields()
			if err := dec.Decode(&back); err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(r, &back) {
				t.Fatalf("review changed in JSON:\nbefore %+v\nafter  %+v", r, &back)
			}
			b2, err := json.Marshal(&back)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(b1, b2) {
				t.Fatalf("re-encoded differently:\n%s\n%s", b1, b2)
			}
		})
	}
	// The cases cover what the policy reads: refusals it may lift, warnings,
	// an unknown fee, OP_RETURN text and keys of change outputs.
	for _, want := range []string{"fee-too-high", "sighash-type", "missing-utxo", "warnings", "fee unknown", "op_return text", "change keys"} {
		if !seen[want] {
			t.Errorf("no case covers %s", want)
		}
	}
}
