package wallet

// Registered multisig wallets: what a signer imports from the coordinator
// (a descriptor, or a BIP129 BSMS descriptor record) and the file that
// keeps it in the vault's wallets/ folder.
//
// To import: ParseMultisigImport(data, network), then check that one key
// is the vault's own (re-derive it: the fingerprint alone proves nothing),
// then store a Registration made with NewRegistration. To read the store
// back: ParseRegistration, then Verify with the key that signed it.

import (
	"bytes"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"
)

// MaxImportLen bounds a multisig import file (descriptor or BSMS record).
const MaxImportLen = MaxDescriptorLen + 1024

// MaxRegistrationLen bounds a registration file of the wallets/ folder.
const MaxRegistrationLen = 64 << 10

// RegistrationFormat is the format tag of a registration file.
const RegistrationFormat = "coffer-multisig-wallet-1"

// registrationDomain separates the registration signature from every other
// use of the key that makes it.
const registrationDomain = "coffer multisig wallet registration v1\n"

// Import sources.
const (
	SourceDescriptor = "descriptor" // an output descriptor, one line
	SourceBSMS       = "bsms"       // a BIP129 descriptor record (round 2)
)

// MultisigImport is a multisig wallet read from a coordinator's file.
type MultisigImport struct {
	Descriptor   *Descriptor
	Source       string // SourceDescriptor or SourceBSMS
	FirstAddress string // receive address 0, checked against the BSMS record when it has one
	SHA256       string // of the file as given, hex
}

// ParseMultisigImport reads a multisig wallet for network n: a descriptor
// wsh(multi|sortedmulti(...)) or sh(wsh(...)) with a key origin on every
// key (a #checksum is checked when present), or a BIP129 descriptor
// record (BSMS 1.0, the descriptor or template with /**, the path
// restrictions, the first address), whose first address must be the one
// the descriptor derives. Surrounding white space is allowed.
//
// Errors name the line of a BSMS record and the key by its number.
func ParseMultisigImport(data []byte, n Network) (*MultisigImport, error) {
	if len(data) > MaxImportLen {
		return nil, fmt.Errorf("the file is %d bytes, more than the %d a multisig descriptor or BSMS record takes", len(data), MaxImportLen)
	}
	sum := sha256.Sum256(data)
	text := strings.ReplaceAll(string(bytes.TrimSpace(data)), "\r\n", "\n")
	if text == "" {
		return nil, errors.New("the file is empty")
	}
	imp := &MultisigImport{SHA256: hex.EncodeToString(sum[:])}
	var claimed string
	var err error
	if strings.HasPrefix(text, "BSMS ") {
		imp.Source = SourceBSMS
		imp.Descriptor, claimed, err = parseBSMSDescriptorRecord(text)
	} else {
		if strings.ContainsAny(text, "\n") {
			return nil, errors.New("the file has several lines: a descriptor is one line, a BSMS record starts with \"BSMS 1.0\"")
		}
		if isHex(text) {
			return nil, errors.New("the file is hex: an encrypted BSMS record must be decrypted by the coordinator's tool first")
		}
		imp.Source = SourceDescriptor
		imp.Descriptor, err = ParseDescriptor(text)
		if err != nil {
			err = fmt.Errorf("descriptor: %w", err)
		}
	}
	if err != nil {
		return nil, err
	}
	d := imp.Descriptor
	if err := checkMultisigWallet(d, n); err != nil {
		return nil, err
	}
	addr, err := d.Address(0, 0, n)
	if err != nil {
		return nil, fmt.Errorf("cannot derive the first receive address: %w", err)
	}
	imp.FirstAddress = addr.EncodeAddress()
	if claimed != "" && claimed != imp.FirstAddress {
		return nil, fmt.Errorf("bsms line 4: the record's first address %s is not %s, the first address its descriptor derives on %s", claimed, imp.FirstAddress, n)
	}
	return imp, nil
}

// checkMultisigWallet holds what a registered wallet must be: a segwit
// multisig of keys with origins, all for network n.
func checkMultisigWallet(d *Descriptor, n Network) error {
	st := d.ScriptType()
	if !st.IsMultisig() {
		return fmt.Errorf("descriptor %s is not a multisig wallet: Coffer registers wsh(multi|sortedmulti(...)) and sh(wsh(...))", shortDescriptor(d))
	}
	if err := d.CheckNetwork(n); err != nil {
		return fmt.Errorf("descriptor: %w (the vault is on %s)", err, n)
	}
	keys := d.Keys()
	if t := d.Threshold(); t < 1 || t > len(keys) {
		return fmt.Errorf("descriptor: threshold %d of %d keys", t, len(keys))
	}
	seen := map[string]int{}
	for i, k := range keys {
		o, ok := k.Origin()
		if !ok {
			return fmt.Errorf("descriptor: key %d has no key origin [fingerprint/path]; a signer needs it to find its key", i+1)
		}
		id := o.String() + "|" + hex.EncodeToString(k.PubKey())
		if j, dup := seen[id]; dup {
			return fmt.Errorf("descriptor: key %d repeats key %d", i+1, j+1)
		}
		seen[id] = i
	}
	return nil
}

