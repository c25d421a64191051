package qrcli

import (
	"bytes"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"unicode/utf8"

	"github.com/coffer-custody/coffer/internal/txwire"
	"github.com/coffer-custody/coffer/qr/bbqr"
	"github.com/coffer-custody/coffer/qr/ur"
)

// Kind is what a file is, as far as the QR formats care: it picks the UR
// type and the BBQr file type.
type Kind int

// Kinds of file.
const (
	KindBinary      Kind = iota // anything else: ur:bytes, BBQr B
	KindText                    // UTF-8 text: ur:bytes, BBQr U
	KindJSON                    // a JSON object or array: ur:bytes, BBQr J
	KindPSBT                    // a PSBT: ur:crypto-psbt (or ur:psbt), BBQr P
	KindTransaction             // a whole Bitcoin transaction: ur:bytes, BBQr T
)

func (k Kind) String() string {
	switch k {
	case KindText:
		return "text"
	case KindJSON:
		return "JSON"
	case KindPSBT:
		return "PSBT"
	case KindTransaction:
		return "transaction"
	}
	return "binary"
}

// bbqrType is the BBQr file type of the kind.
func (k Kind) bbqrType() bbqr.FileType {
	switch k {
	case KindText:
		return bbqr.UnicodeText
	case KindJSON:
		return bbqr.JSON
	case KindPSBT:
		return bbqr.PSBT
	case KindTransaction:
		return bbqr.Transaction
	}
	return bbqr.Binary
}

// Carried is a file as it goes into QR codes.
type Carried struct {
	Kind Kind
	// Data is what the codes carry: the file itself, except that a PSBT in
	// base64 and a transaction in hex are carried as their binary form, as
	// UR crypto-psbt and BBQr P and T define them.
	Data []byte
	// From names the text form that was turned into binary ("base64",
	// "hex"), or is empty when Data is the file as given.
	From string
}

// psbtMagic starts every PSBT (BIP174).
var psbtMagic = []byte("psbt\xff")

// maxTxProbe bounds the size of a file that is tried as a transaction.
const maxTxProbe = 4 << 20

// Detect tells what data is: a PSBT (binary, or base64 starting "cHNidP"),
// a transaction (binary or hex, parsed whole), JSON, UTF-8 text or binary.
// It never fails: what it cannot read as one of the Bitcoin kinds is text
// or binary.
func Detect(data []byte) Carried {
	if bytes.HasPrefix(data, psbtMagic) {
		return Carried{Kind: KindPSBT, Data: data}
	}
	trimmed := bytes.TrimSpace(data)
	if bytes.HasPrefix(trimmed, []byte("cHNidP")) {
		if b, ok := decodeBase64(trimmed); ok && bytes.HasPrefix(b, psbtMagic) {
			return Carried{Kind: KindPSBT, Data: b, From: "base64"}
		}
	}
	if isTransaction(data) {
		return Carried{Kind: KindTransaction, Data: data}
	}
	if len(trimmed) >= 2*60 && len(trimmed)%2 == 0 && len(trimmed) <= 2*maxTxProbe {
		if b, err := hex.DecodeString(string(trimmed)); err == nil && isTransaction(b) {
			return Carried{Kind: KindTransaction, Data: b, From: "hex"}
		}
	}
	if isText(data) {
		if len(trimmed) > 0 && (trimmed[0] == '{' || trimmed[0] == '[') && json.Valid(trimmed) {
			return Carried{Kind: KindJSON, Data: data}
		}
		return Carried{Kind: KindText, Data: data}
	}
	return Carried{Kind: KindBinary, Data: data}
}

// decodeBase64 reads standard base64 that may be broken into lines.
func decodeBase64(b []byte) ([]byte, bool) {
	clean := make([]byte, 0, len(b))
	for _, c := range b {
		if c != '\n' && c != '\r' && c != ' ' && c != '\t' {
			clean = append(clean, c)
		}
	}
	out := make([]byte, base64.StdEncoding.DecodedLen(len(clean)))
	n, err := base64.StdEncoding.Strict().Decode(out, clean)
	if err != nil {
		return nil, false
	}
	return out[:n], true
}

// isTransaction reports whether b is exactly one serialized transaction
// with at least one input and one output (the smallest is 60 bytes).
func isTransaction(b []byte) bool {
	if len(b) < 60 || len(b) > maxTxProbe {
		return false
	}
	tx, err := txwire.Decode(b)
	if err != nil {
		return false
	}
	return len(tx.TxIn) > 0 && len(tx.TxOut) > 0
}

// isText reports UTF-8 with no control characters but tab, CR and LF.
func isText(b []byte) bool {
	if len(b) == 0 || !utf8.Valid(b) {
		return false
	}
	for _, c := range b {
		if c < 0x20 && c != '\t' && c != '\n' && c != '\r' || c == 0x7f {
			return false
		}
	}
	return true
}

// urTypeFor is the UR type of a file of the kind: crypto-psbt (or the
// psbt name when asked) for a PSBT, bytes for everything else.
func urTypeFor(k Kind, psbtType string) string {
	if k == KindPSBT {
		if psbtType == "" {
			return ur.TypeCryptoPSBT
		}
		return psbtType
	}
	return ur.TypeBytes
}
