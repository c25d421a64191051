package proof

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"io"

	"github.com/btcsuite/btcd/btcec/v2"
	"github.com/btcsuite/btcd/btcec/v2/schnorr"
	"github.com/btcsuite/btcd/btcutil"
	"github.com/btcsuite/btcd/txscript"
	"github.com/btcsuite/btcd/wire"
)

// SignOptions adjust Sign. The zero value makes a prefixed BIP-322 proof
// in the format the address allows, with a deterministic BIP340 nonce.
type SignOptions struct {
	// Format is FormatSimple, FormatFull or FormatLegacy; zero chooses
	// simple for P2WPKH and P2TR and full for P2SH-P2WPKH and P2PKH.
	Format Format
	// NoPrefix leaves out the "smp"/"ful" prefix, for verifiers written
	// before BIP-322 1.0.0.
	NoPrefix bool
	// Rand gives BIP340 auxiliary randomness (32 bytes) for P2TR; nil uses
	// btcec's deterministic nonce.
	Rand io.Reader
	// Version, LockTime and Sequence of to_sign, for full proofs with time
	// locks (BIP-322 allows version 0 or 2). Zero for every other proof.
	Version  int32
	LockTime uint32
	Sequence uint32
}

// Sign proves message for addr with key: a BIP-322 proof (simple or full)
// or, with FormatLegacy, a compact signature. addr must be a P2WPKH,
// P2SH-P2WPKH, P2TR (key is the internal key; the BIP86 tweak with no
// script tree is applied) or P2PKH address of key's compressed public key.
// The proof is verified with Verify before it is returned.
func Sign(key *btcec.PrivateKey, addr btcutil.Address, message []byte, opts SignOptions) (string, error) {
	if key == nil || addr == nil {
		return "", fmt.Errorf("%w: no key or no address", ErrUnsupported)
	}
	if err := controls(key, addr); err != nil {
		return "", err
	}
	_, segwit := addr.(*btcutil.AddressWitnessPubKeyHash)
	_, taproot := addr.(*btcutil.AddressTaproot)
	native := segwit || taproot
	format := opts.Format
	if format == 0 {
		format = FormatFull
		if native {
			format = FormatSimple
		}
	}
	var sig string
	switch format {
	case FormatLegacy:
		if opts.Version != 0 || opts.LockTime != 0 || opts.Sequence != 0 {
			return "", fmt.Errorf("%w: a legacy signature has no version, lock time or sequence", ErrUnsupported)
		}
		s, err := signLegacy(key, addr, message)
		if err != nil {
			return "", err
		}
		sig = s
	case FormatSimple, FormatFull:
		if format == FormatSimple && !native {
			return "", fmt.Errorf("%w: a %s address needs a scriptSig, which a simple BIP-322 proof cannot carry; use the full format", ErrUnsupported, addressKind(addr))
		}
		if format == FormatSimple && (opts.Version != 0 || opts.LockTime != 0 || opts.Sequence != 0) {
			return "", fmt.Errorf("%w: a simple BIP-322 proof has version, lock time and sequence 0; use the full format", ErrUnsupported)
		}
		if opts.Version != 0 && opts.Version != 2 {
			return "", fmt.Errorf("%w: to_sign version %d is not 0 or 2", ErrUnsupported, opts.Version)
		}
		toSign, err := signToSign(key, addr, message, opts)
		if err != nil {
			return "", err
		}
		if format == FormatSimple {
			sig = encodeSigText(prefixSimple, encodeWitness(toSign.TxIn[0].Witness), opts.NoPrefix)
		} else {
			sig = encodeSigText(prefixFull, encodeTx(toSign), opts.NoPrefix)
		}
	default:
		return "", fmt.Errorf("%w: format %d", ErrUnsupported, int(format))
	}
	if _, err := Verify(addr, message, sig); err != nil {
		return "", fmt.Errorf("the proof made does not verify: %v", err)
	}
	return sig, nil
}

func encodeSigText(prefix string, b []byte, noPrefix bool) string {
	s := base64.StdEncoding.EncodeToString(b)
	if noPrefix {
		return s
	}
	return prefix + s
}

