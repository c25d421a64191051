package watch

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/btcsuite/btcd/btcutil/hdkeychain"
	"github.com/btcsuite/btcd/chaincfg"

	"github.com/coffer-custody/coffer/keygen"
	"github.com/coffer-custody/coffer/qr/ur"
	"github.com/coffer-custody/coffer/qr/urtypes"
	"github.com/coffer-custody/coffer/wallet"
)

// urExamples are BCR-2020-007 and BCR-2020-010's published examples
// (testdata/ur/bcr-2020-007-010-examples.json, see its SOURCE).
type urExamples struct {
	HDKey []struct {
		From string `json:"from"`
		UR   string `json:"ur"`
	} `json:"hdkey"`
	Output []struct {
		From string `json:"from"`
		UR   string `json:"ur"`
	} `json:"output"`
}

func loadURExamples(t testing.TB) urExamples {
	t.Helper()
	var e urExamples
	if err := json.Unmarshal(golden(t, "ur", "bcr-2020-007-010-examples.json"), &e); err != nil {
		t.Fatal(err)
	}
	if len(e.HDKey) != 2 || len(e.Output) != 5 {
		t.Fatalf("%d hdkey and %d output examples, want 2 and 5", len(e.HDKey), len(e.Output))
	}
	return e
}

// parseUR returns a single-part UR's type and CBOR.
func parseUR(t testing.TB, s string) (string, []byte) {
	t.Helper()
	u, err := ur.Parse(s, ur.Limits{})
	if err != nil {
		t.Fatal(err)
	}
	return u.Type, u.CBOR
}

// The published examples are all refused, each for its own reason: none
// is a wallet coffer-watch can follow (bare keys, keys without their
// master's fingerprint or with a partial origin path, a private key).
func TestParseWalletURExamplesRefused(t *testing.T) {
	ex := loadURExamples(t)
	want := []string{
		// crypto-hdkey
		"ur:crypto-hdkey carries a private key: refused",
		"ur:crypto-hdkey: no origin fingerprint",
		// crypto-output
		"ur:crypto-output: key 1 is a bare public key",
		"ur:crypto-output: key 1 is a bare public key",
		"ur:crypto-output: key 1 is a bare public key",
		// The revised example 4 states depth 4 for its 3-step origin.
		"ur:crypto-output: key 1: the origin path has 3 steps but the key's depth is 4",
		"ur:crypto-output: key 1: no origin fingerprint",
	}
	var urs []string
	for _, h := range ex.HDKey {
		urs = append(urs, h.UR)
	}
	for _, o := range ex.Output {
		urs = append(urs, o.UR)
	}
	for i, s := range urs {
		typ, cb := parseUR(t, s)
		im, err := ParseWalletUR(typ, cb, "")
		if err == nil || !strings.HasPrefix(err.Error(), want[i]) {
			t.Errorf("example %d (%s): %v (%v), want %q", i+1, typ, err, im, want[i])
		}
		if i == 0 && !errors.Is(err, urtypes.ErrPrivateKey) {
			t.Errorf("the private key example does not wrap urtypes.ErrPrivateKey: %v", err)
		}
		if err != nil && strings.Contains(err.Error(), "xpub") {
			t.Errorf("example %d: the error quotes a key: %v", i+1, err)
		}
	}
}

// hdKeyOf is the crypto-hdkey of a descriptor key (a tpub, as coffer's
// regtest exports are), with children as given.
func hdKeyOf(t testing.TB, k *wallet.DescriptorKey, children *urtypes.Keypath) *urtypes.HDKey {
	t.Helper()
	x := k.ExtendedKey()
	pub, err := x.ECPubKey()
	if err != nil {
		t.Fatal(err)
	}
	o, ok := k.Origin()
	if !ok {
		t.Fatal("key without origin")
	}
	var steps []urtypes.Step
	for _, c := range o.Path {
		steps = append(steps, urtypes.Step{Index: c &^ wallet.Hardened, Hardened: c >= wallet.Hardened})
	}
	return &urtypes.HDKey{
		KeyData: pub.SerializeCompressed(), ChainCode: x.ChainCode(), UseInfo: &urtypes.CoinInfo{Network: 1},
		Origin:            &urtypes.Keypath{Steps: steps, SourceFingerprint: binary.BigEndian.Uint32(o.Fingerprint[:]), Depth: len(steps)},
		Children:          children,
		ParentFingerprint: x.ParentFingerprint(),
	}
}

