package policy

// Test fixtures: a real vault (the "abandon … about" mnemonic on regtest,
// fingerprint 73c5da0a), PSBTs built from its keys with btcd's psbt writer,
// decoded and reviewed by the sign package exactly as the signer does. No
// Review is written by hand.

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"testing"
	"time"

	"github.com/btcsuite/btcd/btcutil"
	"github.com/btcsuite/btcd/btcutil/hdkeychain"
	"github.com/btcsuite/btcd/btcutil/psbt"
	"github.com/btcsuite/btcd/chaincfg/chainhash"
	"github.com/btcsuite/btcd/txscript"
	"github.com/btcsuite/btcd/wire"

	"github.com/coffer-custody/coffer/keygen"
	"github.com/coffer-custody/coffer/policy/approval"
	"github.com/coffer-custody/coffer/sign"
	"github.com/coffer-custody/coffer/wallet"
)

const testMnemonic = "abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about"

const hard = hdkeychain.HardenedKeyStart

// vault is the test signer with its wpkh-0 and tr-0 accounts.
type vault struct {
	master  *hdkeychain.ExtendedKey
	fp      [4]byte
	wallets sign.Wallets
	wpkh    *hdkeychain.ExtendedKey // m/84h/1h/0h, public
	tr      *hdkeychain.ExtendedKey // m/86h/1h/0h, public
}

func newVault(t testing.TB) *vault {
	t.Helper()
	m, err := wallet.MasterFromSeed(keygen.Seed([]byte(testMnemonic), nil), wallet.Regtest)
	if err != nil {
		t.Fatal(err)
	}
	v := &vault{master: m, fp: wallet.Fingerprint(m)}
	v.wallets = sign.Wallets{Network: wallet.Regtest, Fingerprint: v.fp}
	for _, a := range []struct {
		st   wallet.ScriptType
		path wallet.Path
		dst  **hdkeychain.ExtendedKey
	}{
		{wallet.ScriptWPKH, wallet.Path{84 + hard, 1 + hard, hard}, &v.wpkh},
		{wallet.ScriptTR, wallet.Path{86 + hard, 1 + hard, hard}, &v.tr},
	} {
		k, err := wallet.DerivePath(m, a.path)
		if err != nil {
			t.Fatal(err)
		}
		pub, err := wallet.Neuter(k)
		if err != nil {
			t.Fatal(err)
		}
		*a.dst = pub
		d, err := wallet.SingleSigDescriptor(a.st, wallet.AccountKey{Origin: wallet.KeyOrigin{Fingerprint: v.fp, Path: a.path}, XPub: pub})
		if err != nil {
			t.Fatal(err)
		}
		v.wallets.Accounts = append(v.wallets.Accounts, sign.Wallet{Name: a.st.String() + "-0", Descriptor: d})
	}
	return v
}

func (v *vault) fpLE() uint32 { return binary.LittleEndian.Uint32(v.fp[:]) }

// key derives the public key at branch/index below an account.
func key(t testing.TB, acct *hdkeychain.ExtendedKey, branch, index uint32) []byte {
	t.Helper()
	k, err := wallet.DerivePath(acct, wallet.Path{branch, index})
	if err != nil {
		t.Fatal(err)
	}
	p, err := k.ECPubKey()
	if err != nil {
		t.Fatal(err)
	}
	return p.SerializeCompressed()
}

func p2wpkh(pub []byte) []byte {
	return append([]byte{0x00, 0x14}, btcutil.Hash160(pub)...)
}

// ext is a stranger's P2WPKH script, one per tag.
func ext(tag string) []byte {
	h := sha256.Sum256([]byte("policy test destination " + tag))
	return append([]byte{0x00, 0x14}, h[:20]...)
}

// addr is the regtest address of a script.
func addr(t testing.TB, spk []byte) string {
	t.Helper()
	a, err := wallet.AddressFromScript(spk, wallet.Regtest)
	if err != nil {
		t.Fatal(err)
	}
	return a.EncodeAddress()
}

// txSpec is a transaction of the test vault: wpkh inputs (receive index i
// holds ins[i] sat), outputs to strangers or to the vault's change.
type txSpec struct {
	ins      []int64
	outs     []outSpec
	sighash  uint32 // 0: none set
	locktime uint32
}

type outSpec struct {
	to     string // a stranger's tag; "" for change
	amount int64
	self   bool // to the vault's receive branch (index 50+) instead of change
	script []byte
}

func pay(to string, amount int64) outSpec { return outSpec{to: to, amount: amount} }
func change(amount int64) outSpec         { return outSpec{amount: amount} }

