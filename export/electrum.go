package export

import (
	"fmt"

	"github.com/coffer-custody/coffer/wallet"
)

// electrumSeedVersion is the wallet file version written. Electrum keeps
// the keystore's derivation and root_fingerprint from version 20 on and
// upgrades older-numbered files to its own, so every Electrum 4.x opens
// it (checked with Electrum 4.3.4, whose own version is 50).
const electrumSeedVersion = 20

// Electrum is the "electrum" export: a watch-only Electrum wallet file for
// a wpkh or sh-wpkh account. Electrum reads the script type from the
// SLIP-132 form of the xpub (zpub, ypub, vpub, upub), so that is what the
// keystore holds. Electrum 4.x has no taproot wallets, and its multisig
// files need every cosigner: both are refused.
func Electrum(a Account) ([]byte, error) {
	if err := a.check(); err != nil {
		return nil, err
	}
	switch a.Script {
	case wallet.ScriptWPKH, wallet.ScriptSHWPKH:
	case wallet.ScriptTR:
		return nil, fmt.Errorf("electrum: %w: Electrum has no taproot (tr) wallets; export a descriptor instead", wallet.ErrUnsupported)
	default:
		return nil, fmt.Errorf("electrum: %w: a %s wallet file needs every cosigner's key; export a descriptor or BSMS instead", wallet.ErrUnsupported, a.Script)
	}
	xpub, ok := wallet.SLIP132(a.XPub, a.Script)
	if !ok {
		return nil, fmt.Errorf("electrum: no SLIP-132 form for %s", a.Script)
	}
	p, _ := a.AccountPath()
	fp := wallet.FormatFingerprint(a.Fingerprint)
	label := fmt.Sprintf("Coffer %s %s account %d", fp, a.Script, a.Account)
	doc := object{
		{"keystore", object{
			{"type", "bip32"},
			{"xpub", xpub},
			{"xprv", nil},
			{"derivation", p.String()},
			{"root_fingerprint", fp},
			{"label", label},
		}},
		{"wallet_type", "standard"},
		{"use_encryption", false},
		{"seed_version", electrumSeedVersion},
	}
	return marshalJSON(doc)
}
