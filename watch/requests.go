package watch

import (
	"bytes"
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"

	"github.com/btcsuite/btcd/btcutil"
	"github.com/btcsuite/btcd/chaincfg/chainhash"
	"github.com/btcsuite/btcd/wire"

	"github.com/coffer-custody/coffer/internal/txwire"
	"github.com/coffer-custody/coffer/watch/build"
	"github.com/coffer-custody/coffer/watch/chain"
	"github.com/coffer-custody/coffer/watch/store"
)

// CombineResult is a combined PSBT.
type CombineResult struct {
	PSBT       []byte `json:"-"`
	TxID       string `json:"txid"`
	Request    string `json:"request,omitempty"`
	Signatures int    `json:"signatures"` // the fewest any input has
	Required   int    `json:"required"`
	Complete   bool   `json:"complete"`
}

// Combine merges PSBTs of one transaction (files named by names) and
// records the signatures on the request whose transaction it is, if any.
func (s *Service) Combine(ctx context.Context, datas [][]byte, names []string) (*CombineResult, error) {
	if len(datas) < 2 {
		return nil, errors.New("combine needs at least two PSBTs")
	}
	ps := make([]*build.Packet, len(datas))
	for i, d := range datas {
		p, err := build.Read(d, names[i])
		if err != nil {
			return nil, err
		}
		ps[i] = p
	}
	c, err := build.Combine(ps, names)
	if err != nil {
		return nil, err
	}
	out, err := build.Serialize(c)
	if err != nil {
		return nil, err
	}
	// The result must still read with the offline signer's decoder.
	if _, err := build.Read(out, "the combined PSBT"); err != nil {
		return nil, err
	}
	fewest, need, short := build.Signatures(c)
	res := &CombineResult{PSBT: out, TxID: c.UnsignedTx.TxHash().String(), Signatures: fewest, Required: need, Complete: len(short) == 0}
	if s.Store != nil {
		r, err := s.Store.RequestByTxID(ctx, res.TxID)
		if err == nil {
			res.Request = r.ID
			st := r.Status
			if res.Complete && st == store.StatusAwaiting {
				st = store.StatusSigned
			}
			detail := fmt.Sprintf("combined %d PSBTs: %d of %d signatures", len(datas), fewest, need)
			if err := s.Store.UpdateRequest(ctx, r.ID, store.Update{Status: st, PSBT: out, Signatures: &fewest, Kind: "combined", Detail: detail, At: s.now()}); err != nil {
				return nil, err
			}
		} else if !errors.Is(err, store.ErrUnknownRequest) {
			return nil, err
		}
	}
	return res, nil
}

// FinalizeResult is a finalized (and maybe broadcast) transaction.
type FinalizeResult struct {
	Tx          *wire.MsgTx `json:"-"`
	Hex         string      `json:"hex"`
	TxID        string      `json:"txid"`
	Request     string      `json:"request,omitempty"`
	Broadcast   bool        `json:"broadcast"`
	VSize       int64       `json:"vsize"`
	Fee         int64       `json:"fee_sat"`
	FeeRateKvB  int64       `json:"fee_rate_sat_kvb"`
	Replacement string      `json:"replaces,omitempty"`
}

// Finalize builds and checks the network transaction of a fully signed
// PSBT; with broadcast it also sends it (after testmempoolaccept). The
// request of the transaction, if any, is updated.
func (s *Service) Finalize(ctx context.Context, data []byte, name string, broadcast bool) (*FinalizeResult, error) {
	bp, err := build.Read(data, name)
	if err != nil {
		return nil, err
	}
	tx, err := build.Finalize(data, name)
	if err != nil {
		return nil, err
	}
	var in int64
	for i, pin := range bp.Inputs {
		op := bp.UnsignedTx.TxIn[i].PreviousOutPoint
		if pin.NonWitnessUtxo != nil {
			in += pin.NonWitnessUtxo.TxOut[op.Index].Value
		} else if pin.WitnessUtxo != nil {
			in += pin.WitnessUtxo.Value
		}
	}
	var outSum int64
	for _, o := range tx.TxOut {
		outSum += o.Value
	}
	res, err := s.describeTx(tx, in-outSum)
	if err != nil {
		return nil, err
	}
	var req *store.Request
	if s.Store != nil {
		r, err := s.Store.RequestByTxID(ctx, res.TxID)
		if err == nil {
			req = r
			res.Request = r.ID
			res.Replacement = r.Replaces
		} else if !errors.Is(err, store.ErrUnknownRequest) {
			return nil, err
		}
	}
	if req != nil {
		all, need, _ := build.Signatures(bp)
		if err := s.Store.UpdateRequest(ctx, req.ID, store.Update{Status: store.StatusFinalized, PSBT: data, Signatures: &all,
			Kind: "finalized", Detail: fmt.Sprintf("%d of %d signatures, %d vbytes", all, need, res.VSize), At: s.now()}); err != nil {
			return nil, err
		}
	}
	if broadcast {
		if err := s.broadcast(ctx, tx, req); err != nil {
			return res, err
		}
		res.Broadcast = true
	}
	return res, nil
}

