package export

import (
	"bytes"
	"crypto/sha512"
	"encoding/json"
	"errors"
	"flag"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/btcsuite/btcd/btcutil/hdkeychain"
	"golang.org/x/crypto/pbkdf2"

	"github.com/coffer-custody/coffer/wallet"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/export")

const abandon = "abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about"

// fixture is the "abandon ... about" wallet on one network.
type fixture struct {
	net    wallet.Network
	master *hdkeychain.ExtendedKey // private: for BSMS signatures only
	pub    *hdkeychain.ExtendedKey // master public key
	fp     [4]byte
}

func newFixture(t testing.TB, n wallet.Network) *fixture {
	t.Helper()
	seed := pbkdf2.Key([]byte(abandon), []byte("mnemonic"), 2048, 64, sha512.New)
	master, err := wallet.MasterFromSeed(seed, n)
	if err != nil {
		t.Fatal(err)
	}
	pub, err := wallet.Neuter(master)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { wallet.WipeKey(master) })
	return &fixture{net: n, master: master, pub: pub, fp: wallet.Fingerprint(master)}
}

func (f *fixture) account(t testing.TB, st wallet.ScriptType) Account {
	t.Helper()
	p, err := wallet.AccountPath(st, f.net, 0)
	if err != nil {
		t.Fatal(err)
	}
	k, err := wallet.DerivePath(f.master, p)
	if err != nil {
		t.Fatal(err)
	}
	defer wallet.WipeKey(k)
	xpub, err := wallet.Neuter(k)
	if err != nil {
		t.Fatal(err)
	}
	return Account{Network: f.net, Fingerprint: f.fp, Script: st, Account: 0, XPub: xpub}
}

func (f *fixture) signer(t testing.TB, a Account) Signer {
	t.Helper()
	p, _ := a.AccountPath()
	k, err := wallet.DerivePath(f.master, p)
	if err != nil {
		t.Fatal(err)
	}
	priv, err := k.ECPrivKey()
	if err != nil {
		t.Fatal(err)
	}
	wallet.WipeKey(k)
	t.Cleanup(priv.Zero)
	return NewMessageSigner(priv)
}

// golden compares got with testdata/export/name, or rewrites it with -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("..", "testdata", "export", name)
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./export -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the golden file:\n%s\nwant:\n%s", name, got, want)
	}
}

// Known first receive addresses of "abandon ... about", account 0
// (BIP84, BIP86 and SLIP-132 test vectors for mainnet; regtest ones
// derived with the same keys).
var firstAddress = map[wallet.Network]map[wallet.ScriptType]string{
	wallet.Mainnet: {
		wallet.ScriptWPKH:   "bc1qcr8te4kr609gcawutmrza0j4xv80jy8z306fyu",
		wallet.ScriptTR:     "bc1p5cyxnuxmeuwuvkwfem96lqzszd02n6xdcjrs20cac6yqjjwudpxqkedrcr",
		wallet.ScriptSHWPKH: "37VucYSaXLCAsxYyAPfbSi9eh4iEcbShgf",
	},
}

