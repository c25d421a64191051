package sign

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"github.com/btcsuite/btcd/btcutil"
	"github.com/btcsuite/btcd/wire"

	"github.com/coffer-custody/coffer/wallet"
)

// accountKey is the account xpub of v at path, for a descriptor.
func (v *testVault) accountKey(t testing.TB, path []uint32) wallet.AccountKey {
	t.Helper()
	k := v.master
	for _, s := range path {
		var err error
		if k, err = k.Derive(s); err != nil {
			t.Fatal(err)
		}
	}
	pub, err := k.Neuter()
	if err != nil {
		t.Fatal(err)
	}
	return wallet.AccountKey{Origin: wallet.KeyOrigin{Fingerprint: v.fp, Path: wallet.Path(path)}, XPub: pub}
}

// testWallets is the vault A's view: its three single-key accounts and
// the two 2-of-3 wallets with B and C.
func testWallets(t testing.TB, a, b, c *testVault) Wallets {
	t.Helper()
	w := Wallets{Network: wallet.Testnet, Fingerprint: a.fp}
	for _, acc := range []struct {
		name string
		st   wallet.ScriptType
		k    fixtureKind
	}{{"wpkh-0", wallet.ScriptWPKH, fxP2WPKH}, {"sh-wpkh-0", wallet.ScriptSHWPKH, fxP2SHP2WPKH}, {"tr-0", wallet.ScriptTR, fxP2TR}} {
		path := accountPath(acc.k, 0, 0)
		d, err := wallet.SingleSigDescriptor(acc.st, a.accountKey(t, path[:3]))
		if err != nil {
			t.Fatal(err)
		}
		w.Accounts = append(w.Accounts, Wallet{Name: acc.name, Descriptor: d})
	}
	for _, ms := range []struct {
		name string
		st   wallet.ScriptType
		k    fixtureKind
	}{{"vault-2of3-wsh", wallet.ScriptWSHMulti, fxP2WSH2of3}, {"vault-2of3-sh-wsh", wallet.ScriptSHWSHMulti, fxP2SHP2WSH2of3}} {
		path := accountPath(ms.k, 0, 0)[:4]
		d, err := wallet.MultisigDescriptor(ms.st, 2, []wallet.AccountKey{a.accountKey(t, path), b.accountKey(t, path), c.accountKey(t, path)})
		if err != nil {
			t.Fatal(err)
		}
		w.Multisig = append(w.Multisig, Wallet{Name: ms.name, Descriptor: d})
	}
	return w
}

type analyzeEnv struct {
	a, b, c *testVault
	w       Wallets
}

func newAnalyzeEnv(t testing.TB) *analyzeEnv {
	a, b, c := newTestVault(t, "A"), newTestVault(t, "B"), newTestVault(t, "C")
	return &analyzeEnv{a: a, b: b, c: c, w: testWallets(t, a, b, c)}
}

func (e *analyzeEnv) vaults(k fixtureKind) []*testVault {
	if k >= fxP2WSH2of3 {
		return []*testVault{e.a, e.b, e.c}
	}
	return []*testVault{e.a}
}