// outputOf is the crypto-output of a coffer wallet descriptor, as Sparrow
// or Keystone would show it.
func outputOf(t testing.TB, d *wallet.Descriptor, children *urtypes.Keypath) urtypes.Output {
	t.Helper()
	keys := d.Keys()
	one := func() *urtypes.Key { return &urtypes.Key{HD: hdKeyOf(t, keys[0], children)} }
	switch d.ScriptType() {
	case wallet.ScriptWPKH:
		return urtypes.Output{Kind: urtypes.WPKH, Key: one()}
	case wallet.ScriptSHWPKH:
		return urtypes.Output{Kind: urtypes.SH, Inner: &urtypes.Output{Kind: urtypes.WPKH, Key: one()}}
	case wallet.ScriptTR:
		return urtypes.Output{Kind: urtypes.Taproot, Inner: &urtypes.Output{Kind: urtypes.PK, Key: one()}}
	case wallet.ScriptWSHMulti:
		m := &urtypes.Output{Kind: urtypes.SortedMulti, Threshold: d.Threshold()}
		for _, k := range keys {
			m.Keys = append(m.Keys, urtypes.Key{HD: hdKeyOf(t, k, children)})
		}
		return urtypes.Output{Kind: urtypes.WSH, Inner: m}
	}
	t.Fatalf("no crypto-output for %s", d.ScriptType())
	return urtypes.Output{}
}

var (
	childrenReceive = &urtypes.Keypath{Steps: []urtypes.Step{{Kind: urtypes.StepIndex}, {Kind: urtypes.StepWildcard}}, Depth: -1}
	childrenPair    = &urtypes.Keypath{Steps: []urtypes.Step{{Kind: urtypes.StepPair, Index: 0, High: 1}, {Kind: urtypes.StepWildcard}}, Depth: -1}
	childrenChange  = &urtypes.Keypath{Steps: []urtypes.Step{{Kind: urtypes.StepIndex, Index: 1}, {Kind: urtypes.StepWildcard}}, Depth: -1}
)

// Every coffer export, sent as a crypto-output (with no children, 0/* or
// <0;1>/*), imports as the same wallet as the export file itself.
func TestParseWalletUROutputMatchesExports(t *testing.T) {
	files := []string{"descriptor-wpkh.txt", "descriptor-tr.txt", "descriptor-sh-wpkh.txt", "descriptor-wsh-multi-2of3.txt"}
	for _, f := range files {
		want, err := ParseWalletFile(golden(t, "export", "regtest", f), "")
		if err != nil {
			t.Fatal(err)
		}
		for _, ch := range []struct {
			name string
			kp   *urtypes.Keypath
		}{{"none", nil}, {"0/*", childrenReceive}, {"<0;1>/*", childrenPair}} {
			cb, err := outputOf(t, want.Descriptor, ch.kp).MarshalCBOR()
			if err != nil {
				t.Fatal(err)
			}
			im, err := ParseWalletUR(urtypes.TypeOutput, cb, "")
			if err != nil {
				t.Errorf("%s, children %s: %v", f, ch.name, err)
				continue
			}
			if im.Descriptor.String() != want.Descriptor.String() || im.Format != "ur:crypto-output" || im.Network != 0 {
				t.Errorf("%s, children %s: %s (%s), want %s", f, ch.name, im.Descriptor, im.Format, want.Descriptor)
			}
		}
		// A change-only branch is not a wallet.
		cb, _ := outputOf(t, want.Descriptor, childrenChange).MarshalCBOR()
		if _, err := ParseWalletUR(urtypes.TypeOutput, cb, ""); err == nil || !strings.Contains(err.Error(), "children are 1/*") {
			t.Errorf("%s with children 1/*: %v", f, err)
		}
	}
}

