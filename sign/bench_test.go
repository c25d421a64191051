package sign

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/btcsuite/btcd/wire"
)

var benchOut = flag.String("bench-out", "", "TestWriteBenchPSBT writes BenchmarkPipeline's PSBT and its test master key into this folder (scripts/bench-peer.sh)")

// cpuMeter reports the process CPU time per operation of a benchmark
// ("cpu-ms/op") beside the wall time: on a shared machine the wall time
// also counts the other processes' turns, the CPU time does not. Both
// cores' work adds up, so cpu-ms/op over ns/op is the parallelism reached.
type cpuMeter struct{ start time.Duration }

func startCPU(b *testing.B) cpuMeter {
	b.ResetTimer()
	return cpuMeter{processCPU()}
}

func (m cpuMeter) report(b *testing.B) {
	if c := processCPU(); c > 0 && b.N > 0 {
		b.ReportMetric(float64(c-m.start)/float64(b.N)/1e6, "cpu-ms/op")
	}
}

// benchPSBT builds an n-input PSBT of kind with non_witness_utxo on every
// input; for 2-of-3 it comes signed by vault B, so vault A's signature
// completes each input and the script engine runs.
func benchPSBT(b testing.TB, e *analyzeEnv, k fixtureKind, n int) []byte {
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
				m := startCPU(b)
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
				m.report(b)
			})
		}
	}
}

// BenchmarkAnalyze measures Decode + Analyze of a 1,000-input P2WPKH PSBT.
func BenchmarkAnalyze(b *testing.B) {
	e := newAnalyzeEnv(b)
	raw := benchPSBT(b, e, fxP2WPKH, 1000)
	m := startCPU(b)
	for i := 0; i < b.N; i++ {
		p, err := Decode(raw, 0)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := Analyze(p, e.w); err != nil {
			b.Fatal(err)
		}
	}
	m.report(b)
}

// BenchmarkPipeline is the target: a 1,000-input P2WPKH PSBT with
// non_witness_utxo on every input decoded, reviewed, signed,
// script-checked and serialized (target: under 150 ms on 2 cores).
func BenchmarkPipeline(b *testing.B) {
	e := newAnalyzeEnv(b)
	raw := benchPSBT(b, e, fxP2WPKH, 1000)
	m := startCPU(b)
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
	m.report(b)
}

// BenchmarkPhases splits BenchmarkPipeline into its steps, to show where
// the time goes.
func BenchmarkPhases(b *testing.B) {
	e := newAnalyzeEnv(b)
	raw := benchPSBT(b, e, fxP2WPKH, 1000)
	b.Run("decode", func(b *testing.B) {
		m := startCPU(b)
		for i := 0; i < b.N; i++ {
			if _, err := Decode(raw, 0); err != nil {
				b.Fatal(err)
			}
		}
		m.report(b)
	})
	b.Run("analyze", func(b *testing.B) {
		p := mustDecode(b, raw)
		m := startCPU(b)
		for i := 0; i < b.N; i++ {
			if _, err := Analyze(p, e.w); err != nil {
				b.Fatal(err)
			}
		}
		m.report(b)
	})
	b.Run("sign", func(b *testing.B) {
		ps := make([]*Packet, b.N)
		for i := range ps {
			ps[i] = mustDecode(b, raw)
		}
		m := startCPU(b)
		for i := 0; i < b.N; i++ {
			keys, err := NewHDKeys(e.a.master)
			if err != nil {
				b.Fatal(err)
			}
			if _, err := Sign(ps[i], keys, Options{}); err != nil {
				b.Fatal(err)
			}
			keys.Zero()
		}
		m.report(b)
	})
	b.Run("encode", func(b *testing.B) {
		p := mustDecode(b, raw)
		signAsA(b, e, p)
		m := startCPU(b)
		for i := 0; i < b.N; i++ {
			_ = p.Encode()
		}
		m.report(b)
	})
}

// TestWriteBenchPSBT writes, for the bitcoinjs-lib side of
// scripts/bench-peer.sh, the very PSBT BenchmarkPipeline signs
// (p2wpkh-1000.psbt: 1,000 P2WPKH inputs with non_witness_utxo, built
// deterministically) and the master key that signs it (master.tprv, a
// test key derived from a fixed seed; mode 0600). It runs only when
// -bench-out names a folder.
func TestWriteBenchPSBT(t *testing.T) {
	if *benchOut == "" {
		t.Skip("no -bench-out folder given")
	}
	e := newAnalyzeEnv(t)
	raw := benchPSBT(t, e, fxP2WPKH, 1000)
	if again := benchPSBT(t, newAnalyzeEnv(t), fxP2WPKH, 1000); !bytes.Equal(raw, again) {
		t.Fatal("the benchmark PSBT is not deterministic")
	}
	p := mustDecode(t, raw)
	if p.NumInputs() != 1000 {
		t.Fatalf("%d inputs", p.NumInputs())
	}
	for i := range p.p.Inputs {
		if p.p.Inputs[i].NonWitnessUtxo == nil {
			t.Fatalf("input #%d has no non_witness_utxo", i)
		}
	}
	if err := os.WriteFile(filepath.Join(*benchOut, "p2wpkh-1000.psbt"), raw, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(*benchOut, "master.tprv"), []byte(e.a.master.String()+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(raw)
	t.Logf("wrote p2wpkh-1000.psbt (%d bytes, sha256 %s) and master.tprv (fingerprint %x) to %s",
		len(raw), hex.EncodeToString(sum[:]), e.a.fp, *benchOut)
}

// signAsA signs p with vault A's key, outside a benchmark's timing.
func signAsA(b testing.TB, e *analyzeEnv, p *Packet) {
	b.Helper()
	keys, err := NewHDKeys(e.a.master)
	if err != nil {
		b.Fatal(err)
	}
	defer keys.Zero()
	if _, err := Sign(p, keys, Options{}); err != nil {
		b.Fatal(err)
	}
}

// BenchmarkScriptCheckFloor measures the one step of the pipeline that
// the issue makes mandatory and Coffer cannot make cheaper: btcd's script
// engine executing every input of BenchmarkPipeline's PSBT once signed,
// on all cores, with the sighash midstates computed once — no decoding,
// review, signing or serialization. It is the floor under
// BenchmarkPipeline on this machine.
func BenchmarkScriptCheckFloor(b *testing.B) {
	e := newAnalyzeEnv(b)
	p := mustDecode(b, benchPSBT(b, e, fxP2WPKH, 1000))
	signAsA(b, e, p)
	raw, err := Finalize(p)
	if err != nil {
		b.Fatal(err)
	}
	var tx wire.MsgTx
	if err := tx.Deserialize(bytes.NewReader(raw)); err != nil {
		b.Fatal(err)
	}
	prevOuts := make([]*wire.TxOut, len(tx.TxIn))
	for i := range prevOuts {
		u, r := p.spentOutput(i)
		if r != nil {
			b.Fatal(r)
		}
		prevOuts[i] = u.out
	}
	ctx := newTxContext(&tx, prevOuts)
	m := startCPU(b)
	for i := 0; i < b.N; i++ {
		var failed atomic.Int32
		parallelFor(len(tx.TxIn), func(k int) {
			if ctx.execute(&tx, k) != nil {
				failed.Add(1)
			}
		})
		if n := failed.Load(); n != 0 {
			b.Fatalf("%d inputs fail their script", n)
		}
	}
	m.report(b)
}
