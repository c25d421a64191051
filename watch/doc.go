// Package watch is the core of coffer-watch, the online watch-only
// companion: it imports what coffer exported, follows the chain through a
// node, prepares withdrawal requests as PSBTs complete enough for any
// offline signer to verify, combines signatures, finalizes and broadcasts.
// It holds no private key, ever.
//
// Build a Service over a store.Store (and, for the commands that talk to a
// node, a chain.Backend), then call:
//
//   - ParseWalletFile + ImportWallet for any export of coffer export
//     (ParseWalletUR for a ur:crypto-output or ur:crypto-hdkey scanned
//     from another wallet's screen);
//     KeyFromRecord + CreateMultisig for the BIP129 coordinator's step;
//   - Sync (gap limit) and then Balances, UTXOs, Receive, Addresses;
//   - Send for a new request; Combine, Finalize, Broadcast on its PSBTs;
//     Bump for an RBF replacement; Requests and Request to follow them.
//
// The pieces: watch/rpc (one JSON-RPC client for Bitcoin Core and btcd),
// watch/chain (the two backends), watch/store (SQLite), watch/build
// (amounts, coin selection, PSBT building, combining, finalizing) and
// watch/regtest (the btcd node the tests and make demo run).
//
// # Security
//
// Every PSBT Send or Bump makes is decoded and reviewed by the offline
// signer's own code (sign.Decode, sign.Analyze) as each cosigner would,
// before it is saved: an input the signer would not recognise as its own,
// a change output it would not recognise as change, or a fee it computes
// differently stops the request. Finalize runs the signer's finalizer,
// which executes every input's script, and watch checks every input again
// with txscript; Broadcast checks them against the node's own view of the
// spent coins, then asks testmempoolaccept, before sendrawtransaction.
// The node is checked for its network (by name) and sync state before
// anything is read from it.
//
// # Errors
//
// ErrNoNode, ErrFeeTooLow, ErrKeyRecord, ErrNotFinal here; the sentinels
// of chain (ErrWrongNetwork, ErrSyncing, ErrNoFeeEstimate, ErrRejected),
// store (ErrUnknownWallet, ErrWalletExists, ErrUnknownRequest), build
// (ErrAmount, ErrInsufficient with *InsufficientError saying how much is
// missing, ErrDifferentTx, ErrIncomplete with *IncompleteError naming the
// inputs) and rpc (ErrUnreachable, ErrAuth) come through wrapped. A
// command that fails leaves the database as it was: each change is one
// transaction, written last.
package watch