func TestParseWalletURHDKey(t *testing.T) {
	wants := map[string]*Imported{}
	for _, s := range []string{"wpkh", "tr", "sh-wpkh"} {
		im, err := ParseWalletFile(golden(t, "export", "regtest", "descriptor-"+s+".txt"), "")
		if err != nil {
			t.Fatal(err)
		}
		wants[s] = im
	}
	hd := func(script string, children *urtypes.Keypath) []byte {
		k := hdKeyOf(t, wants[script].Descriptor.Keys()[0], children)
		cb, err := k.MarshalCBOR()
		if err != nil {
			t.Fatal(err)
		}
		return cb
	}
	bip48, err := ParseWalletFile(golden(t, "export", "regtest", "descriptor-wsh-multi-2of3.txt"), "")
	if err != nil {
		t.Fatal(err)
	}
	cosigner, _ := hdKeyOf(t, bip48.Descriptor.Keys()[0], nil).MarshalCBOR()
	for _, c := range []struct {
		name, script string
		cbor         []byte
		want         string // the descriptor's script, or "" for an error
		err          string
	}{
		{"84h account", "", hd("wpkh", nil), "wpkh", ""},
		{"86h account", "", hd("tr", nil), "tr", ""},
		{"49h account", "", hd("sh-wpkh", childrenReceive), "sh-wpkh", ""},
		{"--script agrees", "wpkh", hd("wpkh", childrenPair), "wpkh", ""},
		{"--script unknown", "pkh", hd("wpkh", nil), "", `ur:crypto-hdkey: --script "pkh" is not one of wpkh, tr, sh-wpkh`},
		{"BIP48 cosigner key", "", cosigner, "", "ur:crypto-hdkey: a BSMS key record is one signer's key, not a wallet: a key at a BIP48 path (48h)"},
		{"change branch", "", hd("wpkh", childrenChange), "", "ur:crypto-hdkey: the key's children are 1/*"},
	} {
		im, err := ParseWalletUR(urtypes.TypeHDKey, c.cbor, c.script)
		if c.err != "" {
			if err == nil || !strings.HasPrefix(err.Error(), c.err) {
				t.Errorf("%s: %v, want %q", c.name, err, c.err)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s: %v", c.name, err)
			continue
		}
		if w := wants[c.want].Descriptor.String(); im.Descriptor.String() != w || im.Format != "ur:crypto-hdkey" {
			t.Errorf("%s: %s, want %s", c.name, im.Descriptor, w)
		}
	}
	if _, err := ParseWalletUR(urtypes.TypeHDKey, cosigner, ""); !errors.Is(err, ErrKeyRecord) {
		t.Errorf("a BIP48 key is not ErrKeyRecord: %v", err)
	}
}

// Keys that cannot serve a wallet: each refused, naming the key and why.
func TestParseWalletURBadKeys(t *testing.T) {
	im, err := ParseWalletFile(golden(t, "export", "regtest", "descriptor-wpkh.txt"), "")
	if err != nil {
		t.Fatal(err)
	}
	base := func() *urtypes.HDKey { return hdKeyOf(t, im.Descriptor.Keys()[0], nil) }
	cases := []struct {
		name string
		edit func(k *urtypes.HDKey)
		err  string
	}{
		{"no chain code", func(k *urtypes.HDKey) { k.ChainCode = nil }, "key 1: no chain code"},
		{"litecoin", func(k *urtypes.HDKey) { k.UseInfo = &urtypes.CoinInfo{Type: 2} }, "key 1: coin type 2 is not bitcoin"},
		{"no origin", func(k *urtypes.HDKey) { k.Origin = nil }, "key 1: no origin fingerprint"},
		{"partial origin", func(k *urtypes.HDKey) { k.Origin.Depth = 5 }, "key 1: the origin path has 3 steps but the key's depth is 5"},
		{"hardened wildcard", func(k *urtypes.HDKey) {
			k.Children = &urtypes.Keypath{Steps: []urtypes.Step{{Kind: urtypes.StepIndex}, {Kind: urtypes.StepWildcard, Hardened: true}}, Depth: -1}
		}, "key 1: the key's children are 0/*h"},
		{"mainnet key", func(k *urtypes.HDKey) { k.UseInfo = nil }, ""},
	}
	for _, c := range cases {
		k := base()
		c.edit(k)
		cb, err := urtypes.Output{Kind: urtypes.WPKH, Key: &urtypes.Key{HD: k}}.MarshalCBOR()
		if err != nil {
			t.Fatal(err)
		}
		got, err := ParseWalletUR(urtypes.TypeOutput, cb, "")
		if c.err == "" {
			// The same key bytes as an xpub: a mainnet wallet, which
			// ImportWallet refuses on a regtest database.
			if err != nil || got.Descriptor.CheckNetwork(wallet.Mainnet) != nil {
				t.Errorf("%s: %v", c.name, err)
			}
			continue
		}
		if err == nil || !strings.HasPrefix(err.Error(), "ur:crypto-output: "+c.err) {
			t.Errorf("%s: %v, want %q", c.name, err, c.err)
		}
	}
	// Expressions that are not wallets.
	k := base()
	for _, c := range []struct {
		o   urtypes.Output
		err string
	}{
		{urtypes.Output{Kind: urtypes.Combo, Key: &urtypes.Key{HD: k}}, "ur:crypto-output: combo() is not a wallet coffer-watch follows"},
		{urtypes.Output{Kind: urtypes.Cosigner, Key: &urtypes.Key{HD: k}}, "ur:crypto-output: a BSMS key record is one signer's key"},
		{urtypes.Output{Kind: urtypes.Taproot, Inner: &urtypes.Output{Kind: urtypes.SortedMulti, Threshold: 1, Keys: []urtypes.Key{{HD: k}}}}, "ur:crypto-output: tr() with a script tree"},
		{urtypes.Output{Kind: urtypes.PKH, Key: &urtypes.Key{HD: k}}, ""},
	} {
		cb, err := c.o.MarshalCBOR()
		if err != nil {
			t.Fatal(err)
		}
		got, err := ParseWalletUR(urtypes.TypeOutput, cb, "")
		if c.o.Kind == urtypes.PKH {
			// pkh parses as a descriptor; ImportWallet refuses its
			// script type.
			if err != nil || got.Descriptor.ScriptType().Valid() {
				t.Errorf("pkh: %v", err)
			}
			continue
		}
		if err == nil || !strings.HasPrefix(err.Error(), c.err) {
			t.Errorf("%s: %v, want %q", c.o.Kind, err, c.err)
		}
	}
	if _, err := ParseWalletUR("crypto-psbt", []byte{0x40}, ""); err == nil || !strings.Contains(err.Error(), "ur:crypto-psbt is not a wallet") {
		t.Errorf("crypto-psbt: %v", err)
	}
	if _, err := ParseWalletUR(urtypes.TypeOutput, []byte{0xff}, ""); err == nil || !strings.HasPrefix(err.Error(), "ur:crypto-output is not a valid structure: ") {
		t.Errorf("bad CBOR: %v", err)
	}
}

// FuzzParseWalletUR: any CBOR, never a panic; what imports is a wallet
// whose descriptor reads back as itself.
func FuzzParseWalletUR(f *testing.F) {
	ex := loadURExamples(f)
	for _, h := range ex.HDKey {
		_, cb := parseUR(f, h.UR)
		f.Add(true, cb)
	}
	for _, o := range ex.Output {
		_, cb := parseUR(f, o.UR)
		f.Add(false, cb)
	}
	im, err := ParseWalletFile(golden(f, "export", "regtest", "descriptor-wsh-multi-2of3.txt"), "")
	if err != nil {
		f.Fatal(err)
	}
	cb, _ := outputOf(f, im.Descriptor, childrenPair).MarshalCBOR()
	f.Add(false, cb)
	hk, _ := hdKeyOf(f, im.Descriptor.Keys()[1], nil).MarshalCBOR()
	f.Add(true, hk)
	f.Fuzz(func(t *testing.T, hd bool, cb []byte) {
		typ := urtypes.TypeOutput
		if hd {
			typ = urtypes.TypeHDKey
		}
		im, err := ParseWalletUR(typ, cb, "")
		if err != nil {
			return
		}
		back, err := wallet.ParseDescriptorWithChecksum(im.Descriptor.String())
		if err != nil || back.String() != im.Descriptor.String() {
			t.Fatalf("%s does not read back: %v", im.Descriptor, err)
		}
	})
}

func TestFingerprintByteOrder(t *testing.T) {
	// BCR-2020-010 example 4 names source fingerprint 3545084735 for the
	// descriptor's [d34db33f/...]: big-endian.
	k := urtypes.HDKey{KeyData: make([]byte, 33), ChainCode: make([]byte, 32), Origin: &urtypes.Keypath{
		Steps: []urtypes.Step{{Index: 44, Hardened: true}, {Index: 0, Hardened: true}, {Index: 0, Hardened: true}}, SourceFingerprint: 3545084735, Depth: -1}}
	k.KeyData[0] = 2
	k.KeyData[32] = 1
	s, err := hdKeyText(k)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(s, "[d34db33f/44h/0h/0h]xpub") || !strings.HasSuffix(s, "/<0;1>/*") {
		t.Fatalf("%s", s)
	}
}

// bcr015 is BCR-2020-015's example (testdata/ur/bcr-2020-015-account-example.json).
type bcr015 struct {
	Mnemonic string `json:"mnemonic"`
	UR       string `json:"ur"`
}

// The paper's crypto-account imports, for each single-key script, as the
// account its mnemonic derives (checked here from the mnemonic itself);
// its multisig entries are cosigner keys.
func TestParseWalletURAccountExample(t *testing.T) {
	var ex bcr015
	if err := json.Unmarshal(golden(t, "ur", "bcr-2020-015-account-example.json"), &ex); err != nil {
		t.Fatal(err)
	}
	typ, cb := parseUR(t, ex.UR)
	if typ != urtypes.TypeAccount {
		t.Fatalf("type %s", typ)
	}
	seed := keygen.Seed([]byte(ex.Mnemonic), nil)
	master, err := hdkeychain.NewMaster(seed, &chaincfg.MainNetParams)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		script, form string
		path         wallet.Path
	}{
		{"", "wpkh(%s)", wallet.Path{84 + wallet.Hardened, wallet.Hardened, wallet.Hardened}},
		{"wpkh", "wpkh(%s)", wallet.Path{84 + wallet.Hardened, wallet.Hardened, wallet.Hardened}},
		{"sh-wpkh", "sh(wpkh(%s))", wallet.Path{49 + wallet.Hardened, wallet.Hardened, wallet.Hardened}},
		{"tr", "tr(%s)", wallet.Path{86 + wallet.Hardened, wallet.Hardened, wallet.Hardened}},
		{"pkh", "pkh(%s)", wallet.Path{44 + wallet.Hardened, wallet.Hardened, wallet.Hardened}}, // as a crypto-output pkh imports
	} {
		k, err := wallet.DerivePath(master, c.path)
		if err != nil {
			t.Fatal(err)
		}
		xpub, err := wallet.Neuter(k)
		if err != nil {
			t.Fatal(err)
		}
		origin := wallet.KeyOrigin{Fingerprint: [4]byte{0x37, 0xb5, 0xee, 0xd4}, Path: c.path}
		text := fmt.Sprintf(c.form, "["+origin.String()+"]"+xpub.String()+"/<0;1>/*")
		withSum, err := wallet.AddChecksum(text)
		if err != nil {
			t.Fatal(err)
		}
		want, err := multipathOf(withSum)
		if err != nil {
			t.Fatal(err)
		}
		im, err := ParseWalletUR(typ, cb, c.script)
		if err != nil {
			t.Errorf("--script %q: %v", c.script, err)
			continue
		}
		if im.Descriptor.String() != want.String() || im.Format != "ur:crypto-account" {
			t.Errorf("--script %q: %s, want %s", c.script, im.Descriptor, want)
		}
	}
	for _, c := range []struct{ script, err string }{
		{"wsh-multi", "ur:crypto-account: a BSMS key record is one signer's key, not a wallet: the account's wsh-multi entry"},
		{"sh-wsh-multi", "ur:crypto-account: a BSMS key record is one signer's key"},
		{"sh-multi", "ur:crypto-account: a BSMS key record is one signer's key"},
		{"wsh", "ur:crypto-account: --script wsh: the account carries no such script type, only pkh, sh-wpkh, wpkh, sh-multi, sh-wsh-multi, wsh-multi, tr"},
	} {
		_, err := ParseWalletUR(typ, cb, c.script)
		if err == nil || !strings.HasPrefix(err.Error(), c.err) {
			t.Errorf("--script %s: %v, want %q", c.script, err, c.err)
		}
		if strings.HasSuffix(c.script, "-multi") && !errors.Is(err, ErrKeyRecord) {
			t.Errorf("--script %s: not ErrKeyRecord", c.script)
		}
	}
}

