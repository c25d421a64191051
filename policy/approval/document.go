package approval

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/btcsuite/btcd/btcutil"

	"github.com/coffer-custody/coffer/sign"
)

// DocumentType is the "type" of every approval document.
const DocumentType = "coffer-approval"

// DocumentVersion is the format version this package writes and reads.
const DocumentVersion = 1

// Bounds of an approval document.
const (
	MaxDocumentSize = 256 << 10 // bytes of a .json file
	MaxOutputs      = 4096      // outputs listed
	MaxReasonLen    = 500       // characters of the reason
	MaxIDLen        = 64        // characters of an approver or initiator id
)

// Document is an approval: one person's signed yes to one transaction. It
// names the PSBT's unsigned transaction id, repeats the outputs and the fee
// it approves, and is void for any other transaction, after its expiry, and
// when its signer is not the approver it names.
type Document struct {
	Type      string    `json:"type"`    // DocumentType
	Version   int       `json:"version"` // DocumentVersion
	Network   string    `json:"network"` // mainnet, testnet, signet or regtest
	TxID      string    `json:"txid"`    // of the unsigned transaction
	Initiator string    `json:"initiator,omitempty"`
	Approver  string    `json:"approver"`
	Outputs   []Output  `json:"outputs"`
	Fee       int64     `json:"fee_sat"`
	Created   time.Time `json:"created"`
	Expires   time.Time `json:"expires"`
	Reason    string    `json:"reason,omitempty"`
}

// Output is one output of the approved transaction, in order.
type Output struct {
	Index   int    `json:"index"`
	Address string `json:"address,omitempty"`
	Script  string `json:"script"` // scriptPubKey, lower-case hex
	Amount  int64  `json:"amount_sat"`
}

// Request is what an approval is made for: a reviewed PSBT and who asks.
type Request struct {
	Review    *sign.Review
	Approver  string
	Initiator string        // who made the request, if known
	Created   time.Time     // now
	Lifetime  time.Duration // until expiry; > 0
	Reason    string
}

// New writes the approval document for a reviewed transaction. The review
// must know the fee (every input's amount).
func New(q Request) (*Document, error) {
	r := q.Review
	if r == nil {
		return nil, errors.New("no review of the transaction")
	}
	if !r.FeeKnown {
		return nil, errors.New("the fee is unknown (an input's amount is missing), so the transaction cannot be approved")
	}
	if q.Lifetime <= 0 {
		return nil, fmt.Errorf("lifetime %s is not positive", q.Lifetime)
	}
	d := &Document{
		Type: DocumentType, Version: DocumentVersion, Network: r.Network, TxID: r.TxID,
		Initiator: q.Initiator, Approver: q.Approver, Fee: int64(r.Fee),
		Created: q.Created.UTC().Truncate(time.Second),
		Reason:  q.Reason,
	}
	d.Expires = d.Created.Add(q.Lifetime).Truncate(time.Second)
	for _, o := range r.Outputs {
		d.Outputs = append(d.Outputs, Output{Index: o.Index, Address: o.Address, Script: o.Script, Amount: int64(o.Amount)})
	}
	if err := d.check(); err != nil {
		return nil, err
	}
	return d, nil
}

// Marshal writes the document as indented JSON with a final newline. The
// signature covers these exact bytes.
func (d *Document) Marshal() ([]byte, error) {
	if err := d.check(); err != nil {
		return nil, err
	}
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(d); err != nil {
		return nil, fmt.Errorf("cannot encode the approval: %v", err)
	}
	return b.Bytes(), nil
}

