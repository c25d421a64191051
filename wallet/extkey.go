package wallet

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"strings"

	"github.com/btcsuite/btcd/btcec/v2"
	"github.com/btcsuite/btcd/btcutil"
	"github.com/btcsuite/btcd/btcutil/hdkeychain"
)

// BIP32 and SLIP-132 version bytes.
const (
	verXpub uint32 = 0x0488b21e
	verXprv uint32 = 0x0488ade4
	verYpub uint32 = 0x049d7cb2
	verYprv uint32 = 0x049d7878
	verZpub uint32 = 0x04b24746
	verZprv uint32 = 0x04b2430c
	verYPub uint32 = 0x0295b43f // Ypub
	verYPrv uint32 = 0x0295b005 // Yprv
	verZPub uint32 = 0x02aa7ed3 // Zpub
	verZPrv uint32 = 0x02aa7a99 // Zprv
	verTpub uint32 = 0x043587cf
	verTprv uint32 = 0x04358394
	verUpub uint32 = 0x044a5262
	verUprv uint32 = 0x044a4e28
	verVpub uint32 = 0x045f1cf6
	verVprv uint32 = 0x045f18bc
	verUPub uint32 = 0x024289ef // Upub
	verUPrv uint32 = 0x024285b5 // Uprv
	verVPub uint32 = 0x02575483 // Vpub
	verVPrv uint32 = 0x02575048 // Vprv
)

// serializedKeyLen is the length of a decoded extended key with its checksum.
const serializedKeyLen = 78 + 4

// maxExtendedKeyText bounds the base58 text read; a real key is 111 characters.
const maxExtendedKeyText = 120

// KeyFormat says what the version bytes of a parsed extended key meant.
type KeyFormat struct {
	Prefix  string     // the version's name: "xpub", "tpub", "zpub", "Vpub", "xprv", ...
	Mainnet bool       // a mainnet version; otherwise one for the test networks
	Private bool       // a private key version
	Script  ScriptType // the script type a SLIP-132 version implies; ScriptUnknown for xpub/tpub/xprv/tprv
}

// IsSLIP132 reports whether the version was a SLIP-132 one (ypub, zpub, ...)
// rather than plain BIP32 (xpub, tpub).
func (f KeyFormat) IsSLIP132() bool { return f.Script != ScriptUnknown }

// IsFor reports whether a key of this format belongs on network n: mainnet
// versions on Mainnet, test versions on Testnet, Signet and Regtest.
func (f KeyFormat) IsFor(n Network) bool { return n.Valid() && f.Mainnet == (n == Mainnet) }

// CheckNetwork returns an error wrapping ErrWrongNetwork when the key does
// not belong on n.
func (f KeyFormat) CheckNetwork(n Network) error {
	if f.IsFor(n) {
		return nil
	}
	where := "test networks"
	if f.Mainnet {
		where = "mainnet"
	}
	return fmt.Errorf("%w: a %s key is for %s, not %s", ErrWrongNetwork, f.Prefix, where, n)
}

type versionInfo struct {
	prefix  string
	mainnet bool
	private bool
	script  ScriptType
}

// lookupVersion names the version bytes v; ok is false for unknown versions.
func lookupVersion(v uint32) (versionInfo, bool) {
	switch v {
	case verXpub:
		return versionInfo{"xpub", true, false, ScriptUnknown}, true
	case verXprv:
		return versionInfo{"xprv", true, true, ScriptUnknown}, true
	case verYpub:
		return versionInfo{"ypub", true, false, ScriptSHWPKH}, true
	case verYprv:
		return versionInfo{"yprv", true, true, ScriptSHWPKH}, true
	case verZpub:
		return versionInfo{"zpub", true, false, ScriptWPKH}, true
	case verZprv:
		return versionInfo{"zprv", true, true, ScriptWPKH}, true
	case verYPub:
		return versionInfo{"Ypub", true, false, ScriptSHWSHMulti}, true
	case verYPrv:
		return versionInfo{"Yprv", true, true, ScriptSHWSHMulti}, true
	case verZPub:
		return versionInfo{"Zpub", true, false, ScriptWSHMulti}, true
	case verZPrv:
		return versionInfo{"Zprv", true, true, ScriptWSHMulti}, true
	case verTpub:
		return versionInfo{"tpub", false, false, ScriptUnknown}, true
	case verTprv:
		return versionInfo{"tprv", false, true, ScriptUnknown}, true
	case verUpub:
		return versionInfo{"upub", false, false, ScriptSHWPKH}, true
	case verUprv:
		return versionInfo{"uprv", false, true, ScriptSHWPKH}, true
	case verVpub:
		return versionInfo{"vpub", false, false, ScriptWPKH}, true
	case verVprv:
		return versionInfo{"vprv", false, true, ScriptWPKH}, true
	case verUPub:
		return versionInfo{"Upub", false, false, ScriptSHWSHMulti}, true
	case verUPrv:
		return versionInfo{"Uprv", false, true, ScriptSHWSHMulti}, true
	case verVPub:
		return versionInfo{"Vpub", false, false, ScriptWSHMulti}, true
	case verVPrv:
		return versionInfo{"Vprv", false, true, ScriptWSHMulti}, true
	}
	return versionInfo{}, false
}

