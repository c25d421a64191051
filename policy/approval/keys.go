package approval

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/hiddeco/sshsig"
	"golang.org/x/crypto/ssh"

	"github.com/coffer-custody/coffer/internal/secret"
	"github.com/coffer-custody/coffer/internal/textsafe"
)

// The signature namespaces (OpenSSH's -n): an approval signature cannot
// pass as an admin's policy signature, nor the reverse.
const (
	NamespaceApproval = "coffer-approval" // approval documents
	NamespacePolicy   = "coffer-policy"   // policy files and admin statements
)

// Size bounds of what is read from outside.
const (
	MaxSignatureSize = 16 << 10 // a .sig file
	MaxPublicKeyLen  = 16 << 10 // a public key line
	MaxPrivateKeyLen = 16 << 10 // an approver key file
	minRSABits       = 3072
)

// Ed25519Prefix opens the short form of a coffer-watch approver key:
// "ed25519:" followed by the 32-byte public key in standard base64.
const Ed25519Prefix = "ed25519:"

// PublicKey is an approver's or an admin's public key: an ed25519 key made
// by `coffer-watch approver keygen` or any OpenSSH public key that
// `ssh-keygen -Y sign` can sign with (ed25519, ECDSA, their FIDO "sk"
// forms, RSA of 3072 bits or more). The zero PublicKey is no key.
type PublicKey struct {
	key ssh.PublicKey
}

// ParsePublicKey reads "ed25519:BASE64" (32 bytes) or one OpenSSH public
// key line ("ssh-ed25519 AAAA… comment", as in authorized_keys, without
// options).
func ParsePublicKey(s string) (PublicKey, error) {
	if len(s) > MaxPublicKeyLen {
		return PublicKey{}, fmt.Errorf("public key of %d characters is longer than %d", len(s), MaxPublicKeyLen)
	}
	s = strings.TrimSpace(s)
	if rest, ok := strings.CutPrefix(s, Ed25519Prefix); ok {
		raw, err := base64.StdEncoding.Strict().DecodeString(rest)
		if err != nil || len(raw) != ed25519.PublicKeySize {
			return PublicKey{}, errors.New("ed25519 key is not 32 bytes in standard base64 after \"ed25519:\"")
		}
		k, err := ssh.NewPublicKey(ed25519.PublicKey(raw))
		if err != nil {
			return PublicKey{}, fmt.Errorf("ed25519 key: %v", err)
		}
		return PublicKey{key: k}, nil
	}
	if strings.ContainsAny(s, "\n\r") {
		return PublicKey{}, errors.New("public key is more than one line")
	}
	fields := strings.Fields(s)
	if len(fields) < 2 {
		return PublicKey{}, errors.New(`public key is neither "ed25519:BASE64" nor an OpenSSH line "TYPE BASE64 [COMMENT]"`)
	}
	blob, err := base64.StdEncoding.DecodeString(fields[1])
	if err != nil {
		return PublicKey{}, fmt.Errorf("OpenSSH key of type %q: its key data is not base64", clip(fields[0]))
	}
	k, err := ssh.ParsePublicKey(blob)
	if err != nil {
		return PublicKey{}, fmt.Errorf("OpenSSH key of type %q cannot be read: %s", clip(fields[0]), sshWords(err))
	}
	if k.Type() != fields[0] {
		return PublicKey{}, fmt.Errorf("OpenSSH key says type %q but its data is a %s key", clip(fields[0]), k.Type())
	}
	if err := checkKeyType(k); err != nil {
		return PublicKey{}, err
	}
	return PublicKey{key: k}, nil
}

// checkKeyType accepts the key types Coffer trusts for approvals.
func checkKeyType(k ssh.PublicKey) error {
	switch k.Type() {
	case ssh.KeyAlgoED25519, ssh.KeyAlgoECDSA256, ssh.KeyAlgoECDSA384, ssh.KeyAlgoECDSA521,
		ssh.KeyAlgoSKED25519, ssh.KeyAlgoSKECDSA256:
		return nil
	case ssh.KeyAlgoRSA:
		ck, ok := k.(ssh.CryptoPublicKey)
		if !ok {
			return errors.New("RSA key cannot be read")
		}
		if rk, ok := ck.CryptoPublicKey().(*rsa.PublicKey); !ok || rk.N.BitLen() < minRSABits {
			return fmt.Errorf("RSA key is shorter than %d bits", minRSABits)
		}
		return nil
	}
	return fmt.Errorf("key type %s is not accepted (use ed25519 or ECDSA)", k.Type())
}

// IsZero reports whether k is the zero PublicKey.
func (k PublicKey) IsZero() bool { return k.key == nil }

// Type is the key's OpenSSH type name, e.g. "ssh-ed25519".
func (k PublicKey) Type() string {
	if k.key == nil {
		return ""
	}
	return k.key.Type()
}

