package wallet

import (
	"bytes"
	"encoding/hex"
	"errors"
	"fmt"
	"sort"
	"strings"
	"testing"

	"github.com/btcsuite/btcd/btcutil"
	"github.com/btcsuite/btcd/btcutil/hdkeychain"
	"github.com/btcsuite/btcd/txscript"
)

// cosigner is one signer of a test multisig: master fingerprint, BIP48
// account path and account xpub.
type cosigner struct {
	fp   [4]byte
	path Path
	xpub *hdkeychain.ExtendedKey
}

func testCosigners(t testing.TB, n Network, st ScriptType, count int) []cosigner {
	t.Helper()
	out := make([]cosigner, count)
	for i := range out {
		seed := bytes.Repeat([]byte{byte(i + 1)}, 32)
		master, err := MasterFromSeed(seed, n)
		if err != nil {
			t.Fatal(err)
		}
		p, err := AccountPath(st, n, 0)
		if err != nil {
			t.Fatal(err)
		}
		acct, err := DerivePath(master, p)
		if err != nil {
			t.Fatal(err)
		}
		out[i] = cosigner{fp: Fingerprint(master), path: p, xpub: neuter(t, acct)}
		WipeKey(master)
		WipeKey(acct)
	}
	return out
}

func multisigDescriptor(cs []cosigner, wrap string, threshold int, tail string) string {
	keys := make([]string, len(cs))
	for i, c := range cs {
		keys[i] = fmt.Sprintf("[%s/%s]%s%s", hex.EncodeToString(c.fp[:]), c.path.Unprefixed(), c.xpub, tail)
	}
	return fmt.Sprintf(wrap, fmt.Sprintf("sortedmulti(%d,%s)", threshold, strings.Join(keys, ",")))
}

