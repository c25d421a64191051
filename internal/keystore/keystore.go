package keystore

import (
	"bytes"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"time"

	"golang.org/x/crypto/chacha20poly1305"

	"github.com/coffer-custody/coffer/internal/atomicfile"
	"github.com/coffer-custody/coffer/internal/secret"
)

// Meta is what a keystore keeps in clear: readable without the passphrase,
// and bound to the ciphertext so that editing it fails authentication.
type Meta struct {
	Network           string    // "mainnet", "testnet", "signet" or "regtest"
	MasterFingerprint string    // BIP32 master key fingerprint, 8 lower-case hex digits
	Created           time.Time // when the keystore was created; zero if not recorded. Kept to the second, in UTC.
}

// writeFunc writes a keystore file; tests pass one that fails part way.
type writeFunc func(path string, data []byte, perm os.FileMode) error

// Create encrypts s under passphrase and writes a new keystore at path with
// mode 0600. It refuses to replace an existing file (the error wraps
// [fs.ErrExist]). s and passphrase are not wiped; the caller does.
func Create(path string, s *Secret, passphrase []byte, m Meta) error {
	return create(path, s, passphrase, m, newParams(), atomicfile.WriteNew)
}

func create(path string, s *Secret, passphrase []byte, m Meta, p kdfParams, write writeFunc) error {
	if err := s.check(); err != nil {
		return fmt.Errorf("keystore %s: %w", path, err)
	}
	if err := checkNetwork(m.Network); err != nil {
		return fmt.Errorf("keystore %s: %w", path, err)
	}
	if err := checkFingerprint(m.MasterFingerprint); err != nil {
		return fmt.Errorf("keystore %s: %w", path, err)
	}
	if len(passphrase) == 0 {
		return fmt.Errorf("keystore %s: the passphrase is empty", path)
	}
	hdr := &file{meta: Meta{Network: m.Network, MasterFingerprint: m.MasterFingerprint}, kdf: p}
	if !m.Created.IsZero() {
		hdr.meta.Created = m.Created.UTC().Truncate(time.Second)
		hdr.created = hdr.meta.Created.Format(time.RFC3339)
	}
	data, err := seal(hdr, s, passphrase)
	if err != nil {
		return fmt.Errorf("keystore %s: %w", path, err)
	}
	if err := write(path, data, 0o600); err != nil {
		if errors.Is(err, fs.ErrExist) {
			return fmt.Errorf("keystore %s already exists and is never overwritten: %w", path, fs.ErrExist)
		}
		return fmt.Errorf("keystore %s: %w", path, err)
	}
	return nil
}

// Open reads the keystore at path and decrypts it with passphrase. It
// returns [ErrWrongPassphrase] when decryption fails (see there: an altered
// file fails the same way) and a *[CorruptError] when the file is damaged.
// A missing file gives an error wrapping [fs.ErrNotExist]. Wipe the returned
// Secret after use.
func Open(path string, passphrase []byte) (*Secret, Meta, error) {
	f, err := readKeystore(path)
	if err != nil {
		return nil, Meta{}, err
	}
	s, err := unseal(path, f, passphrase)
	if err != nil {
		return nil, Meta{}, err
	}
	return s, f.meta, nil
}

// ReadMeta reads the clear fields of the keystore at path without a
// passphrase. It validates the whole file as Open does, short of
// decrypting it, so a nil error means the file is well formed, not that it
// is authentic.
func ReadMeta(path string) (Meta, error) {
	f, err := readKeystore(path)
	if err != nil {
		return Meta{}, err
	}
	return f.meta, nil
}

// ChangePassphrase re-encrypts the keystore at path under newPassphrase,
// with a fresh salt and nonce and the current KDF parameters, and replaces
// the file atomically. The clear fields are kept. On any failure, including
// a wrong oldPassphrase ([ErrWrongPassphrase]), the old file is left as it
// was. The passphrases are not wiped; the caller does.
func ChangePassphrase(path string, oldPassphrase, newPassphrase []byte) error {
	return changePassphrase(path, oldPassphrase, newPassphrase, atomicfile.Write)
}