func TestDescriptorsAndCore(t *testing.T) {
	for _, n := range []wallet.Network{wallet.Mainnet, wallet.Regtest} {
		f := newFixture(t, n)
		for _, st := range []wallet.ScriptType{wallet.ScriptWPKH, wallet.ScriptSHWPKH, wallet.ScriptTR} {
			a := f.account(t, st)
			out, err := Descriptors(a)
			if err != nil {
				t.Fatal(err)
			}
			golden(t, n.String()+"/descriptor-"+st.String()+".txt", out)
			lines := strings.Split(strings.TrimSuffix(string(out), "\n"), "\n")
			if len(lines) != 3 {
				t.Fatalf("%d lines", len(lines))
			}
			p, _ := a.AccountPath()
			origin := "[" + wallet.FormatFingerprint(f.fp) + "/" + p.Unprefixed() + "]" + a.XPub.String()
			for i, tail := range []string{"/0/*)", "/1/*)", "/<0;1>/*)"} {
				d, err := wallet.ParseDescriptorWithChecksum(lines[i])
				if err != nil {
					t.Fatalf("%s line %d: %v", st, i+1, err)
				}
				if d.String() != lines[i] || !strings.Contains(lines[i], origin+tail) || d.ScriptType() != st {
					t.Errorf("%s line %d: %s", st, i+1, lines[i])
				}
				if err := d.CheckNetwork(n); err != nil {
					t.Error(err)
				}
			}
			rd, _ := wallet.ParseDescriptor(lines[0])
			addr, err := rd.Address(0, 0, n)
			if err != nil {
				t.Fatal(err)
			}
			if want, ok := firstAddress[n][st]; ok && addr.EncodeAddress() != want {
				t.Errorf("%s %s: first address %s, want %s", n, st, addr, want)
			}

			core, err := Core(a, nil)
			if err != nil {
				t.Fatal(err)
			}
			golden(t, n.String()+"/core-"+st.String()+".json", core)
			var reqs []struct {
				Desc      string `json:"desc"`
				Timestamp any    `json:"timestamp"`
				Active    bool   `json:"active"`
				Internal  bool   `json:"internal"`
				Range     []int  `json:"range"`
			}
			if err := json.Unmarshal(core, &reqs); err != nil {
				t.Fatal(err)
			}
			if len(reqs) != 2 || reqs[0].Desc != lines[0] || reqs[1].Desc != lines[1] || reqs[0].Internal || !reqs[1].Internal ||
				!reqs[0].Active || reqs[0].Timestamp != "now" || len(reqs[0].Range) != 2 || reqs[0].Range[1] != CoreRangeEnd {
				t.Errorf("core: %+v", reqs)
			}
		}
	}
	// A fixed creation time is written as Unix seconds.
	f := newFixture(t, wallet.Regtest)
	when := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	core, err := Core(f.account(t, wallet.ScriptWPKH), &when)
	if err != nil || !bytes.Contains(core, []byte(`"timestamp": 1767323045`)) {
		t.Errorf("timestamp: %s %v", core, err)
	}
}

func TestMultisigDescriptors(t *testing.T) {
	// Three cosigners: "abandon ... about" and two other seeds.
	var accts []Account
	for i, seed := range [][]byte{nil, bytes.Repeat([]byte{2}, 32), bytes.Repeat([]byte{3}, 32)} {
		f := newFixture(t, wallet.Regtest)
		if seed != nil {
			m, err := wallet.MasterFromSeed(seed, wallet.Regtest)
			if err != nil {
				t.Fatal(err)
			}
			f.master, f.fp = m, wallet.Fingerprint(m)
		}
		a := f.account(t, wallet.ScriptWSHMulti)
		accts = append(accts, a)
		if _, err := a.Descriptor(); err == nil {
			t.Errorf("cosigner %d: a multisig account gave a descriptor alone", i)
		}
		if _, err := Descriptors(a); err == nil {
			t.Errorf("cosigner %d: Descriptors of a multisig account", i)
		}
	}
	s, err := MultisigDescriptors(wallet.ScriptWSHMulti, 2, accts...)
	if err != nil {
		t.Fatal(err)
	}
	golden(t, "regtest/descriptor-wsh-multi-2of3.txt", s.Bytes())
	d, err := wallet.ParseDescriptorWithChecksum(s.Multipath)
	if err != nil || d.Threshold() != 2 || len(d.Keys()) != 3 || d.ScriptType() != wallet.ScriptWSHMulti {
		t.Fatalf("multipath: %v", err)
	}
	core, err := CoreSet(s, nil)
	if err != nil || !json.Valid(core) {
		t.Fatalf("core: %v", err)
	}
	golden(t, "regtest/core-wsh-multi-2of3.json", core)
	if _, err := MultisigDescriptors(wallet.ScriptSHWSHMulti, 2, accts...); err == nil {
		t.Error("cosigners of another script type accepted")
	}
	if _, err := MultisigDescriptors(wallet.ScriptWPKH, 1, accts...); err == nil {
		t.Error("multisig of wpkh accepted")
	}
}

