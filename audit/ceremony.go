package audit

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"time"
)

// CeremonyFormat names the version of the ceremony transcript format.
const CeremonyFormat = "coffer-ceremony/1"

// Ceremony is the key ceremony transcript, ceremony.json in the vault. It
// records who made the vault, when, with which binary and by which entropy
// method, and the public keys that resulted — never a secret, never a die
// roll. Field order is fixed by this struct so the file's bytes are stable
// (the journal and an auditor's signature cover them).
type Ceremony struct {
	Format            string          `json:"format"`
	Kind              string          `json:"kind"` // "keygen" or "restore"
	Date              time.Time       `json:"date"`
	CofferVersion     string          `json:"coffer_version"`
	CofferCommit      string          `json:"coffer_commit"`
	BinarySHA256      string          `json:"binary_sha256"`
	Network           string          `json:"network"`
	Entropy           CeremonyEntropy `json:"entropy"`
	Officers          []string        `json:"officers"`
	Backup            string          `json:"backup"` // "bip39" words or "slip39" shares
	Shamir            *CeremonyShamir `json:"shamir,omitempty"`
	BackupVerified    bool            `json:"backup_verified"`
	MasterFingerprint string          `json:"master_fingerprint"`
	Accounts          []CeremonyKey   `json:"accounts"`
	JournalPublicKey  string          `json:"journal_public_key,omitempty"`
}

// CeremonyEntropy says how the seed's entropy was made.
type CeremonyEntropy struct {
	// Method is "rng", "rng+dice", "dice-only" or, for a restored vault,
	// "restored-bip39".
	Method    string `json:"method"`
	Words     int    `json:"words,omitempty"`
	DiceRolls int    `json:"dice_rolls,omitempty"`
	// RNGHealthCheck records that the system generator passed its start-up
	// test before it was used.
	RNGHealthCheck bool `json:"rng_health_check"`
}

// CeremonyShamir records a SLIP-39 scheme: thresholds, holders and the
// set's identifier — never a share.
type CeremonyShamir struct {
	Identifier        uint16               `json:"identifier"`
	Extendable        bool                 `json:"extendable"`
	IterationExponent int                  `json:"iteration_exponent"`
	GroupThreshold    int                  `json:"group_threshold"`
	Groups            []CeremonyShareGroup `json:"groups"`
}

// CeremonyShareGroup is one group of a SLIP-39 scheme and who holds its shares.
type CeremonyShareGroup struct {
	Threshold int      `json:"threshold"`
	Count     int      `json:"count"`
	Holders   []string `json:"holders"`
}

// CeremonyKey is one account's extended public key.
type CeremonyKey struct {
	Script  string `json:"script"`
	Path    string `json:"path"`
	XPub    string `json:"xpub"`
	SLIP132 string `json:"slip132,omitempty"`
}

// Marshal returns the transcript's canonical bytes: indented JSON with a
// final newline, field order as in the struct, times in UTC.
func (c *Ceremony) Marshal() ([]byte, error) {
	cc := *c
	cc.Date = cc.Date.UTC().Truncate(time.Second)
	if cc.Officers == nil {
		cc.Officers = []string{}
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(&cc); err != nil {
		return nil, fmt.Errorf("cannot encode the ceremony transcript: %v", err)
	}
	return buf.Bytes(), nil
}

// maxCeremonySize bounds what ReadCeremony accepts.
const maxCeremonySize = 1 << 20

// ReadCeremony parses a transcript strictly: unknown fields, trailing data
// and an unknown format are errors naming what is wrong.
func ReadCeremony(r io.Reader, name string) (*Ceremony, error) {
	data, err := io.ReadAll(io.LimitReader(r, maxCeremonySize+1))
	if err != nil {
		return nil, fmt.Errorf("cannot read ceremony transcript %s: %v", name, err)
	}
	if len(data) > maxCeremonySize {
		return nil, fmt.Errorf("ceremony transcript %s is larger than %d bytes", name, maxCeremonySize)
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var c Ceremony
	if err := dec.Decode(&c); err != nil {
		return nil, fmt.Errorf("ceremony transcript %s is not valid: %v", name, err)
	}
	if dec.More() {
		return nil, fmt.Errorf("ceremony transcript %s has data after the JSON object", name)
	}
	if c.Format != CeremonyFormat {
		return nil, fmt.Errorf("ceremony transcript %s has format %q, want %q", name, c.Format, CeremonyFormat)
	}
	return &c, nil
}
