package watch

import (
	"context"
	"errors"
	"fmt"

	"github.com/btcsuite/btcd/chaincfg/chainhash"

	"github.com/coffer-custody/coffer/wallet"
	"github.com/coffer-custody/coffer/watch/chain"
	"github.com/coffer-custody/coffer/watch/store"
)

// DefaultGap is the gap limit: how many unused addresses in a row end a
// branch's scan.
const DefaultGap = 20

// MaxGap bounds --gap.
const MaxGap = 10_000

// CoinbaseMaturity is how many confirmations a coinbase output needs
// before it can be spent in the next block.
const CoinbaseMaturity = 100

// SyncResult says what a sync found.
type SyncResult struct {
	Height    int64              `json:"height"`
	Tip       string             `json:"tip"`
	Backend   string             `json:"backend"`
	Wallets   []WalletSyncResult `json:"wallets"`
	Confirmed []string           `json:"requests_confirmed,omitempty"`
}

// WalletSyncResult is one wallet's part of a sync.
type WalletSyncResult struct {
	Name          string `json:"name"`
	Scanned       int    `json:"addresses_scanned"`
	Used          int    `json:"addresses_used"`
	UTXOs         int    `json:"utxos"`
	Balance       int64  `json:"balance_sat"`
	LastReceive   int64  `json:"last_used_receive"` // -1 none
	LastChange    int64  `json:"last_used_change"`
	ReceiveGiven  int64  `json:"next_receive_index"`
	ChangeScanned int64  `json:"change_scanned"`
}

// Sync scans every wallet's receive and change branches with the gap
// limit and writes the addresses, used flags and the complete set of
// unspent outputs in one transaction: a sync that fails (node down half
// way, interrupted) leaves the database as it was. Then it updates the
// confirmations of broadcast requests.
func (s *Service) Sync(ctx context.Context, gap int) (*SyncResult, error) {
	if gap < 1 || gap > MaxGap {
		return nil, fmt.Errorf("--gap %d is not between 1 and %d", gap, MaxGap)
	}
	info, err := s.node(ctx)
	if err != nil {
		return nil, err
	}
	ws, err := s.Store.Wallets(ctx)
	if err != nil {
		return nil, err
	}
	res := &SyncResult{Height: info.Blocks, Tip: info.BestHash, Backend: s.Node.Name()}
	var updates []store.WalletSync
	for _, sw := range ws {
		w, err := s.info(sw)
		if err != nil {
			return nil, err
		}
		up := store.WalletSync{WalletID: w.ID}
		wr := WalletSyncResult{Name: w.Name}
		for branch := uint32(0); branch < 2; branch++ {
			addrs, utxos, last, err := s.scanBranch(ctx, w, branch, gap)
			if err != nil {
				return nil, fmt.Errorf("wallet %q: %w", w.Name, err)
			}
			up.Addresses = append(up.Addresses, addrs...)
			up.UTXOs = append(up.UTXOs, utxos...)
			wr.Scanned += len(addrs)
			for _, a := range addrs {
				if a.Used {
					wr.Used++
				}
			}
			if branch == 0 {
				wr.LastReceive = last
			} else {
				wr.LastChange = last
			}
		}
		wr.UTXOs = len(up.UTXOs)
		for _, u := range up.UTXOs {
			wr.Balance += int64(u.Value)
		}
		updates = append(updates, up)
		res.Wallets = append(res.Wallets, wr)
	}
	if err := s.Store.ApplySync(ctx, store.SyncState{Height: info.Blocks, Tip: info.BestHash, At: s.now(), Backend: s.Node.Name()}, updates); err != nil {
		return nil, err
	}
	confirmed, err := s.refreshRequests(ctx)
	if err != nil {
		return nil, err
	}
	res.Confirmed = confirmed
	return res, nil
}

