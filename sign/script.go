package sign

import (
	"bytes"
	"crypto/sha256"

	"github.com/btcsuite/btcd/btcutil"
	"github.com/btcsuite/btcd/txscript"
)

// SpendType is how an input spends its output, as far as Coffer can sign
// and finalize it.
type SpendType uint8

// The spend types Coffer knows.
const (
	SpendUnknown        SpendType = iota // anything else: not signed, not finalized
	SpendP2PKH                           // legacy pay-to-pubkey-hash
	SpendP2SHMulti                       // legacy P2SH multisig
	SpendP2WPKH                          // native segwit v0 single key (BIP84)
	SpendP2SHP2WPKH                      // P2WPKH nested in P2SH (BIP49)
	SpendP2WSHMulti                      // native segwit v0 multisig
	SpendP2SHP2WSHMulti                  // P2WSH multisig nested in P2SH
	SpendP2TRKey                         // taproot key path (BIP86 or with a merkle root)
)

func (s SpendType) String() string {
	switch s {
	case SpendP2PKH:
		return "p2pkh"
	case SpendP2SHMulti:
		return "p2sh-multisig"
	case SpendP2WPKH:
		return "p2wpkh"
	case SpendP2SHP2WPKH:
		return "p2sh-p2wpkh"
	case SpendP2WSHMulti:
		return "p2wsh-multisig"
	case SpendP2SHP2WSHMulti:
		return "p2sh-p2wsh-multisig"
	case SpendP2TRKey:
		return "p2tr-keypath"
	}
	return "unknown"
}

// IsMultisig reports whether the spend is a multisig script.
func (s SpendType) IsMultisig() bool {
	return s == SpendP2SHMulti || s == SpendP2WSHMulti || s == SpendP2SHP2WSHMulti
}

// isSegwit reports whether the spend has a witness.
func (s SpendType) isSegwit() bool {
	return s >= SpendP2WPKH
}

// isSegwitV0 reports whether the spend uses the BIP143 sighash.
func (s SpendType) isSegwitV0() bool {
	return s >= SpendP2WPKH && s <= SpendP2SHP2WSHMulti
}

func isP2WPKH(s []byte) bool { return len(s) == 22 && s[0] == txscript.OP_0 && s[1] == 20 }
func isP2WSH(s []byte) bool  { return len(s) == 34 && s[0] == txscript.OP_0 && s[1] == 32 }
func isP2TR(s []byte) bool   { return len(s) == 34 && s[0] == txscript.OP_1 && s[1] == 32 }
func isP2SH(s []byte) bool {
	return len(s) == 23 && s[0] == txscript.OP_HASH160 && s[1] == 20 && s[22] == txscript.OP_EQUAL
}
func isP2PKH(s []byte) bool {
	return len(s) == 25 && s[0] == txscript.OP_DUP && s[1] == txscript.OP_HASH160 && s[2] == 20 &&
		s[23] == txscript.OP_EQUALVERIFY && s[24] == txscript.OP_CHECKSIG
}

// multisig is a parsed "OP_m <key>... OP_n OP_CHECKMULTISIG" script.
type multisig struct {
	m    int
	keys [][]byte
}

// parseMultisig reads a bare multisig script; compressedOnly refuses 65-byte
// keys (segwit scripts must use compressed keys).
func parseMultisig(s []byte, compressedOnly bool) (*multisig, bool) {
	if len(s) < 3 || s[len(s)-1] != txscript.OP_CHECKMULTISIG {
		return nil, false
	}
	m := int(s[0]) - (txscript.OP_1 - 1)
	n := int(s[len(s)-2]) - (txscript.OP_1 - 1)
	if s[0] < txscript.OP_1 || s[0] > txscript.OP_16 || s[len(s)-2] < txscript.OP_1 || s[len(s)-2] > txscript.OP_16 {
		return nil, false
	}
	if m > n {
		return nil, false
	}
	out := &multisig{m: m}
	body := s[1 : len(s)-2]
	for len(body) > 0 {
		l := int(body[0])
		if l != 33 && (l != 65 || compressedOnly) {
			return nil, false
		}
		if len(body) < 1+l {
			return nil, false
		}
		out.keys = append(out.keys, body[1:1+l])
		body = body[1+l:]
	}
	if len(out.keys) != n {
		return nil, false
	}
	return out, true
}

// hasKey reports whether key is one of the multisig keys.
func (ms *multisig) hasKey(key []byte) bool {
	for _, k := range ms.keys {
		if bytes.Equal(k, key) {
			return true
		}
	}
	return false
}

func p2pkhScript(hash []byte) []byte {
	s := []byte{txscript.OP_DUP, txscript.OP_HASH160, 20}
	s = append(s, hash...)
	return append(s, txscript.OP_EQUALVERIFY, txscript.OP_CHECKSIG)
}

func hash160(b []byte) []byte { return btcutil.Hash160(b) }

func sha256Sum(b []byte) []byte {
	h := sha256.Sum256(b)
	return h[:]
}

// pushData returns a script that pushes each item (minimal pushes).
func pushData(items ...[]byte) []byte {
	b := txscript.NewScriptBuilder()
	for _, it := range items {
		if len(it) == 0 {
			b.AddOp(txscript.OP_0)
			continue
		}
		b.AddData(it)
	}
	s, _ := b.Script()
	return s
}