func shortDescriptor(d *Descriptor) string {
	s := d.WithoutChecksum()
	if len(s) > 40 {
		return s[:37] + "..."
	}
	return s
}

var bsmsRestriction = regexp.MustCompile(`^/([0-9]{1,9})/\*$`)

// parseBSMSDescriptorRecord reads a BIP129 round-2 record: the descriptor
// and the first address it claims.
func parseBSMSDescriptorRecord(text string) (*Descriptor, string, error) {
	lines := strings.Split(text, "\n")
	for i := range lines {
		lines[i] = strings.TrimSpace(lines[i])
	}
	if lines[0] != "BSMS 1.0" {
		return nil, "", fmt.Errorf("bsms line 1: %q is not \"BSMS 1.0\"", truncate(lines[0], 20))
	}
	if len(lines) >= 2 && isHex(lines[1]) {
		return nil, "", errors.New("bsms line 2: this is a signer's key record (round 1), not the coordinator's descriptor record (round 2)")
	}
	if len(lines) != 4 {
		return nil, "", fmt.Errorf("bsms: a descriptor record has 4 lines (version, descriptor, path restrictions, first address), this one has %d", len(lines))
	}
	tmpl, restr, addr := lines[1], lines[2], lines[3]
	if restr == "No path restrictions" {
		if strings.Contains(tmpl, "/**") {
			return nil, "", errors.New("bsms line 3: the template uses /** but the record gives no path restrictions")
		}
		d, err := ParseDescriptor(tmpl)
		if err != nil {
			return nil, "", fmt.Errorf("bsms line 2: %w", err)
		}
		return d, addr, nil
	}
	var alts []string
	for _, r := range strings.Split(restr, ",") {
		m := bsmsRestriction.FindStringSubmatch(strings.TrimSpace(r))
		if m == nil {
			return nil, "", fmt.Errorf("bsms line 3: path restriction %q is not of the form /N/*", truncate(r, 20))
		}
		alts = append(alts, m[1])
	}
	if len(alts) > 2 {
		return nil, "", fmt.Errorf("bsms line 3: %d path restrictions; Coffer takes a receive and a change branch", len(alts))
	}
	if !strings.Contains(tmpl, "/**") {
		return nil, "", errors.New("bsms line 2: path restrictions are given but the template has no /**")
	}
	body, _, err := SplitChecksum(tmpl)
	if err != nil {
		return nil, "", fmt.Errorf("bsms line 2: %w", err)
	}
	steps := "/" + alts[0] + "/*"
	if len(alts) == 2 {
		steps = "/<" + alts[0] + ";" + alts[1] + ">/*"
	}
	d, err := ParseDescriptor(strings.ReplaceAll(body, "/**", steps))
	if err != nil {
		return nil, "", fmt.Errorf("bsms line 2: %w", err)
	}
	return d, addr, nil
}

func truncate(s string, n int) string {
	if len(s) > n {
		return s[:n] + "..."
	}
	return s
}

// Registration is one registered multisig wallet as kept in the vault's
// wallets/ folder (one JSON file per wallet, NAME.json). Descriptor is
// what counts; Keys, Threshold and FirstAddress are for people reading
// the file. Sig is an ed25519 signature by the vault's journal key over
// Message(), so a file placed in the folder by anyone without the seed is
// refused.
type Registration struct {
	Format       string            `json:"format"`
	Name         string            `json:"name"`
	Network      string            `json:"network"`
	Descriptor   string            `json:"descriptor"`
	Threshold    int               `json:"threshold"`
	Keys         []RegistrationKey `json:"keys"`
	FirstAddress string            `json:"first_address"`
	Source       string            `json:"source"`
	SourceSHA256 string            `json:"source_sha256"`
	Registered   time.Time         `json:"registered"`
	Sig          string            `json:"sig"`
}

// RegistrationKey describes one key of a registered wallet.
type RegistrationKey struct {
	Fingerprint string `json:"fingerprint"`
	Path        string `json:"path"`
	Key         string `json:"key"`
	Ours        bool   `json:"ours"`
}

