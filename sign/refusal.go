package sign

import (
	"fmt"
	"strings"
)

// Code says why a PSBT is refused. Each code has a stable name (String)
// for journals, JSON and tests.
type Code uint16

// The refusal codes. The zero Code is not a reason.
const (
	// CodeMissingNonWitnessUTXO: a segwit v0 or legacy input without
	// PSBT_IN_NON_WITNESS_UTXO, so its amount cannot be proven (the fee
	// attack behind CVE-2020-14199).
	CodeMissingNonWitnessUTXO Code = iota + 1
	// CodeNonWitnessUTXOMismatch: PSBT_IN_NON_WITNESS_UTXO hashes to
	// another txid than the one the input spends.
	CodeNonWitnessUTXOMismatch
	// CodeNonWitnessUTXOIndex: the spent output index is past the outputs
	// of PSBT_IN_NON_WITNESS_UTXO.
	CodeNonWitnessUTXOIndex
	// CodeWitnessUTXOMismatch: PSBT_IN_WITNESS_UTXO disagrees with the
	// output of PSBT_IN_NON_WITNESS_UTXO it claims to be.
	CodeWitnessUTXOMismatch
	// CodeMissingUTXO: an input carries neither UTXO field, so what it
	// spends (and the fee) is unknown.
	CodeMissingUTXO
	// CodeTaprootMissingUTXO: a taproot input is to be signed but some
	// input lacks its UTXO; BIP341 signatures commit to every amount.
	CodeTaprootMissingUTXO
	// CodeWitnessUTXONonWitness: a PSBT_IN_WITNESS_UTXO on an input that
	// is spent without a witness (BIP174 signer check).
	CodeWitnessUTXONonWitness
	// CodeRedeemScriptMismatch: PSBT_IN_REDEEM_SCRIPT does not hash to the
	// spent P2SH output.
	CodeRedeemScriptMismatch
	// CodeWitnessScriptMismatch: PSBT_IN_WITNESS_SCRIPT does not hash to
	// the spent (or nested) P2WSH program.
	CodeWitnessScriptMismatch
	// CodeTaprootKeyMismatch: the taproot internal key and merkle root do
	// not give the spent output key.
	CodeTaprootKeyMismatch
	// CodeInputPathMismatch: an input's BIP32 derivation carries the
	// vault's fingerprint but the path does not derive that key, or the
	// key is not the one the spent script needs.
	CodeInputPathMismatch
	// CodeChangePathMismatch: an output claims a path of the vault
	// (change) but its script does not re-derive from that path.
	CodeChangePathMismatch
	// CodeUnregisteredMultisigInput: a multisig input with a vault key
	// that belongs to no registered multisig wallet.
	CodeUnregisteredMultisigInput
	// CodeUnregisteredMultisigChange: a multisig output claimed as change
	// that belongs to no registered multisig wallet.
	CodeUnregisteredMultisigChange
	// CodeSighashType: a sighash type other than DEFAULT or ALL.
	CodeSighashType
	// CodeWrongNetwork: an address, key or path of another network.
	CodeWrongNetwork
	// CodeDuplicateInput: the same outpoint is spent twice.
	CodeDuplicateInput
	// CodeNoInputs: the transaction spends nothing.
	CodeNoInputs
	// CodeNoOutputs: the transaction pays nothing.
	CodeNoOutputs
	// CodeAmountRange: an amount is negative or above 21 million BTC.
	CodeAmountRange
	// CodeSumRange: the inputs or the outputs add up to more than 21
	// million BTC.
	CodeSumRange
	// CodeOutputsExceedInputs: the outputs are worth more than the inputs.
	CodeOutputsExceedInputs
	// CodeFeeTooHigh: the fee is above 10% of the amount sent.
	CodeFeeTooHigh

	codeEnd // keep last
)