// Accounts that cannot serve: a key naming another master, a private key,
// no script the caller wants.
func TestParseWalletURAccountBad(t *testing.T) {
	im, err := ParseWalletFile(golden(t, "export", "regtest", "descriptor-wpkh.txt"), "")
	if err != nil {
		t.Fatal(err)
	}
	o := outputOf(t, im.Descriptor, nil)
	fp := o.Key.HD.Origin.SourceFingerprint
	for _, c := range []struct {
		name   string
		a      urtypes.Account
		script string
		err    string
	}{
		{"other master", urtypes.Account{MasterFingerprint: fp + 1, Outputs: []urtypes.Output{o}}, "", "ur:crypto-account: output 1 (wpkh): the key's origin fingerprint"},
		{"no wpkh", urtypes.Account{MasterFingerprint: fp, Outputs: []urtypes.Output{o}}, "tr", "ur:crypto-account: --script tr: the account carries no such script type, only wpkh"},
	} {
		cb, err := c.a.MarshalCBOR()
		if err != nil {
			t.Fatal(err)
		}
		if _, err := ParseWalletUR(urtypes.TypeAccount, cb, c.script); err == nil || !strings.HasPrefix(err.Error(), c.err) {
			t.Errorf("%s: %v, want %q", c.name, err, c.err)
		}
	}
	// The same output with the master fingerprint at the top and not in
	// the key imports as the file does.
	bare := o
	hd := *o.Key.HD
	origin := *hd.Origin
	origin.SourceFingerprint = 0
	hd.Origin = &origin
	bare.Key = &urtypes.Key{HD: &hd}
	cb, err := urtypes.Account{MasterFingerprint: fp, Outputs: []urtypes.Output{bare}}.MarshalCBOR()
	if err != nil {
		t.Fatal(err)
	}
	got, err := ParseWalletUR(urtypes.TypeAccount, cb, "")
	if err != nil || got.Descriptor.String() != im.Descriptor.String() {
		t.Errorf("bare origin: %v, %v", got, err)
	}
	if _, err := ParseWalletUR(urtypes.TypeAccount, []byte{0xa2, 0x01, 0x00, 0x02, 0x80}, ""); err == nil || !strings.HasPrefix(err.Error(), "ur:crypto-account is not a valid structure") {
		t.Errorf("empty account: %v", err)
	}
}