var walletNameRE = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]{0,63}$`)
var accountNameRE = regexp.MustCompile(`^(wpkh|sh-wpkh|tr)-[0-9]+$`)

// CheckWalletName checks a registered wallet's name: 1 to 64 of a-z, 0-9,
// '.', '_' and '-', starting with a letter or digit, and not the name of
// one of the vault's own accounts (wpkh-0, sh-wpkh-0, tr-0, ...).
func CheckWalletName(name string) error {
	if !walletNameRE.MatchString(name) {
		return fmt.Errorf("wallet name %q is not 1 to 64 of a-z, 0-9, '.', '_' and '-' (starting with a letter or digit)", truncate(name, 70))
	}
	if accountNameRE.MatchString(name) {
		return fmt.Errorf("wallet name %q is the name of one of the vault's own accounts", name)
	}
	return nil
}

// DefaultWalletName names a wallet by its shape and descriptor:
// "wsh-2of3-1a2b3c4d".
func DefaultWalletName(d *Descriptor) string {
	sum := sha256.Sum256([]byte(d.WithoutChecksum()))
	return fmt.Sprintf("%s-%dof%d-%x", strings.TrimSuffix(d.ScriptType().String(), "-multi"), d.Threshold(), len(d.Keys()), sum[:4])
}

// NewRegistration describes an imported wallet for the store; ours says
// which keys (by position) the vault re-derived as its own. Sign it with
// Sign before storing.
func NewRegistration(name string, n Network, imp *MultisigImport, ours []bool, now time.Time) (*Registration, error) {
	if err := CheckWalletName(name); err != nil {
		return nil, err
	}
	d := imp.Descriptor
	r := &Registration{Format: RegistrationFormat, Name: name, Network: n.String(), Descriptor: d.String(),
		Threshold: d.Threshold(), FirstAddress: imp.FirstAddress, Source: imp.Source, SourceSHA256: imp.SHA256,
		Registered: now.UTC().Truncate(time.Millisecond)}
	for i, k := range d.Keys() {
		o, _ := k.Origin()
		rk := RegistrationKey{Fingerprint: FormatFingerprint(o.Fingerprint), Path: o.Path.String(), Ours: i < len(ours) && ours[i]}
		if x := k.ExtendedKey(); x != nil {
			rk.Key = x.String()
		} else {
			rk.Key = hex.EncodeToString(k.PubKey())
		}
		r.Keys = append(r.Keys, rk)
	}
	return r, nil
}

// Message is what Sig signs: a domain string, then the name, network and
// descriptor, each on its own line.
func (r *Registration) Message() []byte {
	return []byte(registrationDomain + r.Name + "\n" + r.Network + "\n" + r.Descriptor + "\n")
}

// Sign signs the registration with the vault's journal key.
func (r *Registration) Sign(key ed25519.PrivateKey) {
	r.Sig = hex.EncodeToString(ed25519.Sign(key, r.Message()))
}

// Marshal writes the registration file.
func (r *Registration) Marshal() ([]byte, error) {
	b, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("cannot encode wallet %s: %v", r.Name, err)
	}
	return append(b, '\n'), nil
}

// ParseRegistration reads a registration file strictly (no unknown field,
// one JSON object, bounded size) and parses its descriptor for network n.
// It does not check the signature: call Verify.
func ParseRegistration(data []byte, n Network) (*Registration, *Descriptor, error) {
	if len(data) > MaxRegistrationLen {
		return nil, nil, fmt.Errorf("the file is %d bytes, more than %d", len(data), MaxRegistrationLen)
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var r Registration
	if err := dec.Decode(&r); err != nil {
		return nil, nil, fmt.Errorf("not a wallet registration: %v", err)
	}
	if dec.More() {
		return nil, nil, errors.New("not a wallet registration: text after the JSON object")
	}
	if r.Format != RegistrationFormat {
		return nil, nil, fmt.Errorf("format %q is not %q", truncate(r.Format, 40), RegistrationFormat)
	}
	if err := CheckWalletName(r.Name); err != nil {
		return nil, nil, err
	}
	if r.Network != n.String() {
		return nil, nil, fmt.Errorf("wallet %s is for %s, but the vault is on %s", r.Name, truncate(r.Network, 20), n)
	}
	d, err := ParseDescriptorWithChecksum(r.Descriptor)
	if err != nil {
		return nil, nil, fmt.Errorf("wallet %s: descriptor: %w", r.Name, err)
	}
	if err := checkMultisigWallet(d, n); err != nil {
		return nil, nil, fmt.Errorf("wallet %s: %w", r.Name, err)
	}
	return &r, d, nil
}

// ErrRegistrationSignature: a registration file's signature is not the
// vault's.
var ErrRegistrationSignature = errors.New("the registration is not signed by this vault")

// Verify checks Sig with the vault's journal public key.
func (r *Registration) Verify(pub ed25519.PublicKey) error {
	sig, err := hex.DecodeString(r.Sig)
	if err != nil || len(sig) != ed25519.SignatureSize || len(pub) != ed25519.PublicKeySize || !ed25519.Verify(pub, r.Message(), sig) {
		return fmt.Errorf("wallet %s: %w", r.Name, ErrRegistrationSignature)
	}
	return nil
}
