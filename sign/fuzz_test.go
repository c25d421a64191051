package sign

import (
	"encoding/hex"
	"os"
	"path/filepath"
	"testing"
)

// FuzzAnalyze feeds anything that decodes to Analyze, Finalize and Sign
// (with a vault whose fingerprint appears in the seeds): none may panic,
// and a refusal always comes with its Review.
func FuzzAnalyze(f *testing.F) {
	for _, path := range []string{"bip174/bip174-psbt-vectors.json", "bip370/bip370-psbt-vectors.json", "bip371/bip371-psbt-vectors.json"} {
		vec := loadBIP(f, path)
		for _, v := range append(append(vec.Valid, vec.SignerChecksFail...), vec.Locktime...) {
			b, _ := hex.DecodeString(v.Hex)
			f.Add(b)
		}
	}
	files, _ := filepath.Glob(filepath.Join(refuseDir, "*.psbt"))
	for _, name := range files {
		b, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		p, err := Decode(b, 0)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(p.Encode())
	}
	e := newAnalyzeEnv(f)
	for _, k := range []fixtureKind{fxP2WPKH, fxP2SHP2WPKH, fxP2TR, fxP2WSH2of3, fxP2SHP2WSH2of3} {
		f.Add(fixturePSBT(f, k, e.vaults(k), 2))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		p, err := Decode(data, 1<<20)
		if err != nil {
			return
		}
		r, err := Analyze(p, e.w)
		if r == nil {
			t.Fatal("no review")
		}
		if err != nil && len(r.Refusals) == 0 {
			t.Fatal("refusal without reasons in the review")
		}
		_, _ = Finalize(p)
		if err == nil {
			_, _ = Sign(p, e.a.keys, Options{Workers: 1})
		}
	})
}
