package export

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/btcsuite/btcd/btcec/v2"
	"github.com/btcsuite/btcd/btcec/v2/ecdsa"
	"github.com/btcsuite/btcd/chaincfg/chainhash"
	"github.com/btcsuite/btcd/wire"
	"golang.org/x/crypto/pbkdf2"

	"github.com/coffer-custody/coffer/wallet"
)

// BIP129 (Bitcoin Secure Multisig Setup), the signer's part of round 1:
// the key record, its signature and its encryption.

// BSMSVersion is the first line of every record.
const BSMSVersion = "BSMS 1.0"

// maxDescription is BIP129's limit on the key description line.
const maxDescription = 80

// Signer signs a message the way Bitcoin Core's signmessage does (the
// legacy format BIP129 accepts): it returns the 65-byte compact
// signature over MessageHash(message), made with the private key of the
// account's xpub.
type Signer func(message []byte) ([]byte, error)

// NewMessageSigner returns a Signer over priv (RFC6979 nonces, compressed
// key flag). The Signer keeps priv: the caller wipes it (priv.Zero) after use.
func NewMessageSigner(priv *btcec.PrivateKey) Signer {
	return func(message []byte) ([]byte, error) {
		if priv == nil {
			return nil, errors.New("no private key")
		}
		return ecdsa.SignCompact(priv, MessageHash(message), true), nil
	}
}

// MessageHash is the hash a legacy Bitcoin signed message signs:
// SHA256d(varstr("Bitcoin Signed Message:\n") || varstr(message)).
func MessageHash(message []byte) []byte {
	var b bytes.Buffer
	_ = wire.WriteVarString(&b, 0, "Bitcoin Signed Message:\n")
	_ = wire.WriteVarBytes(&b, 0, message)
	return chainhash.DoubleHashB(b.Bytes())
}

// VerifyMessage checks a base64 legacy message signature against pub.
func VerifyMessage(pub *btcec.PublicKey, message []byte, sigBase64 string) error {
	sig, err := base64.StdEncoding.DecodeString(sigBase64)
	if err != nil || len(sig) != 65 {
		return errors.New("signature is not 65 bytes of base64")
	}
	got, _, err := ecdsa.RecoverCompact(sig, MessageHash(message))
	if err != nil {
		return fmt.Errorf("signature does not recover a key: %v", err)
	}
	if !got.IsEqual(pub) {
		return errors.New("signature is not made by the record's key")
	}
	return nil
}

// KeyRecord is a BIP129 key record:
//
//	BSMS 1.0
//	TOKEN (hex, "00" without encryption)
//	KEY ([fingerprint/path]xpub or [fingerprint/path]pubkey)
//	description (at most 80 characters)
//	SIG (base64 legacy signature over the four lines above)
type KeyRecord struct {
	Token       []byte // nil (or one zero byte) for no encryption; else 8 or 16 bytes
	Key         string
	Description string
	Signature   string // base64; empty until signed
}

func (r *KeyRecord) tokenHex() (string, error) {
	switch len(r.Token) {
	case 0:
		return "00", nil
	case 1:
		if r.Token[0] == 0 {
			return "00", nil
		}
	case 8, 16:
		return hex.EncodeToString(r.Token), nil
	}
	return "", fmt.Errorf("bsms token is %d bytes; BIP129 takes none (00), 8 (standard) or 16 (extended)", len(r.Token))
}

// Message returns the four lines the signature covers, without a final
// newline (as BIP129's test vectors sign them).
func (r *KeyRecord) Message() ([]byte, error) {
	tok, err := r.tokenHex()
	if err != nil {
		return nil, err
	}
	if r.Key == "" || strings.ContainsAny(r.Key, "\r\n") {
		return nil, errors.New("bsms key line is empty or holds a line break")
	}
	if strings.ContainsAny(r.Description, "\r\n") || !utf8.ValidString(r.Description) {
		return nil, errors.New("bsms description must be one line of text")
	}
	if n := utf8.RuneCountInString(r.Description); n > maxDescription {
		return nil, fmt.Errorf("bsms description is %d characters; BIP129 allows %d", n, maxDescription)
	}
	return []byte(BSMSVersion + "\n" + tok + "\n" + r.Key + "\n" + r.Description), nil
}

// Sign signs the record with sign and checks the signature against the
// record's key before keeping it.
func (r *KeyRecord) Sign(sign Signer) error {
	if sign == nil {
		return errors.New("bsms: no signer")
	}
	msg, err := r.Message()
	if err != nil {
		return err
	}
	sig, err := sign(msg)
	if err != nil {
		return fmt.Errorf("bsms: sign key record: %w", err)
	}
	b64 := base64.StdEncoding.EncodeToString(sig)
	pub, err := recordPubKey(r.Key)
	if err != nil {
		return err
	}
	if err := VerifyMessage(pub, msg, b64); err != nil {
		return fmt.Errorf("bsms: the signer's signature does not match the record's key: %w", err)
	}
	r.Signature = b64
	return nil
}

// Bytes writes the signed record, five lines, without a final newline.
func (r *KeyRecord) Bytes() ([]byte, error) {
	msg, err := r.Message()
	if err != nil {
		return nil, err
	}
	if r.Signature == "" {
		return nil, errors.New("bsms key record is not signed")
	}
	return append(msg, "\n"+r.Signature...), nil
}

// Verify checks that the record's signature was made by its key.
func (r *KeyRecord) Verify() error {
	msg, err := r.Message()
	if err != nil {
		return err
	}
	pub, err := recordPubKey(r.Key)
	if err != nil {
		return err
	}
	return VerifyMessage(pub, msg, r.Signature)
}

