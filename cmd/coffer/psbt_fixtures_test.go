package main

// The PSBTs and wallet files the CLI scripts sign and register, in
// ../../testdata/psbt/cli/. They are built here from real keys: funding
// transactions pay the vaults' addresses, and PSBTs spend them. No network,
// no mock of the signer. `go test ./cmd/coffer -run TestCLIFixtures
// -update-psbt` rewrites them; without the flag the test checks that the
// files are what this code builds.

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/btcsuite/btcd/btcutil"
	"github.com/btcsuite/btcd/btcutil/hdkeychain"
	"github.com/btcsuite/btcd/btcutil/psbt"
	"github.com/btcsuite/btcd/chaincfg/chainhash"
	"github.com/btcsuite/btcd/txscript"
	"github.com/btcsuite/btcd/wire"

	"github.com/coffer-custody/coffer/keygen"
	"github.com/coffer-custody/coffer/keygen/slip39"
	"github.com/coffer-custody/coffer/wallet"
)

var updatePSBT = flag.Bool("update-psbt", false, "rewrite testdata/psbt/cli from TestCLIFixtures")

// cliFixtureDir is where the fixtures live, from this package's folder.
var cliFixtureDir = filepath.Join("..", "..", "testdata", "psbt", "cli")

// The three signers of the scripts, on regtest.
const (
	mnemonic1 = "abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about" // 73c5da0a
	mnemonic2 = "legal winner thank year wave sausage worth useful legal winner thank yellow"                   // second cosigner
	mnemonic3 = "letter advice cage absurd amount doctor acoustic avoid letter advice cage above"               // third cosigner
	mnemonicX = "zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo wrong"                                             // a stranger
)

// fxVault is a test signer: a master key and its fingerprint.
type fxVault struct {
	master *hdkeychain.ExtendedKey
	fp     [4]byte
	net    wallet.Network
}

func mnemonicVault(t *testing.T, words string, net wallet.Network) *fxVault {
	t.Helper()
	return seedVault(t, keygen.Seed([]byte(words), nil), net)
}

func seedVault(t *testing.T, seed []byte, net wallet.Network) *fxVault {
	t.Helper()
	m, err := wallet.MasterFromSeed(seed, net)
	if err != nil {
		t.Fatal(err)
	}
	return &fxVault{master: m, fp: wallet.Fingerprint(m), net: net}
}

// accountKey is the vault's account xpub at path with its origin.
func (v *fxVault) accountKey(t *testing.T, path wallet.Path) wallet.AccountKey {
	t.Helper()
	k, err := wallet.DerivePath(v.master, path)
	if err != nil {
		t.Fatal(err)
	}
	pub, err := wallet.Neuter(k)
	if err != nil {
		t.Fatal(err)
	}
	return wallet.AccountKey{Origin: wallet.KeyOrigin{Fingerprint: v.fp, Path: path}, XPub: pub}
}

