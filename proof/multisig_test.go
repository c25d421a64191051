package proof

import (
	"bytes"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/btcsuite/btcd/btcec/v2"
	"github.com/btcsuite/btcd/btcutil"
	"github.com/btcsuite/btcd/btcutil/psbt"
	"github.com/btcsuite/btcd/txscript"
	"github.com/btcsuite/btcd/wire"
)

// multisigVector is a full multisig proof of the generated BIP-322 vectors
// (testdata/bip322/generated-test-vectors.json, "full" section).
type multisigVector struct {
	Message       string   `json:"message"`
	PrivateKeys   []string `json:"private_keys"`
	Address       string   `json:"address"`
	Type          string   `json:"type"`
	WitnessScript string   `json:"witness_script"`
	Signatures    []string `json:"bip322_signatures"`
	TxVersion     int32    `json:"tx_version"`
	LockTime      uint32   `json:"lock_time"`
	Sequence      uint32   `json:"sequence"`
}

func multisigVectors(t testing.TB) []multisigVector {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "testdata", "bip322", "generated-test-vectors.json"))
	if err != nil {
		t.Fatal(err)
	}
	var f struct {
		Full []multisigVector `json:"full"`
	}
	if err := json.Unmarshal(b, &f); err != nil {
		t.Fatal(err)
	}
	var out []multisigVector
	for _, v := range f.Full {
		if strings.HasPrefix(v.Type, "p2wsh-multisig") || strings.HasPrefix(v.Type, "p2sh-p2wsh-multisig") {
			out = append(out, v)
		}
	}
	return out
}

// TestToSignPSBTVectors: for each P2WSH and P2SH-P2WSH multisig vector,
// the to_sign PSBT carries the vector's to_sign transaction (same txid once
// the vector's signatures are taken off), CheckToSign accepts it and
// refuses it for another message or address, and signing it with the
// vector's keys gives a full proof that Verify accepts — byte for byte the
// vector's, since both sign with RFC6979 nonces.
func TestToSignPSBTVectors(t *testing.T) {
	vs := multisigVectors(t)
	if len(vs) != 3 {
		t.Fatalf("%d multisig full vectors, want 3 (2-of-2, 3-of-3 P2WSH, 2-of-2 P2SH-P2WSH)", len(vs))
	}
	for _, v := range vs {
		t.Run(v.Type, func(t *testing.T) {
			addr := mustAddress(t, v.Address)
			msg := []byte(v.Message)
			ws, err := hex.DecodeString(v.WitnessScript)
			if err != nil {
				t.Fatal(err)
			}
			var keys []*btcec.PrivateKey
			var cos []Cosigner
			for i, w := range v.PrivateKeys {
				wif, err := btcutil.DecodeWIF(w)
				if err != nil {
					t.Fatal(err)
				}
				keys = append(keys, wif.PrivKey)
				cos = append(cos, Cosigner{PubKey: wif.PrivKey.PubKey().SerializeCompressed(), Fingerprint: [4]byte{byte(i), 1, 2, 3}, Path: []uint32{48 | 1<<31, 0, uint32(i)}})
			}
			raw, err := ToSignPSBT(addr, msg, ws, cos, SignOptions{Version: v.TxVersion, LockTime: v.LockTime, Sequence: v.Sequence})
			if err != nil {
				t.Fatal(err)
			}
			p, err := psbt.NewFromRawBytes(bytes.NewReader(raw), false)
			if err != nil {
				t.Fatal(err)
			}
			want, err := decodeTx(mustBase64(t, strings.TrimPrefix(v.Signatures[0], "ful")))
			if err != nil {
				t.Fatal(err)
			}
			unsigned := want.Copy()
			unsigned.TxIn[0].SignatureScript, unsigned.TxIn[0].Witness = nil, nil
			tx := p.UnsignedTx
			if tx.TxHash() != unsigned.TxHash() {
				t.Fatalf("to_sign %s, vector's %s", tx.TxHash(), unsigned.TxHash())
			}
			in := p.Inputs[0]
			if in.NonWitnessUtxo == nil || in.NonWitnessUtxo.TxHash() != tx.TxIn[0].PreviousOutPoint.Hash || in.WitnessUtxo.Value != 0 ||
				!bytes.Equal(in.WitnessScript, ws) || len(in.Bip32Derivation) != len(keys) || in.SighashType != txscript.SigHashAll {
				t.Fatalf("input fields %+v", in)
			}
			if err := CheckToSign(tx, addr, msg); err != nil {
				t.Fatal(err)
			}
			if err := CheckToSign(tx, addr, append(msg, '!')); !errors.Is(err, ErrInvalid) {
				t.Fatalf("another message: %v", err)
			}
			other := mustAddress(t, "bc1qqthe0hz8klx90e7stf6shclhsvqd5ly96pn53v")
			if err := CheckToSign(tx, other, msg); !errors.Is(err, ErrInvalid) {
				t.Fatalf("another address: %v", err)
			}

			// Sign with every key, in the script's key order, as a finalizer does.
			signed := tx.Copy()
			fetcher := txscript.NewCannedPrevOutputFetcher(in.WitnessUtxo.PkScript, 0)
			hashes := txscript.NewTxSigHashes(signed, fetcher)
			wit := wire.TxWitness{nil}
			for _, k := range keysInScriptOrder(t, ws, keys) {
				sig, err := txscript.RawTxInWitnessSignature(signed, hashes, 0, 0, ws, txscript.SigHashAll, k)
				if err != nil {
					t.Fatal(err)
				}
				wit = append(wit, sig)
			}
			signed.TxIn[0].Witness = append(wit, ws)
			if in.RedeemScript != nil {
				ss, err := txscript.NewScriptBuilder().AddData(in.RedeemScript).Script()
				if err != nil {
					t.Fatal(err)
				}
				signed.TxIn[0].SignatureScript = ss
			}
			var buf bytes.Buffer
			if err := signed.Serialize(&buf); err != nil {
				t.Fatal(err)
			}
			proof, err := EncodeFull(buf.Bytes(), false)
			if err != nil {
				t.Fatal(err)
			}
			r, err := Verify(addr, msg, proof)
			if err != nil || r.Format != FormatFull || !r.Prefixed || r.LockTime != v.LockTime || r.Sequence != v.Sequence {
				t.Fatalf("verify: %v %+v", err, r)
			}
			if proof != v.Signatures[0] {
				t.Errorf("proof differs from the vector's:\n%s\n%s", proof, v.Signatures[0])
			}
			if np, _ := EncodeFull(buf.Bytes(), true); "ful"+np != proof {
				t.Errorf("no-prefix proof %s", np)
			}
			// One signature short: not a proof.
			short := signed.Copy()
			short.TxIn[0].Witness = append(wire.TxWitness{nil}, append(wit[2:], ws)...)
			buf.Reset()
			_ = short.Serialize(&buf)
			sp, err := EncodeFull(buf.Bytes(), false)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := Verify(addr, msg, sp); !errors.Is(err, ErrInvalid) {
				t.Fatalf("one signature short: %v", err)
			}
		})
	}
}

