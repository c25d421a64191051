package proof

import (
	"bytes"
	"crypto/sha256"
	"errors"
	"fmt"

	"github.com/btcsuite/btcd/btcutil"
	"github.com/btcsuite/btcd/btcutil/psbt"
	"github.com/btcsuite/btcd/txscript"
	"github.com/btcsuite/btcd/wire"
)

// Cosigner is one key of a script (a multisig's), with its key origin, for
// the BIP32 derivation fields of a to_sign PSBT.
type Cosigner struct {
	PubKey      []byte // compressed, 33 bytes, as in the script
	Fingerprint [4]byte
	Path        []uint32
}

// ToSignPSBT is the first step of a full BIP-322 proof that several keys
// make together (a P2WSH or P2SH-P2WSH multisig): BIP-322's unsigned
// to_sign for addr and message as a PSBT version 0, which each signer signs
// in turn like any PSBT. Its one input spends to_spend's output: it carries
// to_spend as PSBT_IN_NON_WITNESS_UTXO and its output as
// PSBT_IN_WITNESS_UTXO (amount 0), the witness script (and, for
// P2SH-P2WSH, the redeem script), SIGHASH_ALL and a BIP32 derivation for
// each cosigner. The witness script must be the one addr pays to.
// opts.Version, LockTime and Sequence set to_sign's (zero for a proof
// without time locks); the other options do not apply.
//
// Once the signatures are in and the PSBT is finalized, EncodeFull writes
// the signed to_sign as the proof.
func ToSignPSBT(addr btcutil.Address, message, witnessScript []byte, cosigners []Cosigner, opts SignOptions) ([]byte, error) {
	challenge, err := txscript.PayToAddrScript(addr)
	if err != nil {
		return nil, fmt.Errorf("%w: address %s has no output script: %v", ErrUnsupported, addr.EncodeAddress(), err)
	}
	if len(witnessScript) == 0 {
		return nil, fmt.Errorf("%w: no witness script", ErrUnsupported)
	}
	p2wsh, err := txscript.NewScriptBuilder().AddOp(txscript.OP_0).AddData(sha256Sum(witnessScript)).Script()
	if err != nil {
		return nil, fmt.Errorf("cannot build the P2WSH program: %v", err)
	}
	var redeem []byte
	switch addr.(type) {
	case *btcutil.AddressWitnessScriptHash:
		if !bytes.Equal(challenge, p2wsh) {
			return nil, fmt.Errorf("%w: the witness script does not hash to %s", ErrWrongKey, addr.EncodeAddress())
		}
	case *btcutil.AddressScriptHash:
		redeem = p2wsh
		if !bytes.Equal(addr.ScriptAddress(), btcutil.Hash160(redeem)) {
			return nil, fmt.Errorf("%w: the P2WSH program of the witness script does not hash to %s", ErrWrongKey, addr.EncodeAddress())
		}
	default:
		return nil, fmt.Errorf("%w: a to_sign PSBT is made for P2WSH and P2SH-P2WSH addresses, not %s", ErrUnsupported, addressKind(addr))
	}
	if opts.Version != 0 && opts.Version != 2 {
		return nil, fmt.Errorf("%w: to_sign version %d is not 0 or 2", ErrUnsupported, opts.Version)
	}
	toSpend := ToSpend(challenge, message)
	toSign := ToSign(toSpend)
	toSign.Version = opts.Version
	toSign.LockTime = opts.LockTime
	toSign.TxIn[0].Sequence = opts.Sequence
	p, err := psbt.NewFromUnsignedTx(toSign)
	if err != nil {
		return nil, fmt.Errorf("cannot make the to_sign PSBT: %v", err)
	}
	in := &p.Inputs[0]
	in.NonWitnessUtxo = toSpend
	in.WitnessUtxo = wire.NewTxOut(0, challenge)
	in.WitnessScript = append([]byte(nil), witnessScript...)
	in.RedeemScript = redeem
	in.SighashType = txscript.SigHashAll
	for i, c := range cosigners {
		if len(c.PubKey) != 33 || !bytes.Contains(witnessScript, c.PubKey) {
			return nil, fmt.Errorf("%w: cosigner #%d's key is not a compressed key of the witness script", ErrWrongKey, i)
		}
		in.Bip32Derivation = append(in.Bip32Derivation, &psbt.Bip32Derivation{PubKey: append([]byte(nil), c.PubKey...),
			MasterKeyFingerprint: leUint32(c.Fingerprint), Bip32Path: append([]uint32(nil), c.Path...)})
	}
	var b bytes.Buffer
	if err := p.Serialize(&b); err != nil {
		return nil, fmt.Errorf("cannot write the to_sign PSBT: %v", err)
	}
	return b.Bytes(), nil
}

