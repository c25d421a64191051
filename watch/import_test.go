package watch

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/coffer-custody/coffer/wallet"
	"github.com/coffer-custody/coffer/watch/store"
)

func golden(t testing.TB, parts ...string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(append([]string{"..", "testdata"}, parts...)...))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// The first receive address of the BIP84/86/49 test mnemonic's account 0
// on regtest (testdata/export/regtest/generic.json's "first").
const (
	firstWPKH = "bcrt1q6rz28mcfaxtmd6v789l9rrlrusdprr9pz3cppk"
)

func TestParseCofferExports(t *testing.T) {
	files := []struct {
		file, script, format string
		st                   wallet.ScriptType
		keys                 int
	}{
		{"descriptor-wpkh.txt", "", "descriptor", wallet.ScriptWPKH, 1},
		{"descriptor-tr.txt", "", "descriptor", wallet.ScriptTR, 1},
		{"descriptor-sh-wpkh.txt", "", "descriptor", wallet.ScriptSHWPKH, 1},
		{"descriptor-wsh-multi-2of3.txt", "", "descriptor", wallet.ScriptWSHMulti, 3},
		{"core-wpkh.json", "", "core", wallet.ScriptWPKH, 1},
		{"core-tr.json", "", "core", wallet.ScriptTR, 1},
		{"core-sh-wpkh.json", "", "core", wallet.ScriptSHWPKH, 1},
		{"core-wsh-multi-2of3.json", "", "core", wallet.ScriptWSHMulti, 3},
		{"generic.json", "", "generic-json", wallet.ScriptWPKH, 1},
		{"generic.json", "tr", "generic-json", wallet.ScriptTR, 1},
		{"generic.json", "sh-wpkh", "generic-json", wallet.ScriptSHWPKH, 1},
	}
	var generic map[string]struct {
		First string `json:"first"`
	}
	_ = json.Unmarshal(golden(t, "export", "regtest", "generic.json"), &generic)
	for _, f := range files {
		im, err := ParseWalletFile(golden(t, "export", "regtest", f.file), f.script)
		if err != nil {
			t.Errorf("%s %s: %v", f.file, f.script, err)
			continue
		}
		d := im.Descriptor
		if im.Format != f.format || d.ScriptType() != f.st || len(d.Keys()) != f.keys || d.MultipathLen() != 2 {
			t.Errorf("%s: format %s, %s with %d keys, multipath %d", f.file, im.Format, d.ScriptType(), len(d.Keys()), d.MultipathLen())
		}
		if f.format == "generic-json" && im.Network != wallet.Regtest {
			t.Errorf("%s: network %s, the file says XRT", f.file, im.Network)
		}
		a, err := d.Address(0, 0, wallet.Regtest)
		if err != nil {
			t.Fatal(err)
		}
		entry := map[wallet.ScriptType]string{wallet.ScriptWPKH: "bip84", wallet.ScriptTR: "bip86", wallet.ScriptSHWPKH: "bip49"}[f.st]
		if want := generic[entry].First; entry != "" && a.EncodeAddress() != want {
			t.Errorf("%s: first address %s, generic.json says %s", f.file, a, want)
		}
	}
	// Refusals.
	bad := []struct {
		data, script, want string
	}{
		{string(golden(t, "export", "regtest", "bsms-wsh-multi.bsms")), "", "a BSMS key record is one signer's key"},
		{strings.Replace(string(golden(t, "export", "regtest", "descriptor-wpkh.txt")), "#", "#x", -1), "", "checksum"},
		{"wpkh([73c5da0a/84h/1h/0h]tpubDC8msFGeGuwnKG9Upg7DM2b4DaRqg3CUZa5g8v2SRQ6K4NSkxUgd7HsL2XVWbVm39yBA4LAxysQAm397zwQSQoQgewGiYZqrA9DsP4zbQ1M/<0;1>/*)\n", "", "checksum"},
		{string(golden(t, "export", "regtest", "generic.json")), "wsh-multi", "a multisig entry is a template"},
		{"[]", "", "no receive"},
		{"{\"chain\":\"XRT\"}", "", "no single-key entry"},
		{"BSMS 1.0\nwpkh(x)\n/0/*,/1/*\n", "", "has 3 lines"},
		{"", "", "empty"},
	}
	for _, tc := range bad {
		_, err := ParseWalletFile([]byte(tc.data), tc.script)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%.40q: %v, want %q", tc.data, err, tc.want)
		}
	}
}

