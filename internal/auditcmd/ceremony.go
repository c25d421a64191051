package auditcmd

import (
	"bytes"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/btcsuite/btcd/btcutil/hdkeychain"

	"github.com/coffer-custody/coffer/audit"
	"github.com/coffer-custody/coffer/internal/buildinfo"
	"github.com/coffer-custody/coffer/wallet"
)

// CeremonyOptions say what VerifyCeremony checks besides the transcript's
// signature.
type CeremonyOptions struct {
	Path      string            // ceremony.json
	SigPath   string            // its signature; "" for ceremony.sig beside it
	PublicKey ed25519.PublicKey // optional: the journal key the auditor holds; must be the transcript's
	Exports   []string          // watch-only exports whose keys must be the ceremony's
	Binary    string            // optional: a coffer binary whose SHA-256 must be the recorded one
	Journal   string            // optional: a journal whose seq 1 must record this transcript
}

// CeremonyReport is what VerifyCeremony found.
type CeremonyReport struct {
	Ceremony          string  `json:"ceremony"`
	SHA256            string  `json:"sha256"`
	Kind              string  `json:"kind,omitempty"`
	Date              string  `json:"date,omitempty"`
	Network           string  `json:"network,omitempty"`
	MasterFingerprint string  `json:"master_fingerprint,omitempty"`
	JournalPublicKey  string  `json:"journal_public_key,omitempty"`
	BinarySHA256      string  `json:"binary_sha256,omitempty"`
	Checks            []Check `json:"checks"`
	Valid             bool    `json:"valid"`
}

// Check is one thing VerifyCeremony checked.
type Check struct {
	Name    string `json:"name"`    // signature, export, binary, journal
	Subject string `json:"subject"` // the file checked
	OK      bool   `json:"ok"`
	Detail  string `json:"detail"`
}

// maxExportSize bounds an export file read for its keys.
const maxExportSize = 4 << 20

// VerifyCeremony checks a ceremony transcript: its signature by the
// journal key it names (ceremony.sig), that every export's keys of this
// master are the transcript's, that a binary hashes to the recorded
// SHA-256, and that a journal records the transcript. Every check runs and
// is reported; the error says how many failed.
func VerifyCeremony(o CeremonyOptions) (*CeremonyReport, error) {
	rep := &CeremonyReport{Ceremony: o.Path, Checks: []Check{}}
	data, err := readBounded(o.Path, 1<<20, "ceremony transcript")
	if err != nil {
		return rep, err
	}
	sum := sha256.Sum256(data)
	rep.SHA256 = hex.EncodeToString(sum[:])
	c, err := audit.ReadCeremony(bytes.NewReader(data), o.Path)
	if err != nil {
		return rep, err
	}
	rep.Kind, rep.Date, rep.Network = c.Kind, c.Date.UTC().Format("2006-01-02T15:04:05Z"), c.Network
	rep.MasterFingerprint, rep.JournalPublicKey, rep.BinarySHA256 = c.MasterFingerprint, c.JournalPublicKey, c.BinarySHA256

	pub, perr := audit.ParsePublicKey(c.JournalPublicKey)
	if c.JournalPublicKey == "" {
		perr = errors.New("the transcript records no journal_public_key (a vault made before transcripts were signed)")
	}

	// 1. The transcript's signature.
	sigPath := o.SigPath
	if sigPath == "" {
		sigPath = filepath.Join(filepath.Dir(o.Path), CeremonySigFile)
	}
	sig := Check{Name: "signature", Subject: sigPath}
	switch sigData, err := readBounded(sigPath, 1024, "ceremony signature"); {
	case perr != nil:
		sig.Detail = perr.Error()
	case o.PublicKey != nil && !bytes.Equal(o.PublicKey, pub):
		sig.Detail = fmt.Sprintf("the transcript names journal key %s, not the key given (%s)", c.JournalPublicKey, audit.FormatPublicKey(o.PublicKey))
	case err != nil:
		sig.Detail = err.Error()
	default:
		if err := VerifyCeremonySignature(pub, data, sigData); err != nil {
			sig.Detail = err.Error()
		} else {
			sig.OK = true
			sig.Detail = "signed by journal key " + c.JournalPublicKey
			if o.PublicKey == nil {
				sig.Detail += " (named by the transcript itself: compare it with the key you hold)"
			}
		}
	}
	rep.Checks = append(rep.Checks, sig)

	// 2. The exports' keys.
	for _, path := range o.Exports {
		rep.Checks = append(rep.Checks, checkExport(c, path))
	}

	// 3. The binary.
	if o.Binary != "" {
		ch := Check{Name: "binary", Subject: o.Binary}
		if got, err := hashFile(o.Binary); err != nil {
			ch.Detail = err.Error()
		} else if c.BinarySHA256 == "" {
			ch.Detail = "the transcript records no binary hash"
		} else if got != c.BinarySHA256 {
			ch.Detail = fmt.Sprintf("it hashes to %s, but the ceremony ran a binary hashing to %s", got, c.BinarySHA256)
		} else {
			ch.OK, ch.Detail = true, "sha256 "+got+" is the recorded one"
		}
		rep.Checks = append(rep.Checks, ch)
	}

	// 4. The journal.
	if o.Journal != "" {
		ch := Check{Name: "journal", Subject: o.Journal}
		if perr != nil {
			ch.Detail = perr.Error()
		} else {
			jr, err := VerifyJournal(o.Journal, JournalOptions{PublicKey: pub, CeremonySHA256: &sum})
			switch {
			case err != nil:
				ch.Detail = err.Error()
			case !jr.CeremonyChecked:
				ch.Detail = "the journal does not start at seq 1, so it cannot show the ceremony"
			default:
				ch.OK = true
				ch.Detail = fmt.Sprintf("%d entries verify and seq 1 (%s) records this transcript", jr.Entries, c.Kind)
			}
		}
		rep.Checks = append(rep.Checks, ch)
	}

	failed := 0
	var first *Check
	for i := range rep.Checks {
		if !rep.Checks[i].OK {
			failed++
			if first == nil {
				first = &rep.Checks[i]
			}
		}
	}
	if failed > 0 {
		return rep, fmt.Errorf("%d of %d checks failed; first: %s %s: %s", failed, len(rep.Checks), first.Name, first.Subject, first.Detail)
	}
	rep.Valid = true
	return rep, nil
}

