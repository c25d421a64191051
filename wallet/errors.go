package wallet

import "errors"

// Sentinel errors, for the cases callers branch on. Detail comes wrapped
// around them (test with errors.Is) or in *ExtendedKeyError and
// *DescriptorError (errors.As).
var (
	// ErrPrivateKey: a private key (xprv, WIF) was given where Coffer takes
	// only public keys. Coffer never imports private keys through
	// descriptors or xpub fields.
	ErrPrivateKey = errors.New("private key given where a public key is expected")

	// ErrWrongNetwork: a key or address belongs to another network.
	ErrWrongNetwork = errors.New("wrong network")

	// ErrHardenedFromPublic: a hardened step was asked of a public key.
	ErrHardenedFromPublic = errors.New("a hardened step cannot be derived from a public key")

	// ErrInvalidChild: BIP32 gives no key at this index (odds about 2^-127);
	// BIP32 says to skip to the next index.
	ErrInvalidChild = errors.New("bip32 gives no valid key at this index")

	// ErrUnsupported: valid descriptor syntax that Coffer does not handle
	// (taproot script trees, combo, addr, miniscript, musig, ...).
	ErrUnsupported = errors.New("not supported")

	// ErrChecksum: a descriptor's checksum does not match its text.
	ErrChecksum = errors.New("descriptor checksum does not match")

	// ErrMissingChecksum: a descriptor without a checksum where one is required.
	ErrMissingChecksum = errors.New("descriptor has no checksum")

	// ErrNoAddress: the script has no address form (bare multisig, pk, raw).
	ErrNoAddress = errors.New("script has no address")
)
