package store

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	_ "modernc.org/sqlite" // the pure-Go SQLite driver, registered as "sqlite"

	"github.com/coffer-custody/coffer/wallet"
)

// FileName is the database's name inside the data folder.
const FileName = "coffer-watch.db"

// busyTimeout is how long a writer waits for another process's write
// transaction before giving up.
const busyTimeout = 15 * time.Second

// Sentinel errors callers branch on.
var (
	ErrUnknownWallet  = errors.New("unknown wallet")
	ErrWalletExists   = errors.New("a wallet of that name exists")
	ErrUnknownRequest = errors.New("unknown request")
	ErrNetwork        = errors.New("the database is on another network")
	ErrNewerSchema    = errors.New("the database was made by a newer coffer-watch")
)

// Store is the database of one data folder. It is safe for concurrent use
// and for use by several processes at once.
type Store struct {
	db   *sql.DB
	path string
}

// Open opens (creating it on first use, mode 0700) the data folder dir and
// its database, and brings the schema up to date.
func Open(dir string) (*Store, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("data folder %s: %v", dir, err)
	}
	path := filepath.Join(dir, FileName)
	q := url.Values{}
	q.Add("_pragma", fmt.Sprintf("busy_timeout(%d)", busyTimeout.Milliseconds()))
	q.Add("_pragma", "journal_mode(WAL)")
	q.Add("_pragma", "synchronous(FULL)")
	q.Add("_pragma", "foreign_keys(1)")
	q.Set("_txlock", "immediate")
	db, err := sql.Open("sqlite", "file:"+path+"?"+q.Encode())
	if err != nil {
		return nil, fmt.Errorf("database %s: %v", path, err)
	}
	db.SetMaxOpenConns(4)
	s := &Store{db: db, path: path}
	if err := s.migrate(context.Background()); err != nil {
		db.Close()
		return nil, err
	}
	if err := os.Chmod(path, 0o600); err != nil {
		db.Close()
		return nil, fmt.Errorf("database %s: %v", path, err)
	}
	return s, nil
}

// Path is the database file.
func (s *Store) Path() string { return s.path }

// Close closes the database.
func (s *Store) Close() error { return s.db.Close() }

// tx runs f in one write transaction (BEGIN IMMEDIATE): all of it is
// written, or none.
func (s *Store) tx(ctx context.Context, f func(*sql.Tx) error) error {
	t, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return dbErr(s.path, err)
	}
	if err := f(t); err != nil {
		_ = t.Rollback()
		return err
	}
	if err := t.Commit(); err != nil {
		return dbErr(s.path, err)
	}
	return nil
}

func dbErr(path string, err error) error {
	if strings.Contains(err.Error(), "SQLITE_BUSY") || strings.Contains(err.Error(), "database is locked") {
		return fmt.Errorf("database %s is busy with another coffer-watch: %v", path, err)
	}
	return fmt.Errorf("database %s: %v", path, err)
}

// Network is the database's network; ok is false before the first wallet.
func (s *Store) Network(ctx context.Context) (n wallet.Network, ok bool, err error) {
	var name string
	err = s.db.QueryRowContext(ctx, `SELECT value FROM meta WHERE key = 'network'`).Scan(&name)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, false, nil
	}
	if err != nil {
		return 0, false, dbErr(s.path, err)
	}
	n, err = wallet.ParseNetwork(name)
	if err != nil {
		return 0, false, fmt.Errorf("database %s: %v", s.path, err)
	}
	return n, true, nil
}

// setNetwork records n as the database's network inside t, or checks that
// it is the one recorded.
func setNetwork(t *sql.Tx, n wallet.Network) error {
	var name string
	err := t.QueryRow(`SELECT value FROM meta WHERE key = 'network'`).Scan(&name)
	if errors.Is(err, sql.ErrNoRows) {
		_, err = t.Exec(`INSERT INTO meta(key, value) VALUES('network', ?)`, n.String())
		return err
	}
	if err != nil {
		return err
	}
	if name != n.String() {
		return fmt.Errorf("%w: it holds %s wallets, not %s", ErrNetwork, name, n)
	}
	return nil
}

// NewID returns a fresh request id: "r" and 10 hex digits.
func NewID() (string, error) {
	b := make([]byte, 5)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	return "r" + hex.EncodeToString(b), nil
}

func unix(t time.Time) int64 { return t.UTC().Unix() }

func fromUnix(v int64) time.Time { return time.Unix(v, 0).UTC() }

// Meta reads a setting of the database ("" when unset).
func (s *Store) Meta(ctx context.Context, key string) (string, error) {
	var v string
	err := s.db.QueryRowContext(ctx, `SELECT value FROM meta WHERE key = ?`, key).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	if err != nil {
		return "", dbErr(s.path, err)
	}
	return v, nil
}

// SetMeta writes a setting of the database.
func (s *Store) SetMeta(ctx context.Context, key, value string) error {
	return s.tx(ctx, func(t *sql.Tx) error {
		_, err := t.Exec(`INSERT INTO meta(key, value) VALUES(?,?) ON CONFLICT(key) DO UPDATE SET value = excluded.value`, key, value)
		return err
	})
}