// A 2-of-3 wsh(sortedmulti) gives the script btcd's own multisig builder
// gives for the same keys sorted, with every key's full origin.
func TestMultisigDescriptor(t *testing.T) {
	for _, tt := range []struct {
		wrap string
		st   ScriptType
	}{
		{"wsh(%s)", ScriptWSHMulti},
		{"sh(wsh(%s))", ScriptSHWSHMulti},
	} {
		cs := testCosigners(t, Testnet, tt.st, 3)
		d, err := ParseDescriptorWithChecksum(mustAddChecksum(t, multisigDescriptor(cs, tt.wrap, 2, "/<0;1>/*")))
		if err != nil {
			t.Fatal(err)
		}
		if d.ScriptType() != tt.st || d.Threshold() != 2 || !d.Sorted() || !d.IsRange() || d.MultipathLen() != 2 || len(d.Keys()) != 3 {
			t.Fatalf("%s: metadata: type %s threshold %d sorted %v", tt.st, d.ScriptType(), d.Threshold(), d.Sorted())
		}
		for i, k := range d.Keys() {
			o, ok := k.Origin()
			if !ok || o.Fingerprint != cs[i].fp || !o.Path.Equal(cs[i].path) || k.ExtendedKey().String() != cs[i].xpub.String() {
				t.Errorf("key %d origin %v", i, o)
			}
		}
		if err := d.CheckNetwork(Regtest); err != nil {
			t.Errorf("CheckNetwork(regtest): %v", err)
		}
		if err := d.CheckNetwork(Mainnet); !errors.Is(err, ErrWrongNetwork) {
			t.Errorf("CheckNetwork(mainnet) = %v", err)
		}
		for branch := uint32(0); branch < 2; branch++ {
			for index := uint32(0); index < 3; index++ {
				out, err := d.Derive(branch, index)
				if err != nil {
					t.Fatal(err)
				}
				var pubs []*btcutil.AddressPubKey
				for i, c := range cs {
					pub, origin, err := DeriveAt(c.xpub, KeyOrigin{Fingerprint: c.fp, Path: c.path}, branch, index)
					if err != nil {
						t.Fatal(err)
					}
					if !out.Keys[i].PubKey.IsEqual(pub) || !out.Keys[i].Origin.Equal(origin) {
						t.Errorf("branch %d index %d key %d: origin %s, want %s", branch, index, i, out.Keys[i].Origin, origin)
					}
					a, err := btcutil.NewAddressPubKey(pub.SerializeCompressed(), Testnet.Params())
					if err != nil {
						t.Fatal(err)
					}
					pubs = append(pubs, a)
				}
				sort.Slice(pubs, func(i, j int) bool {
					return bytes.Compare(pubs[i].ScriptAddress(), pubs[j].ScriptAddress()) < 0
				})
				want, err := txscript.MultiSigScript(pubs, 2)
				if err != nil {
					t.Fatal(err)
				}
				if !bytes.Equal(out.WitnessScript, want) {
					t.Errorf("branch %d index %d: witness script %x, want %x", branch, index, out.WitnessScript, want)
				}
				wantSPK := P2WSHScript(want)
				if tt.st == ScriptSHWSHMulti {
					if !bytes.Equal(out.RedeemScript, wantSPK) {
						t.Errorf("redeem script %x", out.RedeemScript)
					}
					wantSPK = P2SHScript(wantSPK)
				} else if out.RedeemScript != nil {
					t.Errorf("redeem script set for wsh")
				}
				if !bytes.Equal(out.ScriptPubKey, wantSPK) {
					t.Errorf("scriptPubKey %x, want %x", out.ScriptPubKey, wantSPK)
				}
				// The PSBT claim of any cosigner leads back here.
				for _, k := range out.Keys {
					b, i, ok := d.MatchKeyPath(k.Origin.Fingerprint, k.Origin.Path)
					if !ok || b != branch || i != index {
						t.Errorf("MatchKeyPath(%s) = %d %d %v", k.Origin, b, i, ok)
					}
				}
				fb, fi, ok, err := d.FindScript(out.ScriptPubKey, 5)
				if err != nil || !ok || fb != branch || fi != index {
					t.Errorf("FindScript = %d %d %v %v", fb, fi, ok, err)
				}
				addr, err := d.Address(branch, index, Regtest)
				if err != nil || !strings.HasPrefix(addr.EncodeAddress(), map[ScriptType]string{ScriptWSHMulti: "bcrt1q", ScriptSHWSHMulti: "2"}[tt.st]) {
					t.Errorf("address %v %v", addr, err)
				}
			}
		}
		// The halves of the multipath descriptor are the receive and change
		// descriptors, and give the same scripts.
		halves := d.Expand()
		if len(halves) != 2 || halves[0].String() != mustParse(t, mustAddChecksum(t, multisigDescriptor(cs, tt.wrap, 2, "/0/*"))).String() ||
			halves[1].String() != mustParse(t, multisigDescriptor(cs, tt.wrap, 2, "/1/*")).String() {
			t.Errorf("Expand = %v", halves)
		}
	}
}

