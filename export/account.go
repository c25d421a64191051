package export

import (
	"errors"
	"fmt"

	"github.com/btcsuite/btcd/btcutil/hdkeychain"

	"github.com/coffer-custody/coffer/wallet"
)

// Account is what every export is made from: one account's extended
// public key and where it comes from.
type Account struct {
	Network     wallet.Network
	Fingerprint [4]byte           // master key fingerprint
	Script      wallet.ScriptType // what the account pays to
	Account     uint32            // account number
	Path        wallet.Path       // account path; nil for the standard one (wallet.AccountPath)
	XPub        *hdkeychain.ExtendedKey
}

// AccountPath returns the account's path: Path, or the standard path of
// its script type, network and number.
func (a Account) AccountPath() (wallet.Path, error) {
	if a.Path != nil {
		return a.Path, nil
	}
	return wallet.AccountPath(a.Script, a.Network, a.Account)
}

// check refuses an account whose parts disagree or whose key is private.
func (a Account) check() error {
	if !a.Network.Valid() {
		return fmt.Errorf("account: %s is not a network", a.Network)
	}
	if !a.Script.Valid() {
		return fmt.Errorf("account: %s is not a script type", a.Script)
	}
	if a.XPub == nil {
		return errors.New("account: no extended public key")
	}
	if a.XPub.IsPrivate() {
		return fmt.Errorf("account: %w", wallet.ErrPrivateKey)
	}
	f, ok := wallet.KeyNetworkFormat(a.XPub)
	if !ok {
		return errors.New("account: extended key has an unknown version")
	}
	if err := f.CheckNetwork(a.Network); err != nil {
		return fmt.Errorf("account: %w", err)
	}
	p, err := a.AccountPath()
	if err != nil {
		return fmt.Errorf("account: %w", err)
	}
	if len(p) != int(a.XPub.Depth()) {
		return fmt.Errorf("account: path %s has %d steps but the xpub is at depth %d", p, len(p), a.XPub.Depth())
	}
	if len(p) > 0 && p[len(p)-1] != a.XPub.ChildIndex() {
		return fmt.Errorf("account: path %s does not end in the xpub's child number %d", p, a.XPub.ChildIndex())
	}
	if len(p) == 1 && a.XPub.ParentFingerprint() != be32(a.Fingerprint) {
		return fmt.Errorf("account: xpub's parent fingerprint is not the master fingerprint %s", wallet.FormatFingerprint(a.Fingerprint))
	}
	return nil
}

func be32(fp [4]byte) uint32 {
	return uint32(fp[0])<<24 | uint32(fp[1])<<16 | uint32(fp[2])<<8 | uint32(fp[3])
}

// Key returns the account key with its origin, as a descriptor has it.
func (a Account) Key() (wallet.AccountKey, error) {
	if err := a.check(); err != nil {
		return wallet.AccountKey{}, err
	}
	p, _ := a.AccountPath()
	return wallet.AccountKey{Origin: wallet.KeyOrigin{Fingerprint: a.Fingerprint, Path: p}, XPub: a.XPub}, nil
}

// Descriptor returns the account's BIP389 multipath descriptor, receive
// and change: wpkh([73c5da0a/84h/0h/0h]xpub.../<0;1>/*). Multisig
// accounts have none alone: see MultisigDescriptors.
func (a Account) Descriptor() (*wallet.Descriptor, error) {
	k, err := a.Key()
	if err != nil {
		return nil, err
	}
	if a.Script.IsMultisig() {
		return nil, fmt.Errorf("a %s account has no descriptor of its own: build it from every cosigner (MultisigDescriptors) or send a BSMS key record", a.Script)
	}
	return wallet.SingleSigDescriptor(a.Script, k)
}
