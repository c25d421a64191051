package proof

import (
	"bytes"
	"encoding/base64"
	"fmt"

	"github.com/btcsuite/btcd/btcec/v2"
	"github.com/btcsuite/btcd/btcec/v2/ecdsa"
	"github.com/btcsuite/btcd/btcutil"
	"github.com/btcsuite/btcd/chaincfg/chainhash"
	"github.com/btcsuite/btcd/txscript"
	"github.com/btcsuite/btcd/wire"
)

// legacyLen is the length of a compact signature: header, r, s.
const legacyLen = 65

// The BIP137 header ranges: the first byte is base + recovery id (0-3).
const (
	headerP2PKHUncompressed = 27
	headerP2PKH             = 31 // compressed key
	headerP2SHP2WPKH        = 35
	headerP2WPKH            = 39
)

// legacyMagic is the prefix of the legacy message digest.
const legacyMagic = "Bitcoin Signed Message:\n"

// LegacyDigest is the hash a legacy signature signs:
// SHA256d(varint(24) || "Bitcoin Signed Message:\n" || varint(len(m)) || m).
func LegacyDigest(message []byte) chainhash.Hash {
	var buf bytes.Buffer
	_ = wire.WriteVarString(&buf, 0, legacyMagic)
	_ = wire.WriteVarBytes(&buf, 0, message)
	return chainhash.DoubleHashH(buf.Bytes())
}

// signLegacy makes a compact signature with the BIP137 header of addr's
// type. The key has been checked against addr.
func signLegacy(key *btcec.PrivateKey, addr btcutil.Address, message []byte) (string, error) {
	var base byte
	switch addr.(type) {
	case *btcutil.AddressPubKeyHash:
		base = headerP2PKH
	case *btcutil.AddressScriptHash:
		base = headerP2SHP2WPKH
	case *btcutil.AddressWitnessPubKeyHash:
		base = headerP2WPKH
	default:
		return "", fmt.Errorf("%w: the legacy format has no header for %s addresses; use BIP-322", ErrUnsupported, addressKind(addr))
	}
	h := LegacyDigest(message)
	sig := ecdsa.SignCompact(key, h[:], true)
	sig[0] = sig[0] - headerP2PKH + base
	return base64.StdEncoding.EncodeToString(sig), nil
}

// verifyLegacy recovers the key of a compact signature and compares the
// address it gives with addr.
func verifyLegacy(addr btcutil.Address, message []byte, sig []byte) (*Result, error) {
	header := sig[0]
	claim := "p2pkh"
	normal := header
	switch {
	case header >= headerP2WPKH:
		claim, normal = "p2wpkh", header-headerP2WPKH+headerP2PKH
	case header >= headerP2SHP2WPKH:
		claim, normal = "p2sh-p2wpkh", header-headerP2SHP2WPKH+headerP2PKH
	}
	compact := make([]byte, legacyLen)
	copy(compact, sig)
	compact[0] = normal
	h := LegacyDigest(message)
	pub, compressed, err := ecdsa.RecoverCompact(compact, h[:])
	if err != nil {
		return nil, fmt.Errorf("%w: invalid signature: no public key recovers from the legacy signature (header %d): %v", ErrInvalid, header, err)
	}
	var serialized []byte
	if compressed {
		serialized = pub.SerializeCompressed()
	} else {
		serialized = pub.SerializeUncompressed()
	}
	hash := btcutil.Hash160(serialized)

	var want []byte
	switch a := addr.(type) {
	case *btcutil.AddressPubKeyHash:
		if claim != "p2pkh" {
			return nil, fmt.Errorf("%w: invalid signature: header %d claims a %s address, not P2PKH", ErrInvalid, header, claim)
		}
		want = a.ScriptAddress()
	case *btcutil.AddressWitnessPubKeyHash:
		if claim == "p2sh-p2wpkh" || !compressed {
			return nil, fmt.Errorf("%w: invalid signature: header %d does not fit a P2WPKH address", ErrInvalid, header)
		}
		want = a.ScriptAddress()
	case *btcutil.AddressScriptHash:
		if claim == "p2wpkh" || !compressed {
			return nil, fmt.Errorf("%w: invalid signature: header %d does not fit a P2SH-P2WPKH address", ErrInvalid, header)
		}
		// The address must be P2SH of the P2WPKH script of the key.
		redeem := append([]byte{txscript.OP_0, txscript.OP_DATA_20}, hash...)
		hash = btcutil.Hash160(redeem)
		want = a.ScriptAddress()
	default:
		return nil, fmt.Errorf("%w: a legacy signature cannot prove a %s address", ErrInvalid, addressKind(addr))
	}
	if !bytes.Equal(hash, want) {
		return nil, fmt.Errorf("%w: invalid signature: the legacy signature was made by another key than the address's (or over another message)", ErrInvalid)
	}
	return &Result{Format: FormatLegacy}, nil
}

// addressKind names an address type for messages.
func addressKind(addr btcutil.Address) string {
	switch addr.(type) {
	case *btcutil.AddressPubKeyHash:
		return "P2PKH"
	case *btcutil.AddressScriptHash:
		return "P2SH"
	case *btcutil.AddressWitnessPubKeyHash:
		return "P2WPKH"
	case *btcutil.AddressWitnessScriptHash:
		return "P2WSH"
	case *btcutil.AddressTaproot:
		return "P2TR"
	case *btcutil.AddressPubKey:
		return "P2PK"
	}
	return fmt.Sprintf("%T", addr)
}
