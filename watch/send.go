package watch

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/btcsuite/btcd/btcutil"
	"github.com/btcsuite/btcd/wire"

	"github.com/coffer-custody/coffer/policy/approval"
	"github.com/coffer-custody/coffer/sign"
	"github.com/coffer-custody/coffer/watch/build"
	"github.com/coffer-custody/coffer/watch/store"
)

// SendParams is a withdrawal to prepare.
type SendParams struct {
	Wallet     string
	Payouts    []build.Payout
	FeeRate    int64 // sat/kvB; 0 asks the node for an estimate
	ConfTarget int   // blocks, for the estimate
	UTXOs      []wire.OutPoint
	NoRBF      bool
	Initiator  string

	// A replacement (bump) must pay at least replaceFee plus relayFee
	// (sat/kvB) on its own size (BIP125 rules 3 and 4).
	replaceFee int64
	relayFee   int64
}

// SendResult is a prepared withdrawal request.
type SendResult struct {
	ID         string       `json:"id"`
	Wallet     string       `json:"wallet"`
	TxID       string       `json:"txid"`
	PSBT       []byte       `json:"-"`
	Inputs     int          `json:"inputs"`
	Outputs    int          `json:"outputs"`
	Sent       int64        `json:"sent_sat"`
	Change     int64        `json:"change_sat"`
	ChangePath string       `json:"change_path,omitempty"`
	Fee        int64        `json:"fee_sat"`
	FeeRate    int64        `json:"fee_rate_sat_kvb"`
	VSize      int          `json:"vsize"`
	LockTime   uint32       `json:"locktime"`
	RBF        bool         `json:"rbf"`
	Changeless bool         `json:"changeless"`
	Replaces   string       `json:"replaces,omitempty"`
	Review     *sign.Review `json:"-"`
}

// ErrFeeTooLow means the fee rate is below the node's minimum relay fee.
var ErrFeeTooLow = errors.New("fee rate below the node's minimum")

// Send builds an unsigned withdrawal request: it selects coins (the given
// --utxo ones, or branch-and-bound for a changeless match, else coins with
// change above dust), builds a PSBT with every field a signer needs,
// checks it with the offline signer's own review, and saves it as a new
// request. Nothing is saved when any step fails.
func (s *Service) Send(ctx context.Context, p SendParams) (*SendResult, error) {
	if len(p.Payouts) == 0 {
		return nil, errors.New("no payments: give --to ADDRESS=AMOUNT or --payouts FILE.csv")
	}
	if len(p.Payouts) > build.MaxOutputs {
		return nil, fmt.Errorf("%d payments; at most %d in one request", len(p.Payouts), build.MaxOutputs)
	}
	w, err := s.wallet(ctx, p.Wallet)
	if err != nil {
		return nil, err
	}
	info, err := s.node(ctx)
	if err != nil {
		return nil, err
	}
	rate := p.FeeRate
	if rate == 0 {
		target := p.ConfTarget
		if target == 0 {
			target = 6
		}
		if rate, err = s.Node.EstimateFee(ctx, target); err != nil {
			return nil, err
		}
	}
	if rate < info.RelayFee {
		return nil, fmt.Errorf("%w: %s is below the minimum relay fee of %s at %s", ErrFeeTooLow, build.FormatFeeRate(rate), build.FormatFeeRate(info.RelayFee), s.NodeHost)
	}
	coins, err := s.Store.UTXOs(ctx, w.ID)
	if err != nil {
		return nil, err
	}
	var pool []store.UTXO
	var must []int
	if len(p.UTXOs) > 0 {
		byOp := map[wire.OutPoint]store.UTXO{}
		for _, c := range coins {
			byOp[c.OutPoint] = c
		}
		for _, op := range p.UTXOs {
			c, ok := byOp[op]
			if !ok {
				return nil, fmt.Errorf("--utxo %s is not an unspent output of wallet %q (run sync, or check 'coffer-watch utxos --wallet %s')", op, w.Name, w.Name)
			}
			if c.Coinbase && c.Confirmations < CoinbaseMaturity {
				return nil, fmt.Errorf("--utxo %s is a coinbase output with %d confirmations; it can be spent after %d", op, c.Confirmations, CoinbaseMaturity)
			}
			must = append(must, len(pool))
			pool = append(pool, c)
		}
	} else {
		reserved, err := s.reserved(ctx)
		if err != nil {
			return nil, err
		}
		var held int64
		var holders []string
		for _, c := range coins {
			if id, ok := reserved[c.OutPoint]; ok {
				if spendable(c) {
					held += int64(c.Value)
					holders = appendOnce(holders, id)
				}
				continue
			}
			if spendable(c) {
				pool = append(pool, c)
			}
		}
		res, err := s.buildRequest(ctx, w, info.Blocks, p, rate, pool, must, "")
		var ie *build.InsufficientError
		if errors.As(err, &ie) && held > 0 {
			return nil, fmt.Errorf("%w; %s more is held by open requests %s (spend it with --utxo, or finish those first)",
				err, build.FormatAmount(btcutil.Amount(held)), strings.Join(holders, ", "))
		}
		return res, err
	}
	return s.buildRequest(ctx, w, info.Blocks, p, rate, pool, must, "")
}

