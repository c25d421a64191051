package proof

import (
	"bytes"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"

	"github.com/btcsuite/btcd/btcutil"
	"github.com/btcsuite/btcd/chaincfg/chainhash"
	"github.com/btcsuite/btcd/txscript"
	"github.com/btcsuite/btcd/wire"

	"github.com/coffer-custody/coffer/internal/txwire"
	"github.com/coffer-custody/coffer/wallet"
)

// Sentinel errors; see the package doc.
var (
	ErrMalformed    = errors.New("malformed proof")
	ErrInvalid      = errors.New("invalid proof")
	ErrInconclusive = errors.New("inconclusive proof")
	ErrUnsupported  = errors.New("unsupported proof")
	ErrWrongKey     = errors.New("the key does not control the address")
)

// Format is the encoding of a proof.
type Format int

// The formats of a proof. The zero Format lets Sign choose: simple for a
// native segwit address, full otherwise.
const (
	FormatSimple Format = iota + 1 // BIP-322 simple: the witness stack ("smp")
	FormatFull                     // BIP-322 full: the to_sign transaction ("ful")
	FormatLegacy                   // compact ECDSA signature (BIP137 headers)
)

// String names the format as the CLI and the journal write it.
func (f Format) String() string {
	switch f {
	case FormatSimple:
		return "bip322-simple"
	case FormatFull:
		return "bip322-full"
	case FormatLegacy:
		return "legacy"
	}
	return fmt.Sprintf("Format(%d)", int(f))
}

// The variant prefixes of BIP-322 1.0.0.
const (
	prefixSimple = "smp"
	prefixFull   = "ful"
	prefixFunds  = "pof"
)

// MaxSignatureLen bounds the text of a signature Verify reads (a full
// to_sign transaction within Bitcoin's standard weight fits with room).
const MaxSignatureLen = 1 << 20

// messageTag is the BIP340 tag of BIP-322's message hash.
const messageTag = "BIP0322-signed-message"

// MessageHash is BIP-322's message hash: the BIP340 tagged hash
// SHA256(SHA256(tag) || SHA256(tag) || message) with tag
// "BIP0322-signed-message".
func MessageHash(message []byte) chainhash.Hash {
	return *chainhash.TaggedHash([]byte(messageTag), message)
}

// ToSpend builds BIP-322's to_spend transaction for the output script
// challenge (the address's scriptPubKey) and message.
func ToSpend(challenge, message []byte) *wire.MsgTx {
	h := MessageHash(message)
	tx := wire.NewMsgTx(0)
	sigScript := make([]byte, 0, 34)
	sigScript = append(sigScript, txscript.OP_0, txscript.OP_DATA_32)
	sigScript = append(sigScript, h[:]...)
	in := wire.NewTxIn(wire.NewOutPoint(&chainhash.Hash{}, wire.MaxPrevOutIndex), sigScript, nil)
	in.Sequence = 0
	tx.AddTxIn(in)
	tx.AddTxOut(wire.NewTxOut(0, challenge))
	return tx
}

// ToSign builds BIP-322's unsigned to_sign transaction spending output 0
// of toSpend, with version 0, lock time 0 and sequence 0.
func ToSign(toSpend *wire.MsgTx) *wire.MsgTx {
	h := toSpend.TxHash()
	tx := wire.NewMsgTx(0)
	in := wire.NewTxIn(wire.NewOutPoint(&h, 0), nil, nil)
	in.Sequence = 0
	tx.AddTxIn(in)
	tx.AddTxOut(wire.NewTxOut(0, []byte{txscript.OP_RETURN}))
	return tx
}

// ParseAddress reads an address of any network Coffer knows (mainnet,
// testnet, signet, regtest) and says which. Testnet, signet and regtest
// share base58 prefixes: a base58 address of theirs is reported as testnet.
func ParseAddress(s string) (btcutil.Address, wallet.Network, error) {
	if s == "" {
		return nil, 0, fmt.Errorf("%w: the address is empty", ErrMalformed)
	}
	if len(s) > 100 {
		return nil, 0, fmt.Errorf("%w: address of %d characters is too long", ErrMalformed, len(s))
	}
	for _, n := range wallet.Networks() {
		params := n.Params()
		a, err := btcutil.DecodeAddress(s, params)
		if err == nil && a.IsForNet(params) && a.EncodeAddress() == s {
			return a, n, nil
		}
	}
	// Bech32 is case-insensitive but written in lower case.
	if lower := strings.ToLower(s); lower != s {
		if a, n, err := ParseAddress(lower); err == nil {
			return a, n, nil
		}
	}
	return nil, 0, fmt.Errorf("%w: %q is not a Bitcoin address of mainnet, testnet, signet or regtest", ErrMalformed, s)
}

// encodeWitness writes a witness stack as BIP-322 simple signatures carry
// it: a CompactSize count, then each item as CompactSize length and bytes.
func encodeWitness(w wire.TxWitness) []byte {
	var buf bytes.Buffer
	_ = wire.WriteVarInt(&buf, 0, uint64(len(w)))
	for _, item := range w {
		_ = wire.WriteVarBytes(&buf, 0, item)
	}
	return buf.Bytes()
}

// decodeWitness reads a witness stack strictly: canonical CompactSizes,
// no byte left over.
func decodeWitness(b []byte) (wire.TxWitness, error) {
	if len(b) == 0 {
		return nil, errors.New("the witness stack is empty (no bytes)")
	}
	r := bytes.NewReader(b)
	n, err := wire.ReadVarInt(r, 0)
	if err != nil {
		return nil, fmt.Errorf("the witness item count: %v", err)
	}
	if n > uint64(len(b)) {
		return nil, fmt.Errorf("the witness claims %d items in %d bytes", n, len(b))
	}
	w := make(wire.TxWitness, 0, min(n, 64))
	for i := uint64(0); i < n; i++ {
		item, err := wire.ReadVarBytes(r, 0, uint32(len(b)), "witness item")
		if err != nil {
			return nil, fmt.Errorf("witness item #%d: %v", i, err)
		}
		w = append(w, item)
	}
	if r.Len() != 0 {
		return nil, fmt.Errorf("%d bytes follow the witness stack", r.Len())
	}
	return w, nil
}

// decodeTx reads a transaction strictly: no byte left over.
func decodeTx(b []byte) (*wire.MsgTx, error) {
	tx, err := txwire.Decode(b)
	if err != nil {
		return nil, fmt.Errorf("not a transaction: %v", err)
	}
	return tx, nil
}

func encodeTx(tx *wire.MsgTx) []byte {
	var buf bytes.Buffer
	_ = tx.Serialize(&buf)
	return buf.Bytes()
}

// decodeBase64 reads standard base64 with padding, strictly.
func decodeBase64(s string) ([]byte, error) {
	b, err := base64.StdEncoding.Strict().DecodeString(s)
	if err != nil {
		return nil, fmt.Errorf("%w: the signature is not base64: %v", ErrMalformed, err)
	}
	return b, nil
}
