package sign

import (
	"errors"
	"fmt"
)

// Sentinel errors, for what callers branch on. Detail comes in the typed
// errors that wrap them (*DecodeError, *RefusalError); test with errors.Is.
var (
	// ErrNotPSBT: the input is neither a binary, base64 nor hex PSBT. The
	// message says what the input looked like instead.
	ErrNotPSBT = errors.New("not a psbt")

	// ErrTooLarge: the input is over the size limit given to Decode.
	ErrTooLarge = errors.New("psbt is over the size limit")

	// ErrMalformed: the PSBT breaks BIP174, BIP370 or BIP371 (framing,
	// duplicate keys, field sizes, fields of the wrong version, missing
	// required fields). Always carried by a *DecodeError.
	ErrMalformed = errors.New("malformed psbt")

	// ErrRefused: Analyze found a reason never to sign this PSBT. Always
	// carried by a *RefusalError listing every reason.
	ErrRefused = errors.New("psbt refused")

	// ErrNotOurInput: an input the caller asked to sign has no key of the
	// vault (no BIP32 derivation with the vault's master fingerprint).
	ErrNotOurInput = errors.New("input has no key of this vault")

	// ErrVerify: a signature Coffer made did not verify when the input's
	// script was executed. Nothing is returned with it.
	ErrVerify = errors.New("signature does not verify")

	// ErrIncomplete: Finalize was asked for a transaction that still lacks
	// signatures.
	ErrIncomplete = errors.New("psbt is not fully signed")
)

// DecodeError says where a PSBT breaks the format: which map (global,
// input #i, output #i), which field, and what is wrong. It never holds
// secret data (a PSBT has none). errors.Is(err, ErrMalformed) is true.
type DecodeError struct {
	Section Section // 0 when the problem is before or after the maps
	Index   int     // input or output number (from 0); -1 for the global map
	Field   string  // the BIP name of the field (PSBT_IN_WITNESS_UTXO), or ""
	Reason  string  // what is wrong, lower case
}

func (e *DecodeError) Error() string {
	where := e.where()
	switch {
	case where == "" && e.Field == "":
		return "psbt: " + e.Reason
	case e.Field == "":
		return where + ": " + e.Reason
	case where == "":
		return e.Field + ": " + e.Reason
	}
	return where + ": " + e.Field + ": " + e.Reason
}

func (e *DecodeError) where() string {
	switch e.Section {
	case SectionGlobal:
		return "global map"
	case SectionInput:
		return fmt.Sprintf("input #%d", e.Index)
	case SectionOutput:
		return fmt.Sprintf("output #%d", e.Index)
	}
	return ""
}

// Unwrap makes errors.Is(err, ErrMalformed) true.
func (e *DecodeError) Unwrap() error { return ErrMalformed }

// malformed builds a *DecodeError.
func malformed(s Section, index int, field, format string, args ...any) *DecodeError {
	return &DecodeError{Section: s, Index: index, Field: field, Reason: fmt.Sprintf(format, args...)}
}

// InputError ties an error to one input of the PSBT.
type InputError struct {
	Index int
	Err   error
}

func (e *InputError) Error() string { return fmt.Sprintf("input #%d: %v", e.Index, e.Err) }

// Unwrap returns the underlying error.
func (e *InputError) Unwrap() error { return e.Err }