func (s *Service) describeTx(tx *wire.MsgTx, fee int64) (*FinalizeResult, error) {
	var b bytes.Buffer
	if err := tx.Serialize(&b); err != nil {
		return nil, err
	}
	vsize := int64(build.VSize(int(blockchainWeight(tx))))
	res := &FinalizeResult{Tx: tx, Hex: hex.EncodeToString(b.Bytes()), TxID: tx.TxHash().String(), VSize: vsize, Fee: fee}
	if vsize > 0 && fee >= 0 {
		res.FeeRateKvB = fee * 1000 / vsize
	}
	return res, nil
}

func blockchainWeight(tx *wire.MsgTx) int {
	return tx.SerializeSizeStripped()*3 + tx.SerializeSize()
}

// ErrNotFinal means a transaction given to broadcast lacks witnesses or
// signatures.
var ErrNotFinal = errors.New("the transaction is not signed")

// ParseTx reads a raw transaction in hex (a file's contents or an
// argument).
func ParseTx(text string) (*wire.MsgTx, error) {
	t := strings.TrimSpace(text)
	raw, err := hex.DecodeString(t)
	if err != nil {
		return nil, errors.New("not a transaction in hex")
	}
	tx, err := txwire.Decode(raw)
	if err != nil {
		return nil, fmt.Errorf("not a transaction: %v", err)
	}
	for i, in := range tx.TxIn {
		if len(in.SignatureScript) == 0 && len(in.Witness) == 0 {
			return nil, fmt.Errorf("%w: input #%d has neither scriptSig nor witness", ErrNotFinal, i)
		}
	}
	return tx, nil
}

// Broadcast sends a finalized transaction (testmempoolaccept first) and
// records it on its request, if any.
func (s *Service) Broadcast(ctx context.Context, tx *wire.MsgTx) (*FinalizeResult, error) {
	var req *store.Request
	if r, err := s.Store.RequestByTxID(ctx, tx.TxHash().String()); err == nil {
		req = r
	} else if !errors.Is(err, store.ErrUnknownRequest) {
		return nil, err
	}
	res, err := s.describeTx(tx, -1)
	if err != nil {
		return nil, err
	}
	if req != nil {
		res.Request, res.Fee, res.Replacement = req.ID, req.Fee, req.Replaces
		res.FeeRateKvB = req.Fee * 1000 / max(res.VSize, 1)
	}
	if err := s.broadcast(ctx, tx, req); err != nil {
		return res, err
	}
	res.Broadcast = true
	return res, nil
}

func (s *Service) broadcast(ctx context.Context, tx *wire.MsgTx, req *store.Request) error {
	if _, err := s.node(ctx); err != nil {
		return err
	}
	// Every input is checked against the outputs it spends, as the node
	// knows them, before anything is sent.
	prev := make([]*wire.TxOut, len(tx.TxIn))
	for i, in := range tx.TxIn {
		ptx, err := s.Node.Transaction(ctx, in.PreviousOutPoint.Hash)
		if err != nil {
			return fmt.Errorf("input #%d: %w", i, err)
		}
		if int(in.PreviousOutPoint.Index) >= len(ptx.TxOut) {
			return fmt.Errorf("input #%d spends output %d of a transaction with %d outputs", i, in.PreviousOutPoint.Index, len(ptx.TxOut))
		}
		prev[i] = ptx.TxOut[in.PreviousOutPoint.Index]
	}
	if err := build.VerifyTx(tx, prev); err != nil {
		return err
	}
	if err := s.Node.TestAccept(ctx, tx); err != nil {
		return err
	}
	txid, err := s.Node.Broadcast(ctx, tx)
	if err != nil {
		return err
	}
	if req == nil {
		return nil
	}
	zero := int64(0)
	if err := s.Store.UpdateRequest(ctx, req.ID, store.Update{Status: store.StatusBroadcast, Confirmations: &zero, Kind: "broadcast",
		Detail: fmt.Sprintf("sent through %s (%s)", s.NodeHost, s.Node.Name()), At: s.now()}); err != nil {
		return err
	}
	if req.Replaces != "" {
		if old, err := s.Store.RequestByTxID(ctx, req.Replaces); err == nil {
			_ = s.Store.UpdateRequest(ctx, old.ID, store.Update{Status: store.StatusReplaced, Kind: "replaced",
				Detail: fmt.Sprintf("by %s (request %s)", txid, req.ID), At: s.now()})
		}
	}
	return nil
}