// scanBranch derives and scans addresses of one branch until gap unused
// ones follow the last used (and every address known to the database is
// scanned), returning every address scanned, the unspent outputs, and the
// last used index (-1 for none).
func (s *Service) scanBranch(ctx context.Context, w *WalletInfo, branch uint32, gap int) ([]store.Address, []store.UTXO, int64, error) {
	known, err := s.Store.Addresses(ctx, w.ID, branch)
	if err != nil {
		return nil, nil, 0, err
	}
	end := int64(gap) // scan [0, end)
	last := int64(-1)
	for _, a := range known {
		if int64(a.Index)+1 > end {
			end = int64(a.Index) + 1
		}
		if a.Used && int64(a.Index) > last {
			last = int64(a.Index)
		}
	}
	if last+1+int64(gap) > end {
		end = last + 1 + int64(gap)
	}
	bd, err := w.Desc.Branch(branch)
	if err != nil {
		return nil, nil, 0, err
	}
	imp, isImporter := s.Node.(chain.DescriptorImporter)
	// Bitcoin Core is told each branch's descriptor once per range (a
	// rescan); the range imported is kept in the database.
	importKey := fmt.Sprintf("core-import:%s:%d", w.Descriptor, branch)
	imported := int64(-1)
	if isImporter {
		if v, err := s.Store.Meta(ctx, importKey); err != nil {
			return nil, nil, 0, err
		} else if v != "" {
			fmt.Sscan(v, &imported)
		}
	}
	var addrs []store.Address
	var utxos []store.UTXO
	for next := int64(0); next < end; {
		if end > int64(wallet.Hardened) {
			return nil, nil, 0, fmt.Errorf("branch %d: the gap runs past the last index", branch)
		}
		outs, err := bd.DeriveRange(uint32(next), uint32(end-next))
		if err != nil {
			return nil, nil, 0, fmt.Errorf("branch %d: %v", branch, err)
		}
		if isImporter && end-1 > imported {
			want := end - 1 + 1000
			half := w.Desc.Expand()[branch]
			if err := imp.ImportDescriptors(ctx, []chain.Descriptor{{Desc: half.String(), RangeEnd: int(want), Internal: branch == 1}}); err != nil {
				return nil, nil, 0, err
			}
			imported = want
			if err := s.Store.SetMeta(ctx, importKey, fmt.Sprint(imported)); err != nil {
				return nil, nil, 0, err
			}
		}
		batch := make([]chain.Watch, len(outs))
		for i, o := range outs {
			a, err := wallet.AddressFromScript(o.ScriptPubKey, s.Network)
			if err != nil {
				return nil, nil, 0, err
			}
			batch[i] = chain.Watch{Address: a.EncodeAddress(), Script: o.ScriptPubKey}
		}
		sr, err := s.Node.Scan(ctx, batch)
		if err != nil {
			return nil, nil, 0, err
		}
		for i, x := range batch {
			idx := next + int64(i)
			addrs = append(addrs, store.Address{WalletID: w.ID, Branch: branch, Index: uint32(idx), Address: x.Address, Script: x.Script, Used: sr.Used[i]})
			if sr.Used[i] && idx > last {
				last = idx
			}
		}
		for _, u := range sr.UTXOs {
			for i, x := range batch {
				if x.Address == u.Address {
					utxos = append(utxos, store.UTXO{OutPoint: u.OutPoint, WalletID: w.ID, Branch: branch, Index: uint32(next) + uint32(i),
						Value: u.Value, Script: u.Script, Address: u.Address, Confirmations: u.Confirmations, Coinbase: u.Coinbase})
					break
				}
			}
		}
		next = end
		if last+1+int64(gap) > end {
			end = last + 1 + int64(gap)
		}
	}
	return addrs, utxos, last, nil
}

// refreshRequests updates the confirmations of broadcast requests and
// returns the ids that became confirmed.
func (s *Service) refreshRequests(ctx context.Context) ([]string, error) {
	rs, err := s.Store.Requests(ctx)
	if err != nil {
		return nil, err
	}
	var confirmed []string
	for _, r := range rs {
		if r.Status != store.StatusBroadcast && r.Status != store.StatusConfirmed {
			continue
		}
		h, err := chainhash.NewHashFromStr(r.TxID)
		if err != nil {
			continue
		}
		st, err := s.Node.Status(ctx, *h)
		if errors.Is(err, chain.ErrNotFound) {
			continue
		}
		if err != nil {
			return nil, err
		}
		if st.Confirmations == r.Confirmations {
			continue
		}
		u := store.Update{Confirmations: &st.Confirmations, At: s.now()}
		if st.Confirmations > 0 && r.Status == store.StatusBroadcast {
			u.Status, u.Kind, u.Detail = store.StatusConfirmed, "confirmed", fmt.Sprintf("in block %s", st.BlockHash)
			confirmed = append(confirmed, r.ID)
		}
		if err := s.Store.UpdateRequest(ctx, r.ID, u); err != nil {
			return nil, err
		}
	}
	return confirmed, nil
}