// Fingerprint is OpenSSH's "SHA256:…" fingerprint of the key.
func (k PublicKey) Fingerprint() string {
	if k.key == nil {
		return ""
	}
	return ssh.FingerprintSHA256(k.key)
}

// Equal reports whether k and o are the same key.
func (k PublicKey) Equal(o PublicKey) bool {
	if k.key == nil || o.key == nil {
		return k.key == nil && o.key == nil
	}
	return bytes.Equal(k.key.Marshal(), o.key.Marshal())
}

// String is the key's canonical text: "ed25519:BASE64" for an ed25519 key,
// else the OpenSSH line without a comment.
func (k PublicKey) String() string {
	if k.key == nil {
		return ""
	}
	if k.key.Type() == ssh.KeyAlgoED25519 {
		if ck, ok := k.key.(ssh.CryptoPublicKey); ok {
			if pk, ok := ck.CryptoPublicKey().(ed25519.PublicKey); ok {
				return Ed25519Prefix + base64.StdEncoding.EncodeToString(pk)
			}
		}
	}
	return strings.TrimSpace(string(ssh.MarshalAuthorizedKey(k.key)))
}

// AuthorizedKey is the key as an OpenSSH line (for allowed_signers files
// and `ssh-keygen -Y verify`).
func (k PublicKey) AuthorizedKey() string {
	if k.key == nil {
		return ""
	}
	return strings.TrimSpace(string(ssh.MarshalAuthorizedKey(k.key)))
}

// Signature is an OpenSSH signature (PROTOCOL.sshsig), armored as
// `ssh-keygen -Y sign` writes it, over a file's exact bytes.
type Signature struct {
	sig *sshsig.Signature
	pub PublicKey
}

// ParseSignature reads an armored SSH signature: one "-----BEGIN SSH
// SIGNATURE-----" block and nothing else but white space.
func ParseSignature(b []byte) (*Signature, error) {
	if len(b) > MaxSignatureSize {
		return nil, fmt.Errorf("signature of %d bytes is larger than %d", len(b), MaxSignatureSize)
	}
	t := bytes.TrimSpace(b)
	if !bytes.HasPrefix(t, []byte("-----BEGIN "+sshsig.PEMType+"-----")) {
		return nil, errors.New(`not an SSH signature: it does not start with "-----BEGIN SSH SIGNATURE-----"`)
	}
	block, rest := pem.Decode(t)
	if block == nil || block.Type != sshsig.PEMType || len(block.Headers) != 0 {
		return nil, errors.New("SSH signature armor is broken")
	}
	if len(bytes.TrimSpace(rest)) != 0 {
		return nil, errors.New("SSH signature is followed by more data")
	}
	s, err := sshsig.ParseSignature(block.Bytes)
	if err != nil {
		return nil, fmt.Errorf("SSH signature cannot be read: %s", sshWords(err))
	}
	if s.Signature == nil || s.PublicKey == nil {
		return nil, errors.New("SSH signature has no key or no signature")
	}
	if err := checkKeyType(s.PublicKey); err != nil {
		return nil, fmt.Errorf("SSH signature made by a key Coffer does not accept: %v", err)
	}
	return &Signature{sig: s, pub: PublicKey{key: s.PublicKey}}, nil
}

// PublicKey is the key the signature says made it (a claim until Verify).
func (s *Signature) PublicKey() PublicKey { return s.pub }

// Namespace is the signature's namespace (OpenSSH -n).
func (s *Signature) Namespace() string { return s.sig.Namespace }

// Marshal returns the armored signature.
func (s *Signature) Marshal() []byte { return sshsig.Armor(s.sig) }

// ErrBadSignature means a signature does not verify: wrong key, wrong
// namespace or other bytes than the ones signed.
var ErrBadSignature = errors.New("signature does not verify")

// Verify checks that s is pub's signature over msg in namespace.
func (s *Signature) Verify(pub PublicKey, namespace string, msg []byte) error {
	if pub.key == nil {
		return fmt.Errorf("%w: no public key", ErrBadSignature)
	}
	if !s.pub.Equal(pub) {
		return fmt.Errorf("%w: it was made by key %s, not %s", ErrBadSignature, s.pub.Fingerprint(), pub.Fingerprint())
	}
	if s.sig.Namespace != namespace {
		return fmt.Errorf("%w: its namespace is %q, not %q", ErrBadSignature, clip(s.sig.Namespace), namespace)
	}
	if err := sshsig.Verify(bytes.NewReader(msg), s.sig, pub.key, s.sig.HashAlgorithm, namespace); err != nil {
		return fmt.Errorf("%w: the signed bytes differ (the file was changed after signing, or the signature is for another file)", ErrBadSignature)
	}
	return nil
}