// RequestView is a request with its history, for display.
type RequestView struct {
	ID            string        `json:"id"`
	Wallet        string        `json:"wallet"`
	Created       string        `json:"created"`
	Initiator     string        `json:"initiator"`
	Status        string        `json:"status"`
	StatusText    string        `json:"status_text"`
	TxID          string        `json:"txid"`
	Fee           int64         `json:"fee_sat"`
	FeeRate       string        `json:"fee_rate"`
	VSize         int64         `json:"vsize"`
	Sent          int64         `json:"sent_sat"`
	Signatures    int           `json:"signatures"`
	Required      int           `json:"required"`
	Confirmations int64         `json:"confirmations"`
	Replaces      string        `json:"replaces,omitempty"`
	History       []store.Event `json:"history,omitempty"`
	PSBT          []byte        `json:"-"`
}

func view(r *store.Request, evs []store.Event) RequestView {
	v := RequestView{ID: r.ID, Wallet: r.Wallet, Created: r.Created.Format("2006-01-02 15:04:05Z"), Initiator: r.Initiator, Status: r.Status,
		TxID: r.TxID, Fee: r.Fee, FeeRate: build.FormatFeeRate(r.FeeRate), VSize: r.VSize, Sent: r.Sent, Signatures: r.Signatures,
		Required: r.Required, Confirmations: r.Confirmations, Replaces: r.Replaces, History: evs, PSBT: r.PSBT}
	switch r.Status {
	case store.StatusAwaiting:
		v.StatusText = fmt.Sprintf("awaiting signatures: %d of %d", r.Signatures, r.Required)
	case store.StatusSigned:
		v.StatusText = fmt.Sprintf("signed: %d of %d, ready to finalize", r.Signatures, r.Required)
	case store.StatusBroadcast:
		v.StatusText = "broadcast, in the mempool"
	case store.StatusConfirmed:
		v.StatusText = fmt.Sprintf("confirmed: %d confirmations", r.Confirmations)
	default:
		v.StatusText = r.Status
	}
	return v
}

// Requests lists every request, newest first.
func (s *Service) Requests(ctx context.Context) ([]RequestView, error) {
	rs, err := s.Store.Requests(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]RequestView, len(rs))
	for i, r := range rs {
		out[i] = view(r, nil)
	}
	return out, nil
}

// Request returns one request with its history.
func (s *Service) Request(ctx context.Context, id string) (*RequestView, error) {
	r, evs, err := s.Store.Request(ctx, id)
	if err != nil {
		return nil, err
	}
	v := view(r, evs)
	return &v, nil
}