func (v *fxVault) single(t *testing.T, st wallet.ScriptType, account uint32) *wallet.Descriptor {
	t.Helper()
	path, err := wallet.AccountPath(st, v.net, account)
	if err != nil {
		t.Fatal(err)
	}
	d, err := wallet.SingleSigDescriptor(st, v.accountKey(t, path))
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func multisig(t *testing.T, st wallet.ScriptType, vs ...*fxVault) *wallet.Descriptor {
	t.Helper()
	keys := make([]wallet.AccountKey, len(vs))
	for i, v := range vs {
		path, err := wallet.AccountPath(st, v.net, 0)
		if err != nil {
			t.Fatal(err)
		}
		keys[i] = v.accountKey(t, path)
	}
	d, err := wallet.MultisigDescriptor(st, 2, keys)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// place is one output of a descriptor with every PSBT field that names it.
type place struct {
	spk, redeem, witness []byte
	derivs               []*psbt.Bip32Derivation
	tapDerivs            []*psbt.TaprootBip32Derivation
	tapInternal          []byte
}

func at(t *testing.T, d *wallet.Descriptor, branch, index uint32) place {
	t.Helper()
	scripts, err := d.Derive(branch, index)
	if err != nil {
		t.Fatal(err)
	}
	p := place{spk: scripts.ScriptPubKey, redeem: scripts.RedeemScript, witness: scripts.WitnessScript}
	for _, k := range scripts.Keys {
		fp := wallet.PSBTFingerprint(k.Origin.Fingerprint)
		if len(k.Serialized) == 32 {
			p.tapDerivs = append(p.tapDerivs, &psbt.TaprootBip32Derivation{XOnlyPubKey: k.Serialized, MasterKeyFingerprint: fp, Bip32Path: k.Origin.Path})
			p.tapInternal = k.Serialized
			continue
		}
		p.derivs = append(p.derivs, &psbt.Bip32Derivation{PubKey: k.Serialized, MasterKeyFingerprint: fp, Bip32Path: k.Origin.Path})
	}
	return p
}

// external is a P2WPKH output of nobody in these tests.
func external(tag string) place {
	h := sha256.Sum256([]byte("coffer cli external " + tag))
	return place{spk: append([]byte{txscript.OP_0, 20}, btcutil.Hash160(h[:])...)}
}

type fxIn struct {
	place
	amount   int64
	tag      string // makes the funding transaction unique
	sequence uint32
	noWitUTX bool // leave out witness_utxo
}

type fxOut struct {
	place
	amount int64
}

// funding is a transaction paying amount to spk at output 0.
func funding(tag string, spk []byte, amount int64) *wire.MsgTx {
	tx := wire.NewMsgTx(2)
	h := sha256.Sum256([]byte("coffer cli funding " + tag))
	tx.AddTxIn(&wire.TxIn{PreviousOutPoint: wire.OutPoint{Hash: chainhash.Hash(h), Index: 0}, Sequence: wire.MaxTxInSequenceNum,
		SignatureScript: []byte{txscript.OP_TRUE}})
	tx.AddTxOut(wire.NewTxOut(amount, spk))
	return tx
}

// buildV0 writes a version 0 PSBT with btcd's creator and updater roles.
func buildV0(t *testing.T, ins []fxIn, outs []fxOut, locktime uint32) []byte {
	t.Helper()
	var ops []*wire.OutPoint
	var seqs []uint32
	var txouts []*wire.TxOut
	for _, in := range ins {
		prev := funding(in.tag, in.spk, in.amount)
		ops = append(ops, &wire.OutPoint{Hash: prev.TxHash(), Index: 0})
		seqs = append(seqs, in.sequence)
	}
	for _, o := range outs {
		txouts = append(txouts, wire.NewTxOut(o.amount, o.spk))
	}
	p, err := psbt.New(ops, txouts, 2, locktime, seqs)
	if err != nil {
		t.Fatal(err)
	}
	for i, in := range ins {
		pi := &p.Inputs[i]
		pi.NonWitnessUtxo = funding(in.tag, in.spk, in.amount)
		if !in.noWitUTX {
			pi.WitnessUtxo = wire.NewTxOut(in.amount, in.spk)
		}
		pi.RedeemScript, pi.WitnessScript = in.redeem, in.witness
		pi.Bip32Derivation, pi.TaprootBip32Derivation, pi.TaprootInternalKey = in.derivs, in.tapDerivs, in.tapInternal
	}
	for i, o := range outs {
		po := &p.Outputs[i]
		po.RedeemScript, po.WitnessScript = o.redeem, o.witness
		po.Bip32Derivation, po.TaprootBip32Derivation, po.TaprootInternalKey = o.derivs, o.tapDerivs, o.tapInternal
	}
	var b bytes.Buffer
	if err := p.Serialize(&b); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// kvWriter writes BIP174/370 key-value maps.
type kvWriter struct{ b bytes.Buffer }

func (w *kvWriter) compact(v uint64) { wire.WriteVarInt(&w.b, 0, v) }

func (w *kvWriter) pair(typ byte, keyData, value []byte) {
	w.compact(uint64(1 + len(keyData)))
	w.b.WriteByte(typ)
	w.b.Write(keyData)
	w.compact(uint64(len(value)))
	w.b.Write(value)
}

func (w *kvWriter) end() { w.b.WriteByte(0) }

func u32(v uint32) []byte { return binary.LittleEndian.AppendUint32(nil, v) }

func derivValue(fp uint32, path []uint32) []byte {
	b := u32(fp)
	for _, s := range path {
		b = binary.LittleEndian.AppendUint32(b, s)
	}
	return b
}

func serialize(t *testing.T, tx *wire.MsgTx) []byte {
	var b bytes.Buffer
	if err := tx.Serialize(&b); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func txOutBytes(amount int64, spk []byte) []byte {
	var b bytes.Buffer
	wire.WriteTxOut(&b, 0, 0, wire.NewTxOut(amount, spk))
	return b.Bytes()
}

// buildV2 writes the same transaction as a version 2 PSBT (BIP370), for
// single-key segwit v0 inputs and outputs.
func buildV2(t *testing.T, ins []fxIn, outs []fxOut) []byte {
	t.Helper()
	w := &kvWriter{}
	w.b.Write([]byte("psbt\xff"))
	w.pair(0x02, nil, u32(2)) // PSBT_GLOBAL_TX_VERSION
	var n bytes.Buffer
	wire.WriteVarInt(&n, 0, uint64(len(ins)))
	w.pair(0x04, nil, n.Bytes()) // PSBT_GLOBAL_INPUT_COUNT
	n.Reset()
	wire.WriteVarInt(&n, 0, uint64(len(outs)))
	w.pair(0x05, nil, n.Bytes()) // PSBT_GLOBAL_OUTPUT_COUNT
	w.pair(0xfb, nil, u32(2))    // PSBT_GLOBAL_VERSION
	w.end()
	for _, in := range ins {
		prev := funding(in.tag, in.spk, in.amount)
		w.pair(0x00, nil, serialize(t, prev))            // PSBT_IN_NON_WITNESS_UTXO
		w.pair(0x01, nil, txOutBytes(in.amount, in.spk)) // PSBT_IN_WITNESS_UTXO
		for _, d := range sortedDerivs(in.derivs) {
			w.pair(0x06, d.PubKey, derivValue(d.MasterKeyFingerprint, d.Bip32Path)) // PSBT_IN_BIP32_DERIVATION
		}
		h := prev.TxHash()
		w.pair(0x0e, nil, h[:])             // PSBT_IN_PREVIOUS_TXID
		w.pair(0x0f, nil, u32(0))           // PSBT_IN_OUTPUT_INDEX
		w.pair(0x10, nil, u32(in.sequence)) // PSBT_IN_SEQUENCE
		w.end()
	}
	for _, o := range outs {
		for _, d := range sortedDerivs(o.derivs) {
			w.pair(0x02, d.PubKey, derivValue(d.MasterKeyFingerprint, d.Bip32Path)) // PSBT_OUT_BIP32_DERIVATION
		}
		w.pair(0x03, nil, binary.LittleEndian.AppendUint64(nil, uint64(o.amount))) // PSBT_OUT_AMOUNT
		w.pair(0x04, nil, o.spk)                                                   // PSBT_OUT_SCRIPT
		w.end()
	}
	return w.b.Bytes()
}

func sortedDerivs(ds []*psbt.Bip32Derivation) []*psbt.Bip32Derivation {
	out := append([]*psbt.Bip32Derivation(nil), ds...)
	sort.Slice(out, func(i, j int) bool { return bytes.Compare(out[i].PubKey, out[j].PubKey) < 0 })
	return out
}

func b64(b []byte) []byte { return []byte(base64.StdEncoding.EncodeToString(b) + "\n") }

// zeroReader is the randomness of the fixture's SLIP-39 share: the share
// must be the same on every run.
type zeroReader struct{}

func (zeroReader) Read(p []byte) (int, error) { clear(p); return len(p), nil }

// cliFixtures builds every fixture: file name → content.
func cliFixtures(t *testing.T) map[string][]byte {
	t.Helper()
	v1 := mnemonicVault(t, mnemonic1, wallet.Regtest)
	v2 := mnemonicVault(t, mnemonic2, wallet.Regtest)
	v3 := mnemonicVault(t, mnemonic3, wallet.Regtest)
	vx := mnemonicVault(t, mnemonicX, wallet.Regtest)
	if fmt.Sprintf("%x", v1.fp) != "73c5da0a" {
		t.Fatalf("vault 1 fingerprint %x", v1.fp)
	}
	files := map[string][]byte{}
	const rbf = wire.MaxTxInSequenceNum - 2

	// Single-key P2WPKH: two inputs, a payment and change.
	wpkh := v1.single(t, wallet.ScriptWPKH, 0)
	ins := []fxIn{
		{place: at(t, wpkh, 0, 0), amount: 200_000, tag: "wpkh-0", sequence: rbf},
		{place: at(t, wpkh, 0, 1), amount: 100_000, tag: "wpkh-1", sequence: rbf},
	}
	outs := []fxOut{{external("pay"), 150_000}, {at(t, wpkh, 1, 0), 149_000}}
	raw := buildV0(t, ins, outs, 0)
	files["wpkh.psbt"] = b64(raw)
	files["wpkh-binary.psbt"] = raw
	files["wpkh-hex.psbt"] = []byte(hex.EncodeToString(raw) + "\n")
	files["wpkh-v2.psbt"] = b64(buildV2(t, ins, outs))

	// Account 1 of P2WPKH: the review finds the account from the paths.
	wpkh1 := v1.single(t, wallet.ScriptWPKH, 1)
	files["wpkh-account1.psbt"] = b64(buildV0(t,
		[]fxIn{{place: at(t, wpkh1, 0, 4), amount: 80_000, tag: "acct1", sequence: wire.MaxTxInSequenceNum}},
		[]fxOut{{external("acct1"), 50_000}, {at(t, wpkh1, 1, 2), 29_500}}, 0))

	// Taproot key path (BIP86).
	tr := v1.single(t, wallet.ScriptTR, 0)
	files["tr.psbt"] = b64(buildV0(t,
		[]fxIn{{place: at(t, tr, 0, 0), amount: 500_000, tag: "tr-0", sequence: rbf}},
		[]fxOut{{external("tr"), 300_000}, {at(t, tr, 1, 0), 199_000}}, 0))

	// Nested segwit (BIP49) with a locktime.
	shwpkh := v1.single(t, wallet.ScriptSHWPKH, 0)
	files["sh-wpkh.psbt"] = b64(buildV0(t,
		[]fxIn{{place: at(t, shwpkh, 0, 3), amount: 60_000, tag: "sh-wpkh-3", sequence: wire.MaxTxInSequenceNum - 1}},
		[]fxOut{{external("sh-wpkh"), 59_000}}, 150))

	// Warnings: OP_RETURN data, a dust output, a fee of 5.5% of the amount sent.
	opret := place{spk: append([]byte{txscript.OP_RETURN, 12}, "hello coffer"...)}
	files["warnings.psbt"] = b64(buildV0(t,
		[]fxIn{{place: at(t, wpkh, 0, 5), amount: 100_000, tag: "warn", sequence: rbf}},
		[]fxOut{{external("warn"), 90_000}, {opret, 0}, {external("dust"), 200}, {at(t, wpkh, 1, 5), 4_800}}, 0))

	// A 2-of-3 P2WSH multisig of vaults 1, 2 and 3.
	ms := multisig(t, wallet.ScriptWSHMulti, v1, v2, v3)
	files["multisig-2of3.txt"] = []byte(ms.String() + "\n")
	files["multisig-2of3.psbt"] = b64(buildV0(t,
		[]fxIn{{place: at(t, ms, 0, 0), amount: 200_000, tag: "ms-0", sequence: rbf}},
		[]fxOut{{external("ms"), 120_000}, {at(t, ms, 1, 0), 78_000}}, 0))
	// The same three keys in sh(wsh(sortedmulti)), as a BIP129 descriptor record.
	shms := multisig(t, wallet.ScriptSHWSHMulti, v1, v2, v3)
	addr, err := shms.Address(0, 0, wallet.Regtest)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := strings.ReplaceAll(shms.WithoutChecksum(), "/<0;1>/*", "/**")
	files["multisig-sh-wsh.bsms"] = []byte("BSMS 1.0\n" + tmpl + "\n/0/*,/1/*\n" + addr.EncodeAddress() + "\n")
	// multi() (key order matters) with the keys in the order 2, 1, 3.
	multi := strings.Replace(multisig(t, wallet.ScriptWSHMulti, v2, v1, v3).WithoutChecksum(), "sortedmulti(", "multi(", 1)
	files["multisig-multi.txt"] = []byte(multi + "\n")
	// A wallet of other vaults only, and one that names vault 1's
	// fingerprint for a key that is not vault 1's.
	files["multisig-foreign.txt"] = []byte(multisig(t, wallet.ScriptWSHMulti, v2, v3, vx).String() + "\n")
	fake := multisig(t, wallet.ScriptWSHMulti, vx, v2, v3).WithoutChecksum()
	files["multisig-fake-key.txt"] = []byte(strings.Replace(fake, fmt.Sprintf("[%x/", vx.fp), fmt.Sprintf("[%x/", v1.fp), 1) + "\n")
	// A BSMS record whose first address is not the descriptor's.
	other, _ := ms.Address(0, 1, wallet.Regtest)
	files["multisig-bad-address.bsms"] = []byte("BSMS 1.0\n" + strings.ReplaceAll(ms.WithoutChecksum(), "/<0;1>/*", "/**") + "\n/0/*,/1/*\n" + other.EncodeAddress() + "\n")

	// Vault A of the sign package's refusal corpus (testnet), as one
	// SLIP-39 share of its seed, with its two registered 2-of-3 wallets.
	seedA := sha256.Sum256([]byte("coffer test seed A"))
	shares, err := slip39.Split(seedA[:], nil, 1, []slip39.Group{{Threshold: 1, Count: 1}}, 0, true, zeroReader{})
	if err != nil {
		t.Fatal(err)
	}
	words, err := shares[0][0].Mnemonic()
	if err != nil {
		t.Fatal(err)
	}
	files["vault-a.share"] = append(words, '\n')
	va := seedVault(t, seedA[:], wallet.Testnet)
	vb := seedVault(t, sha256Sum("coffer test seed B"), wallet.Testnet)
	vc := seedVault(t, sha256Sum("coffer test seed C"), wallet.Testnet)
	files["vault-a-wsh.txt"] = []byte(multisig(t, wallet.ScriptWSHMulti, va, vb, vc).String() + "\n")
	files["vault-a-sh-wsh.txt"] = []byte(multisig(t, wallet.ScriptSHWSHMulti, va, vb, vc).String() + "\n")
	return files
}

func sha256Sum(s string) []byte {
	h := sha256.Sum256([]byte(s))
	return h[:]
}

// TestCLIFixtures checks (or with -update-psbt rewrites) testdata/psbt/cli.
func TestCLIFixtures(t *testing.T) {
	files := cliFixtures(t)
	if *updatePSBT {
		if err := os.MkdirAll(cliFixtureDir, 0o755); err != nil {
			t.Fatal(err)
		}
		for name, data := range files {
			if err := os.WriteFile(filepath.Join(cliFixtureDir, name), data, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		return
	}
	for name, want := range files {
		got, err := os.ReadFile(filepath.Join(cliFixtureDir, name))
		if err != nil || !bytes.Equal(got, want) {
			t.Errorf("testdata/psbt/cli/%s is not what TestCLIFixtures builds: run go test ./cmd/coffer -run TestCLIFixtures -update-psbt", name)
		}
	}
}
