package store

import (
	"context"
	"database/sql"
	"fmt"
)

// migrations are the schema's versions, in order: migrations[i] takes the
// database from version i to i+1 (PRAGMA user_version). Never edit one
// that has shipped; append a new one.
var migrations = []string{
	// 1: wallets, addresses, UTXOs, labels, requests with their history.
	`
CREATE TABLE meta (
	key   TEXT PRIMARY KEY,
	value TEXT NOT NULL
);
CREATE TABLE wallets (
	id          INTEGER PRIMARY KEY,
	name        TEXT NOT NULL UNIQUE,
	descriptor  TEXT NOT NULL,          -- <0;1> multipath, with checksum
	script      TEXT NOT NULL,          -- wallet.ScriptType name
	threshold   INTEGER NOT NULL,       -- 1 for single-key wallets
	keys        INTEGER NOT NULL,
	source      TEXT NOT NULL,          -- descriptor, core, generic-json, bsms, create-multisig
	created_at  INTEGER NOT NULL
);
CREATE TABLE addresses (
	wallet_id INTEGER NOT NULL REFERENCES wallets(id) ON DELETE CASCADE,
	branch    INTEGER NOT NULL,         -- 0 receive, 1 change
	idx       INTEGER NOT NULL,
	address   TEXT NOT NULL,
	script    BLOB NOT NULL,
	used      INTEGER NOT NULL DEFAULT 0,
	given     INTEGER NOT NULL DEFAULT 0,
	PRIMARY KEY (wallet_id, branch, idx)
);
CREATE INDEX addresses_script ON addresses(script);
CREATE TABLE utxos (
	txid          TEXT NOT NULL,
	vout          INTEGER NOT NULL,
	wallet_id     INTEGER NOT NULL REFERENCES wallets(id) ON DELETE CASCADE,
	branch        INTEGER NOT NULL,
	idx           INTEGER NOT NULL,
	value         INTEGER NOT NULL,
	script        BLOB NOT NULL,
	address       TEXT NOT NULL,
	confirmations INTEGER NOT NULL,
	coinbase      INTEGER NOT NULL,
	PRIMARY KEY (txid, vout)
);
CREATE INDEX utxos_wallet ON utxos(wallet_id);
CREATE TABLE labels (
	ref   TEXT PRIMARY KEY,             -- an address, a txid or txid:vout
	label TEXT NOT NULL
);
CREATE TABLE requests (
	id            TEXT PRIMARY KEY,
	wallet_id     INTEGER NOT NULL REFERENCES wallets(id),
	created_at    INTEGER NOT NULL,
	initiator     TEXT NOT NULL,
	status        TEXT NOT NULL,
	txid          TEXT NOT NULL,
	psbt          BLOB NOT NULL,        -- the latest PSBT: unsigned, then with signatures
	fee           INTEGER NOT NULL,
	fee_rate      INTEGER NOT NULL,     -- sat/kvB
	vsize         INTEGER NOT NULL,
	sent          INTEGER NOT NULL,     -- to external outputs
	signatures    INTEGER NOT NULL,     -- inputs' signatures: the fewest any input has
	required      INTEGER NOT NULL,     -- signatures each input needs
	replaces      TEXT NOT NULL,        -- txid this request replaces (bump), or ''
	confirmations INTEGER NOT NULL DEFAULT -1   -- -1 not broadcast
);
CREATE INDEX requests_txid ON requests(txid);
CREATE TABLE request_events (
	id         INTEGER PRIMARY KEY,
	request_id TEXT NOT NULL REFERENCES requests(id) ON DELETE CASCADE,
	at         INTEGER NOT NULL,
	kind       TEXT NOT NULL,           -- created, signatures, combined, finalized, broadcast, confirmed, replaced
	detail     TEXT NOT NULL
);
CREATE TABLE sync_state (
	id       INTEGER PRIMARY KEY CHECK (id = 1),
	height   INTEGER NOT NULL,
	tip      TEXT NOT NULL,
	at       INTEGER NOT NULL,
	backend  TEXT NOT NULL
);
`,
}

// SchemaVersion is the version this build writes.
func SchemaVersion() int { return len(migrations) }

// migrate applies the missing migrations, each in its own transaction
// with its version bump, so a crash leaves a whole version.
func (s *Store) migrate(ctx context.Context) error {
	for {
		var v int
		if err := s.db.QueryRowContext(ctx, `PRAGMA user_version`).Scan(&v); err != nil {
			return dbErr(s.path, err)
		}
		if v > len(migrations) {
			return fmt.Errorf("%w: %s is at schema version %d, this build knows %d", ErrNewerSchema, s.path, v, len(migrations))
		}
		if v == len(migrations) {
			return nil
		}
		err := s.tx(ctx, func(t *sql.Tx) error {
			// Read again inside the write lock: another process may have
			// migrated meanwhile.
			var again int
			if err := t.QueryRow(`PRAGMA user_version`).Scan(&again); err != nil {
				return err
			}
			if again != v {
				return nil
			}
			if _, err := t.Exec(migrations[v]); err != nil {
				return fmt.Errorf("schema migration %d: %v", v+1, err)
			}
			_, err := t.Exec(fmt.Sprintf(`PRAGMA user_version = %d`, v+1))
			return err
		})
		if err != nil {
			return dbErr(s.path, err)
		}
	}
}
