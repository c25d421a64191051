package proof

import (
	"errors"
	"fmt"
	"strings"

	"github.com/btcsuite/btcd/btcec/v2/ecdsa"
	"github.com/btcsuite/btcd/btcutil"
	"github.com/btcsuite/btcd/txscript"
	"github.com/btcsuite/btcd/wire"
)

// Result is what a valid proof says.
type Result struct {
	Format Format
	// Prefixed is true when the signature carried its BIP-322 variant
	// prefix; false for legacy and for BIP-322 signatures written before
	// BIP-322 1.0.0.
	Prefixed bool
	// LockTime and Sequence are to_sign's nLockTime and first nSequence:
	// BIP-322's "valid at time T and age S" (0 and 0 for simple proofs).
	LockTime uint32
	Sequence uint32
}

// The script flags of BIP-322's required rules: consensus (P2SH, DERSIG,
// NULLDUMMY, CLTV, CSV, WITNESS, TAPROOT) with LOW_S, STRICTENC, NULLFAIL,
// MINIMALDATA, CLEANSTACK, MINIMALIF and CONST_SCRIPTCODE. Failing them is
// "invalid".
const requiredFlags = txscript.ScriptBip16 |
	txscript.ScriptVerifyDERSignatures |
	txscript.ScriptStrictMultiSig |
	txscript.ScriptVerifyCheckLockTimeVerify |
	txscript.ScriptVerifyCheckSequenceVerify |
	txscript.ScriptVerifyWitness |
	txscript.ScriptVerifyTaproot |
	txscript.ScriptVerifyLowS |
	txscript.ScriptVerifyStrictEncoding |
	txscript.ScriptVerifyNullFail |
	txscript.ScriptVerifyMinimalData |
	txscript.ScriptVerifyCleanStack |
	txscript.ScriptVerifyMinimalIf |
	txscript.ScriptVerifyConstScriptCode

// upgradeableFlags add the rules reserved for upgrades (NOPs, witness
// versions, taproot leaf versions, OP_SUCCESS, unknown key types): failing
// only these is "inconclusive".
const upgradeableFlags = requiredFlags | txscript.StandardVerifyFlags

// VerifyString is Verify with the address as text, of any network.
func VerifyString(address string, message []byte, signature string) (*Result, error) {
	addr, _, err := ParseAddress(address)
	if err != nil {
		return nil, err
	}
	return Verify(addr, message, signature)
}

// Verify checks that signature proves message for addr. The format is read
// from the signature: "smp" and "ful" prefixes are BIP-322 simple and full;
// "pof" (proof of funds) is ErrUnsupported; without a prefix, 65 bytes
// with a header of 27 to 42 is legacy, else BIP-322 simple, else full.
func Verify(addr btcutil.Address, message []byte, signature string) (*Result, error) {
	if addr == nil {
		return nil, fmt.Errorf("%w: no address", ErrMalformed)
	}
	if len(signature) > MaxSignatureLen {
		return nil, fmt.Errorf("%w: the signature is %d characters long, more than %d", ErrMalformed, len(signature), MaxSignatureLen)
	}
	challenge, err := txscript.PayToAddrScript(addr)
	if err != nil {
		return nil, fmt.Errorf("%w: address %s has no output script: %v", ErrMalformed, addr.EncodeAddress(), err)
	}
	switch {
	case strings.HasPrefix(signature, prefixFunds):
		return nil, fmt.Errorf("%w: a BIP-322 proof of funds (pof) needs the UTXO set; only simple (smp) and full (ful) proofs are verified", ErrUnsupported)
	case strings.HasPrefix(signature, prefixSimple):
		b, err := decodeBase64(signature[len(prefixSimple):])
		if err != nil {
			return nil, err
		}
		w, err := decodeWitness(b)
		if err != nil {
			return nil, fmt.Errorf("%w: simple signature: %v", ErrMalformed, err)
		}
		return verifySimple(challenge, message, w, true)
	case strings.HasPrefix(signature, prefixFull):
		b, err := decodeBase64(signature[len(prefixFull):])
		if err != nil {
			return nil, err
		}
		tx, err := decodeTx(b)
		if err != nil {
			return nil, fmt.Errorf("%w: full signature: %v", ErrMalformed, err)
		}
		return verifyFull(challenge, message, tx, true)
	}
	b, err := decodeBase64(signature)
	if err != nil {
		return nil, err
	}
	if len(b) == 0 {
		return nil, fmt.Errorf("%w: the signature is empty", ErrMalformed)
	}
	if len(b) == legacyLen && b[0] >= 27 && b[0] <= 42 {
		return verifyLegacy(addr, message, b)
	}
	if w, werr := decodeWitness(b); werr == nil {
		return verifySimple(challenge, message, w, false)
	}
	if tx, terr := decodeTx(b); terr == nil {
		return verifyFull(challenge, message, tx, false)
	}
	return nil, fmt.Errorf("%w: the signature is neither a legacy signature, a witness stack nor a transaction", ErrMalformed)
}

func verifySimple(challenge, message []byte, w wire.TxWitness, prefixed bool) (*Result, error) {
	toSign := ToSign(ToSpend(challenge, message))
	toSign.TxIn[0].Witness = w
	r, err := check(challenge, message, toSign)
	if err != nil {
		return nil, err
	}
	r.Format, r.Prefixed = FormatSimple, prefixed
	return r, nil
}