func mustAddChecksum(t testing.TB, s string) string {
	t.Helper()
	out, err := AddChecksum(s)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func mustParse(t testing.TB, s string) *Descriptor {
	t.Helper()
	d, err := ParseDescriptor(s)
	if err != nil {
		t.Fatalf("%s: %v", s, err)
	}
	return d
}

func TestMatchKeyPathMisses(t *testing.T) {
	cs := testCosigners(t, Testnet, ScriptWSHMulti, 2)
	d := mustParse(t, multisigDescriptor(cs, "wsh(%s)", 1, "/<0;1>/*"))
	base := cs[0].path
	for _, tt := range []struct {
		name string
		fp   [4]byte
		path Path
	}{
		{"other fingerprint", [4]byte{1, 2, 3, 4}, base.Child(0, 0)},
		{"branch not in multipath", cs[0].fp, base.Child(2, 0)},
		{"hardened index", cs[0].fp, base.Child(0, Hardened)},
		{"too short", cs[0].fp, base.Child(0)},
		{"too long", cs[0].fp, base.Child(0, 0, 0)},
		{"other account", cs[0].fp, Path{48 | Hardened, 1 | Hardened, 1 | Hardened, 2 | Hardened, 0, 0}},
	} {
		if b, i, ok := d.MatchKeyPath(tt.fp, tt.path); ok {
			t.Errorf("%s: matched %d %d", tt.name, b, i)
		}
	}
	if _, _, ok, err := d.FindScript([]byte{0x51}, 10); ok || err != nil {
		t.Errorf("FindScript of a foreign script: %v %v", ok, err)
	}
}

func TestDescriptorErrors(t *testing.T) {
	cs := testCosigners(t, Testnet, ScriptWPKH, 1)
	tpub := cs[0].xpub.String()
	zpub, _ := SLIP132(cs[0].xpub, ScriptWPKH)
	xprv := "xprv9s21ZrQH143K3QTDL4LXw2F7HEK3wJUD2nW2nRk4stbPy6cq3jPPqjiChkVvvNKmPGJxWUtg6LnF5kejMRNNU3TGtRBeJgk33yuGBxrMPHi"
	wif := "L4rK1yDtCWekvXuE6oXD9jCYfFNV2cWRpVuPLBcCU2z8TrisoyY1"
	badWIF := "L4rK1yDtCWekvXuE6oXD9jCYfFNV2cWRpVuPLBcCU2z8TrisoyY2"
	tests := []struct {
		name     string
		in       string
		sentinel error
	}{
		{"xprv", "wpkh(" + xprv + "/0/*)", ErrPrivateKey},
		{"wif", "wpkh(" + wif + ")", ErrPrivateKey},
		{"wif with a typo", "wpkh(" + badWIF + ")", ErrPrivateKey},
		{"xprv in a step", "wpkh(" + tpub + "/" + xprv + ")", nil},
		{"tr tree", "tr(" + tpub + "/0/*,pk(" + tpub + "/1/*))", ErrUnsupported},
		{"combo", "combo(" + tpub + ")", ErrUnsupported},
		{"multi_a", "tr(" + tpub + ",multi_a(1," + tpub + "))", ErrUnsupported},
		{"miniscript", "wsh(and_v(v:pk(" + tpub + "),older(10)))", ErrUnsupported},
		{"slip132 in descriptor", "wpkh(" + zpub + "/0/*)", nil},
		{"bad checksum", mustAddChecksum(t, "wpkh("+tpub+"/0/*)")[:len("wpkh("+tpub+"/0/*)")+1] + "qqqqqqqq", ErrChecksum},
		{"two checksums", "raw(00)#xxxxxxxx#xxxxxxxx", nil},
		{"trailing text", "wpkh(" + tpub + ")x", nil},
		{"missing paren", "wpkh(" + tpub, nil},
		{"unknown function", "foo(" + tpub + ")", nil},
		{"empty", "", nil},
		{"empty key", "wpkh()", nil},
		{"no keys", "multi(1)", nil},
		{"bare multi of 4", "multi(1," + strings.Repeat("0260b2003c386519fc9eadf2b5cf124dd8eea4c4e68d5e154050a9346ea98ce600,", 3) + "0260b2003c386519fc9eadf2b5cf124dd8eea4c4e68d5e154050a9346ea98ce600)", nil},
		{"21 keys", "wsh(multi(1," + strings.Repeat("0260b2003c386519fc9eadf2b5cf124dd8eea4c4e68d5e154050a9346ea98ce600,", 20) + "0260b2003c386519fc9eadf2b5cf124dd8eea4c4e68d5e154050a9346ea98ce600))", nil},
		{"wildcard not last", "wpkh(" + tpub + "/*/0)", nil},
		{"one-element multipath", "wpkh(" + tpub + "/<0>/*)", nil},
		{"repeated multipath element", "wpkh(" + tpub + "/<0;0>/*)", nil},
		{"x-only outside tr", "wpkh(60b2003c386519fc9eadf2b5cf124dd8eea4c4e68d5e154050a9346ea98ce600)", nil},
		{"bad point", "wpkh(020000000000000000000000000000000000000000000000000000000000000007)", nil},
		{"too long", "raw(" + strings.Repeat("00", MaxDescriptorLen) + ")", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseDescriptor(tt.in)
			if err == nil {
				t.Fatal("accepted")
			}
			if tt.sentinel != nil && !errors.Is(err, tt.sentinel) {
				t.Errorf("%v, want %v", err, tt.sentinel)
			}
			var de *DescriptorError
			if !errors.As(err, &de) {
				t.Errorf("%v is not a *DescriptorError", err)
			}
			// Never a key's text in the message.
			for _, secret := range []string{xprv, wif, badWIF, xprv[:20], wif[:20]} {
				if strings.Contains(err.Error(), secret) {
					t.Errorf("error repeats key text: %v", err)
				}
			}
		})
	}
}