// keyPattern finds extended public keys in an export, with the key origin
// written before them in brackets when there is one.
var keyPattern = regexp.MustCompile(`(?:\[([0-9a-fA-F]{8})((?:/[0-9]+['hH]?)*)\])?\b([xtyzuvYZUV]pub[1-9A-HJ-NP-Za-km-z]{100,112})\b`)

// ExportKey is an extended public key found in an export.
type ExportKey struct {
	Origin string // "73c5da0a/84h/1h/0h"; "" when written without one
	XPub   string // as written
}

// ExportKeys lists the distinct extended public keys in an export's text
// (descriptors, Bitcoin Core JSON, BSMS, generic JSON, Electrum files), in
// the order they first appear.
func ExportKeys(text []byte) []ExportKey {
	var keys []ExportKey
	seen := map[ExportKey]bool{}
	for _, m := range keyPattern.FindAllSubmatch(text, -1) {
		k := ExportKey{XPub: string(m[3])}
		if len(m[1]) > 0 {
			k.Origin = strings.ToLower(string(m[1])) + string(m[2])
		}
		if !seen[k] {
			seen[k] = true
			keys = append(keys, k)
		}
	}
	return keys
}

// checkExport matches an export's keys with the transcript's accounts.
func checkExport(c *audit.Ceremony, path string) Check {
	ch := Check{Name: "export", Subject: path}
	text, err := readBounded(path, maxExportSize, "export")
	if err != nil {
		ch.Detail = err.Error()
		return ch
	}
	keys := ExportKeys(text)
	if len(keys) == 0 {
		ch.Detail = "no extended public key found in it (an encrypted BSMS record must be decrypted first)"
		return ch
	}
	type account struct {
		path wallet.Path
		xpub string // standard form
	}
	var accounts []account
	for _, a := range c.Accounts {
		p, err1 := wallet.ParsePath(a.Path)
		k, _, err2 := wallet.ParseExtendedKey(a.XPub)
		if err1 != nil || err2 != nil {
			ch.Detail = fmt.Sprintf("the transcript's %s account %s cannot be read", a.Script, a.Path)
			return ch
		}
		accounts = append(accounts, account{p, k.String()})
	}
	var matched, unchecked []string
	others := 0
	ourFP := strings.ToLower(c.MasterFingerprint)
	// A key written bare and also with its origin (generic JSON has both,
	// and SLIP-132 twins) is judged once, by its origin.
	parsed := make([]*hdkeychain.ExtendedKey, len(keys))
	withOrigin := map[string]bool{}
	for i, k := range keys {
		key, _, err := wallet.ParseExtendedKey(k.XPub)
		if err != nil {
			ch.Detail = fmt.Sprintf("key %d (%s…): %v", i+1, abbrev(k.XPub), err)
			return ch
		}
		parsed[i] = key
		if k.Origin != "" {
			withOrigin[key.String()] = true
		}
	}
	for i, k := range keys {
		key := parsed[i]
		std := key.String()
		if k.Origin == "" && withOrigin[std] {
			continue
		}
		if k.Origin == "" && key.Depth() == 0 {
			// A master public key: the transcript records only its
			// fingerprint, and no account can be derived from it.
			if pub, err := key.ECPubKey(); err == nil && wallet.FormatFingerprint(wallet.PubKeyFingerprint(pub.SerializeCompressed())) == ourFP {
				unchecked = append(unchecked, "["+ourFP+"] (the master key: only its fingerprint is recorded)")
			} else {
				others++
			}
			continue
		}
		if k.Origin != "" {
			fp, rest, _ := strings.Cut(k.Origin, "/")
			if fp != ourFP {
				others++ // another signer's key (a multisig descriptor)
				continue
			}
			p, err := wallet.ParsePath("m/" + rest)
			if rest == "" || err != nil {
				ch.Detail = fmt.Sprintf("key %d [%s]: the origin path cannot be read", i+1, k.Origin)
				return ch
			}
			found := false
			for _, a := range accounts {
				if a.path.Equal(p) {
					found = true
					if a.xpub != std {
						ch.Detail = fmt.Sprintf("key %d [%s]%s… is not the ceremony's key for %s (%s…)", i+1, k.Origin, abbrev(k.XPub), a.path, abbrev(a.xpub))
						return ch
					}
				}
			}
			if found {
				matched = append(matched, "["+k.Origin+"]")
			} else {
				unchecked = append(unchecked, "["+k.Origin+"]")
			}
			continue
		}
		found := false
		for _, a := range accounts {
			if a.xpub == std {
				found = true
				matched = append(matched, "["+ourFP+"/"+a.path.Unprefixed()+"]")
			}
		}
		if !found {
			ch.Detail = fmt.Sprintf("key %d %s… is none of the ceremony's keys", i+1, abbrev(k.XPub))
			return ch
		}
	}
	matched, unchecked = dedupe(matched), dedupe(unchecked)
	notChecked := ""
	if len(unchecked) > 0 {
		notChecked = fmt.Sprintf("%d key(s) of master %s at paths the ceremony did not record, not checked: %s", len(unchecked), c.MasterFingerprint, strings.Join(unchecked, ", "))
	}
	if len(matched) == 0 {
		if notChecked != "" {
			ch.Detail = "no key could be checked against the ceremony; " + notChecked
		} else {
			ch.Detail = fmt.Sprintf("none of its %d keys is of master %s", len(keys), c.MasterFingerprint)
		}
		return ch
	}
	ch.OK = true
	ch.Detail = fmt.Sprintf("%d key(s) of the ceremony: %s", len(matched), strings.Join(matched, ", "))
	if notChecked != "" {
		ch.Detail += "; " + notChecked
	}
	if others > 0 {
		ch.Detail += fmt.Sprintf("; %d key(s) of other signers", others)
	}
	return ch
}

func dedupe(s []string) []string {
	var out []string
	seen := map[string]bool{}
	for _, x := range s {
		if !seen[x] {
			seen[x] = true
			out = append(out, x)
		}
	}
	return out
}

func abbrev(s string) string {
	if len(s) > 16 {
		return s[:16]
	}
	return s
}

// readBounded reads a whole file of at most max bytes.
func readBounded(path string, max int64, what string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("cannot open %s %s: %v", what, path, unwrapPath(err))
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, max+1))
	if err != nil {
		return nil, fmt.Errorf("cannot read %s %s: %v", what, path, unwrapPath(err))
	}
	if int64(len(data)) > max {
		return nil, fmt.Errorf("%s %s is larger than %d bytes", what, path, max)
	}
	return data, nil
}

func hashFile(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", fmt.Errorf("cannot open binary %s: %v", path, unwrapPath(err))
	}
	defer f.Close()
	return buildinfo.HashFile(f)
}
