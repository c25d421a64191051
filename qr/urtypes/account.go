package urtypes

import (
	"errors"
	"math"
	"strconv"

	"github.com/coffer-custody/coffer/qr/internal/cbor"
)

// The crypto-account UR type (BCR-2020-015): a device's accounts of
// several script types, sent at once so the wallet picks the one it wants.
const (
	TypeAccount = "crypto-account"
	TagAccount  = 311
)

// maxAccountOutputs bounds the script types of one account: BCR-2020-015
// lists seven; wallets add few.
const maxAccountOutputs = 32

// Account is a crypto-account: the fingerprint of the master key and one
// output expression per script type, each over the account's key at its
// standard path (pkh 44h, sh(wpkh) 49h, wpkh 84h, sh 45h, sh(wsh) 48h/…/1h,
// wsh 48h/…/2h, tr 86h). BCR-2020-015 writes the keys' origins without a
// source fingerprint: MasterFingerprint is theirs.
type Account struct {
	MasterFingerprint uint32
	Outputs           []Output
}

// MarshalCBOR encodes the account as an untagged crypto-account (the UR
// type says what it is).
func (a Account) MarshalCBOR() ([]byte, error) {
	if len(a.Outputs) == 0 || len(a.Outputs) > maxAccountOutputs {
		return nil, formatErr("crypto-account output-descriptors", "%d outputs, want 1 to %d", len(a.Outputs), maxAccountOutputs)
	}
	b := cbor.AppendMap(nil, 2)
	b = cbor.AppendUint(cbor.AppendUint(b, 1), uint64(a.MasterFingerprint))
	b = cbor.AppendArray(cbor.AppendUint(b, 2), len(a.Outputs))
	for i, o := range a.Outputs {
		var err error
		if b, err = o.append(b, 0); err != nil {
			return nil, outputErr(i, err)
		}
	}
	return b, nil
}

// ParseAccount decodes the CBOR of a crypto-account UR (untagged, or tagged
// 311). Each output is a script expression as BCR-2020-015's example writes
// it, without the crypto-output tag 308.
func ParseAccount(b []byte) (Account, error) {
	const field = "crypto-account"
	r := cbor.NewReader(b)
	if m, err := r.PeekMajor(); err == nil && m == cbor.MajorTag {
		if err := expectTag(r, TagAccount, field); err != nil {
			return Account{}, err
		}
	}
	n, err := r.Map(2)
	if err != nil || n != 2 {
		return Account{}, formatErrOr(field, err, "want a map of master-fingerprint (1) and output-descriptors (2)")
	}
	if key, err := r.Uint(); err != nil || key != 1 {
		return Account{}, formatErrOr(field, err, "first key is not 1 (master-fingerprint)")
	}
	fp, err := r.Uint()
	if err != nil || fp > math.MaxUint32 {
		return Account{}, formatErrOr(field+" master-fingerprint", err, "not a 32-bit number")
	}
	if key, err := r.Uint(); err != nil || key != 2 {
		return Account{}, formatErrOr(field, err, "second key is not 2 (output-descriptors)")
	}
	count, err := r.Array(maxAccountOutputs)
	if err != nil {
		return Account{}, wrap(field+" output-descriptors", err)
	}
	if count == 0 {
		return Account{}, formatErr(field+" output-descriptors", "empty: at least one output is required")
	}
	a := Account{MasterFingerprint: uint32(fp), Outputs: make([]Output, 0, count)}
	for i := 0; i < count; i++ {
		tag, err := r.Tag()
		if err != nil {
			return Account{}, outputErr(i, wrap("crypto-output", err))
		}
		if tag == TagOutput {
			return Account{}, outputErr(i, formatErr("crypto-output", "tagged 308: BCR-2020-015 writes the script expression untagged"))
		}
		o, err := readOutputBody(r, tag, 0)
		if err != nil {
			return Account{}, outputErr(i, err)
		}
		a.Outputs = append(a.Outputs, o)
	}
	if err := r.ExpectEnd(); err != nil {
		return Account{}, wrap(field, err)
	}
	return a, nil
}

// outputErr names output i (from 1) of an account in a FormatError.
func outputErr(i int, err error) error {
	var fe *FormatError
	if errors.As(err, &fe) {
		return &FormatError{Field: "crypto-account output " + strconv.Itoa(i+1) + ": " + fe.Field, Reason: fe.Reason}
	}
	return err
}
