package sign

import (
	"fmt"
	"testing"
)

// benchPSBT builds an n-input PSBT of kind with non_witness_utxo on every
// input; for 2-of-3 it comes signed by vault B, so vault A's signature
// completes each input and the script engine runs.
func benchPSBT(b *testing.B, e *analyzeEnv, k fixtureKind, n int) []byte {
	b.Helper()
	vs := e.vaults(k)
	ins := make([]fixtureInput, n)
	for i := range ins {
		ins[i] = fixtureScript(b, k, vs, 0, uint32(i), 100_000)
	}
	// Half goes out, the rest comes back as change, 150 sat per input of fee.
	sent := int64(n) * 50_000
	change := fixtureScript(b, k, vs, 1, 0, int64(n)*100_000-sent-int64(n)*150)
	raw := buildPSBT(b, ins, []fixtureOutput{externalOutput(sent), change.asOutput()}, 0)
	if k >= fxP2WSH2of3 {
		p := mustDecode(b, raw)
		if _, err := Sign(p, e.b.keys, Options{}); err != nil {
			b.Fatal(err)
		}
		raw = p.Encode()
	}
	return raw
}

// BenchmarkSign measures Decode + Sign (signatures and their script or
// signature checks) + Encode, with a fresh HDKeys each time as a
// `coffer sign` run would have. Run with -benchtime=3x.
func BenchmarkSign(b *testing.B) {
	e := newAnalyzeEnv(b)
	cache := map[string][]byte{}
	for _, k := range []fixtureKind{fxP2WPKH, fxP2TR, fxP2WSH2of3} {
		for _, n := range []int{1, 100, 1000, 5000} {
			name := fmt.Sprintf("%s/%d", k, n)
			b.Run(name, func(b *testing.B) {
				raw, ok := cache[name]
				if !ok {
					raw = benchPSBT(b, e, k, n)
					cache[name] = raw
				}
				b.SetBytes(int64(len(raw)))
				b.ResetTimer()
				for i := 0; i < b.N; i++ {
					p, err := Decode(raw, 0)
					if err != nil {
						b.Fatal(err)
					}
					keys, err := NewHDKeys(e.a.master)
					if err != nil {
						b.Fatal(err)
					}
					res, err := Sign(p, keys, Options{})
					keys.Zero()
					if err != nil {
						b.Fatal(err)
					}
					if len(res.Signed) != n {
						b.Fatalf("signed %d of %d", len(res.Signed), n)
					}
					_ = p.Encode()
				}
			})
		}
	}
}

// BenchmarkAnalyze measures Decode + Analyze of a 1,000-input P2WPKH PSBT.
func BenchmarkAnalyze(b *testing.B) {
	e := newAnalyzeEnv(b)
	raw := benchPSBT(b, e, fxP2WPKH, 1000)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		p, err := Decode(raw, 0)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := Analyze(p, e.w); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkPipeline is the target: a 1,000-input P2WPKH PSBT with
// non_witness_utxo on every input decoded, reviewed, signed,
// script-checked and serialized (target: under 150 ms on 2 cores).
func BenchmarkPipeline(b *testing.B) {
	e := newAnalyzeEnv(b)
	raw := benchPSBT(b, e, fxP2WPKH, 1000)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		p, err := Decode(raw, 0)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := Analyze(p, e.w); err != nil {
			b.Fatal(err)
		}
		keys, err := NewHDKeys(e.a.master)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := Sign(p, keys, Options{}); err != nil {
			b.Fatal(err)
		}
		keys.Zero()
		_ = p.Encode()
	}
}