// PrivateKey is a coffer-watch approver key: an ed25519 key kept in an
// OpenSSH private key file, so `ssh-keygen -Y sign -f FILE` can use it as
// well. Its bytes are unexported; Zero wipes them; it never prints.
type PrivateKey struct {
	_   [0]func() // not comparable
	key ed25519.PrivateKey
}

// GenerateKey makes a new approver key from rand (crypto/rand.Reader).
func GenerateKey(rand io.Reader) (*PrivateKey, error) {
	_, k, err := ed25519.GenerateKey(rand)
	if err != nil {
		return nil, fmt.Errorf("cannot generate an ed25519 key: %v", err)
	}
	return &PrivateKey{key: k}, nil
}

// ParsePrivateKey reads an unencrypted OpenSSH ed25519 private key file.
// The caller wipes b after use.
func ParsePrivateKey(b []byte) (*PrivateKey, error) {
	if len(b) > MaxPrivateKeyLen {
		return nil, fmt.Errorf("key file of %d bytes is larger than %d", len(b), MaxPrivateKeyLen)
	}
	raw, err := ssh.ParseRawPrivateKey(b)
	var missing *ssh.PassphraseMissingError
	if errors.As(err, &missing) {
		return nil, errors.New("key file is encrypted with a passphrase; sign with 'ssh-keygen -Y sign' instead")
	}
	if err != nil {
		return nil, errors.New("key file is not an OpenSSH private key")
	}
	var k ed25519.PrivateKey
	switch v := raw.(type) {
	case *ed25519.PrivateKey:
		k = *v
	case ed25519.PrivateKey:
		k = v
	case *ecdsa.PrivateKey, *rsa.PrivateKey:
		return nil, errors.New("key file holds an ECDSA or RSA key; approver keys are ed25519 (sign ECDSA approvals with 'ssh-keygen -Y sign')")
	default:
		return nil, errors.New("key file does not hold an ed25519 key")
	}
	if len(k) != ed25519.PrivateKeySize {
		return nil, errors.New("key file holds a malformed ed25519 key")
	}
	out := &PrivateKey{key: bytes.Clone(k)}
	secret.Wipe(k)
	return out, nil
}

// Marshal writes the key as an OpenSSH private key file (unencrypted; the
// caller writes it 0600) with comment, usually the approver's id.
func (k *PrivateKey) Marshal(comment string) ([]byte, error) {
	if len(k.key) != ed25519.PrivateKeySize {
		return nil, errors.New("the key was wiped")
	}
	block, err := ssh.MarshalPrivateKey(k.key, comment)
	if err != nil {
		return nil, fmt.Errorf("cannot encode the key: %v", err)
	}
	out := pem.EncodeToMemory(block)
	secret.Wipe(block.Bytes)
	return out, nil
}

// Public returns the key's public half.
func (k *PrivateKey) Public() PublicKey {
	if len(k.key) != ed25519.PrivateKeySize {
		return PublicKey{}
	}
	pk, err := ssh.NewPublicKey(k.key.Public())
	if err != nil {
		return PublicKey{}
	}
	return PublicKey{key: pk}
}

// Sign signs msg in namespace and returns the armored signature, in the
// same format `ssh-keygen -Y sign` writes (SHA-512).
func (k *PrivateKey) Sign(rand io.Reader, namespace string, msg []byte) ([]byte, error) {
	if len(k.key) != ed25519.PrivateKeySize {
		return nil, errors.New("the key was wiped")
	}
	signer, err := ssh.NewSignerFromKey(k.key)
	if err != nil {
		return nil, fmt.Errorf("cannot sign: %v", err)
	}
	s, err := sshsig.SignWithRand(bytes.NewReader(msg), rand, signer, sshsig.HashSHA512, namespace)
	if err != nil {
		return nil, fmt.Errorf("cannot sign: %v", err)
	}
	return sshsig.Armor(s), nil
}

// Zero wipes the key.
func (k *PrivateKey) Zero() {
	secret.Wipe(k.key)
	k.key = nil
}

// String never shows the key.
func (k *PrivateKey) String() string { return secret.Redacted }

// GoString never shows the key.
func (k *PrivateKey) GoString() string { return secret.Redacted }

// Format never shows the key, whatever the verb.
func (k *PrivateKey) Format(f fmt.State, _ rune) { io.WriteString(f, secret.Redacted) }

// sshWords rewrites an error of the ssh libraries in our wording: lower
// case, without their "ssh: " prefix.
func sshWords(err error) string {
	s := strings.TrimPrefix(err.Error(), "ssh: ")
	s = strings.TrimPrefix(s, "sshsig: ")
	if s != "" {
		s = strings.ToLower(s[:1]) + s[1:]
	}
	return clip(s)
}

// clip bounds text from outside before it goes into a message.
func clip(s string) string { return textsafe.Clip(s, 64) }