// reserved maps the coins spent by open requests (awaiting signatures,
// signed, finalized, or broadcast and not yet seen by a sync) to the
// request's id: automatic coin selection leaves them alone, so two open
// requests never spend one coin.
func (s *Service) reserved(ctx context.Context) (map[wire.OutPoint]string, error) {
	rs, err := s.Store.Requests(ctx)
	if err != nil {
		return nil, err
	}
	out := map[wire.OutPoint]string{}
	for _, r := range rs {
		switch r.Status {
		case store.StatusAwaiting, store.StatusSigned, store.StatusFinalized, store.StatusBroadcast:
		default:
			continue
		}
		p, err := build.Read(r.PSBT, "request "+r.ID)
		if err != nil {
			return nil, err
		}
		for _, in := range p.UnsignedTx.TxIn {
			out[in.PreviousOutPoint] = r.ID
		}
	}
	return out, nil
}

func appendOnce(list []string, s string) []string {
	for _, x := range list {
		if x == s {
			return list
		}
	}
	return append(list, s)
}

// buildRequest selects from pool, builds, checks and saves the request.
func (s *Service) buildRequest(ctx context.Context, w *WalletInfo, height int64, p SendParams, rate int64, pool []store.UTXO, must []int, replaces string) (*SendResult, error) {
	st := w.Desc.ScriptType()
	inW, err := build.InputWeight(st, w.Threshold, w.Keys)
	if err != nil {
		return nil, err
	}
	change, err := s.Store.NextChange(ctx, w.ID, s.deriver(w.Desc))
	if err != nil {
		return nil, err
	}
	var payScripts [][]byte
	var outs []*wire.TxOut
	var target btcutil.Amount
	for i, po := range p.Payouts {
		if po.Amount < build.Dust(po.Script) {
			return nil, fmt.Errorf("payment %d: %s to %s is below the dust limit of %s", i+1, build.FormatAmount(po.Amount), po.Address, build.FormatAmount(build.Dust(po.Script)))
		}
		payScripts = append(payScripts, po.Script)
		outs = append(outs, wire.NewTxOut(int64(po.Amount), po.Script))
		target += po.Amount
	}
	values := make([]btcutil.Amount, len(pool))
	for i, c := range pool {
		values[i] = c.Value
	}
	base := build.TxWeight(nil, payScripts, true) // with a one-byte input count
	spendChange, _ := build.InputWeight(st, w.Threshold, w.Keys)
	sp := build.SelectParams{
		Target: target, FeeRate: rate, BaseWeight: base, InputWeight: inW,
		ChangeWeight: build.OutputWeight(change.Script), ChangeDust: build.Dust(change.Script),
		SpendChangeWeight: spendChange, Must: must,
	}
	if len(payScripts) == 252 {
		sp.ChangeWeight += 8 // the output count's varint grows with the change
	}
	sel, err := build.Select(values, sp)
	if err != nil {
		return nil, err
	}
	// Anti-fee-sniping (as Bitcoin Core): the next block's height, or now
	// and then up to 99 blocks earlier.
	lock := uint32(height)
	if r, err := s.randInt(10); err == nil && r == 0 {
		back, _ := s.randInt(100)
		if int64(back) < height {
			lock -= uint32(back)
		}
	}
	plan := &build.Plan{Descriptor: w.Desc, Outputs: outs, LockTime: lock, RBF: !p.NoRBF}
	for _, k := range sel.Coins {
		c := pool[k]
		prev, err := s.Node.Transaction(ctx, c.OutPoint.Hash)
		if err != nil {
			return nil, fmt.Errorf("coin %s: %w", c.OutPoint, err)
		}
		plan.Inputs = append(plan.Inputs, build.Input{OutPoint: c.OutPoint, Value: c.Value, Script: c.Script, PrevTx: prev, Branch: c.Branch, Index: c.Index})
	}
	if sel.Change > 0 {
		plan.ChangeIndex, plan.ChangeValue = change.Index, sel.Change
		if plan.ChangePos, err = s.randInt(len(outs) + 1); err != nil {
			return nil, err
		}
	}
	pk, err := build.BuildPSBT(plan)
	if err != nil {
		return nil, err
	}
	data, err := build.Serialize(pk)
	if err != nil {
		return nil, err
	}
	if p.Initiator != "" {
		// The initiator travels in the PSBT (a proprietary global field that
		// leaves the transaction as it is), so the signer's policy knows whose
		// approval must not count: for sends and bumps alike.
		if data, err = approval.SetInitiator(data, p.Initiator); err != nil {
			return nil, fmt.Errorf("the PSBT cannot carry the initiator: %v", err)
		}
	}
	review, err := build.CheckWithSigner(data, w.Name, w.Desc, s.Network)
	if err != nil {
		return nil, err
	}
	if review.Fee != sel.Fee {
		return nil, fmt.Errorf("the signer's review finds a fee of %d sat, the selection %d sat", review.Fee, sel.Fee)
	}
	vsize := build.VSize(sel.Weight)
	if replaces != "" {
		if need := p.replaceFee + (p.relayFee*int64(vsize)+999)/1000; int64(sel.Fee) < need {
			return nil, fmt.Errorf("%w: the replacement pays %d sat, BIP125 needs at least %d (the replaced fee plus the relay fee on %d vbytes); raise --fee-rate", ErrFeeTooLow, sel.Fee, need, vsize)
		}
	}
	id, err := store.NewID()
	if err != nil {
		return nil, err
	}
	txid := pk.UnsignedTx.TxHash().String()
	res := &SendResult{ID: id, Wallet: w.Name, TxID: txid, PSBT: data, Inputs: len(plan.Inputs), Outputs: len(pk.UnsignedTx.TxOut),
		Sent: int64(target), Change: int64(sel.Change), Fee: int64(sel.Fee), FeeRate: rate, VSize: vsize, LockTime: lock,
		RBF: !p.NoRBF, Changeless: sel.Change == 0, Replaces: replaces, Review: review}
	var chg *store.Address
	if sel.Change > 0 {
		chg = change
		res.ChangePath = fmt.Sprintf("1/%d", change.Index)
	}
	initiator := p.Initiator
	if initiator == "" {
		initiator = "unknown"
	}
	fewest, need, _ := build.Signatures(pk)
	req := &store.Request{ID: id, WalletID: w.ID, Created: s.now(), Initiator: initiator, Status: store.StatusAwaiting, TxID: txid,
		PSBT: data, Fee: int64(sel.Fee), FeeRate: rate, VSize: int64(vsize), Sent: int64(target), Signatures: fewest, Required: need, Replaces: replaces}
	detail := fmt.Sprintf("%d inputs, %d payments, %s sent, fee %s at %s", len(plan.Inputs), len(p.Payouts), build.FormatAmount(target),
		build.FormatAmount(sel.Fee), build.FormatFeeRate(rate))
	if replaces != "" {
		detail += ", replaces " + replaces
	}
	if err := s.Store.AddRequest(ctx, req, chg, detail); err != nil {
		return nil, err
	}
	// The payouts file's labels name the payees' addresses.
	for _, po := range p.Payouts {
		if po.Label != "" && po.Address != "" {
			if err := s.Store.SetLabel(ctx, po.Address, po.Label); err != nil {
				return res, err
			}
		}
	}
	return res, nil
}
