// Package chain reads the chain and broadcasts through a node, for
// coffer-watch. Two backends share one Backend interface: Btcd (btcd with
// --txindex --addrindex: searchrawtransactions, gettxout,
// getrawtransaction, testmempoolaccept, sendrawtransaction), which the
// tests run live against a regtest node, and Core (Bitcoin Core: a
// watch-only descriptor wallet fed by importdescriptors and read with
// listunspent and listreceivedbyaddress, or scantxoutset without a
// wallet; estimatesmartfee), the production backend, tested against
// recorded answers in the shapes of Bitcoin Core's RPC documentation
// because no bitcoind can be installed where Coffer is built.
//
// Call New (or NewBtcd / NewCore) over an rpc.Client, then Check before
// anything else: it refuses a node on another network, by name, and a node
// still syncing. Then Scan for addresses, Transaction and Status for
// transactions, TestAccept and Broadcast to send, EstimateFee for a rate.
// Fee rates are integer sat/kvB (1000 sat/kvB is 1 sat/vB).
//
// # Security
//
// A backend only reads public chain data and sends signed transactions;
// it holds no key. Amounts from the node are converted to satoshis
// exactly and checked to be bitcoin amounts.
//
// # Errors
//
// ErrWrongNetwork, ErrSyncing, ErrNoFeeEstimate (btcd always: pass
// --fee-rate), ErrNotFound, and *RejectError (errors.Is ErrRejected) with
// the node's reason. Errors of the rpc package (ErrUnreachable, ErrAuth,
// ...) come through wrapped.
package chain