// CheckToSign reports whether tx, a transaction without its signatures
// (a PSBT's unsigned transaction), is BIP-322's to_sign for addr and
// message: version 0 or 2, one input spending output 0 of to_spend (which
// commits to the message), one OP_RETURN output of 0 sat. Lock time and
// sequence are free. A signer that checks this signs a challenge, never a
// transaction that could spend coins: to_spend is not a real transaction.
// The error wraps ErrInvalid and names what differs.
func CheckToSign(tx *wire.MsgTx, addr btcutil.Address, message []byte) error {
	challenge, err := txscript.PayToAddrScript(addr)
	if err != nil {
		return fmt.Errorf("%w: address %s has no output script: %v", ErrUnsupported, addr.EncodeAddress(), err)
	}
	want := ToSign(ToSpend(challenge, message))
	switch {
	case tx.Version != 0 && tx.Version != 2:
		return fmt.Errorf("%w: version %d is not the 0 or 2 of a to_sign transaction", ErrInvalid, tx.Version)
	case len(tx.TxIn) != 1:
		return fmt.Errorf("%w: %d inputs; a to_sign transaction has one", ErrInvalid, len(tx.TxIn))
	case tx.TxIn[0].PreviousOutPoint != want.TxIn[0].PreviousOutPoint:
		return fmt.Errorf("%w: the input spends %s, not output 0 of to_spend %s for this address and message", ErrInvalid,
			tx.TxIn[0].PreviousOutPoint, want.TxIn[0].PreviousOutPoint.Hash)
	case len(tx.TxIn[0].SignatureScript) != 0 || len(tx.TxIn[0].Witness) != 0:
		return fmt.Errorf("%w: the input is signed already; give the unsigned transaction", ErrInvalid)
	case len(tx.TxOut) != 1 || tx.TxOut[0].Value != 0 || !bytes.Equal(tx.TxOut[0].PkScript, []byte{txscript.OP_RETURN}):
		return fmt.Errorf("%w: the outputs are not the one OP_RETURN output of 0 sat of a to_sign transaction", ErrInvalid)
	}
	return nil
}

// EncodeFull writes a signed to_sign transaction (serialized with its
// witness) as a full BIP-322 proof: "ful" and the base64 of the
// transaction, or without the prefix for verifiers written before BIP-322
// 1.0.0. Verify the result before handing it out.
func EncodeFull(signedToSign []byte, noPrefix bool) (string, error) {
	tx, err := decodeTx(signedToSign)
	if err != nil {
		return "", fmt.Errorf("%w: %v", ErrMalformed, err)
	}
	if len(tx.TxIn) != 1 || len(tx.TxIn[0].Witness) == 0 && len(tx.TxIn[0].SignatureScript) == 0 {
		return "", errors.New("the to_sign transaction is not signed")
	}
	return encodeSigText(prefixFull, encodeTx(tx), noPrefix), nil
}

func leUint32(b [4]byte) uint32 {
	return uint32(b[0]) | uint32(b[1])<<8 | uint32(b[2])<<16 | uint32(b[3])<<24
}

func sha256Sum(b []byte) []byte {
	s := sha256.Sum256(b)
	return s[:]
}