// keysInScriptOrder orders keys as their public keys appear in the script.
func keysInScriptOrder(t testing.TB, script []byte, keys []*btcec.PrivateKey) []*btcec.PrivateKey {
	t.Helper()
	out := append([]*btcec.PrivateKey(nil), keys...)
	pos := func(k *btcec.PrivateKey) int { return bytes.Index(script, k.PubKey().SerializeCompressed()) }
	for i := range out {
		for j := i + 1; j < len(out); j++ {
			if pos(out[j]) < pos(out[i]) {
				out[i], out[j] = out[j], out[i]
			}
		}
	}
	return out
}

func mustBase64(t testing.TB, s string) []byte {
	t.Helper()
	b, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestToSignPSBTRefusals(t *testing.T) {
	v := multisigVectors(t)[0]
	ws, _ := hex.DecodeString(v.WitnessScript)
	addr := mustAddress(t, v.Address)
	key, _ := btcutil.DecodeWIF(v.PrivateKeys[0])
	good := []Cosigner{{PubKey: key.PrivKey.PubKey().SerializeCompressed()}}
	for _, c := range []struct {
		name string
		addr btcutil.Address
		ws   []byte
		cos  []Cosigner
		opts SignOptions
		want error
	}{
		{"p2wpkh address", mustAddress(t, "bc1qqthe0hz8klx90e7stf6shclhsvqd5ly96pn53v"), ws, good, SignOptions{}, ErrUnsupported},
		{"another script", addr, append([]byte{txscript.OP_1}, ws[1:]...), good, SignOptions{}, ErrWrongKey},
		{"no script", addr, nil, good, SignOptions{}, ErrUnsupported},
		{"foreign cosigner", addr, ws, []Cosigner{{PubKey: bytes.Repeat([]byte{2}, 33)}}, SignOptions{}, ErrWrongKey},
		{"version 1", addr, ws, good, SignOptions{Version: 1}, ErrUnsupported},
	} {
		if _, err := ToSignPSBT(c.addr, []byte("m"), c.ws, c.cos, c.opts); !errors.Is(err, c.want) {
			t.Errorf("%s: %v, want %v", c.name, err, c.want)
		}
	}
	if _, err := EncodeFull([]byte{1, 2}, false); !errors.Is(err, ErrMalformed) {
		t.Errorf("EncodeFull of junk: %v", err)
	}
	unsigned := ToSign(ToSpend([]byte{txscript.OP_TRUE}, nil))
	var buf bytes.Buffer
	_ = unsigned.Serialize(&buf)
	if _, err := EncodeFull(buf.Bytes(), false); err == nil {
		t.Error("EncodeFull of an unsigned to_sign: no error")
	}
}