// slip132Version returns the SLIP-132 public version for st on mainnet or
// the test networks; ok is false for script types SLIP-132 has none for.
func slip132Version(st ScriptType, mainnet bool) (uint32, bool) {
	switch {
	case st == ScriptWPKH && mainnet:
		return verZpub, true
	case st == ScriptWPKH:
		return verVpub, true
	case st == ScriptSHWPKH && mainnet:
		return verYpub, true
	case st == ScriptSHWPKH:
		return verUpub, true
	case st == ScriptWSHMulti && mainnet:
		return verZPub, true
	case st == ScriptWSHMulti:
		return verVPub, true
	case st == ScriptSHWSHMulti && mainnet:
		return verYPub, true
	case st == ScriptSHWSHMulti:
		return verUPub, true
	}
	return 0, false
}

// KeyErrorCode says why an extended key was refused.
type KeyErrorCode uint8

// The reasons ParseExtendedKey refuses a key. BIP32 test vector 5 has one
// key for each of the reasons from KeyErrPublicVersionPrivateData on.
const (
	KeyErrEncoding                 KeyErrorCode = iota + 1 // not base58
	KeyErrLength                                           // not 78 bytes plus checksum
	KeyErrChecksum                                         // checksum mismatch
	KeyErrUnknownVersion                                   // version bytes not in the allowlist
	KeyErrPublicVersionPrivateData                         // xpub version, private key data
	KeyErrPrivateVersionPublicData                         // xprv version, public key data
	KeyErrPublicPrefix                                     // public key data not starting with 02 or 03
	KeyErrPrivatePrefix                                    // private key data not starting with 00
	KeyErrInvalidPoint                                     // public key not on the curve
	KeyErrPrivateRange                                     // private key 0 or not below n
	KeyErrZeroDepthParent                                  // depth 0 with a parent fingerprint
	KeyErrZeroDepthIndex                                   // depth 0 with a child number
)

// String names the code, for tests and logs.
func (c KeyErrorCode) String() string {
	switch c {
	case KeyErrEncoding:
		return "encoding"
	case KeyErrLength:
		return "length"
	case KeyErrChecksum:
		return "checksum"
	case KeyErrUnknownVersion:
		return "unknown version"
	case KeyErrPublicVersionPrivateData:
		return "public version with private data"
	case KeyErrPrivateVersionPublicData:
		return "private version with public data"
	case KeyErrPublicPrefix:
		return "public key prefix"
	case KeyErrPrivatePrefix:
		return "private key prefix"
	case KeyErrInvalidPoint:
		return "invalid point"
	case KeyErrPrivateRange:
		return "private key range"
	case KeyErrZeroDepthParent:
		return "depth 0 with parent fingerprint"
	case KeyErrZeroDepthIndex:
		return "depth 0 with child number"
	}
	return fmt.Sprintf("KeyErrorCode(%d)", uint8(c))
}

// ExtendedKeyError is the detail of a refused extended key. It never holds
// key material.
type ExtendedKeyError struct {
	Code   KeyErrorCode
	detail string
}

func (e *ExtendedKeyError) Error() string { return "extended key: " + e.detail }

func keyErr(c KeyErrorCode, format string, args ...any) error {
	return &ExtendedKeyError{Code: c, detail: fmt.Sprintf(format, args...)}
}

