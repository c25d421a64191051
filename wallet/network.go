package wallet

import (
	"fmt"

	"github.com/btcsuite/btcd/chaincfg"
)

// Network is one of the Bitcoin networks Coffer works on. The zero value is
// not a network; use the constants or ParseNetwork.
type Network uint8

// The networks Coffer knows. Testnet is testnet3; it shares address and
// extended key prefixes with testnet4 and signet.
const (
	Mainnet Network = iota + 1
	Testnet
	Signet
	Regtest
)

// Networks lists every network in a fixed order.
func Networks() []Network { return []Network{Mainnet, Testnet, Signet, Regtest} }

// ParseNetwork reads a network name: mainnet, testnet, signet or regtest.
func ParseNetwork(name string) (Network, error) {
	for _, n := range Networks() {
		if n.String() == name {
			return n, nil
		}
	}
	return 0, fmt.Errorf("network %q is not one of mainnet, testnet, signet, regtest", name)
}

// String returns the name ParseNetwork reads ("mainnet", ...), or
// "network(N)" for a value that is not a network.
func (n Network) String() string {
	switch n {
	case Mainnet:
		return "mainnet"
	case Testnet:
		return "testnet"
	case Signet:
		return "signet"
	case Regtest:
		return "regtest"
	}
	return fmt.Sprintf("network(%d)", uint8(n))
}

// Valid reports whether n is one of the constants.
func (n Network) Valid() bool { return n >= Mainnet && n <= Regtest }

// IsTest reports whether n is a test network (everything but mainnet).
func (n Network) IsTest() bool { return n.Valid() && n != Mainnet }

// Params returns btcd's parameters for n, or nil when n is not valid. The
// result points at a chaincfg package variable: read it, never modify it.
func (n Network) Params() *chaincfg.Params {
	switch n {
	case Mainnet:
		return &chaincfg.MainNetParams
	case Testnet:
		return &chaincfg.TestNet3Params
	case Signet:
		return &chaincfg.SigNetParams
	case Regtest:
		return &chaincfg.RegressionNetParams
	}
	return nil
}

// CoinType is the BIP44 coin type of n: 0 on mainnet, 1 on test networks.
func (n Network) CoinType() uint32 {
	if n == Mainnet {
		return 0
	}
	return 1
}

// HRP is the bech32 human-readable part of segwit addresses on n: "bc",
// "tb" or "bcrt" ("" when n is not valid).
func (n Network) HRP() string {
	if p := n.Params(); p != nil {
		return p.Bech32HRPSegwit
	}
	return ""
}