func TestDescriptorDerivationErrors(t *testing.T) {
	cs := testCosigners(t, Testnet, ScriptWPKH, 1)
	tpub := cs[0].xpub.String()
	d := mustParse(t, "wpkh("+tpub+"/<0;1>/*)")
	if _, err := d.Derive(2, 0); err == nil {
		t.Error("branch 2 of <0;1> derived")
	}
	if _, err := d.Derive(0, Hardened); err == nil {
		t.Error("index 2^31 derived")
	}
	fixed := mustParse(t, "wpkh("+tpub+"/0/0)")
	if _, err := fixed.Derive(0, 1); err == nil {
		t.Error("index 1 of a descriptor without wildcard derived")
	}
	if _, err := fixed.Derive(0, 0); err != nil {
		t.Error(err)
	}
	hard := mustParse(t, "wpkh("+tpub+"/0h/*)")
	if _, err := hard.ScriptPubKey(0, 0); !errors.Is(err, ErrHardenedFromPublic) {
		t.Errorf("hardened step from tpub: %v", err)
	}
	bare := mustParse(t, "multi(1,0260b2003c386519fc9eadf2b5cf124dd8eea4c4e68d5e154050a9346ea98ce600)")
	if _, err := bare.Address(0, 0, Mainnet); !errors.Is(err, ErrNoAddress) {
		t.Errorf("bare multisig address: %v", err)
	}
	if _, err := d.Address(0, 0, Mainnet); !errors.Is(err, ErrWrongNetwork) {
		t.Errorf("tpub descriptor on mainnet: %v", err)
	}
	k := d.Keys()[0]
	if _, err := k.Derive(2, 0); err == nil {
		t.Error("key branch 2 derived")
	}
	if dk, err := k.Derive(1, 7); err != nil || dk.Origin.Path.String() != "m/1/7" || dk.Origin.Fingerprint != Fingerprint(cs[0].xpub) {
		t.Errorf("key without origin: %v %v", dk.Origin, err)
	}
}

// Canonical printing: 'h' for hardened, lower-case hex, checksum added.
func TestDescriptorCanonical(t *testing.T) {
	in := "pkh([DEADBEEF/1'/2h]03A34B99F22C790C4E36B2B3C2C35A36DB06226E41C692FC82B8B56AC1C540C5BD)"
	d := mustParse(t, in)
	want := mustAddChecksum(t, "pkh([deadbeef/1h/2h]03a34b99f22c790c4e36b2b3c2c35a36db06226e41c692fc82b8b56ac1c540c5bd)")
	if d.String() != want || d.WithoutChecksum()+"#"+want[len(want)-8:] != want {
		t.Errorf("String = %s, want %s", d, want)
	}
	x := mustParse(t, "tr(a34b99f22c790c4e36b2b3c2c35a36db06226e41c692fc82b8b56ac1c540c5bd)")
	if got := x.Keys()[0].PubKey(); len(got) != 32 {
		t.Errorf("x-only key length %d", len(got))
	}
	if d.ScriptType() != ScriptUnknown || d.Threshold() != 0 || d.Sorted() || d.IsRange() || d.Branches() != 1 {
		t.Error("pkh metadata")
	}
	if len(d.Expand()) != 1 || d.Expand()[0] != d {
		t.Error("Expand of a plain descriptor")
	}
}

// The public derivation shortcut agrees with hdkeychain over many children.
func TestPubParentMatchesHDKeychain(t *testing.T) {
	cs := testCosigners(t, Mainnet, ScriptWPKH, 1)
	branch, err := DerivePath(cs[0].xpub, Path{0})
	if err != nil {
		t.Fatal(err)
	}
	fast, err := newPubParent(branch)
	if err != nil {
		t.Fatal(err)
	}
	for i := uint32(0); i < 200; i++ {
		want, err := DerivePath(branch, Path{i})
		if err != nil {
			t.Fatal(err)
		}
		wpk, _ := want.ECPubKey()
		got, err := fast.child(i)
		if err != nil || !got.IsEqual(wpk) {
			t.Fatalf("child %d differs", i)
		}
	}
}

