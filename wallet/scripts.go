package wallet

import (
	"bytes"
	"crypto/sha256"
	"errors"
	"fmt"
	"sort"

	"github.com/btcsuite/btcd/btcec/v2"
	"github.com/btcsuite/btcd/btcec/v2/schnorr"
	"github.com/btcsuite/btcd/btcutil"
	"github.com/btcsuite/btcd/txscript"
)

// Script size limits from consensus and standardness.
const (
	maxMultisigKeys      = 20  // OP_CHECKMULTISIG
	maxBareMultisigKeys  = 3   // standard bare multisig
	maxP2SHScriptSize    = 520 // a redeem script is one push
	maxP2WSHScriptSize   = 3600
	maxStandardScriptLen = 10000
)

// OutputScripts are the scripts of one output, with every key in it.
type OutputScripts struct {
	ScriptPubKey  []byte
	RedeemScript  []byte       // the script inside sh(); nil otherwise
	WitnessScript []byte       // the script inside wsh(); nil otherwise
	Keys          []DerivedKey // the keys, in descriptor order
}

// DerivedKey is a public key at a known place: its key origin runs from the
// master fingerprint to this very key.
type DerivedKey struct {
	PubKey     *btcec.PublicKey
	Serialized []byte // as written in the script: 33 bytes, 65 (uncompressed), or 32 (x-only, tr)
	Origin     KeyOrigin
}

// P2PKHScript is OP_DUP OP_HASH160 <HASH160(pub)> OP_EQUALVERIFY OP_CHECKSIG.
func P2PKHScript(serializedPub []byte) []byte {
	s := make([]byte, 0, 25)
	s = append(s, txscript.OP_DUP, txscript.OP_HASH160, txscript.OP_DATA_20)
	s = append(s, btcutil.Hash160(serializedPub)...)
	return append(s, txscript.OP_EQUALVERIFY, txscript.OP_CHECKSIG)
}

// PKScript is <pub> OP_CHECKSIG.
func PKScript(serializedPub []byte) []byte {
	s := make([]byte, 0, len(serializedPub)+2)
	s = append(s, byte(len(serializedPub)))
	s = append(s, serializedPub...)
	return append(s, txscript.OP_CHECKSIG)
}

// P2WPKHScript is OP_0 <HASH160(compressed pub)>.
func P2WPKHScript(pub *btcec.PublicKey) []byte {
	return append([]byte{txscript.OP_0, txscript.OP_DATA_20}, btcutil.Hash160(pub.SerializeCompressed())...)
}

// P2SHScript is OP_HASH160 <HASH160(redeem)> OP_EQUAL.
func P2SHScript(redeem []byte) []byte {
	s := append([]byte{txscript.OP_HASH160, txscript.OP_DATA_20}, btcutil.Hash160(redeem)...)
	return append(s, txscript.OP_EQUAL)
}

// P2WSHScript is OP_0 <SHA256(witness script)>.
func P2WSHScript(witnessScript []byte) []byte {
	h := sha256.Sum256(witnessScript)
	return append([]byte{txscript.OP_0, txscript.OP_DATA_32}, h[:]...)
}

// P2TRScript is OP_1 <Q> for the BIP86 output key Q = P + H_TapTweak(P)G of
// internal key P (a key-path-only output committing to no script).
func P2TRScript(internal *btcec.PublicKey) []byte {
	q := txscript.ComputeTaprootKeyNoScript(internal)
	return append([]byte{txscript.OP_1, txscript.OP_DATA_32}, schnorr.SerializePubKey(q)...)
}

// TaprootOutputKey is the BIP86 output key (x-only) of internal key P.
func TaprootOutputKey(internal *btcec.PublicKey) []byte {
	return schnorr.SerializePubKey(txscript.ComputeTaprootKeyNoScript(internal))
}

// MultisigScript is OP_k <key>... OP_n OP_CHECKMULTISIG over the serialized
// keys, sorted lexicographically first when sorted is set (BIP67,
// sortedmulti). keys is not modified.
func MultisigScript(threshold int, keys [][]byte, sorted bool) ([]byte, error) {
	if len(keys) == 0 || len(keys) > maxMultisigKeys {
		return nil, fmt.Errorf("multisig has %d keys; 1 to %d allowed", len(keys), maxMultisigKeys)
	}
	if threshold < 1 || threshold > len(keys) {
		return nil, fmt.Errorf("multisig threshold %d is not between 1 and %d (the number of keys)", threshold, len(keys))
	}
	ks := keys
	if sorted {
		ks = append([][]byte(nil), keys...)
		sort.Slice(ks, func(i, j int) bool { return bytes.Compare(ks[i], ks[j]) < 0 })
	}
	b := txscript.NewScriptBuilder().AddInt64(int64(threshold))
	for _, k := range ks {
		b.AddData(k)
	}
	b.AddInt64(int64(len(ks))).AddOp(txscript.OP_CHECKMULTISIG)
	s, err := b.Script()
	if err != nil {
		return nil, fmt.Errorf("build multisig script: %v", err)
	}
	return s, nil
}

// SingleKeyScripts builds the output of a single-key script type (wpkh,
// sh-wpkh, tr) for pub, the key at origin.
func SingleKeyScripts(st ScriptType, pub *btcec.PublicKey, origin KeyOrigin) (*OutputScripts, error) {
	if pub == nil {
		return nil, errors.New("no public key")
	}
	out := &OutputScripts{}
	key := DerivedKey{PubKey: pub, Serialized: pub.SerializeCompressed(), Origin: origin}
	switch st {
	case ScriptWPKH:
		out.ScriptPubKey = P2WPKHScript(pub)
	case ScriptSHWPKH:
		out.RedeemScript = P2WPKHScript(pub)
		out.ScriptPubKey = P2SHScript(out.RedeemScript)
	case ScriptTR:
		key.Serialized = schnorr.SerializePubKey(pub)
		out.ScriptPubKey = P2TRScript(pub)
	default:
		return nil, fmt.Errorf("script type %s is not a single-key type", st)
	}
	out.Keys = []DerivedKey{key}
	return out, nil
}

// AddressFromScript gives the address of a P2PKH, P2SH, P2WPKH, P2WSH or
// P2TR output script on network n. Other scripts (bare multisig, pk, raw)
// fail with ErrNoAddress.
func AddressFromScript(pkScript []byte, n Network) (btcutil.Address, error) {
	params := n.Params()
	if params == nil {
		return nil, fmt.Errorf("%s is not a network", n)
	}
	class, addrs, _, err := txscript.ExtractPkScriptAddrs(pkScript, params)
	if err != nil || len(addrs) != 1 {
		return nil, ErrNoAddress
	}
	switch class {
	case txscript.PubKeyHashTy, txscript.ScriptHashTy, txscript.WitnessV0PubKeyHashTy,
		txscript.WitnessV0ScriptHashTy, txscript.WitnessV1TaprootTy:
		return addrs[0], nil
	}
	return nil, ErrNoAddress
}