var codeNames = map[Code]string{
	CodeMissingNonWitnessUTXO:      "missing-non-witness-utxo",
	CodeNonWitnessUTXOMismatch:     "non-witness-utxo-mismatch",
	CodeNonWitnessUTXOIndex:        "non-witness-utxo-index",
	CodeWitnessUTXOMismatch:        "witness-utxo-mismatch",
	CodeMissingUTXO:                "missing-utxo",
	CodeTaprootMissingUTXO:         "taproot-missing-utxo",
	CodeWitnessUTXONonWitness:      "witness-utxo-non-witness",
	CodeRedeemScriptMismatch:       "redeem-script-mismatch",
	CodeWitnessScriptMismatch:      "witness-script-mismatch",
	CodeTaprootKeyMismatch:         "taproot-key-mismatch",
	CodeInputPathMismatch:          "input-path-mismatch",
	CodeChangePathMismatch:         "change-path-mismatch",
	CodeUnregisteredMultisigInput:  "unregistered-multisig-input",
	CodeUnregisteredMultisigChange: "unregistered-multisig-change",
	CodeSighashType:                "sighash-type",
	CodeWrongNetwork:               "wrong-network",
	CodeDuplicateInput:             "duplicate-input",
	CodeNoInputs:                   "no-inputs",
	CodeNoOutputs:                  "no-outputs",
	CodeAmountRange:                "amount-range",
	CodeSumRange:                   "sum-range",
	CodeOutputsExceedInputs:        "outputs-exceed-inputs",
	CodeFeeTooHigh:                 "fee-too-high",
}

// Codes lists every refusal code.
func Codes() []Code {
	out := make([]Code, 0, int(codeEnd)-1)
	for c := Code(1); c < codeEnd; c++ {
		out = append(out, c)
	}
	return out
}

func (c Code) String() string {
	if n, ok := codeNames[c]; ok {
		return n
	}
	return fmt.Sprintf("Code(%d)", uint16(c))
}

// PolicyMayAllow reports whether a signed policy may lift this refusal
// (a fee above 10%, a sighash type other than ALL). Every other code is
// final.
func (c Code) PolicyMayAllow() bool {
	return c == CodeFeeTooHigh || c == CodeSighashType
}

// Reason is one refusal: a code, where it applies, and one sentence.
type Reason struct {
	Code   Code   `json:"code"`
	Input  int    `json:"input"`  // input number, or -1
	Output int    `json:"output"` // output number, or -1
	Text   string `json:"text"`   // the sentence, lower case, no final period
}

func (r Reason) String() string {
	switch {
	case r.Input >= 0:
		return fmt.Sprintf("input #%d: %s", r.Input, r.Text)
	case r.Output >= 0:
		return fmt.Sprintf("output #%d: %s", r.Output, r.Text)
	}
	return r.Text
}

func inputReason(c Code, i int, format string, args ...any) Reason {
	return Reason{Code: c, Input: i, Output: -1, Text: fmt.Sprintf(format, args...)}
}

func outputReason(c Code, o int, format string, args ...any) Reason {
	return Reason{Code: c, Input: -1, Output: o, Text: fmt.Sprintf(format, args...)}
}

func txReason(c Code, format string, args ...any) Reason {
	return Reason{Code: c, Input: -1, Output: -1, Text: fmt.Sprintf(format, args...)}
}

// RefusalError lists every reason a PSBT must not be signed.
// errors.Is(err, ErrRefused) is true.
type RefusalError struct {
	Reasons []Reason
}

func (e *RefusalError) Error() string {
	parts := make([]string, len(e.Reasons))
	for i, r := range e.Reasons {
		parts[i] = r.String()
	}
	return "refused: " + strings.Join(parts, "; ")
}

// Unwrap makes errors.Is(err, ErrRefused) true.
func (e *RefusalError) Unwrap() error { return ErrRefused }

// Has reports whether the refusal includes code c.
func (e *RefusalError) Has(c Code) bool {
	for _, r := range e.Reasons {
		if r.Code == c {
			return true
		}
	}
	return false
}

// OnlyPolicyMayAllow reports whether every reason is one a policy may lift.
func (e *RefusalError) OnlyPolicyMayAllow() bool {
	for _, r := range e.Reasons {
		if !r.Code.PolicyMayAllow() {
			return false
		}
	}
	return len(e.Reasons) > 0
}
