// Package regtest runs a btcd node on regtest for tests and for make demo:
// the node the end-to-end tests of coffer-watch judge by.
//
// Call Start: it installs btcd and btcctl (go install
// github.com/btcsuite/btcd@v0.26.2 into BinDir, once), starts btcd on
// regtest with --txindex --addrindex, random free ports on 127.0.0.1, a
// temporary data folder, random RPC credentials and TLS (or --notls), and
// returns once the node answers. Generate mines blocks; Fund pays any
// address from the harness's own matured coinbases (btcd deletes its
// regtest chain at every start and has no generatetoaddress, so the node
// mines to a key of the harness and spends from it). Stop ends the node
// and removes its folder.
//
// # Security
//
// The node listens on 127.0.0.1 only, connects to no peer and seeds no
// addresses; nothing but loopback is ever contacted. The funder's key is
// a throwaway regtest key made at Start and wiped at Stop. The node's
// config, data, logs and certificate live in its own folder; btcd v0.26
// still creates an empty ~/.btcd (its default home, found from the user
// database, not $HOME) at every start, and nothing is written into it.
//
// # Errors
//
// ErrUnavailable (errors.Is) means btcd could not be installed: tests skip
// on it, and fail instead under COFFER_REQUIRE_INTEROP=1. Other errors
// carry the tail of btcd's log.
package regtest