// Bump builds a replacement (BIP125) of a request's transaction at a
// higher fee rate as a new unsigned request: the same inputs, the same
// payments, less change; another coin is added when the change cannot pay
// the new fee. The new fee pays for the replaced one plus the node's relay
// fee on the new size, as BIP125 rule 4 asks.
func (s *Service) Bump(ctx context.Context, txid string, rate int64, initiator string) (*SendResult, error) {
	old, err := s.Store.RequestByTxID(ctx, txid)
	if err != nil {
		return nil, err
	}
	switch old.Status {
	case store.StatusConfirmed:
		return nil, fmt.Errorf("transaction %s is already confirmed; there is nothing to replace", txid)
	case store.StatusReplaced:
		return nil, fmt.Errorf("transaction %s was already replaced", txid)
	}
	w, err := s.wallet(ctx, old.Wallet)
	if err != nil {
		return nil, err
	}
	info, err := s.node(ctx)
	if err != nil {
		return nil, err
	}
	if rate <= old.FeeRate {
		return nil, fmt.Errorf("%w: --fee-rate %s is not above the replaced transaction's %s", ErrFeeTooLow, build.FormatFeeRate(rate), build.FormatFeeRate(old.FeeRate))
	}
	bp, err := build.Read(old.PSBT, "request "+old.ID)
	if err != nil {
		return nil, err
	}
	tx := bp.UnsignedTx
	for _, in := range tx.TxIn {
		if in.Sequence >= wire.MaxTxInSequenceNum-1 {
			return nil, fmt.Errorf("transaction %s does not signal replaceability (it was made with --no-rbf)", txid)
		}
	}
	// The payments are the outputs that are not the change.
	var payouts []build.Payout
	for i, o := range tx.TxOut {
		if isChange(bp, i) {
			continue
		}
		payouts = append(payouts, build.Payout{Script: o.PkScript, Amount: btcutil.Amount(o.Value), Address: fmt.Sprintf("output #%d", i)})
	}
	// The old inputs must be spent again; others may be added.
	coins, err := s.Store.UTXOs(ctx, w.ID)
	if err != nil {
		return nil, err
	}
	byOp := map[wire.OutPoint]store.UTXO{}
	for _, c := range coins {
		byOp[c.OutPoint] = c
	}
	var pool []store.UTXO
	var must []int
	for i, in := range tx.TxIn {
		c, ok := byOp[in.PreviousOutPoint]
		if !ok {
			pin := bp.Inputs[i]
			if pin.WitnessUtxo == nil {
				return nil, fmt.Errorf("input #%d of %s is no longer an unspent output of the wallet", i, txid)
			}
			br, idx, found := branchIndex(w, pin.WitnessUtxo.PkScript)
			if !found {
				return nil, fmt.Errorf("input #%d of %s is not the wallet's", i, txid)
			}
			c = store.UTXO{OutPoint: in.PreviousOutPoint, WalletID: w.ID, Branch: br, Index: idx, Value: btcutil.Amount(pin.WitnessUtxo.Value), Script: pin.WitnessUtxo.PkScript, Confirmations: 1}
		}
		must = append(must, len(pool))
		pool = append(pool, c)
	}
	p := SendParams{Wallet: w.Name, Payouts: payouts, FeeRate: rate, Initiator: initiator, replaceFee: old.Fee, relayFee: info.RelayFee}
	return s.bumpBuild(ctx, w, info, p, pool, must, coins, txid)
}

// bumpBuild builds the replacement from the old inputs, adding the
// wallet's other spendable coins one by one (largest first) while the
// funds fall short.
func (s *Service) bumpBuild(ctx context.Context, w *WalletInfo, info *chain.Info, p SendParams, pool []store.UTXO, must []int, coins []store.UTXO, txid string) (*SendResult, error) {
	rate := p.FeeRate
	res, err := s.buildRequest(ctx, w, info.Blocks, p, rate, pool, must, txid)
	if errors.Is(err, build.ErrInsufficient) {
		// Add the other spendable coins as candidates: fixed ones stay.
		extra := append([]store.UTXO(nil), pool...)
		in := map[wire.OutPoint]bool{}
		for _, c := range pool {
			in[c.OutPoint] = true
		}
		for _, c := range coins {
			if !in[c.OutPoint] && spendable(c) {
				extra = append(extra, c)
			}
		}
		for k := len(pool); k <= len(extra); k++ {
			idx := append([]int(nil), must...)
			for j := len(pool); j < k; j++ {
				idx = append(idx, j)
			}
			res, err = s.buildRequest(ctx, w, info.Blocks, p, rate, extra, idx, txid)
			if !errors.Is(err, build.ErrInsufficient) {
				break
			}
		}
	}
	if err != nil {
		return nil, err
	}
	return res, nil
}

// isChange reports whether output i of a request's PSBT is change (it
// carries a BIP32 derivation).
func isChange(p *build.Packet, i int) bool {
	o := p.Outputs[i]
	return len(o.Bip32Derivation) > 0 || len(o.TaprootBip32Derivation) > 0
}

func branchIndex(w *WalletInfo, script []byte) (uint32, uint32, bool) {
	br, idx, ok, err := w.Desc.FindScript(script, 10_000)
	return br, idx, ok && err == nil
}

// TxIDOf parses a txid argument.
func TxIDOf(s string) (string, error) {
	h, err := chainhash.NewHashFromStr(strings.TrimSpace(s))
	if err != nil || len(strings.TrimSpace(s)) != 64 {
		return "", fmt.Errorf("%q is not a txid (64 hex digits)", s)
	}
	return h.String(), nil
}