// BIP129's round-2 descriptor records (its test vectors): the /** template
// with path restrictions reads as a <0;1> descriptor whose first address is
// the record's.
func TestParseBIP129Round2(t *testing.T) {
	var v struct {
		Modes []struct {
			Mode   string `json:"mode"`
			Round2 struct {
				Record string `json:"record"`
			} `json:"round2"`
		} `json:"modes"`
	}
	if err := json.Unmarshal(golden(t, "bip129", "bip129-vectors.json"), &v); err != nil {
		t.Fatal(err)
	}
	checked := 0
	for _, m := range v.Modes {
		if !strings.Contains(m.Round2.Record, "/**") {
			continue
		}
		im, err := ParseWalletFile([]byte(m.Round2.Record), "")
		if err != nil {
			t.Errorf("%s: %v", m.Mode, err)
			continue
		}
		a, err := im.Descriptor.Address(0, 0, wallet.Mainnet)
		if err != nil || a.EncodeAddress() != im.First {
			t.Errorf("%s: first address %v (%v), the record says %s", m.Mode, a, err, im.First)
		}
		checked++
	}
	if checked == 0 {
		t.Fatal("no BIP129 round-2 record with a /** template was checked")
	}
}

func newService(t testing.TB, n wallet.Network) *Service {
	t.Helper()
	st, err := store.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return &Service{Store: st, Network: n, Now: func() time.Time { return time.Unix(1_700_000_000, 0) }}
}

func TestImportWallet(t *testing.T) {
	ctx := context.Background()
	s := newService(t, wallet.Regtest)
	im, err := ParseWalletFile(golden(t, "export", "regtest", "generic.json"), "")
	if err != nil {
		t.Fatal(err)
	}
	res, err := s.ImportWallet(ctx, im, "hot")
	if err != nil {
		t.Fatal(err)
	}
	if res.First != firstWPKH || res.Network != "regtest" || res.Threshold != 1 {
		t.Fatalf("import %+v", res)
	}
	if _, err := s.ImportWallet(ctx, im, "again"); !errors.Is(err, store.ErrWalletExists) {
		t.Errorf("same descriptor twice: %v", err)
	}
	// A wrong first address in the file is refused.
	im2, _ := ParseWalletFile(golden(t, "export", "regtest", "generic.json"), "tr")
	im2.First = firstWPKH
	if _, err := s.ImportWallet(ctx, im2, "tr"); err == nil || !strings.Contains(err.Error(), "states first address") {
		t.Errorf("wrong first address: %v", err)
	}
	// Mainnet keys on a regtest database.
	main, _ := ParseWalletFile(golden(t, "export", "mainnet", "descriptor-wpkh.txt"), "")
	if _, err := s.ImportWallet(ctx, main, "main"); !errors.Is(err, wallet.ErrWrongNetwork) {
		t.Errorf("mainnet keys: %v", err)
	}
	// Receive hands out 0, then 1; addresses lists them as handed out.
	a0, err := s.Receive(ctx, "hot")
	if err != nil || a0.Address != firstWPKH {
		t.Fatalf("receive %+v %v", a0, err)
	}
	a1, _ := s.Receive(ctx, "hot")
	as, err := s.Addresses(ctx, "hot", false, 3)
	if err != nil || len(as) != 3 || as[1].Address != a1.Address || !as[0].Given || !as[1].Given || as[2].Given {
		t.Fatalf("addresses %+v %v", as, err)
	}
	if _, err := s.Receive(ctx, "cold"); !errors.Is(err, store.ErrUnknownWallet) {
		t.Errorf("unknown wallet: %v", err)
	}
}