// ParseExtendedKey reads a BIP32 extended public key (xpub, tpub, or a
// SLIP-132 form: ypub, zpub, Ypub, Zpub, upub, vpub, Upub, Vpub) with every
// check BIP32 asks for, which hdkeychain.NewKeyFromString partly skips:
// version allowlist, key data matching the version, valid point, depth 0
// with no parent fingerprint and no child number, checksum and length.
//
// The key returned carries the plain BIP32 version of its network (xpub or
// tpub), so its String is the xpub/tpub form; f tells which version was read
// and, for SLIP-132 versions, the script type it implies. Check the network
// with f.CheckNetwork. A valid private key is refused with an error wrapping
// ErrPrivateKey: use ParseExtendedPrivateKey for those.
func ParseExtendedKey(s string) (k *hdkeychain.ExtendedKey, f KeyFormat, err error) {
	if len(s) > maxExtendedKeyText {
		return nil, KeyFormat{}, keyErr(KeyErrLength, "%d characters is too long for an extended key (111 expected)", len(s))
	}
	raw, ok := base58Decode([]byte(s))
	if !ok {
		return nil, KeyFormat{}, keyErr(KeyErrEncoding, "has a character that is not base58")
	}
	k, f, err = decodeExtendedKey(raw)
	if err != nil {
		return nil, KeyFormat{}, err
	}
	if f.Private {
		k.Zero()
		return nil, KeyFormat{}, fmt.Errorf("%w: extended key is a private %s; give its public key", ErrPrivateKey, f.Prefix)
	}
	return k, f, nil
}

// ParseExtendedPrivateKey reads a BIP32 extended private key (xprv, tprv or
// a SLIP-132 private form) from b with the checks of ParseExtendedKey. It
// reads a []byte so the caller can wipe the text; its own buffers are wiped.
// The key returned carries xprv or tprv; wipe it with WipeKey.
func ParseExtendedPrivateKey(b []byte) (*hdkeychain.ExtendedKey, KeyFormat, error) {
	if len(b) > maxExtendedKeyText {
		return nil, KeyFormat{}, keyErr(KeyErrLength, "%d characters is too long for an extended key (111 expected)", len(b))
	}
	raw, ok := base58Decode(b)
	if !ok {
		return nil, KeyFormat{}, keyErr(KeyErrEncoding, "has a character that is not base58")
	}
	k, f, err := decodeExtendedKey(raw)
	if err != nil {
		return nil, KeyFormat{}, err
	}
	if !f.Private {
		return nil, KeyFormat{}, fmt.Errorf("extended key is a public %s, not a private key", f.Prefix)
	}
	return k, f, nil
}

// decodeExtendedKey checks and decodes raw (base58-decoded, with checksum)
// and wipes it.
func decodeExtendedKey(raw []byte) (*hdkeychain.ExtendedKey, KeyFormat, error) {
	defer Wipe(raw)
	if len(raw) != serializedKeyLen {
		return nil, KeyFormat{}, keyErr(KeyErrLength, "is %d bytes long, not %d", len(raw), serializedKeyLen)
	}
	payload, sum := raw[:78], raw[78:]
	h := sha256.Sum256(payload)
	h = sha256.Sum256(h[:])
	if !bytes.Equal(h[:4], sum) {
		return nil, KeyFormat{}, keyErr(KeyErrChecksum, "checksum does not match (a mistyped character?)")
	}
	version := binary.BigEndian.Uint32(payload[0:4])
	depth := payload[4]
	parentFP := payload[5:9]
	childNum := binary.BigEndian.Uint32(payload[9:13])
	chainCode := payload[13:45]
	keyData := payload[45:78]

	info, ok := lookupVersion(version)
	if !ok {
		return nil, KeyFormat{}, keyErr(KeyErrUnknownVersion, "version %08x is not a Bitcoin xpub, xprv, tpub, tprv or SLIP-132 version", version)
	}
	f := KeyFormat{Prefix: info.prefix, Mainnet: info.mainnet, Private: info.private, Script: info.script}
	var key []byte
	if info.private {
		switch keyData[0] {
		case 0x00:
		case 0x02, 0x03:
			return nil, KeyFormat{}, keyErr(KeyErrPrivateVersionPublicData, "has the private version %s but carries a public key", info.prefix)
		default:
			return nil, KeyFormat{}, keyErr(KeyErrPrivatePrefix, "private key data starts with 0x%02x, not 0x00", keyData[0])
		}
		var s btcec.ModNScalar
		overflow := s.SetByteSlice(keyData[1:])
		zero := s.IsZero()
		s.Zero()
		if overflow || zero {
			return nil, KeyFormat{}, keyErr(KeyErrPrivateRange, "private key is 0 or not below the curve order")
		}
		key = append([]byte(nil), keyData[1:]...)
	} else {
		switch keyData[0] {
		case 0x02, 0x03:
		case 0x00:
			return nil, KeyFormat{}, keyErr(KeyErrPublicVersionPrivateData, "has the public version %s but carries a private key", info.prefix)
		default:
			return nil, KeyFormat{}, keyErr(KeyErrPublicPrefix, "public key data starts with 0x%02x, not 0x02 or 0x03", keyData[0])
		}
		if _, err := btcec.ParsePubKey(keyData); err != nil {
			return nil, KeyFormat{}, keyErr(KeyErrInvalidPoint, "public key %x is not a point on secp256k1", keyData)
		}
		key = append([]byte(nil), keyData...)
	}
	if depth == 0 {
		if fp := binary.BigEndian.Uint32(parentFP); fp != 0 {
			Wipe(key)
			return nil, KeyFormat{}, keyErr(KeyErrZeroDepthParent, "has depth 0 (a master key) but parent fingerprint %08x", fp)
		}
		if childNum != 0 {
			Wipe(key)
			return nil, KeyFormat{}, keyErr(KeyErrZeroDepthIndex, "has depth 0 (a master key) but child number %d", childNum)
		}
	}
	var std uint32
	switch {
	case info.private && info.mainnet:
		std = verXprv
	case info.private:
		std = verTprv
	case info.mainnet:
		std = verXpub
	default:
		std = verTpub
	}
	k := hdkeychain.NewExtendedKey(be32(std), key, append([]byte(nil), chainCode...),
		append([]byte(nil), parentFP...), depth, childNum, info.private)
	return k, f, nil
}