// What coffer export --qr-out sends (testdata/ur/coffer-regtest-*.cbor,
// checked byte for byte by cmd/coffer's qr_export_account script) imports
// as the same wallets as the descriptor exports of the same vault.
func TestParseWalletURCofferExports(t *testing.T) {
	want := func(script string) string {
		im, err := ParseWalletFile(golden(t, "export", "regtest", "descriptor-"+script+".txt"), "")
		if err != nil {
			t.Fatal(err)
		}
		return im.Descriptor.String()
	}
	for _, c := range []struct {
		file, typ, script string
	}{
		{"coffer-regtest-output-wpkh.cbor", urtypes.TypeOutput, "wpkh"},
		{"coffer-regtest-output-tr.cbor", urtypes.TypeOutput, "tr"},
		{"coffer-regtest-account.cbor", urtypes.TypeAccount, "wpkh"},
		{"coffer-regtest-account.cbor", urtypes.TypeAccount, "sh-wpkh"},
		{"coffer-regtest-account.cbor", urtypes.TypeAccount, "tr"},
	} {
		im, err := ParseWalletUR(c.typ, golden(t, "ur", c.file), c.script)
		if err != nil {
			t.Errorf("%s --script %s: %v", c.file, c.script, err)
			continue
		}
		if w := want(c.script); im.Descriptor.String() != w {
			t.Errorf("%s --script %s: %s, want %s", c.file, c.script, im.Descriptor, w)
		}
	}
	// The account's multisig entries are the BSMS exports' keys.
	a, err := urtypes.ParseAccount(golden(t, "ur", "coffer-regtest-account.cbor"))
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, o := range a.Outputs {
		names = append(names, accountScript(o))
	}
	if got := strings.Join(names, " "); got != "sh-wpkh wpkh sh-wsh-multi wsh-multi tr" {
		t.Errorf("account scripts %s", got)
	}
	if _, err := ParseWalletUR(urtypes.TypeAccount, golden(t, "ur", "coffer-regtest-account.cbor"), "wsh-multi"); !errors.Is(err, ErrKeyRecord) {
		t.Errorf("wsh-multi entry: %v", err)
	}
}