func TestGenericJSON(t *testing.T) {
	for _, n := range []wallet.Network{wallet.Mainnet, wallet.Regtest} {
		f := newFixture(t, n)
		var accts []Account
		for _, st := range wallet.ScriptTypes() {
			accts = append(accts, f.account(t, st))
		}
		out, err := GenericJSON(f.pub, n, accts...)
		if err != nil {
			t.Fatal(err)
		}
		golden(t, n.String()+"/generic.json", out)
		var doc map[string]json.RawMessage
		if err := json.Unmarshal(out, &doc); err != nil {
			t.Fatal(err)
		}
		var top struct {
			Chain   string `json:"chain"`
			XFP     string `json:"xfp"`
			Account int    `json:"account"`
			XPub    string `json:"xpub"`
		}
		_ = json.Unmarshal(out, &top)
		wantChain := map[wallet.Network]string{wallet.Mainnet: "BTC", wallet.Regtest: "XRT"}[n]
		if top.Chain != wantChain || top.XFP != "73C5DA0A" || top.Account != 0 || top.XPub != f.pub.String() {
			t.Errorf("%s: top level %+v", n, top)
		}
		// Key order as Coldcard writes it, so Sparrow meets single-sig entries first.
		order := []string{`"chain"`, `"xfp"`, `"account"`, `"xpub"`, `"bip49"`, `"bip84"`, `"bip86"`, `"bip48_1"`, `"bip48_2"`}
		last := -1
		for _, k := range order {
			i := bytes.Index(out, []byte(k))
			if i <= last {
				t.Errorf("%s: key %s out of order", n, k)
			}
			last = i
		}
		for _, a := range accts {
			key, name := genericEntry(a.Script)
			var e struct {
				Name  string `json:"name"`
				XFP   string `json:"xfp"`
				Deriv string `json:"deriv"`
				XPub  string `json:"xpub"`
				Desc  string `json:"desc"`
				Pub   string `json:"_pub"`
				First string `json:"first"`
			}
			if err := json.Unmarshal(doc[key], &e); err != nil {
				t.Fatalf("%s: %v", key, err)
			}
			p, _ := a.AccountPath()
			if e.Name != name || e.Deriv != p.String() || e.XPub != a.XPub.String() || e.XFP != upperFP(wallet.Fingerprint(a.XPub)) {
				t.Errorf("%s %s: %+v", n, key, e)
			}
			if slip, ok := wallet.SLIP132(a.XPub, a.Script); ok != (e.Pub != "") || e.Pub != slip {
				t.Errorf("%s %s: _pub %q", n, key, e.Pub)
			}
			if a.Script.IsMultisig() {
				if e.First != "" || !strings.Contains(e.Desc, "sortedmulti(M,[73c5da0a/"+p.Unprefixed()+"]") {
					t.Errorf("%s %s: multisig entry %+v", n, key, e)
				}
				continue
			}
			d, err := wallet.ParseDescriptorWithChecksum(e.Desc)
			if err != nil || d.ScriptType() != a.Script {
				t.Fatalf("%s %s: desc: %v", n, key, err)
			}
			addr, err := d.Address(0, 0, n)
			if err != nil || addr.EncodeAddress() != e.First {
				t.Errorf("%s %s: first %s, descriptor gives %v", n, key, e.First, addr)
			}
			if want, ok := firstAddress[n][a.Script]; ok && e.First != want {
				t.Errorf("%s %s: first %s, want %s", n, key, e.First, want)
			}
		}
		if n == wallet.Mainnet && !bytes.Contains(out, []byte("zpub6rFR7y4Q2AijBEqTUquhVz398htDFrtymD9xYYfG1m4wAcvPhXNfE3EfH1r1ADqtfSdVCToUG868RvUUkgDKf31mGDtKsAYz2oz2AGutZYs")) {
			t.Error("mainnet bip84 _pub is not the BIP84 test vector's zpub")
		}
	}
}

