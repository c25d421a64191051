package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/btcsuite/btcd/btcutil"
	"github.com/btcsuite/btcd/chaincfg/chainhash"
	"github.com/btcsuite/btcd/wire"

	"github.com/coffer-custody/coffer/wallet"
)

// Wallet is a watched wallet: a <0;1> multipath descriptor with a name.
type Wallet struct {
	ID         int64
	Name       string
	Descriptor string // canonical, with checksum
	Script     wallet.ScriptType
	Threshold  int
	Keys       int
	Source     string
	Created    time.Time
}

// AddWallet stores w on network n (the database's network is set by the
// first wallet and checked for every later one) and sets w.ID.
func (s *Store) AddWallet(ctx context.Context, n wallet.Network, w *Wallet) error {
	return s.tx(ctx, func(t *sql.Tx) error {
		if err := setNetwork(t, n); err != nil {
			return err
		}
		var other string
		err := t.QueryRow(`SELECT name FROM wallets WHERE name = ? OR descriptor = ?`, w.Name, w.Descriptor).Scan(&other)
		if err == nil {
			if other == w.Name {
				return fmt.Errorf("%w: %q", ErrWalletExists, w.Name)
			}
			return fmt.Errorf("%w: wallet %q watches the same descriptor", ErrWalletExists, other)
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		res, err := t.Exec(`INSERT INTO wallets(name, descriptor, script, threshold, keys, source, created_at) VALUES(?,?,?,?,?,?,?)`,
			w.Name, w.Descriptor, w.Script.String(), w.Threshold, w.Keys, w.Source, unix(w.Created))
		if err != nil {
			return err
		}
		w.ID, err = res.LastInsertId()
		return err
	})
}

const walletCols = `id, name, descriptor, script, threshold, keys, source, created_at`

func scanWallet(r interface{ Scan(...any) error }) (*Wallet, error) {
	w := &Wallet{}
	var st string
	var created int64
	if err := r.Scan(&w.ID, &w.Name, &w.Descriptor, &st, &w.Threshold, &w.Keys, &w.Source, &created); err != nil {
		return nil, err
	}
	var err error
	if w.Script, err = wallet.ParseScriptType(st); err != nil {
		return nil, fmt.Errorf("wallet %q: %v", w.Name, err)
	}
	w.Created = fromUnix(created)
	return w, nil
}

// Wallet returns the wallet named name; ErrUnknownWallet names the ones
// there are.
func (s *Store) Wallet(ctx context.Context, name string) (*Wallet, error) {
	w, err := scanWallet(s.db.QueryRowContext(ctx, `SELECT `+walletCols+` FROM wallets WHERE name = ?`, name))
	if errors.Is(err, sql.ErrNoRows) {
		all, lerr := s.Wallets(ctx)
		if lerr != nil {
			return nil, lerr
		}
		names := make([]string, len(all))
		for i, x := range all {
			names[i] = x.Name
		}
		if len(names) == 0 {
			return nil, fmt.Errorf("%w %q: no wallet is imported yet", ErrUnknownWallet, name)
		}
		return nil, fmt.Errorf("%w %q (the wallets are: %s)", ErrUnknownWallet, name, strings.Join(names, ", "))
	}
	if err != nil {
		return nil, dbErr(s.path, err)
	}
	return w, nil
}

// WalletByID returns the wallet with id.
func (s *Store) WalletByID(ctx context.Context, id int64) (*Wallet, error) {
	w, err := scanWallet(s.db.QueryRowContext(ctx, `SELECT `+walletCols+` FROM wallets WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("%w #%d", ErrUnknownWallet, id)
	}
	if err != nil {
		return nil, dbErr(s.path, err)
	}
	return w, nil
}

// Wallets lists every wallet by name.
func (s *Store) Wallets(ctx context.Context) ([]*Wallet, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT `+walletCols+` FROM wallets ORDER BY name`)
	if err != nil {
		return nil, dbErr(s.path, err)
	}
	defer rows.Close()
	var out []*Wallet
	for rows.Next() {
		w, err := scanWallet(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, w)
	}
	return out, rows.Err()
}

// Address is one derived address of a wallet.
type Address struct {
	WalletID int64
	Branch   uint32 // 0 receive, 1 change
	Index    uint32
	Address  string
	Script   []byte
	Used     bool // received at least once
	Given    bool // handed out by receive
}

// Addresses lists a wallet's known addresses of one branch by index.
func (s *Store) Addresses(ctx context.Context, walletID int64, branch uint32) ([]Address, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT idx, address, script, used, given FROM addresses WHERE wallet_id = ? AND branch = ? ORDER BY idx`, walletID, branch)
	if err != nil {
		return nil, dbErr(s.path, err)
	}
	defer rows.Close()
	var out []Address
	for rows.Next() {
		a := Address{WalletID: walletID, Branch: branch}
		if err := rows.Scan(&a.Index, &a.Address, &a.Script, &a.Used, &a.Given); err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	return out, rows.Err()
}

// Deriver gives the address and script of a wallet's branch and index.
type Deriver func(branch, index uint32) (addr string, script []byte, err error)

// NextReceive hands out the first receive address that is neither used
// nor given out yet, marks it given and returns it, in one transaction
// (two processes never hand out the same address).
func (s *Store) NextReceive(ctx context.Context, walletID int64, derive Deriver) (*Address, error) {
	var out *Address
	err := s.tx(ctx, func(t *sql.Tx) error {
		var idx uint32
		var addr string
		var script []byte
		err := t.QueryRow(`SELECT idx, address, script FROM addresses WHERE wallet_id = ? AND branch = 0 AND used = 0 AND given = 0
			AND idx > COALESCE((SELECT MAX(idx) FROM addresses WHERE wallet_id = ? AND branch = 0 AND (used = 1 OR given = 1)), -1)
			ORDER BY idx LIMIT 1`, walletID, walletID).Scan(&idx, &addr, &script)
		if errors.Is(err, sql.ErrNoRows) {
			var max sql.NullInt64
			if err := t.QueryRow(`SELECT MAX(idx) FROM addresses WHERE wallet_id = ? AND branch = 0`, walletID).Scan(&max); err != nil {
				return err
			}
			idx = 0
			if max.Valid {
				idx = uint32(max.Int64) + 1
			}
			if addr, script, err = derive(0, idx); err != nil {
				return err
			}
			if _, err := t.Exec(`INSERT INTO addresses(wallet_id, branch, idx, address, script, given) VALUES(?,0,?,?,?,1)`, walletID, idx, addr, script); err != nil {
				return err
			}
		} else if err != nil {
			return err
		} else if _, err := t.Exec(`UPDATE addresses SET given = 1 WHERE wallet_id = ? AND branch = 0 AND idx = ?`, walletID, idx); err != nil {
			return err
		}
		out = &Address{WalletID: walletID, Index: idx, Address: addr, Script: script, Given: true}
		return nil
	})
	if err != nil {
		return nil, dbErr(s.path, err)
	}
	return out, nil
}

// NextChange returns the first change address that has not been used and
// is not the change of a request still open. It does not mark it.
func (s *Store) NextChange(ctx context.Context, walletID int64, derive Deriver) (*Address, error) {
	var max sql.NullInt64
	err := s.db.QueryRowContext(ctx, `SELECT MAX(idx) FROM addresses WHERE wallet_id = ? AND branch = 1 AND (used = 1 OR given = 1)`, walletID).Scan(&max)
	if err != nil {
		return nil, dbErr(s.path, err)
	}
	idx := uint32(0)
	if max.Valid {
		idx = uint32(max.Int64) + 1
	}
	addr, script, err := derive(1, idx)
	if err != nil {
		return nil, err
	}
	return &Address{WalletID: walletID, Branch: 1, Index: idx, Address: addr, Script: script}, nil
}

// UTXO is an unspent output of a wallet as of the last sync.
type UTXO struct {
	OutPoint      wire.OutPoint
	WalletID      int64
	Branch        uint32
	Index         uint32
	Value         btcutil.Amount
	Script        []byte
	Address       string
	Confirmations int64
	Coinbase      bool
}

// UTXOs lists the unspent outputs of a wallet (every wallet for id 0),
// largest first.
func (s *Store) UTXOs(ctx context.Context, walletID int64) ([]UTXO, error) {
	q := `SELECT txid, vout, wallet_id, branch, idx, value, script, address, confirmations, coinbase FROM utxos`
	var args []any
	if walletID != 0 {
		q += ` WHERE wallet_id = ?`
		args = append(args, walletID)
	}
	rows, err := s.db.QueryContext(ctx, q+` ORDER BY value DESC, txid, vout`, args...)
	if err != nil {
		return nil, dbErr(s.path, err)
	}
	defer rows.Close()
	var out []UTXO
	for rows.Next() {
		var u UTXO
		var txid string
		if err := rows.Scan(&txid, &u.OutPoint.Index, &u.WalletID, &u.Branch, &u.Index, &u.Value, &u.Script, &u.Address, &u.Confirmations, &u.Coinbase); err != nil {
			return nil, err
		}
		h, err := chainhash.NewHashFromStr(txid)
		if err != nil {
			return nil, fmt.Errorf("database %s: utxo txid %q: %v", s.path, txid, err)
		}
		u.OutPoint.Hash = *h
		out = append(out, u)
	}
	return out, rows.Err()
}

// WalletSync is what a sync learned about one wallet: every address
// derived so far (new ones inserted, used flags raised) and its complete
// set of unspent outputs.
type WalletSync struct {
	WalletID  int64
	Addresses []Address
	UTXOs     []UTXO
}

// SyncState is the chain tip of the last sync.
type SyncState struct {
	Height  int64
	Tip     string
	At      time.Time
	Backend string
}

// ApplySync writes a whole sync in one transaction: the database is
// either as before or fully updated.
func (s *Store) ApplySync(ctx context.Context, st SyncState, ws []WalletSync) error {
	return s.tx(ctx, func(t *sql.Tx) error {
		ins, err := t.Prepare(`INSERT INTO addresses(wallet_id, branch, idx, address, script, used) VALUES(?,?,?,?,?,?)
			ON CONFLICT(wallet_id, branch, idx) DO UPDATE SET used = MAX(used, excluded.used)`)
		if err != nil {
			return err
		}
		defer ins.Close()
		putUTXO, err := t.Prepare(`INSERT INTO utxos(txid, vout, wallet_id, branch, idx, value, script, address, confirmations, coinbase) VALUES(?,?,?,?,?,?,?,?,?,?)`)
		if err != nil {
			return err
		}
		defer putUTXO.Close()
		for _, w := range ws {
			for _, a := range w.Addresses {
				if _, err := ins.Exec(w.WalletID, a.Branch, a.Index, a.Address, a.Script, a.Used); err != nil {
					return err
				}
			}
			if _, err := t.Exec(`DELETE FROM utxos WHERE wallet_id = ?`, w.WalletID); err != nil {
				return err
			}
			for _, u := range w.UTXOs {
				if _, err := putUTXO.Exec(u.OutPoint.Hash.String(), u.OutPoint.Index, w.WalletID, u.Branch, u.Index, int64(u.Value),
					u.Script, u.Address, u.Confirmations, u.Coinbase); err != nil {
					return fmt.Errorf("utxo %s: %v", u.OutPoint, err)
				}
			}
		}
		_, err = t.Exec(`INSERT INTO sync_state(id, height, tip, at, backend) VALUES(1,?,?,?,?)
			ON CONFLICT(id) DO UPDATE SET height = excluded.height, tip = excluded.tip, at = excluded.at, backend = excluded.backend`,
			st.Height, st.Tip, unix(st.At), st.Backend)
		return err
	})
}

// LastSync is the state of the last sync; ok is false before the first.
func (s *Store) LastSync(ctx context.Context) (st SyncState, ok bool, err error) {
	var at int64
	err = s.db.QueryRowContext(ctx, `SELECT height, tip, at, backend FROM sync_state WHERE id = 1`).Scan(&st.Height, &st.Tip, &at, &st.Backend)
	if errors.Is(err, sql.ErrNoRows) {
		return st, false, nil
	}
	if err != nil {
		return st, false, dbErr(s.path, err)
	}
	st.At = fromUnix(at)
	return st, true, nil
}

// SetLabel labels an address, txid or outpoint ("" removes the label).
func (s *Store) SetLabel(ctx context.Context, ref, label string) error {
	return s.tx(ctx, func(t *sql.Tx) error {
		if label == "" {
			_, err := t.Exec(`DELETE FROM labels WHERE ref = ?`, ref)
			return err
		}
		_, err := t.Exec(`INSERT INTO labels(ref, label) VALUES(?,?) ON CONFLICT(ref) DO UPDATE SET label = excluded.label`, ref, label)
		return err
	})
}

// Labels returns every label by reference.
func (s *Store) Labels(ctx context.Context) (map[string]string, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT ref, label FROM labels`)
	if err != nil {
		return nil, dbErr(s.path, err)
	}
	defer rows.Close()
	out := map[string]string{}
	for rows.Next() {
		var r, l string
		if err := rows.Scan(&r, &l); err != nil {
			return nil, err
		}
		out[r] = l
	}
	return out, rows.Err()
}
