// Package store is coffer-watch's database: one SQLite file in the data
// folder (through modernc.org/sqlite, pure Go, no cgo), holding the
// watched wallets, their derived addresses, their unspent outputs as of
// the last sync, labels, and every withdrawal request with its history.
//
// Call Open(dir); then AddWallet / Wallet / Wallets, NextReceive and
// NextChange for addresses, ApplySync to write a whole sync, UTXOs,
// AddRequest / UpdateRequest / Request / Requests for withdrawals.
//
// The schema is versioned (PRAGMA user_version); Open applies the missing
// migrations, each in one transaction, and refuses a database from a newer
// build.
//
// # Security
//
// The database holds public data only: descriptors with xpubs, addresses,
// unsigned and partly signed PSBTs. It is still private (it maps a
// custodian's coins), so the folder is 0700 and the file 0600.
//
// Two processes may use one database at once: WAL journaling, a busy
// timeout and BEGIN IMMEDIATE write transactions serialize writers, and
// every change that belongs together (a sync, a new request with its
// change address, an update with its event, handing out an address) is
// one transaction, so an interrupted command leaves the database as it
// was.
//
// # Errors
//
// ErrUnknownWallet (the message lists the wallets there are),
// ErrWalletExists, ErrUnknownRequest, ErrNetwork (a wallet of another
// network than the database's), ErrNewerSchema. Other errors name the
// database file.
package store