func changePassphrase(path string, oldPassphrase, newPassphrase []byte, write writeFunc) error {
	if len(newPassphrase) == 0 {
		return fmt.Errorf("keystore %s: the new passphrase is empty", path)
	}
	f, err := readKeystore(path)
	if err != nil {
		return err
	}
	s, err := unseal(path, f, oldPassphrase)
	if err != nil {
		return err
	}
	defer s.Wipe()
	hdr := &file{meta: f.meta, created: f.created, kdf: newParams()}
	data, err := seal(hdr, s, newPassphrase)
	if err != nil {
		return fmt.Errorf("keystore %s: %w", path, err)
	}
	if err := write(path, data, 0o600); err != nil {
		return fmt.Errorf("keystore %s: %w", path, err)
	}
	return nil
}

// readKeystore reads at most maxFileSize+1 bytes of path and parses them.
func readKeystore(path string) (*file, error) {
	fh, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("keystore %s: %w", path, unwrapPathError(err))
	}
	defer fh.Close()
	data, err := io.ReadAll(io.LimitReader(fh, maxFileSize+1))
	if err != nil {
		return nil, fmt.Errorf("keystore %s: %w", path, unwrapPathError(err))
	}
	return parseFile(path, data)
}

// seal fills in hdr's salt, nonce and ciphertext from s and passphrase and
// returns the file's bytes, after checking that they parse and decrypt back
// to s.
func seal(hdr *file, s *Secret, passphrase []byte) ([]byte, error) {
	hdr.salt = make([]byte, saltLen)
	hdr.nonce = make([]byte, nonceLen)
	if _, err := rand.Read(hdr.salt); err != nil {
		return nil, fmt.Errorf("cannot draw a salt: %w", err)
	}
	if _, err := rand.Read(hdr.nonce); err != nil {
		return nil, fmt.Errorf("cannot draw a nonce: %w", err)
	}
	key := deriveKey(passphrase, hdr.salt, hdr.kdf)
	defer secret.Wipe(key)
	aead, err := chacha20poly1305.NewX(key)
	if err != nil {
		return nil, fmt.Errorf("cannot set up the cipher: %w", err)
	}
	pt := secret.New(plaintextLen(s))
	defer pt.Destroy()
	encodePlaintext(pt.Bytes(), s)
	hdr.ciphertext = aead.Seal(nil, hdr.nonce, pt.Bytes(), associatedData(hdr))
	data, err := encodeFile(hdr)
	if err != nil {
		return nil, err
	}

	// Read back what is about to be written, as Open will.
	back, err := parseFile("(new)", data)
	if err != nil {
		return nil, fmt.Errorf("the new keystore does not read back: %w", err)
	}
	check := secret.New(len(back.ciphertext) - tagLen)
	defer check.Destroy()
	if _, err := aead.Open(check.Bytes()[:0], back.nonce, back.ciphertext, associatedData(back)); err != nil {
		return nil, errors.New("the new keystore does not decrypt back")
	}
	if !bytes.Equal(check.Bytes(), pt.Bytes()) {
		return nil, errors.New("the new keystore decrypts to something else")
	}
	return data, nil
}

// unseal derives the key from passphrase and decrypts f.
func unseal(path string, f *file, passphrase []byte) (*Secret, error) {
	if len(passphrase) == 0 {
		return nil, ErrWrongPassphrase
	}
	key := deriveKey(passphrase, f.salt, f.kdf)
	defer secret.Wipe(key)
	aead, err := chacha20poly1305.NewX(key)
	if err != nil {
		return nil, fmt.Errorf("keystore %s: cannot set up the cipher: %w", path, err)
	}
	buf := secret.New(len(f.ciphertext) - tagLen)
	if _, err := aead.Open(buf.Bytes()[:0], f.nonce, f.ciphertext, associatedData(f)); err != nil {
		buf.Destroy()
		return nil, ErrWrongPassphrase
	}
	s, err := decodePlaintext(buf)
	if err != nil {
		buf.Destroy()
		return nil, corrupt(path, "%v", err)
	}
	return s, nil
}

// unwrapPathError drops the *fs.PathError layer, whose message repeats the
// path in Go's wording, keeping the cause for errors.Is.
func unwrapPathError(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}
