package sign

import (
	"fmt"
	"time"

	"github.com/btcsuite/btcd/btcutil"
)

// Review is the one description of a PSBT's transaction: what the screen
// shows, the policy judges and the journal records. Analyze builds it;
// nothing else re-derives it. Amounts are integer satoshis.
type Review struct {
	Network    string `json:"network"`      // the vault's network
	PSBTVer    int    `json:"psbt_version"` // 0 or 2
	TxID       string `json:"txid"`         // of the unsigned transaction
	TxVersion  int32  `json:"tx_version"`
	NumInputs  int    `json:"num_inputs"`
	NumOutputs int    `json:"num_outputs"`

	Inputs  []InputReview  `json:"inputs"`
	Outputs []OutputReview `json:"outputs"`

	InputTotal  btcutil.Amount `json:"input_total_sat"`
	OutputTotal btcutil.Amount `json:"output_total_sat"`
	Sent        btcutil.Amount `json:"sent_sat"`   // to external outputs
	Change      btcutil.Amount `json:"change_sat"` // to change and self outputs
	Fee         btcutil.Amount `json:"fee_sat"`
	FeeKnown    bool           `json:"fee_known"` // false when an input's amount is unknown
	VSize       int            `json:"vsize"`     // estimated final virtual size, signatures included
	FeeRate     float64        `json:"fee_rate_sat_vb"`

	LockTime     uint32 `json:"locktime"`
	LockTimeText string `json:"locktime_text"`
	RBF          bool   `json:"rbf"`
	RBFText      string `json:"rbf_text"`

	OursToSign int      `json:"inputs_ours"` // inputs with a key of the vault
	Warnings   []string `json:"warnings"`
	Refusals   []Reason `json:"refusals"`
}

// InputReview describes one input.
type InputReview struct {
	Index         int            `json:"index"`
	Outpoint      string         `json:"outpoint"` // txid:vout
	Amount        btcutil.Amount `json:"amount_sat"`
	AmountKnown   bool           `json:"amount_known"`
	Address       string         `json:"address,omitempty"`
	Script        string         `json:"script,omitempty"` // spent scriptPubKey, hex
	Spend         string         `json:"spend"`            // p2wpkh, p2tr-keypath, ...
	Ours          bool           `json:"ours"`
	Wallet        string         `json:"wallet,omitempty"` // the account or registered wallet
	Keys          []KeyUse       `json:"keys,omitempty"`   // the vault keys that can sign it
	Signatures    int            `json:"signatures"`       // signatures already present
	Final         bool           `json:"final"`            // already finalized
	Sequence      uint32         `json:"sequence"`
	RelativeLock  string         `json:"relative_lock,omitempty"`
	SighashType   string         `json:"sighash,omitempty"` // when PSBT_IN_SIGHASH_TYPE is set
	UTXOProven    bool           `json:"utxo_proven"`       // amount from a txid-checked non_witness_utxo
	UnsignedWhy   string         `json:"not_signed_because,omitempty"`
	PartialSigned bool           `json:"partly_signed"`
}

// KeyUse is a vault key an input or output uses: fingerprint and path.
type KeyUse struct {
	Fingerprint string `json:"fingerprint"`
	Path        string `json:"path"`
}

// Label says whose an output is.
type Label string

// The three output labels.
const (
	LabelChange   Label = "change"   // re-derived on a change branch of the vault or a registered wallet
	LabelSelf     Label = "self"     // re-derived on a receive branch
	LabelExternal Label = "external" // anyone else
)

// OutputReview describes one output.
type OutputReview struct {
	Index    int            `json:"index"`
	Address  string         `json:"address,omitempty"` // empty for scripts without an address
	Script   string         `json:"script"`            // hex
	Type     string         `json:"type"`              // p2wpkh, p2tr, op_return, unknown, ...
	Amount   btcutil.Amount `json:"amount_sat"`
	Label    Label          `json:"label"`
	Wallet   string         `json:"wallet,omitempty"`
	Keys     []KeyUse       `json:"keys,omitempty"`
	DataHex  string         `json:"data_hex,omitempty"`  // OP_RETURN payload
	DataText string         `json:"data_text,omitempty"` // OP_RETURN payload when it is printable text
}

// lockTimeText says what nLockTime means, in words.
func lockTimeText(lt uint32) string {
	switch {
	case lt == 0:
		return "no locktime: valid in any block"
	case lt < 500_000_000:
		return fmt.Sprintf("not valid before block %d", lt)
	}
	return fmt.Sprintf("not valid before %s UTC", time.Unix(int64(lt), 0).UTC().Format("2006-01-02 15:04:05"))
}

// relativeLockText says what a BIP68 sequence means, or "" if none.
func relativeLockText(txVersion int32, seq uint32) string {
	if txVersion < 2 || seq&(1<<31) != 0 {
		return ""
	}
	v := seq & 0xffff
	if seq&(1<<22) != 0 {
		return fmt.Sprintf("spendable %d seconds after its output confirmed (BIP68)", v*512)
	}
	return fmt.Sprintf("spendable %d blocks after its output confirmed (BIP68)", v)
}
