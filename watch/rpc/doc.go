// Package rpc is one small JSON-RPC client over net/http for both Bitcoin
// Core and btcd (not btcd's rpcclient, which pulls in btcd's /v2 module
// split; see LIBRARIES.md).
//
// Call New with a Config (node address, credentials or Core's cookie file,
// btcd's TLS certificate or NoTLS on loopback), then Call(ctx, method,
// params, &result). The client does not contact the node until the first
// call.
//
// # Security
//
// Plain HTTP is refused to any address that is not loopback; with TLS the
// node's certificate is pinned by --rpc-cert (btcd's self-signed rpc.cert)
// or checked against the system roots. No proxy from the environment is
// ever used, and no redirect is followed (it could carry the credentials
// elsewhere). The RPC password and the cookie's content are never part of
// an error: a node address holding a user and password is refused without
// being shown, an answer quoted in an error has them cut out, and a
// Config or Client prints with the password redacted. Responses are
// bounded by MaxResponse before they are parsed.
//
// # Errors
//
// Branch with errors.Is on ErrUnreachable (no connection), ErrAuth (HTTP
// 401/403: wrong credentials), ErrProtocol (not a JSON-RPC answer) and
// ErrConfig (bad settings, unreadable cookie or certificate). An error
// the node returned for the call is an *Error with its code and message.
package rpc