// wallet.Neuter survives a wipe of the private key; hdkeychain's Neuter
// shares bytes with it and does not.
func TestNeuterSurvivesWipe(t *testing.T) {
	master, err := MasterFromSeed(bytes.Repeat([]byte{7}, 32), Mainnet)
	if err != nil {
		t.Fatal(err)
	}
	acct, err := DerivePath(master, Path{84 | Hardened, Hardened, Hardened})
	if err != nil {
		t.Fatal(err)
	}
	ours, err := Neuter(acct)
	if err != nil {
		t.Fatal(err)
	}
	lib, err := acct.Neuter()
	if err != nil {
		t.Fatal(err)
	}
	before := ours.String()
	if lib.String() != before || ours.Depth() != 3 || ours.ChildIndex() != Hardened || ours.IsPrivate() {
		t.Fatalf("Neuter differs from hdkeychain: %s", before)
	}
	WipeKey(acct)
	if ours.String() != before {
		t.Error("wallet.Neuter key changed by the wipe")
	}
	if lib.String() == before {
		t.Log("hdkeychain.Neuter no longer shares bytes with the private key")
	}
	if _, err := Neuter(acct); err == nil {
		t.Error("Neuter of a wiped key succeeded")
	}
}

func TestAccountDescriptors(t *testing.T) {
	single := testCosigners(t, Regtest, ScriptWPKH, 1)[0]
	key := AccountKey{Origin: KeyOrigin{Fingerprint: single.fp, Path: single.path}, XPub: single.xpub}
	d, err := SingleSigDescriptor(ScriptWPKH, key)
	if err != nil {
		t.Fatal(err)
	}
	want := "wpkh([" + FormatFingerprint(single.fp) + "/84h/1h/0h]" + single.xpub.String() + "/<0;1>/*)"
	if d.WithoutChecksum() != want || d.ScriptType() != ScriptWPKH {
		t.Errorf("SingleSigDescriptor = %s", d)
	}
	for _, st := range []ScriptType{ScriptSHWPKH, ScriptTR} {
		d, err := SingleSigDescriptor(st, key)
		if err != nil || d.ScriptType() != st {
			t.Errorf("%s: %v", st, err)
		}
	}
	if _, err := SingleSigDescriptor(ScriptWSHMulti, key); err == nil {
		t.Error("SingleSigDescriptor for multisig")
	}
	master, _ := MasterFromSeed(bytes.Repeat([]byte{1}, 32), Regtest)
	if _, err := SingleSigDescriptor(ScriptWPKH, AccountKey{XPub: master}); !errors.Is(err, ErrPrivateKey) {
		t.Errorf("private key: %v", err)
	}
	if s := (AccountKey{XPub: master}).String(); strings.Contains(s, "tprv") {
		t.Errorf("AccountKey.String printed a private key: %s", s)
	}

	cs := testCosigners(t, Regtest, ScriptWSHMulti, 3)
	keys := make([]AccountKey, len(cs))
	for i, c := range cs {
		keys[i] = AccountKey{Origin: KeyOrigin{Fingerprint: c.fp, Path: c.path}, XPub: c.xpub}
	}
	m, err := MultisigDescriptor(ScriptWSHMulti, 2, keys)
	if err != nil || m.String() != mustParse(t, multisigDescriptor(cs, "wsh(%s)", 2, "/<0;1>/*")).String() {
		t.Errorf("MultisigDescriptor = %v, %v", m, err)
	}
	if _, err := MultisigDescriptor(ScriptWSHMulti, 4, keys); err == nil {
		t.Error("threshold 4 of 3 accepted")
	}
	if _, err := MultisigDescriptor(ScriptWPKH, 1, keys); err == nil {
		t.Error("multisig of wpkh accepted")
	}
	// Keys of two networks in one descriptor.
	mainKey := testCosigners(t, Mainnet, ScriptWSHMulti, 1)[0]
	keys[0].XPub = mainKey.xpub
	if _, err := MultisigDescriptor(ScriptWSHMulti, 2, keys); !errors.Is(err, ErrWrongNetwork) {
		t.Errorf("mixed networks: %v", err)
	}
	if fp, err := ParseFingerprint("73C5DA0A"); err != nil || FormatFingerprint(fp) != "73c5da0a" {
		t.Errorf("ParseFingerprint: %v", err)
	}
	if _, err := ParseFingerprint("73c5da0"); err == nil {
		t.Error("7-character fingerprint accepted")
	}
}