// psbtBytes builds the PSBT of spec.
func (v *vault) psbtBytes(t testing.TB, spec txSpec) []byte {
	t.Helper()
	tx := wire.NewMsgTx(2)
	tx.LockTime = spec.locktime
	var pins []psbt.PInput
	for i, amt := range spec.ins {
		pub := key(t, v.wpkh, 0, uint32(i))
		spk := p2wpkh(pub)
		prev := wire.NewMsgTx(2)
		seed := sha256.Sum256([]byte(fmt.Sprintf("funding %d %d", i, amt)))
		prev.AddTxIn(&wire.TxIn{PreviousOutPoint: wire.OutPoint{Hash: chainhash.Hash(seed)}, Sequence: wire.MaxTxInSequenceNum})
		prev.AddTxOut(wire.NewTxOut(amt, spk))
		tx.AddTxIn(&wire.TxIn{PreviousOutPoint: wire.OutPoint{Hash: prev.TxHash(), Index: 0}, Sequence: wire.MaxTxInSequenceNum - 2})
		pi := psbt.PInput{NonWitnessUtxo: prev, WitnessUtxo: wire.NewTxOut(amt, spk),
			Bip32Derivation: []*psbt.Bip32Derivation{{PubKey: pub, MasterKeyFingerprint: v.fpLE(), Bip32Path: []uint32{84 + hard, 1 + hard, hard, 0, uint32(i)}}}}
		if spec.sighash != 0 {
			pi.SighashType = txscript.SigHashType(spec.sighash)
		}
		pins = append(pins, pi)
	}
	var pouts []psbt.POutput
	for i, o := range spec.outs {
		switch {
		case o.script != nil:
			tx.AddTxOut(wire.NewTxOut(o.amount, o.script))
			pouts = append(pouts, psbt.POutput{})
		case o.to != "":
			tx.AddTxOut(wire.NewTxOut(o.amount, ext(o.to)))
			pouts = append(pouts, psbt.POutput{})
		default:
			branch, index := uint32(1), uint32(i)
			if o.self {
				branch, index = 0, uint32(50+i)
			}
			pub := key(t, v.wpkh, branch, index)
			tx.AddTxOut(wire.NewTxOut(o.amount, p2wpkh(pub)))
			pouts = append(pouts, psbt.POutput{Bip32Derivation: []*psbt.Bip32Derivation{{PubKey: pub, MasterKeyFingerprint: v.fpLE(),
				Bip32Path: []uint32{84 + hard, 1 + hard, hard, branch, index}}}})
		}
	}
	p, err := psbt.NewFromUnsignedTx(tx)
	if err != nil {
		t.Fatal(err)
	}
	p.Inputs, p.Outputs = pins, pouts
	var b bytes.Buffer
	if err := p.Serialize(&b); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// review decodes and analyzes spec's PSBT as the signer does. A review
// refusal that a policy may lift is kept in the Review; any other fails
// the test.
func (v *vault) review(t testing.TB, spec txSpec) *sign.Review {
	t.Helper()
	p, err := sign.Decode(v.psbtBytes(t, spec), 0)
	if err != nil {
		t.Fatal(err)
	}
	r, err := sign.Analyze(p, v.wallets)
	if err != nil {
		var re *sign.RefusalError
		if !asRefusal(err, &re) || !re.OnlyPolicyMayAllow() {
			t.Fatalf("analyze: %v", err)
		}
	}
	return r
}

func asRefusal(err error, re **sign.RefusalError) bool {
	e, ok := err.(*sign.RefusalError)
	if ok {
		*re = e
	}
	return ok
}

// person is a test approver or admin with a deterministic ed25519 key.
type person struct {
	id  string
	key *approval.PrivateKey
}

func newPerson(t testing.TB, id string) person {
	t.Helper()
	seed := sha256.Sum256([]byte("coffer policy test key " + id))
	k, err := approval.GenerateKey(bytes.NewReader(seed[:]))
	if err != nil {
		t.Fatal(err)
	}
	return person{id: id, key: k}
}

func (p person) line() string {
	return fmt.Sprintf("{id: %s, key: %q}", p.id, p.key.Public().String())
}

// approve writes and signs p's approval of r.
func (p person) approve(t testing.TB, r *sign.Review, initiator string, created time.Time, life time.Duration) *approval.Approval {
	t.Helper()
	doc, err := approval.New(approval.Request{Review: r, Approver: p.id, Initiator: initiator, Created: created, Lifetime: life, Reason: "test"})
	if err != nil {
		t.Fatal(err)
	}
	raw, err := doc.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	sig, err := p.key.Sign(zeroRand{}, approval.NamespaceApproval, raw)
	if err != nil {
		t.Fatal(err)
	}
	a, err := approval.Parse(p.id+".json", raw, sig)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

type zeroRand struct{}

func (zeroRand) Read(b []byte) (int, error) {
	clear(b)
	return len(b), nil
}