func verifyFull(challenge, message []byte, toSign *wire.MsgTx, prefixed bool) (*Result, error) {
	r, err := check(challenge, message, toSign)
	if err != nil {
		return nil, err
	}
	r.Format, r.Prefixed = FormatFull, prefixed
	return r, nil
}

// check runs BIP-322's verification process on a complete to_sign.
func check(challenge, message []byte, toSign *wire.MsgTx) (*Result, error) {
	toSpend := ToSpend(challenge, message)
	// Basic validation: the shape of to_sign.
	switch {
	case len(toSign.TxIn) == 0:
		return nil, fmt.Errorf("%w: to_sign has no input", ErrInvalid)
	case len(toSign.TxIn) > 1:
		return nil, fmt.Errorf("%w: to_sign has %d inputs; a proof with more than one input is a proof of funds (pof)", ErrInvalid, len(toSign.TxIn))
	case len(toSign.TxOut) != 1:
		return nil, fmt.Errorf("%w: to_sign has %d outputs, not exactly one", ErrInvalid, len(toSign.TxOut))
	case toSign.TxOut[0].Value != 0 || len(toSign.TxOut[0].PkScript) != 1 || toSign.TxOut[0].PkScript[0] != txscript.OP_RETURN:
		return nil, fmt.Errorf("%w: to_sign's output is not a zero-value OP_RETURN", ErrInvalid)
	}
	in := toSign.TxIn[0]
	if in.PreviousOutPoint.Hash != toSpend.TxHash() || in.PreviousOutPoint.Index != 0 {
		return nil, fmt.Errorf("%w: invalid signature: to_sign does not spend the to_spend of this message and address (the message or the address differs)", ErrInvalid)
	}
	fetcher := txscript.NewCannedPrevOutputFetcher(challenge, 0)
	hashes := txscript.NewTxSigHashes(toSign, fetcher)
	run := func(flags txscript.ScriptFlags) error {
		vm, err := txscript.NewEngine(challenge, toSign, 0, flags, nil, hashes, 0, fetcher)
		if err != nil {
			return err
		}
		return vm.Execute()
	}
	// The required rules: failing them is invalid.
	if err := run(requiredFlags); err != nil {
		return nil, fmt.Errorf("%w: invalid signature: the script does not accept it: %v", ErrInvalid, engineError(err))
	}
	if err := checkSighashAll(challenge, in); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrInvalid, err)
	}
	// The upgradeable rules: failing them is inconclusive.
	if toSign.Version != 0 && toSign.Version != 2 {
		return nil, fmt.Errorf("%w: to_sign has version %d, not 0 or 2", ErrInconclusive, toSign.Version)
	}
	if err := run(upgradeableFlags); err != nil {
		return nil, fmt.Errorf("%w: the script passes the consensus rules but not the upgradeable ones: %v", ErrInconclusive, engineError(err))
	}
	return &Result{LockTime: toSign.LockTime, Sequence: in.Sequence}, nil
}

// engineError words a script engine failure in lower case.
func engineError(err error) string {
	var se txscript.Error
	if errors.As(err, &se) {
		return fmt.Sprintf("%s (%s)", lowerFirst(se.Description), se.ErrorCode)
	}
	return lowerFirst(err.Error())
}

func lowerFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToLower(s[:1]) + s[1:]
}

// checkSighashAll holds BIP-322's rule that every signature uses
// SIGHASH_ALL (or SIGHASH_DEFAULT for taproot) where it can tell a
// signature: a taproot key-path signature, and every push that is a
// strict DER ECDSA signature with its sighash byte.
func checkSighashAll(challenge []byte, in *wire.TxIn) error {
	w := in.Witness
	if txscript.IsPayToTaproot(challenge) {
		stack := w
		if len(stack) >= 2 && len(stack[len(stack)-1]) > 0 && stack[len(stack)-1][0] == txscript.TaprootAnnexTag {
			stack = stack[:len(stack)-1]
		}
		if len(stack) == 1 { // key path
			if sig := stack[0]; len(sig) == 65 && txscript.SigHashType(sig[64]) != txscript.SigHashAll {
				return fmt.Errorf("the taproot signature uses sighash type 0x%02x, not SIGHASH_DEFAULT or SIGHASH_ALL", sig[64])
			}
		}
		return nil
	}
	items := [][]byte(w)
	if pushes, err := txscript.PushedData(in.SignatureScript); err == nil {
		items = append(items, pushes...)
	}
	for i, item := range items {
		if !isDERSignature(item) {
			continue
		}
		if ht := item[len(item)-1]; txscript.SigHashType(ht) != txscript.SigHashAll {
			return fmt.Errorf("signature #%d uses sighash type 0x%02x, not SIGHASH_ALL", i, ht)
		}
	}
	return nil
}

// isDERSignature tells an ECDSA signature with its sighash byte: a strict
// DER encoding whose length byte matches.
func isDERSignature(b []byte) bool {
	if len(b) < 9 || len(b) > 73 || b[0] != 0x30 || int(b[1])+3 != len(b) {
		return false
	}
	_, err := ecdsa.ParseDERSignature(b[:len(b)-1])
	return err == nil
}
