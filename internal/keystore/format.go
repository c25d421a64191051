package keystore

import (
	"bytes"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"golang.org/x/crypto/chacha20poly1305"
)

// The keystore.json format, version 1. Everything but the ciphertext is in
// clear, and all of it is bound to the ciphertext as associated data (see
// associatedData). The file must be exactly what encodeFile writes: one
// byte changed anywhere makes it corrupt or fail authentication.
//
//	{
//	  "format": "coffer-keystore",
//	  "version": 1,
//	  "network": "mainnet",
//	  "master_fingerprint": "73c5da0a",
//	  "created": "2026-05-01T09:30:00Z",      (optional)
//	  "kdf": {
//	    "algorithm": "argon2id",
//	    "memory_kib": 262144,
//	    "time": 4,
//	    "threads": 2,
//	    "salt": "<16 bytes, base64>"
//	  },
//	  "cipher": {
//	    "algorithm": "xchacha20-poly1305",
//	    "nonce": "<24 bytes, base64>"
//	  },
//	  "ciphertext": "<base64>"
//	}
const (
	formatName    = "coffer-keystore"
	formatVersion = 1
	kdfName       = "argon2id"
	cipherName    = "xchacha20-poly1305"

	// maxFileSize bounds what is read from disk; a real keystore is under
	// 2 KiB.
	maxFileSize = 64 << 10
	tagLen      = chacha20poly1305.Overhead
	nonceLen    = chacha20poly1305.NonceSizeX
)

// networks are the values of Meta.Network.
var networks = [...]string{"mainnet", "testnet", "signet", "regtest"}

type fileJSON struct {
	Format            string     `json:"format"`
	Version           int        `json:"version"`
	Network           string     `json:"network"`
	MasterFingerprint string     `json:"master_fingerprint"`
	Created           string     `json:"created,omitempty"`
	KDF               kdfJSON    `json:"kdf"`
	Cipher            cipherJSON `json:"cipher"`
	Ciphertext        string     `json:"ciphertext"`
}

type kdfJSON struct {
	Algorithm string `json:"algorithm"`
	MemoryKiB uint32 `json:"memory_kib"`
	Time      uint32 `json:"time"`
	Threads   uint8  `json:"threads"`
	Salt      string `json:"salt"`
}

type cipherJSON struct {
	Algorithm string `json:"algorithm"`
	Nonce     string `json:"nonce"`
}

// file is a parsed and validated keystore.
type file struct {
	meta       Meta
	created    string // as in the file, bound in the associated data
	kdf        kdfParams
	salt       []byte
	nonce      []byte
	ciphertext []byte
}

// encodeFile writes f in the one form that parseFile accepts.
func encodeFile(f *file) ([]byte, error) {
	j := fileJSON{
		Format:            formatName,
		Version:           formatVersion,
		Network:           f.meta.Network,
		MasterFingerprint: f.meta.MasterFingerprint,
		Created:           f.created,
		KDF: kdfJSON{
			Algorithm: kdfName,
			MemoryKiB: f.kdf.MemoryKiB,
			Time:      f.kdf.Time,
			Threads:   f.kdf.Threads,
			Salt:      base64.StdEncoding.EncodeToString(f.salt),
		},
		Cipher: cipherJSON{
			Algorithm: cipherName,
			Nonce:     base64.StdEncoding.EncodeToString(f.nonce),
		},
		Ciphertext: base64.StdEncoding.EncodeToString(f.ciphertext),
	}
	out, err := json.MarshalIndent(j, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("cannot encode the keystore: %w", err)
	}
	return append(out, '\n'), nil
}

// associatedData binds every clear field to the ciphertext: editing the
// version, network, fingerprint, creation time, KDF parameters, salt or
// algorithm names makes decryption fail. Each field is length-prefixed, so
// no two different headers give the same bytes. The nonce is bound by the
// AEAD itself.
func associatedData(f *file) []byte {
	fields := []string{
		formatName,
		strconv.Itoa(formatVersion),
		f.meta.Network,
		f.meta.MasterFingerprint,
		f.created,
		kdfName,
		strconv.FormatUint(uint64(f.kdf.MemoryKiB), 10),
		strconv.FormatUint(uint64(f.kdf.Time), 10),
		strconv.FormatUint(uint64(f.kdf.Threads), 10),
		string(f.salt),
		cipherName,
	}
	var ad []byte
	for _, s := range fields {
		ad = binary.BigEndian.AppendUint32(ad, uint32(len(s)))
		ad = append(ad, s...)
	}
	return ad
}