// TestAnalyzeScriptTypes reviews a spend of each script type: inputs
// ours by the right wallet, external and change outputs labelled, fee
// and fee rate, and a size estimate that holds for the signed result.
func TestAnalyzeScriptTypes(t *testing.T) {
	e := newAnalyzeEnv(t)
	names := map[fixtureKind]string{fxP2WPKH: "wpkh-0", fxP2SHP2WPKH: "sh-wpkh-0", fxP2TR: "tr-0", fxP2WSH2of3: "vault-2of3-wsh", fxP2SHP2WSH2of3: "vault-2of3-sh-wsh"}
	for _, k := range []fixtureKind{fxP2WPKH, fxP2SHP2WPKH, fxP2TR, fxP2WSH2of3, fxP2SHP2WSH2of3} {
		t.Run(k.String(), func(t *testing.T) {
			vs := e.vaults(k)
			ins := []fixtureInput{fixtureScript(t, k, vs, 0, 0, 100_000), fixtureScript(t, k, vs, 0, 1, 50_000)}
			change := fixtureScript(t, k, vs, 1, 3, 40_000)
			self := fixtureScript(t, k, vs, 0, 9, 8_000)
			outs := []fixtureOutput{externalOutput(100_000), change.asOutput(), self.asOutput()}
			p := mustDecode(t, buildPSBT(t, ins, outs, 0))
			r, err := Analyze(p, e.w)
			if err != nil {
				t.Fatalf("refused: %v", err)
			}
			if r.OursToSign != 2 || !r.Inputs[0].Ours || r.Inputs[0].Wallet != names[k] || len(r.Inputs[0].Keys) != 1 {
				t.Fatalf("inputs: %+v", r.Inputs)
			}
			if got := []Label{r.Outputs[0].Label, r.Outputs[1].Label, r.Outputs[2].Label}; got[0] != LabelExternal || got[1] != LabelChange || got[2] != LabelSelf {
				t.Fatalf("labels %v", got)
			}
			if r.InputTotal != 150_000 || r.OutputTotal != 148_000 || r.Fee != 2_000 || r.Sent != 100_000 || r.Change != 48_000 {
				t.Fatalf("amounts: in %d out %d fee %d sent %d change %d", r.InputTotal, r.OutputTotal, r.Fee, r.Sent, r.Change)
			}
			if !strings.HasPrefix(r.Outputs[0].Address, "tb1q") {
				t.Fatalf("address %q", r.Outputs[0].Address)
			}
			if len(r.Warnings) != 0 {
				t.Fatalf("warnings: %q", r.Warnings)
			}
			// Sign with every needed vault, finalize, and compare sizes.
			for _, v := range vs[:min(2, len(vs))] {
				if _, err := Sign(p, v.keys, Options{}); err != nil {
					t.Fatal(err)
				}
			}
			raw, err := Finalize(p)
			if err != nil {
				t.Fatal(err)
			}
			tx := &wire.MsgTx{}
			if err := tx.Deserialize(bytes.NewReader(raw)); err != nil {
				t.Fatal(err)
			}
			actual := (tx.SerializeSizeStripped()*3 + tx.SerializeSize() + 3) / 4
			if r.VSize < actual || r.VSize > actual+2 {
				t.Fatalf("estimated vsize %d, actual %d", r.VSize, actual)
			}
			if want := float64(int(float64(2000)/float64(r.VSize)*10+0.5)) / 10; r.FeeRate != want {
				t.Fatalf("fee rate %v, want %v", r.FeeRate, want)
			}
		})
	}
}

func TestAnalyzeWarnings(t *testing.T) {
	e := newAnalyzeEnv(t)
	vs := []*testVault{e.a}
	in := fixtureScript(t, fxP2WPKH, vs, 0, 0, 1_000_000)
	opReturn := func(data []byte) fixtureOutput {
		s := append([]byte{0x6a, byte(len(data))}, data...)
		if len(data) > 75 {
			s = append([]byte{0x6a, 0x4c, byte(len(data))}, data...)
		}
		return fixtureOutput{spk: s}
	}
	cases := []struct {
		name string
		outs []fixtureOutput
		lt   uint32
		seq  uint32
		want []string
	}{
		{"dust and zero", []fixtureOutput{externalOutput(999_000), externalOutput(100), externalOutput(0)}, 0, 0,
			[]string{"output #1 is dust: 100 sat is below the 294 sat", "output #2 has a value of zero"}},
		{"op_return", []fixtureOutput{externalOutput(999_000), opReturn([]byte("hello coffer"))}, 0, 0,
			[]string{`output #1 is OP_RETURN data: 68656c6c6f20636f66666572 (text "hello coffer")`}},
		{"two op_returns, one long", []fixtureOutput{externalOutput(999_000), opReturn([]byte{1, 2}), opReturn(bytes.Repeat([]byte{0xee}, 81))}, 0, 0,
			[]string{"2 OP_RETURN outputs", "81 bytes of OP_RETURN data", "(not text)"}},
		{"unknown script", []fixtureOutput{externalOutput(998_000), {spk: []byte{0x51}, amount: 1000}}, 0, 0,
			[]string{"output #1 pays to a script of unknown type: 51"}},
		{"fee above 5%", []fixtureOutput{externalOutput(940_000)}, 0, 0, []string{"is 6.4% of the amount sent"}},
		{"locktime without effect", []fixtureOutput{externalOutput(990_000)}, 800_000, wire.MaxTxInSequenceNum,
			[]string{"the locktime (not valid before block 800000) has no effect"}},
		{"fee rate above 100 sat/vB", []fixtureOutput{externalOutput(980_000)}, 0, 0, []string{"sat/vB is above 100 sat/vB"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := in
			f.sequence = c.seq
			p := mustDecode(t, buildPSBT(t, []fixtureInput{f}, c.outs, c.lt))
			r, err := Analyze(p, e.w)
			if err != nil {
				t.Fatal(err)
			}
			all := strings.Join(r.Warnings, "\n")
			for _, w := range c.want {
				if !strings.Contains(all, w) {
					t.Errorf("warnings lack %q:\n%s", w, all)
				}
			}
		})
	}
	t.Run("foreign and partly signed inputs", func(t *testing.T) {
		other := newTestVault(t, "Q")
		foreign := fixtureScript(t, fxP2WPKH, []*testVault{other}, 0, 0, 500_000)
		p := mustDecode(t, buildPSBT(t, []fixtureInput{in, foreign}, []fixtureOutput{externalOutput(1_490_000)}, 0))
		if _, err := Sign(p, other.keys, Options{}); err != nil {
			t.Fatal(err)
		}
		r, err := Analyze(p, e.w)
		if err != nil {
			t.Fatal(err)
		}
		all := strings.Join(r.Warnings, "\n")
		for _, w := range []string{"input #1 will not be signed by this vault: no key of this vault", "input #1 already carries 1 signature(s)"} {
			if !strings.Contains(all, w) {
				t.Errorf("warnings lack %q:\n%s", w, all)
			}
		}
		if r.OursToSign != 1 || r.Inputs[1].Ours {
			t.Fatal("ownership")
		}
	})
	t.Run("words", func(t *testing.T) {
		p := mustDecode(t, buildPSBT(t, []fixtureInput{in}, []fixtureOutput{externalOutput(990_000)}, 1_700_000_000))
		r, _ := Analyze(p, e.w)
		if r.LockTimeText != "not valid before 2023-11-14 22:13:20 UTC" || !r.RBF || !strings.Contains(r.RBFText, "replaceable") {
			t.Fatalf("%q %v %q", r.LockTimeText, r.RBF, r.RBFText)
		}
	})
}