func be32(v uint32) []byte {
	var b [4]byte
	binary.BigEndian.PutUint32(b[:], v)
	return b[:]
}

const base58Alphabet = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"

// base58Decode decodes in without converting it to a string, so secret text
// can be wiped by the caller; its scratch buffer is wiped.
func base58Decode(in []byte) ([]byte, bool) {
	zeros := 0
	for zeros < len(in) && in[zeros] == '1' {
		zeros++
	}
	buf := make([]byte, len(in)*733/1000+1)
	defer Wipe(buf)
	for _, c := range in {
		v := strings.IndexByte(base58Alphabet, c)
		if v < 0 {
			return nil, false
		}
		carry := v
		for j := len(buf) - 1; j >= 0; j-- {
			carry += 58 * int(buf[j])
			buf[j] = byte(carry)
			carry >>= 8
		}
		if carry != 0 {
			return nil, false
		}
	}
	i := 0
	for i < len(buf) && buf[i] == 0 {
		i++
	}
	out := make([]byte, zeros+len(buf)-i)
	copy(out[zeros:], buf[i:])
	return out, true
}

// MasterFromSeed derives the BIP32 master key of seed (16 to 64 bytes) for
// network n. The key is private: wipe it with WipeKey when done. seed is
// not modified or kept.
func MasterFromSeed(seed []byte, n Network) (*hdkeychain.ExtendedKey, error) {
	if !n.Valid() {
		return nil, fmt.Errorf("%s is not a network", n)
	}
	if len(seed) < hdkeychain.MinSeedBytes || len(seed) > hdkeychain.MaxSeedBytes {
		return nil, fmt.Errorf("seed is %d bytes; BIP32 takes 16 to 64", len(seed))
	}
	k, err := hdkeychain.NewMaster(seed, n.Params())
	if err != nil {
		// Only for a seed whose master key is 0 or >= n (odds 2^-127).
		return nil, fmt.Errorf("seed gives no valid BIP32 master key: %w", ErrInvalidChild)
	}
	return k, nil
}

// Fingerprint is the BIP32 fingerprint of k: the first 4 bytes of
// HASH160 of its compressed public key. The fingerprint of a master key is
// the "master fingerprint" of key origins and PSBTs. A wiped or unusable key
// gives four zero bytes.
func Fingerprint(k *hdkeychain.ExtendedKey) [4]byte {
	var fp [4]byte
	if k == nil {
		return fp
	}
	pub, err := k.ECPubKey()
	if err != nil {
		return fp
	}
	copy(fp[:], btcutil.Hash160(pub.SerializeCompressed())[:4])
	return fp
}

// PubKeyFingerprint is the fingerprint of a bare public key (HASH160 of its
// serialized form, first 4 bytes).
func PubKeyFingerprint(serialized []byte) [4]byte {
	var fp [4]byte
	copy(fp[:], btcutil.Hash160(serialized)[:4])
	return fp
}

// PSBTFingerprint converts fp to the uint32 btcd's psbt package stores in
// Bip32Derivation.MasterKeyFingerprint (the 4 bytes read little-endian).
func PSBTFingerprint(fp [4]byte) uint32 { return binary.LittleEndian.Uint32(fp[:]) }