// parseFile parses and validates a keystore read from path. Every failure is
// a *CorruptError naming path.
func parseFile(path string, data []byte) (*file, error) {
	if len(data) == 0 {
		return nil, corrupt(path, "the file is empty")
	}
	if len(data) > maxFileSize {
		return nil, corrupt(path, "the file is larger than %d KiB", maxFileSize>>10)
	}
	// First the format and version, leniently, so that a newer keystore
	// says so rather than failing on its new fields.
	var probe struct {
		Format  string `json:"format"`
		Version int    `json:"version"`
	}
	if err := json.Unmarshal(data, &probe); err != nil {
		return nil, corrupt(path, "%s", jsonReason(data, err))
	}
	if probe.Format != formatName {
		return nil, corrupt(path, "it is not a coffer keystore (field \"format\" is %q, want %q)", probe.Format, formatName)
	}
	if probe.Version != formatVersion {
		return nil, corrupt(path, "keystore version %d is not supported (this coffer reads version %d)", probe.Version, formatVersion)
	}

	var j fileJSON
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&j); err != nil {
		return nil, corrupt(path, "%s", jsonReason(data, err))
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, corrupt(path, "there is data after the JSON object")
	}

	f := &file{meta: Meta{Network: j.Network, MasterFingerprint: j.MasterFingerprint}, created: j.Created}
	if err := checkNetwork(j.Network); err != nil {
		return nil, corrupt(path, "field \"network\": %v", err)
	}
	if err := checkFingerprint(j.MasterFingerprint); err != nil {
		return nil, corrupt(path, "field \"master_fingerprint\": %v", err)
	}
	if j.Created != "" {
		t, err := time.Parse(time.RFC3339, j.Created)
		if err != nil || t.UTC().Format(time.RFC3339) != j.Created {
			return nil, corrupt(path, "field \"created\" is not a UTC time like 2006-01-02T15:04:05Z")
		}
		f.meta.Created = t.UTC()
	}

	if j.KDF.Algorithm != kdfName {
		return nil, corrupt(path, "field \"kdf.algorithm\" is %q, want %q", j.KDF.Algorithm, kdfName)
	}
	f.kdf = kdfParams{MemoryKiB: j.KDF.MemoryKiB, Time: j.KDF.Time, Threads: j.KDF.Threads}
	if err := checkParams(f.kdf); err != nil {
		return nil, corrupt(path, "%v", err)
	}
	var err error
	if f.salt, err = decodeField("kdf.salt", j.KDF.Salt, saltLen, saltLen); err != nil {
		return nil, corrupt(path, "%v", err)
	}
	if j.Cipher.Algorithm != cipherName {
		return nil, corrupt(path, "field \"cipher.algorithm\" is %q, want %q", j.Cipher.Algorithm, cipherName)
	}
	if f.nonce, err = decodeField("cipher.nonce", j.Cipher.Nonce, nonceLen, nonceLen); err != nil {
		return nil, corrupt(path, "%v", err)
	}
	if f.ciphertext, err = decodeField("ciphertext", j.Ciphertext, minPlainLen+tagLen, maxPlainLen+tagLen); err != nil {
		return nil, corrupt(path, "%v", err)
	}

	// Last, the exact form: this catches every edit that leaves the values
	// the same (spacing, key case, escapes, duplicate keys, key order).
	canon, err := encodeFile(f)
	if err != nil {
		return nil, corrupt(path, "%v", err)
	}
	if !bytes.Equal(canon, data) {
		if bytes.HasPrefix(canon, data) {
			return nil, corrupt(path, "the file is truncated")
		}
		return nil, corrupt(path, "the file is not in the exact form coffer writes (was it edited?)")
	}
	return f, nil
}

// jsonReason turns a JSON decoding error into a reason for CorruptError.
func jsonReason(data []byte, err error) string {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.Is(err, io.ErrUnexpectedEOF) || strings.Contains(err.Error(), "unexpected end of JSON input"):
		return "the file is truncated"
	case errors.As(err, &syn):
		if syn.Offset >= int64(len(data)) {
			return "the file is truncated"
		}
		return fmt.Sprintf("it is not valid JSON (at byte %d)", syn.Offset)
	case errors.As(err, &typ):
		if typ.Field == "" {
			return fmt.Sprintf("it is not a JSON object (found a %s)", typ.Value)
		}
		return fmt.Sprintf("field %q has the wrong type or is out of range (found %s)", typ.Field, typ.Value)
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		return "unknown field " + strings.TrimPrefix(err.Error(), "json: unknown field ")
	default:
		return "it is not valid JSON"
	}
}

// decodeField decodes a base64 field (standard alphabet, padded, nothing
// else) and checks its decoded length.
func decodeField(name, s string, minLen, maxLen int) ([]byte, error) {
	if strings.ContainsAny(s, "\r\n") {
		return nil, fmt.Errorf("field %q is not valid base64", name)
	}
	b, err := base64.StdEncoding.Strict().DecodeString(s)
	if err != nil {
		return nil, fmt.Errorf("field %q is not valid base64", name)
	}
	switch {
	case minLen == maxLen && len(b) != minLen:
		return nil, fmt.Errorf("field %q is %d bytes, want %d", name, len(b), minLen)
	case len(b) < minLen:
		return nil, fmt.Errorf("field %q is %d bytes, shorter than %d", name, len(b), minLen)
	case len(b) > maxLen:
		return nil, fmt.Errorf("field %q is %d bytes, longer than %d", name, len(b), maxLen)
	}
	return b, nil
}

// checkParams bounds Argon2id parameters read from a file.
func checkParams(p kdfParams) error {
	switch {
	case p.Threads < 1 || p.Threads > maxThreads:
		return fmt.Errorf("field \"kdf.threads\" is %d, want 1 to %d", p.Threads, maxThreads)
	case p.Time < 1 || p.Time > maxTime:
		return fmt.Errorf("field \"kdf.time\" is %d, want 1 to %d", p.Time, maxTime)
	case p.MemoryKiB < 8*uint32(p.Threads) || p.MemoryKiB > maxMemoryKiB:
		return fmt.Errorf("field \"kdf.memory_kib\" is %d, want %d to %d", p.MemoryKiB, 8*uint32(p.Threads), maxMemoryKiB)
	}
	return nil
}

func checkNetwork(n string) error {
	for _, ok := range networks {
		if n == ok {
			return nil
		}
	}
	return fmt.Errorf("network %q is not one of %s", n, strings.Join(networks[:], ", "))
}

func checkFingerprint(fp string) error {
	if len(fp) != 8 {
		return fmt.Errorf("master fingerprint %q is not 8 lower-case hex digits", fp)
	}
	for _, c := range []byte(fp) {
		if (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return fmt.Errorf("master fingerprint %q is not 8 lower-case hex digits", fp)
		}
	}
	return nil
}