// controls checks that key's compressed public key is the one addr pays.
func controls(key *btcec.PrivateKey, addr btcutil.Address) error {
	pub := key.PubKey()
	hash := btcutil.Hash160(pub.SerializeCompressed())
	var ok bool
	switch a := addr.(type) {
	case *btcutil.AddressWitnessPubKeyHash:
		ok = bytes.Equal(a.ScriptAddress(), hash)
	case *btcutil.AddressPubKeyHash:
		ok = bytes.Equal(a.ScriptAddress(), hash)
	case *btcutil.AddressScriptHash:
		redeem := append([]byte{txscript.OP_0, txscript.OP_DATA_20}, hash...)
		ok = bytes.Equal(a.ScriptAddress(), btcutil.Hash160(redeem))
	case *btcutil.AddressTaproot:
		out := txscript.ComputeTaprootKeyNoScript(pub)
		ok = bytes.Equal(a.ScriptAddress(), schnorr.SerializePubKey(out))
	default:
		return fmt.Errorf("%w: signing for a %s address is not supported: a single key signs P2WPKH, P2SH-P2WPKH, P2TR and P2PKH", ErrUnsupported, addressKind(addr))
	}
	if !ok {
		return fmt.Errorf("%w %s", ErrWrongKey, addr.EncodeAddress())
	}
	return nil
}

// signToSign builds to_sign for addr and message and satisfies its input.
func signToSign(key *btcec.PrivateKey, addr btcutil.Address, message []byte, opts SignOptions) (*wire.MsgTx, error) {
	challenge, err := txscript.PayToAddrScript(addr)
	if err != nil {
		return nil, fmt.Errorf("address %s has no output script: %v", addr.EncodeAddress(), err)
	}
	toSign := ToSign(ToSpend(challenge, message))
	toSign.Version = opts.Version
	toSign.LockTime = opts.LockTime
	toSign.TxIn[0].Sequence = opts.Sequence
	fetcher := txscript.NewCannedPrevOutputFetcher(challenge, 0)
	hashes := txscript.NewTxSigHashes(toSign, fetcher)
	pub := key.PubKey().SerializeCompressed()
	in := toSign.TxIn[0]

	switch addr.(type) {
	case *btcutil.AddressWitnessPubKeyHash:
		sig, err := txscript.RawTxInWitnessSignature(toSign, hashes, 0, 0, challenge, txscript.SigHashAll, key)
		if err != nil {
			return nil, fmt.Errorf("cannot sign to_sign: %v", err)
		}
		in.Witness = wire.TxWitness{sig, pub}
	case *btcutil.AddressScriptHash:
		redeem := append([]byte{txscript.OP_0, txscript.OP_DATA_20}, btcutil.Hash160(pub)...)
		sig, err := txscript.RawTxInWitnessSignature(toSign, hashes, 0, 0, redeem, txscript.SigHashAll, key)
		if err != nil {
			return nil, fmt.Errorf("cannot sign to_sign: %v", err)
		}
		script, err := txscript.NewScriptBuilder().AddData(redeem).Script()
		if err != nil {
			return nil, fmt.Errorf("cannot build the scriptSig: %v", err)
		}
		in.SignatureScript = script
		in.Witness = wire.TxWitness{sig, pub}
	case *btcutil.AddressPubKeyHash:
		script, err := txscript.SignatureScript(toSign, 0, challenge, txscript.SigHashAll, key, true)
		if err != nil {
			return nil, fmt.Errorf("cannot sign to_sign: %v", err)
		}
		in.SignatureScript = script
	case *btcutil.AddressTaproot:
		hash, err := txscript.CalcTaprootSignatureHash(hashes, txscript.SigHashDefault, toSign, 0, fetcher)
		if err != nil {
			return nil, fmt.Errorf("cannot compute the taproot sighash: %v", err)
		}
		tweaked := txscript.TweakTaprootPrivKey(*key, nil)
		defer tweaked.Zero()
		var signOpts []schnorr.SignOption
		if opts.Rand != nil {
			var aux [32]byte
			if _, err := io.ReadFull(opts.Rand, aux[:]); err != nil {
				return nil, fmt.Errorf("cannot read BIP340 auxiliary randomness: %v", err)
			}
			signOpts = append(signOpts, schnorr.CustomNonce(aux))
		}
		sig, err := schnorr.Sign(tweaked, hash, signOpts...)
		if err != nil {
			return nil, fmt.Errorf("cannot make the schnorr signature: %v", err)
		}
		in.Witness = wire.TxWitness{sig.Serialize()}
	default:
		return nil, fmt.Errorf("%w: %s addresses", ErrUnsupported, addressKind(addr))
	}
	return toSign, nil
}