// FingerprintFromPSBT converts btcd's psbt MasterKeyFingerprint back to bytes.
func FingerprintFromPSBT(v uint32) [4]byte {
	var fp [4]byte
	binary.LittleEndian.PutUint32(fp[:], v)
	return fp
}

// SLIP132 writes the public key xpub in the SLIP-132 form for script type
// st: zpub/vpub for wpkh, ypub/upub for sh-wpkh, Zpub/Vpub for wsh-multi,
// Ypub/Upub for sh-wsh-multi. ok is false for tr (SLIP-132 has no version
// for it), for private keys, and for keys that are neither xpub nor tpub.
func SLIP132(xpub *hdkeychain.ExtendedKey, st ScriptType) (string, bool) {
	if xpub == nil || xpub.IsPrivate() || len(xpub.Version()) != 4 {
		return "", false
	}
	var mainnet bool
	switch binary.BigEndian.Uint32(xpub.Version()) {
	case verXpub:
		mainnet = true
	case verTpub:
	default:
		return "", false
	}
	v, ok := slip132Version(st, mainnet)
	if !ok {
		return "", false
	}
	c, err := xpub.CloneWithVersion(be32(v))
	if err != nil {
		return "", false
	}
	return c.String(), true
}

// KeyNetworkFormat reports the format of an already parsed key from its
// version bytes (xpub, tpub, xprv or tprv after ParseExtendedKey).
func KeyNetworkFormat(k *hdkeychain.ExtendedKey) (KeyFormat, bool) {
	if k == nil || len(k.Version()) != 4 {
		return KeyFormat{}, false
	}
	info, ok := lookupVersion(binary.BigEndian.Uint32(k.Version()))
	if !ok {
		return KeyFormat{}, false
	}
	return KeyFormat{Prefix: info.prefix, Mainnet: info.mainnet, Private: info.private, Script: info.script}, true
}

// DerivePath derives the key at path p below k (k itself for the empty
// path) with hdkeychain's standard Derive. Intermediate private keys are
// wiped; k is not. From a public key only unhardened steps can be derived.
func DerivePath(k *hdkeychain.ExtendedKey, p Path) (*hdkeychain.ExtendedKey, error) {
	if k == nil {
		return nil, errors.New("derive: no key")
	}
	cur := k
	for i, step := range p {
		next, err := cur.Derive(step)
		if cur != k {
			cur.Zero()
		}
		if err != nil {
			return nil, fmt.Errorf("derive %s: step %d (%s): %w", p, i+1, formatStep(step, 'h'), deriveErr(err))
		}
		cur = next
	}
	return cur, nil
}

// deriveErr maps hdkeychain's errors to ours.
func deriveErr(err error) error {
	switch {
	case errors.Is(err, hdkeychain.ErrDeriveHardFromPublic):
		return ErrHardenedFromPublic
	case errors.Is(err, hdkeychain.ErrInvalidChild):
		return ErrInvalidChild
	case errors.Is(err, hdkeychain.ErrDeriveBeyondMaxDepth):
		return errors.New("key is at depth 255, the deepest BIP32 allows")
	}
	return fmt.Errorf("bip32 derivation failed: %v", err)
}

// Neuter returns the extended public key of k as an independent copy.
// hdkeychain's own Neuter returns a key that shares its bytes with the
// private key, so wiping the private key (WipeKey) would also zero the
// public one; this copy survives the wipe. A public k is copied too.
func Neuter(k *hdkeychain.ExtendedKey) (*hdkeychain.ExtendedKey, error) {
	if k == nil {
		return nil, errors.New("neuter: no key")
	}
	pub, err := k.ECPubKey()
	if err != nil {
		return nil, fmt.Errorf("neuter: key is unusable (wiped?): %v", err)
	}
	f, ok := KeyNetworkFormat(k)
	if !ok {
		return nil, errors.New("neuter: key has an unknown version")
	}
	version := verXpub
	if !f.Mainnet {
		version = verTpub
	}
	return hdkeychain.NewExtendedKey(be32(version), pub.SerializeCompressed(), k.ChainCode(),
		be32(k.ParentFingerprint()), k.Depth(), k.ChildIndex(), false), nil
}

// WipeKey clears the key material hdkeychain holds in k (its Zero method).
// hdkeychain does not let callers reach every copy: buffers used inside
// NewMaster and Derive, and keys already derived from k, are not cleared.
// Nil is ignored.
func WipeKey(k *hdkeychain.ExtendedKey) {
	if k != nil {
		k.Zero()
	}
}

// Wipe sets every byte of b to zero.
func Wipe(b []byte) {
	for i := range b {
		b[i] = 0
	}
}