// ParseDocument reads an approval document strictly: valid UTF-8 JSON, no
// unknown or repeated field, every required field present and in range.
func ParseDocument(b []byte) (*Document, error) {
	if len(b) > MaxDocumentSize {
		return nil, fmt.Errorf("approval of %d bytes is larger than %d", len(b), MaxDocumentSize)
	}
	if !utf8.Valid(b) {
		return nil, errors.New("approval is not UTF-8 text")
	}
	if err := noDuplicateKeys(b); err != nil {
		return nil, err
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	var d Document
	if err := dec.Decode(&d); err != nil {
		return nil, fmt.Errorf("approval is not a valid approval document: %s", jsonWords(err))
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, errors.New("approval has more data after its JSON object")
	}
	if err := d.check(); err != nil {
		return nil, err
	}
	return &d, nil
}

func (d *Document) check() error {
	if d.Type != DocumentType {
		return fmt.Errorf("approval type is %q, not %q", clip(d.Type), DocumentType)
	}
	if d.Version != DocumentVersion {
		return fmt.Errorf("approval version %d is not %d", d.Version, DocumentVersion)
	}
	switch d.Network {
	case "mainnet", "testnet", "signet", "regtest":
	default:
		return fmt.Errorf("approval network %q is not mainnet, testnet, signet or regtest", clip(d.Network))
	}
	if len(d.TxID) != 64 || !isLowerHex(d.TxID) {
		return fmt.Errorf("approval txid %q is not 64 lower-case hex digits", clip(d.TxID))
	}
	if err := CheckID(d.Approver); err != nil {
		return fmt.Errorf("approval approver: %v", err)
	}
	if d.Initiator != "" {
		if err := CheckID(d.Initiator); err != nil {
			return fmt.Errorf("approval initiator: %v", err)
		}
	}
	if len(d.Outputs) == 0 {
		return errors.New("approval lists no outputs")
	}
	if len(d.Outputs) > MaxOutputs {
		return fmt.Errorf("approval lists %d outputs, more than %d", len(d.Outputs), MaxOutputs)
	}
	var total int64
	for i, o := range d.Outputs {
		if o.Index != i {
			return fmt.Errorf("approval output %d has index %d", i, o.Index)
		}
		if len(o.Script) == 0 || len(o.Script)%2 != 0 || len(o.Script) > 2*10_000 || !isLowerHex(o.Script) {
			return fmt.Errorf("approval output #%d: script is not lower-case hex", i)
		}
		if len(o.Address) > 100 || !isPrintableASCII(o.Address) {
			return fmt.Errorf("approval output #%d: address is not an address", i)
		}
		if o.Amount < 0 || o.Amount > btcutil.MaxSatoshi {
			return fmt.Errorf("approval output #%d: amount %d sat is outside 0 to 21 million BTC", i, o.Amount)
		}
		total += o.Amount
	}
	if total > btcutil.MaxSatoshi {
		return errors.New("approval outputs add up to more than 21 million BTC")
	}
	if d.Fee < 0 || d.Fee > btcutil.MaxSatoshi {
		return fmt.Errorf("approval fee %d sat is outside 0 to 21 million BTC", d.Fee)
	}
	if d.Created.IsZero() || d.Expires.IsZero() {
		return errors.New("approval has no created or no expires time")
	}
	for _, t := range []time.Time{d.Created, d.Expires} {
		if y := t.UTC().Year(); y < 2009 || y > 9999 {
			return fmt.Errorf("approval time %s is not between the years 2009 and 9999", t.UTC().Format(time.RFC3339))
		}
	}
	if !d.Expires.After(d.Created) {
		return fmt.Errorf("approval expires (%s) before it is created (%s)", d.Expires.UTC().Format(time.RFC3339), d.Created.UTC().Format(time.RFC3339))
	}
	if utf8.RuneCountInString(d.Reason) > MaxReasonLen {
		return fmt.Errorf("approval reason is longer than %d characters", MaxReasonLen)
	}
	for _, r := range d.Reason {
		if !unicode.IsPrint(r) && r != ' ' {
			return errors.New("approval reason holds a control or unprintable character")
		}
	}
	return nil
}

// CheckID checks an approver, admin or initiator id: 1 to 64 of A-Z, a-z,
// 0-9, and ".", "_", "-", "@", starting with a letter or digit.
func CheckID(id string) error {
	if id == "" {
		return errors.New("id is empty")
	}
	if len(id) > MaxIDLen {
		return fmt.Errorf("id %q is longer than %d characters", clip(id), MaxIDLen)
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9':
		case i > 0 && (c == '.' || c == '_' || c == '-' || c == '@'):
		default:
			return fmt.Errorf("id %q may hold only letters, digits, \".\", \"_\", \"-\" and \"@\", starting with a letter or digit", clip(id))
		}
	}
	return nil
}