// Balance is one wallet's coins as of the last sync.
type Balance struct {
	Wallet      string `json:"wallet"`
	Confirmed   int64  `json:"confirmed_sat"`
	Unconfirmed int64  `json:"unconfirmed_sat"`
	Immature    int64  `json:"immature_sat"` // coinbase outputs not yet spendable
	UTXOs       int    `json:"utxos"`
}

// BalanceResult is the balances and when they were synced.
type BalanceResult struct {
	Wallets    []Balance `json:"wallets"`
	Total      int64     `json:"total_sat"`
	SyncHeight int64     `json:"synced_height"` // -1 never synced
}

// Balances sums the unspent outputs of one wallet (name) or every wallet
// ("").
func (s *Service) Balances(ctx context.Context, name string) (*BalanceResult, error) {
	ws, err := s.selectWallets(ctx, name)
	if err != nil {
		return nil, err
	}
	res := &BalanceResult{SyncHeight: -1}
	if st, ok, err := s.Store.LastSync(ctx); err != nil {
		return nil, err
	} else if ok {
		res.SyncHeight = st.Height
	}
	for _, w := range ws {
		us, err := s.Store.UTXOs(ctx, w.ID)
		if err != nil {
			return nil, err
		}
		b := Balance{Wallet: w.Name, UTXOs: len(us)}
		for _, u := range us {
			switch {
			case u.Coinbase && u.Confirmations < CoinbaseMaturity:
				b.Immature += int64(u.Value)
			case u.Confirmations == 0:
				b.Unconfirmed += int64(u.Value)
			default:
				b.Confirmed += int64(u.Value)
			}
		}
		res.Total += b.Confirmed + b.Unconfirmed + b.Immature
		res.Wallets = append(res.Wallets, b)
	}
	return res, nil
}

func (s *Service) selectWallets(ctx context.Context, name string) ([]*store.Wallet, error) {
	if name != "" {
		w, err := s.Store.Wallet(ctx, name)
		if err != nil {
			return nil, err
		}
		return []*store.Wallet{w}, nil
	}
	return s.Store.Wallets(ctx)
}

// UTXOInfo is one unspent output for display.
type UTXOInfo struct {
	Wallet        string `json:"wallet"`
	Outpoint      string `json:"outpoint"`
	Value         int64  `json:"value_sat"`
	Address       string `json:"address"`
	Path          string `json:"path"`
	Confirmations int64  `json:"confirmations"`
	Coinbase      bool   `json:"coinbase"`
	Spendable     bool   `json:"spendable"`
	Label         string `json:"label,omitempty"`
}

// UTXOs lists the unspent outputs of one wallet or every wallet.
func (s *Service) UTXOs(ctx context.Context, name string) ([]UTXOInfo, error) {
	ws, err := s.selectWallets(ctx, name)
	if err != nil {
		return nil, err
	}
	labels, err := s.Store.Labels(ctx)
	if err != nil {
		return nil, err
	}
	var out []UTXOInfo
	for _, w := range ws {
		us, err := s.Store.UTXOs(ctx, w.ID)
		if err != nil {
			return nil, err
		}
		for _, u := range us {
			l := labels[u.OutPoint.String()]
			if l == "" {
				l = labels[u.Address]
			}
			out = append(out, UTXOInfo{Wallet: w.Name, Outpoint: u.OutPoint.String(), Value: int64(u.Value), Address: u.Address,
				Path: fmt.Sprintf("%d/%d", u.Branch, u.Index), Confirmations: u.Confirmations, Coinbase: u.Coinbase,
				Spendable: spendable(u), Label: l})
		}
	}
	return out, nil
}

func spendable(u store.UTXO) bool {
	if u.Coinbase {
		return u.Confirmations >= CoinbaseMaturity
	}
	return u.Confirmations >= 1
}