func TestGenericJSONRefusals(t *testing.T) {
	f := newFixture(t, wallet.Mainnet)
	a := f.account(t, wallet.ScriptWPKH)
	other := newFixture(t, wallet.Regtest)
	tests := []struct {
		name   string
		master *hdkeychain.ExtendedKey
		net    wallet.Network
		accts  []Account
	}{
		{"private master", f.master, wallet.Mainnet, []Account{a}},
		{"master on another network", other.pub, wallet.Mainnet, []Account{a}},
		{"account on another network", f.pub, wallet.Mainnet, []Account{other.account(t, wallet.ScriptWPKH)}},
		{"no accounts", f.pub, wallet.Mainnet, nil},
		{"two wpkh accounts", f.pub, wallet.Mainnet, []Account{a, a}},
		{"non-standard path", f.pub, wallet.Mainnet, []Account{func() Account {
			b := a
			b.Script = wallet.ScriptSHWPKH // written with its 84h path: not BIP49's
			b.Path = wallet.Path{84 | wallet.Hardened, wallet.Hardened, wallet.Hardened}
			return b
		}()}},
		{"wrong fingerprint", f.pub, wallet.Mainnet, []Account{func() Account {
			b := a
			b.Fingerprint = [4]byte{1, 2, 3, 4}
			return b
		}()}},
	}
	for _, tt := range tests {
		if _, err := GenericJSON(tt.master, tt.net, tt.accts...); err == nil {
			t.Errorf("%s: accepted", tt.name)
		}
	}
}

func TestElectrum(t *testing.T) {
	for _, n := range []wallet.Network{wallet.Mainnet, wallet.Regtest} {
		f := newFixture(t, n)
		for _, st := range []wallet.ScriptType{wallet.ScriptWPKH, wallet.ScriptSHWPKH} {
			a := f.account(t, st)
			out, err := Electrum(a)
			if err != nil {
				t.Fatal(err)
			}
			name := n.String() + "/electrum-" + st.String() + ".json"
			golden(t, name, out)
			var w struct {
				Keystore struct {
					Type            string  `json:"type"`
					XPub            string  `json:"xpub"`
					XPrv            *string `json:"xprv"`
					Derivation      string  `json:"derivation"`
					RootFingerprint string  `json:"root_fingerprint"`
				} `json:"keystore"`
				WalletType    string `json:"wallet_type"`
				UseEncryption bool   `json:"use_encryption"`
				SeedVersion   int    `json:"seed_version"`
			}
			if err := json.Unmarshal(out, &w); err != nil {
				t.Fatal(err)
			}
			slip, _ := wallet.SLIP132(a.XPub, st)
			p, _ := a.AccountPath()
			if w.Keystore.Type != "bip32" || w.Keystore.XPub != slip || w.Keystore.XPrv != nil || w.Keystore.Derivation != p.String() ||
				w.Keystore.RootFingerprint != "73c5da0a" || w.WalletType != "standard" || w.UseEncryption || w.SeedVersion != electrumSeedVersion {
				t.Errorf("%s: %+v", name, w)
			}
			checkWithElectrum(t, name, out, a)
		}
		for _, st := range []wallet.ScriptType{wallet.ScriptTR, wallet.ScriptWSHMulti, wallet.ScriptSHWSHMulti} {
			if _, err := Electrum(f.account(t, st)); !errors.Is(err, wallet.ErrUnsupported) {
				t.Errorf("%s %s: %v", n, st, err)
			}
		}
	}
}