// recordPubKey reads the public key of a KEY line: the xpub's own key, or
// the hex public key, after an optional origin.
func recordPubKey(key string) (*btcec.PublicKey, error) {
	d, err := wallet.ParseDescriptor("pk(" + key + ")")
	if err != nil {
		return nil, fmt.Errorf("bsms key line: %w", err)
	}
	k := d.Keys()[0]
	if xk := k.ExtendedKey(); xk != nil {
		if k.HasDerivation() {
			return nil, errors.New("bsms key line: an xpub takes no derivation steps here")
		}
		return xk.ECPubKey()
	}
	return btcec.ParsePubKey(k.PubKey())
}

// ParseKeyRecord reads a signed key record (a final newline is allowed).
func ParseKeyRecord(b []byte) (*KeyRecord, error) {
	s := strings.TrimSuffix(string(b), "\n")
	lines := strings.Split(s, "\n")
	if len(lines) != 5 {
		return nil, fmt.Errorf("bsms key record has %d lines, not 5", len(lines))
	}
	if lines[0] != BSMSVersion {
		return nil, fmt.Errorf("bsms key record line 1 is not %q", BSMSVersion)
	}
	tok, err := hex.DecodeString(lines[1])
	if err != nil {
		return nil, errors.New("bsms key record line 2 (token) is not hex")
	}
	r := &KeyRecord{Token: tok, Key: lines[2], Description: lines[3], Signature: lines[4]}
	if _, err := r.Message(); err != nil {
		return nil, err
	}
	return r, nil
}

// BSMSRecord returns the unsigned key record of an account: the four
// lines its signature covers. token is the coordinator's TOKEN, nil for
// no encryption. The key origin path is written with ' for hardened steps,
// as in BIP129's examples.
func BSMSRecord(a Account, token []byte, description string) ([]byte, error) {
	r, err := accountRecord(a, token, description)
	if err != nil {
		return nil, err
	}
	return r.Message()
}

func accountRecord(a Account, token []byte, description string) (*KeyRecord, error) {
	k, err := a.Key()
	if err != nil {
		return nil, err
	}
	key := "[" + wallet.FormatFingerprint(k.Origin.Fingerprint)
	if len(k.Origin.Path) > 0 {
		key += strings.TrimPrefix(k.Origin.Path.Apostrophe(), "m")
	}
	key += "]" + k.XPub.String()
	return &KeyRecord{Token: token, Key: key, Description: description}, nil
}

// BSMS is the "bsms" export: the account's signed key record. sign must
// sign with the private key of the account's xpub (NewMessageSigner over
// the key at the account path); the signature is checked before it is
// written. With a token, send EncryptBSMS(token, record) to the
// coordinator instead of the plain record.
func BSMS(a Account, token []byte, description string, sign Signer) ([]byte, error) {
	r, err := accountRecord(a, token, description)
	if err != nil {
		return nil, err
	}
	if err := r.Sign(sign); err != nil {
		return nil, err
	}
	return r.Bytes()
}

// bsmsKey derives BIP129's ENCRYPTION_KEY from a token:
// PBKDF2-HMAC-SHA512("No SPOF", salt token, 2048 rounds, 32 bytes).
func bsmsKey(token []byte) ([]byte, error) {
	if len(token) != 8 && len(token) != 16 {
		return nil, fmt.Errorf("bsms token is %d bytes; encryption takes 8 (standard) or 16 (extended)", len(token))
	}
	return pbkdf2.Key([]byte("No SPOF"), token, 2048, 32, sha512.New), nil
}

// bsmsMAC is HMAC-SHA256(SHA256(key), hex(token) || data).
func bsmsMAC(key, token, data []byte) []byte {
	hk := sha256.Sum256(key)
	m := hmac.New(sha256.New, hk[:])
	m.Write([]byte(hex.EncodeToString(token)))
	m.Write(data)
	wallet.Wipe(hk[:])
	return m.Sum(nil)
}

// EncryptBSMS encrypts a record (key record or descriptor record) for
// BIP129's STANDARD or EXTENDED mode: AES-256-CTR under the token's key,
// IV the first 16 bytes of the MAC, written as hex(MAC || ciphertext).
func EncryptBSMS(token, record []byte) ([]byte, error) {
	key, err := bsmsKey(token)
	if err != nil {
		return nil, err
	}
	defer wallet.Wipe(key)
	mac := bsmsMAC(key, token, record)
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, fmt.Errorf("bsms: %v", err)
	}
	ct := make([]byte, len(record))
	cipher.NewCTR(block, mac[:16]).XORKeyStream(ct, record)
	out := make([]byte, hex.EncodedLen(len(mac)+len(ct)))
	hex.Encode(out, append(mac, ct...))
	return out, nil
}

// DecryptBSMS reverses EncryptBSMS and checks the MAC; a wrong token or
// altered data fails.
func DecryptBSMS(token, data []byte) ([]byte, error) {
	key, err := bsmsKey(token)
	if err != nil {
		return nil, err
	}
	defer wallet.Wipe(key)
	raw := make([]byte, hex.DecodedLen(len(bytes.TrimSpace(data))))
	if _, err := hex.Decode(raw, bytes.TrimSpace(data)); err != nil {
		return nil, errors.New("bsms encrypted data is not hex")
	}
	if len(raw) < 32 {
		return nil, errors.New("bsms encrypted data is shorter than its MAC")
	}
	mac, ct := raw[:32], raw[32:]
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, fmt.Errorf("bsms: %v", err)
	}
	pt := make([]byte, len(ct))
	cipher.NewCTR(block, mac[:16]).XORKeyStream(pt, ct)
	if !hmac.Equal(bsmsMAC(key, token, pt), mac) {
		wallet.Wipe(pt)
		return nil, errors.New("bsms MAC does not match: wrong token or altered data")
	}
	return pt, nil
}