// TestAnalyzeCoreSemanticInvalid: the two rpc_psbt.json "invalid" PSBTs
// that Decode accepts are refused by Analyze.
func TestAnalyzeCoreSemanticInvalid(t *testing.T) {
	var core struct {
		Invalid []string `json:"invalid"`
	}
	loadJSON(t, "bip174/rpc_psbt.json", &core)
	want := map[int]Code{39: CodeNonWitnessUTXOMismatch, 40: CodeNonWitnessUTXOIndex}
	for i, code := range want {
		p, err := Decode([]byte(core.Invalid[i]), 0)
		if err != nil {
			t.Fatal(err)
		}
		_, err = Analyze(p, Wallets{Network: wallet.Mainnet})
		if !isRefusal(err, code) {
			t.Errorf("invalid #%d: %v, want %s", i, err, code)
		}
	}
}

func TestCodesHaveNames(t *testing.T) {
	seen := map[string]Code{}
	for _, c := range Codes() {
		n := c.String()
		if strings.HasPrefix(n, "Code(") || n == "" {
			t.Errorf("code %d has no name", c)
		}
		if prev, dup := seen[n]; dup {
			t.Errorf("codes %d and %d share the name %q", prev, c, n)
		}
		seen[n] = c
	}
	if len(seen) != int(codeEnd)-1 {
		t.Fatalf("%d names for %d codes", len(seen), int(codeEnd)-1)
	}
	if Code(0).String() != "Code(0)" || codeEnd.String() != "Code(24)" {
		t.Fatal("out-of-range codes must not have names")
	}
	err := &RefusalError{Reasons: []Reason{inputReason(CodeFeeTooHigh, 2, "x")}}
	if !errors.Is(err, ErrRefused) || !err.OnlyPolicyMayAllow() || err.Error() != "refused: input #2: x" {
		t.Fatal(err)
	}
}

func TestAnalyzeAmountsJSONShape(t *testing.T) {
	// Review amounts are integer satoshis.
	var a btcutil.Amount = 1
	if _, ok := any(a).(btcutil.Amount); !ok {
		t.Fatal("amount type")
	}
}

// TestAnalyzeManyInputs takes the parallel claim-checking path and checks
// it agrees with the per-input result (run with -race).
func TestAnalyzeManyInputs(t *testing.T) {
	e := newAnalyzeEnv(t)
	vs := []*testVault{e.a}
	const n = 130 // enough for Decode's and Analyze's parallel paths
	ins := make([]fixtureInput, n)
	for i := range ins {
		ins[i] = fixtureScript(t, fxP2WPKH, vs, uint32(i%2), uint32(i), 10_000)
	}
	// Input 17 lies about its path.
	ins[17].derivs[0].Bip32Path = accountPath(fxP2WPKH, 1, 99)
	p := mustDecode(t, buildPSBT(t, ins, []fixtureOutput{externalOutput(n*10_000 - 20_000)}, 0))
	r, err := Analyze(p, e.w)
	var re *RefusalError
	if !errors.As(err, &re) || len(re.Reasons) != 1 || re.Reasons[0].Input != 17 || re.Reasons[0].Code != CodeInputPathMismatch {
		t.Fatalf("got %v", err)
	}
	if r.OursToSign != n-1 {
		t.Fatalf("%d inputs ours", r.OursToSign)
	}
}