// checkWithElectrum opens the wallet file with Electrum itself (the Debian
// package python3-electrum), when it is installed, and compares the first
// receive and change addresses it derives with ours.
func checkWithElectrum(t *testing.T, name string, file []byte, a Account) {
	t.Helper()
	const py = "/usr/bin/python3"
	if err := exec.Command(py, "-c", "import electrum").Run(); err != nil {
		t.Logf("%s: Electrum not installed (apt-get install python3-electrum); not opened with it", name)
		return
	}
	dir := t.TempDir()
	path := filepath.Join(dir, "wallet")
	if err := os.WriteFile(path, file, 0o600); err != nil {
		t.Fatal(err)
	}
	script := `
import sys, os
from electrum import constants, util
net = sys.argv[2]
if net == "regtest": constants.set_regtest()
elif net != "mainnet": constants.set_testnet()
from electrum.simple_config import SimpleConfig
from electrum.storage import WalletStorage
from electrum.wallet_db import WalletDB
from electrum.wallet import Wallet
loop, stop, thread = util.create_and_start_event_loop()
try:
    config = SimpleConfig({"electrum_path": os.path.dirname(sys.argv[1])})
    storage = WalletStorage(sys.argv[1])
    db = WalletDB(storage.read(), manual_upgrades=False)
    w = Wallet(db, storage, config=config)
    print(w.is_watching_only(), w.keystore.get_root_fingerprint(), w.keystore.get_derivation_prefix(), w.derive_address(False, 0), w.derive_address(True, 0))
finally:
    loop.call_soon_threadsafe(stop.set_result, 1)
    thread.join(timeout=5)
`
	out, err := exec.Command(py, "-c", script, path, a.Network.String()).CombinedOutput()
	if err != nil {
		t.Fatalf("%s: Electrum could not open it: %v\n%s", name, err, out)
	}
	d, err := a.Descriptor()
	if err != nil {
		t.Fatal(err)
	}
	r, _ := d.Address(0, 0, a.Network)
	c, _ := d.Address(1, 0, a.Network)
	p, _ := a.AccountPath()
	want := "True " + wallet.FormatFingerprint(a.Fingerprint) + " " + p.String() + " " + r.EncodeAddress() + " " + c.EncodeAddress()
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	if got := lines[len(lines)-1]; got != want {
		t.Errorf("%s: Electrum says %q, want %q", name, got, want)
	}
}

func TestAccountChecks(t *testing.T) {
	f := newFixture(t, wallet.Mainnet)
	good := f.account(t, wallet.ScriptWPKH)
	tests := []struct {
		name string
		edit func(*Account)
	}{
		{"private key", func(a *Account) { a.XPub = f.master }},
		{"no key", func(a *Account) { a.XPub = nil }},
		{"wrong network", func(a *Account) { a.Network = wallet.Regtest }},
		{"no network", func(a *Account) { a.Network = 0 }},
		{"no script type", func(a *Account) { a.Script = wallet.ScriptUnknown }},
		{"path of another depth", func(a *Account) { a.Path = wallet.Path{84 | wallet.Hardened} }},
		{"path of another account", func(a *Account) { a.Account = 1 }},
	}
	for _, tt := range tests {
		a := good
		tt.edit(&a)
		if _, err := Descriptors(a); err == nil {
			t.Errorf("%s: accepted", tt.name)
		}
		if _, err := Core(a, nil); err == nil {
			t.Errorf("%s: Core accepted", tt.name)
		}
		if _, err := BSMSRecord(a, nil, "x"); err == nil {
			t.Errorf("%s: BSMSRecord accepted", tt.name)
		}
	}
	// An explicit non-standard path of the right depth is fine.
	b := good
	b.Path = wallet.Path{84 | wallet.Hardened, 0 | wallet.Hardened, 0 | wallet.Hardened}
	if _, err := Descriptors(b); err != nil {
		t.Error(err)
	}
	// The refusal of a private key never writes it.
	a := good
	a.XPub = f.master
	_, err := Descriptors(a)
	if err == nil || strings.Contains(err.Error(), "xprv") || !errors.Is(err, wallet.ErrPrivateKey) {
		t.Errorf("private key refusal: %v", err)
	}
}
