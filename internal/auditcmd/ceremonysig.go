package auditcmd

import (
	"bytes"
	"crypto/ed25519"
	"encoding/hex"
	"errors"
	"fmt"
)

// CeremonySigFile is the name of the ceremony transcript's signature in
// the vault, beside ceremony.json.
const CeremonySigFile = "ceremony.sig"

// CeremonySigDomain is prepended to ceremony.json's bytes before they are
// signed, so the signature can never stand for a journal entry or anything
// else signed by the journal key.
const CeremonySigDomain = "coffer ceremony transcript v1\n"

// SignCeremony returns the content of ceremony.sig: the Ed25519 signature
// by the journal key over CeremonySigDomain followed by the transcript's
// exact bytes, as 128 lower-case hex digits and a newline.
func SignCeremony(key ed25519.PrivateKey, transcript []byte) []byte {
	msg := make([]byte, 0, len(CeremonySigDomain)+len(transcript))
	msg = append(msg, CeremonySigDomain...)
	msg = append(msg, transcript...)
	sig := ed25519.Sign(key, msg)
	out := make([]byte, hex.EncodedLen(len(sig))+1)
	hex.Encode(out, sig)
	out[len(out)-1] = '\n'
	return out
}

// ErrCeremonySignature means ceremony.sig does not verify: the transcript
// or its signature was changed, or another key signed it.
var ErrCeremonySignature = errors.New("the ceremony transcript's signature does not verify")

// VerifyCeremonySignature checks the content of ceremony.sig (sigFile)
// against the transcript's exact bytes and the journal public key.
func VerifyCeremonySignature(pub ed25519.PublicKey, transcript, sigFile []byte) error {
	if len(pub) != ed25519.PublicKeySize {
		return fmt.Errorf("journal public key of %d bytes is not an ed25519 public key", len(pub))
	}
	text := bytes.TrimSuffix(sigFile, []byte("\n"))
	if len(text) != 2*ed25519.SignatureSize {
		return fmt.Errorf("%s holds %d characters, not 128 hex digits and a newline", CeremonySigFile, len(sigFile))
	}
	sig := make([]byte, ed25519.SignatureSize)
	if _, err := hex.Decode(sig, text); err != nil || !bytes.Equal(text, bytes.ToLower(text)) {
		return fmt.Errorf("%s is not 128 lower-case hex digits", CeremonySigFile)
	}
	msg := make([]byte, 0, len(CeremonySigDomain)+len(transcript))
	msg = append(msg, CeremonySigDomain...)
	msg = append(msg, transcript...)
	if !ed25519.Verify(pub, msg, sig) {
		return ErrCeremonySignature
	}
	return nil
}