func TestCreateMultisig(t *testing.T) {
	ctx := context.Background()
	s := newService(t, wallet.Regtest)
	// Cosigner 1 from its signed BSMS key record, 2 and 3 from the 2-of-3
	// descriptor's other keys as [fp/path]xpub lines.
	k1, err := KeyFromRecord(golden(t, "export", "regtest", "bsms-wsh-multi.bsms"), "alice.bsms")
	if err != nil {
		t.Fatal(err)
	}
	ref, err := ParseWalletFile(golden(t, "export", "regtest", "descriptor-wsh-multi-2of3.txt"), "")
	if err != nil {
		t.Fatal(err)
	}
	keys := []wallet.AccountKey{k1}
	for i, k := range ref.Descriptor.Keys()[1:] {
		line := strings.TrimSuffix(k.String(), "/<0;1>/*")
		ak, err := KeyFromRecord([]byte(line+"\n"), "key")
		if err != nil {
			t.Fatalf("key %d: %v", i+2, err)
		}
		keys = append(keys, ak)
	}
	res, rec, err := s.CreateMultisig(ctx, "treasury", 2, keys)
	if err != nil {
		t.Fatal(err)
	}
	if res.Descriptor != ref.Descriptor.String() {
		t.Fatalf("descriptor\n%s\nwant coffer export's\n%s", res.Descriptor, ref.Descriptor)
	}
	back, err := ParseWalletFile(rec, "")
	if err != nil || back.Descriptor.String() != res.Descriptor || back.First != res.First {
		t.Fatalf("the BSMS record does not read back: %v\n%s", err, rec)
	}
	if _, _, err := s.CreateMultisig(ctx, "t2", 2, []wallet.AccountKey{k1, k1, keys[1]}); err == nil || !strings.Contains(err.Error(), "key 2 is the same xpub as key 1") {
		t.Errorf("duplicate key: %v", err)
	}
	if _, _, err := s.CreateMultisig(ctx, "t3", 4, keys); err == nil {
		t.Error("threshold 4 of 3 accepted")
	}
	tampered := strings.Replace(string(golden(t, "export", "regtest", "bsms-wsh-multi.bsms")), "Coffer 73c5da0a", "Coffer 73c5da0b", 1)
	if _, err := KeyFromRecord([]byte(tampered), "alice.bsms"); err == nil || !strings.Contains(err.Error(), "signature does not verify") {
		t.Errorf("tampered record: %v", err)
	}
}

func FuzzParseWalletFile(f *testing.F) {
	for _, name := range []string{"descriptor-wpkh.txt", "core-tr.json", "generic.json", "bsms-wsh-multi.bsms", "descriptor-wsh-multi-2of3.txt"} {
		f.Add(golden(f, "export", "regtest", name), "")
	}
	f.Add([]byte("BSMS 1.0\nwsh(sortedmulti(1,[59865f44/48'/0'/0'/2']xpub/**))#x\n/0/*,/1/*\nbc1q"), "")
	f.Fuzz(func(t *testing.T, data []byte, script string) {
		im, err := ParseWalletFile(data, script)
		if err != nil {
			return
		}
		if im.Descriptor == nil || im.Descriptor.MultipathLen() != 2 {
			t.Fatalf("accepted a wallet without a <0;1> descriptor: %v", im.Descriptor)
		}
		if _, err := ParseWalletFile([]byte(im.Descriptor.String()), ""); err != nil {
			t.Fatalf("the descriptor %s does not read back: %v", im.Descriptor, err)
		}
	})
}

// BenchmarkReceiveAddresses2of3 lists 10,000 receive addresses of a 2-of-3
// P2WSH wallet, as 'coffer-watch addresses --count 10000' does.
func BenchmarkReceiveAddresses2of3(b *testing.B) {
	ctx := context.Background()
	s := newService(b, wallet.Regtest)
	im, err := ParseWalletFile(golden(b, "export", "regtest", "descriptor-wsh-multi-2of3.txt"), "")
	if err != nil {
		b.Fatal(err)
	}
	if _, err := s.ImportWallet(ctx, im, "treasury"); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		as, err := s.Addresses(ctx, "treasury", false, 10_000)
		if err != nil || len(as) != 10_000 {
			b.Fatal(err)
		}
	}
}

// The parallel derivation of long lists gives the addresses in order.
func TestAddressesParallelInOrder(t *testing.T) {
	ctx := context.Background()
	s := newService(t, wallet.Regtest)
	im, err := ParseWalletFile(golden(t, "export", "regtest", "descriptor-wsh-multi-2of3.txt"), "")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.ImportWallet(ctx, im, "treasury"); err != nil {
		t.Fatal(err)
	}
	as, err := s.Addresses(ctx, "treasury", true, 3001)
	if err != nil || len(as) != 3001 {
		t.Fatalf("%d addresses, %v", len(as), err)
	}
	for _, i := range []uint32{0, 1500, 1501, 3000} {
		a, err := im.Descriptor.Address(1, i, wallet.Regtest)
		if err != nil || as[i].Address != a.EncodeAddress() || as[i].Index != i || as[i].Path != fmt.Sprintf("1/%d", i) {
			t.Fatalf("address %d: %+v, want %v (%v)", i, as[i], a, err)
		}
	}
}
