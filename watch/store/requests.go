package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// Request statuses.
const (
	StatusAwaiting  = "awaiting signatures" // fewer signatures than required
	StatusSigned    = "signed"              // every input has its signatures
	StatusFinalized = "finalized"           // a network transaction was built
	StatusBroadcast = "broadcast"
	StatusConfirmed = "confirmed"
	StatusReplaced  = "replaced" // a bump replaced it on the network
)

// Request is a withdrawal request: a PSBT and where it stands.
type Request struct {
	ID            string
	WalletID      int64
	Wallet        string // name, filled on read
	Created       time.Time
	Initiator     string
	Status        string
	TxID          string
	PSBT          []byte
	Fee           int64
	FeeRate       int64 // sat/kvB
	VSize         int64
	Sent          int64
	Signatures    int // the fewest signatures any input has
	Required      int // signatures each input needs
	Replaces      string
	Confirmations int64 // -1 before broadcast
}

// Event is one step in a request's history.
type Event struct {
	At     time.Time `json:"at"`
	Kind   string    `json:"kind"`
	Detail string    `json:"detail"`
}

// AddRequest stores a new request with its "created" event and marks its
// change address given, in one transaction.
func (s *Store) AddRequest(ctx context.Context, r *Request, change *Address, detail string) error {
	return s.tx(ctx, func(t *sql.Tx) error {
		if r.Confirmations == 0 {
			r.Confirmations = -1
		}
		_, err := t.Exec(`INSERT INTO requests(id, wallet_id, created_at, initiator, status, txid, psbt, fee, fee_rate, vsize, sent, signatures, required, replaces, confirmations)
			VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)`,
			r.ID, r.WalletID, unix(r.Created), r.Initiator, r.Status, r.TxID, r.PSBT, r.Fee, r.FeeRate, r.VSize, r.Sent, r.Signatures, r.Required, r.Replaces, r.Confirmations)
		if err != nil {
			return err
		}
		if change != nil {
			if _, err := t.Exec(`INSERT INTO addresses(wallet_id, branch, idx, address, script, given) VALUES(?,?,?,?,?,1)
				ON CONFLICT(wallet_id, branch, idx) DO UPDATE SET given = 1`, change.WalletID, change.Branch, change.Index, change.Address, change.Script); err != nil {
				return err
			}
		}
		_, err = t.Exec(`INSERT INTO request_events(request_id, at, kind, detail) VALUES(?,?,?,?)`, r.ID, unix(r.Created), "created", detail)
		return err
	})
}

const requestCols = `r.id, r.wallet_id, w.name, r.created_at, r.initiator, r.status, r.txid, r.psbt, r.fee, r.fee_rate, r.vsize, r.sent, r.signatures, r.required, r.replaces, r.confirmations`

func scanRequest(row interface{ Scan(...any) error }) (*Request, error) {
	r := &Request{}
	var created int64
	err := row.Scan(&r.ID, &r.WalletID, &r.Wallet, &created, &r.Initiator, &r.Status, &r.TxID, &r.PSBT, &r.Fee, &r.FeeRate, &r.VSize,
		&r.Sent, &r.Signatures, &r.Required, &r.Replaces, &r.Confirmations)
	if err != nil {
		return nil, err
	}
	r.Created = fromUnix(created)
	return r, nil
}

// Request returns a request and its history.
func (s *Store) Request(ctx context.Context, id string) (*Request, []Event, error) {
	r, err := scanRequest(s.db.QueryRowContext(ctx, `SELECT `+requestCols+` FROM requests r JOIN wallets w ON w.id = r.wallet_id WHERE r.id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil, fmt.Errorf("%w %q", ErrUnknownRequest, id)
	}
	if err != nil {
		return nil, nil, dbErr(s.path, err)
	}
	rows, err := s.db.QueryContext(ctx, `SELECT at, kind, detail FROM request_events WHERE request_id = ? ORDER BY id`, id)
	if err != nil {
		return nil, nil, dbErr(s.path, err)
	}
	defer rows.Close()
	var evs []Event
	for rows.Next() {
		var e Event
		var at int64
		if err := rows.Scan(&at, &e.Kind, &e.Detail); err != nil {
			return nil, nil, err
		}
		e.At = fromUnix(at)
		evs = append(evs, e)
	}
	return r, evs, rows.Err()
}

// RequestByTxID returns the newest request whose transaction is txid.
func (s *Store) RequestByTxID(ctx context.Context, txid string) (*Request, error) {
	r, err := scanRequest(s.db.QueryRowContext(ctx, `SELECT `+requestCols+` FROM requests r JOIN wallets w ON w.id = r.wallet_id
		WHERE r.txid = ? ORDER BY r.created_at DESC, r.rowid DESC LIMIT 1`, txid))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("%w: no request has transaction %s", ErrUnknownRequest, txid)
	}
	if err != nil {
		return nil, dbErr(s.path, err)
	}
	return r, nil
}

// Requests lists every request, newest first.
func (s *Store) Requests(ctx context.Context) ([]*Request, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT `+requestCols+` FROM requests r JOIN wallets w ON w.id = r.wallet_id ORDER BY r.created_at DESC, r.rowid DESC`)
	if err != nil {
		return nil, dbErr(s.path, err)
	}
	defer rows.Close()
	var out []*Request
	for rows.Next() {
		r, err := scanRequest(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// Update is a change to a request, recorded with an event.
type Update struct {
	Status        string // "" keeps it
	PSBT          []byte // nil keeps it
	Signatures    *int
	Confirmations *int64
	Kind          string // event kind
	Detail        string
	At            time.Time
}

// UpdateRequest applies u and appends its event, in one transaction.
func (s *Store) UpdateRequest(ctx context.Context, id string, u Update) error {
	var psbt any
	if u.PSBT != nil {
		psbt = u.PSBT
	}
	return s.tx(ctx, func(t *sql.Tx) error {
		res, err := t.Exec(`UPDATE requests SET
			status = CASE WHEN ? = '' THEN status ELSE ? END,
			psbt = COALESCE(?, psbt),
			signatures = COALESCE(?, signatures),
			confirmations = COALESCE(?, confirmations)
			WHERE id = ?`, u.Status, u.Status, psbt, u.Signatures, u.Confirmations, id)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return fmt.Errorf("%w %q", ErrUnknownRequest, id)
		}
		if u.Kind == "" {
			return nil
		}
		_, err = t.Exec(`INSERT INTO request_events(request_id, at, kind, detail) VALUES(?,?,?,?)`, id, unix(u.At), u.Kind, u.Detail)
		return err
	})
}