// Matches says how the document differs from the reviewed transaction:
// "" when it approves exactly this transaction (txid, network, outputs
// and fee), else one sentence.
func (d *Document) Matches(r *sign.Review) string {
	if d.TxID != r.TxID {
		return fmt.Sprintf("is for transaction %s, not this one (%s)", d.TxID, r.TxID)
	}
	if d.Network != r.Network {
		return fmt.Sprintf("is for %s, but the vault is on %s", d.Network, r.Network)
	}
	if len(d.Outputs) != len(r.Outputs) {
		return fmt.Sprintf("lists %d outputs, but the transaction has %d", len(d.Outputs), len(r.Outputs))
	}
	for i, o := range r.Outputs {
		a := d.Outputs[i]
		if a.Script != o.Script || a.Amount != int64(o.Amount) {
			return fmt.Sprintf("approves output #%d as %d sat to %s, but the transaction pays %d sat to %s",
				i, a.Amount, describeOut(a.Address, a.Script), int64(o.Amount), describeOut(o.Address, o.Script))
		}
	}
	if !r.FeeKnown {
		return "approves a fee, but the transaction's fee is unknown"
	}
	if d.Fee != int64(r.Fee) {
		return fmt.Sprintf("approves a fee of %d sat, but the transaction's fee is %d sat", d.Fee, int64(r.Fee))
	}
	return ""
}

func describeOut(addr, script string) string {
	if addr != "" {
		return addr
	}
	if len(script) > 40 {
		script = script[:40] + "…"
	}
	return "script " + script
}

func isLowerHex(s string) bool {
	if _, err := hex.DecodeString(s); err != nil {
		return false
	}
	return strings.ToLower(s) == s
}

func isPrintableASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 0x21 || s[i] > 0x7e {
			return false
		}
	}
	return true
}

// jsonWords rewrites an encoding/json error in our wording.
func jsonWords(err error) string {
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case errors.As(err, &se):
		return fmt.Sprintf("JSON syntax error at byte %d", se.Offset)
	case errors.As(err, &te):
		if te.Field != "" {
			return fmt.Sprintf("field %q is not a %s", te.Field, te.Type)
		}
		return fmt.Sprintf("a value is not a %s", te.Type)
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return "the JSON ends early"
	}
	msg := err.Error()
	if f, ok := strings.CutPrefix(msg, "json: unknown field "); ok {
		return "unknown field " + clip(f)
	}
	return clip(strings.TrimPrefix(msg, "json: "))
}

// noDuplicateKeys refuses a JSON text in which an object repeats a key
// (encoding/json keeps the last, so two readers could see two documents)
// or that nests deeper than 8 levels. Syntax errors are left to the strict
// decoder, which names them.
func noDuplicateKeys(b []byte) error {
	_, err := walkJSON(json.NewDecoder(bytes.NewReader(b)), 0)
	return err
}

// walkJSON reads one JSON value; ok is false on a syntax error.
func walkJSON(dec *json.Decoder, depth int) (ok bool, err error) {
	tok, err := dec.Token()
	if err != nil {
		return false, nil
	}
	d, isDelim := tok.(json.Delim)
	if !isDelim {
		return true, nil
	}
	if depth >= 8 {
		return false, errors.New("approval nests deeper than 8 levels")
	}
	keys := map[string]bool{}
	for dec.More() {
		if d == '{' {
			kt, err := dec.Token()
			if err != nil {
				return false, nil
			}
			k, _ := kt.(string)
			if keys[k] {
				return false, fmt.Errorf("approval repeats the field %q", clip(k))
			}
			keys[k] = true
		}
		if ok, err := walkJSON(dec, depth+1); !ok || err != nil {
			return ok, err
		}
	}
	_, err = dec.Token()
	return err == nil, nil
}
