package audit

import (
	"bytes"
	"crypto/ed25519"
	"crypto/hmac"
	"crypto/sha512"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"
	"unicode/utf8"
)

// Kinds of journal entries written by Coffer. A kind is any lower-case
// name (see doc.go); these are the ones the signer and auditors know.
const (
	KindKeygen         = "keygen"
	KindRestore        = "restore"
	KindExport         = "export"
	KindWalletRegister = "wallet-register"
	KindPolicyInstall  = "policy-install"
	KindSign           = "sign"
	KindRefusal        = "refusal"
	KindKeySuspend     = "key-suspend"
	KindKeyResume      = "key-resume"
	KindPasswd         = "passwd"
	KindProve          = "prove"
)

// JournalKeyLabel is the HMAC-SHA512 key of the journal key derivation.
const JournalKeyLabel = "coffer journal key v1"

// Entry is one journal entry.
type Entry struct {
	Seq  uint64          // 1 for the first entry, then +1 each
	Time time.Time       // UTC, millisecond precision
	Kind string          // what happened, e.g. KindSign
	Prev [32]byte        // SHA-256 of the previous line; zero for seq 1
	Data json.RawMessage // the kind-specific payload, a compact JSON object
	Sig  [64]byte        // ed25519 signature by the journal key
	Hash [32]byte        // SHA-256 of this entry's line: the next entry's Prev
}

// Head returns the point in the chain that e ends.
func (e Entry) Head() Head {
	return Head{Seq: e.Seq, Hash: e.Hash, Time: e.Time}
}

// Head names a point in a journal's chain: the last entry's seq, line hash
// and time. The zero Head is the start of a journal.
type Head struct {
	Seq  uint64
	Hash [32]byte
	Time time.Time
}

// String renders h as "seq 12 3f1a…" with the full hash.
func (h Head) String() string {
	if h.Seq == 0 {
		return "seq 0 (empty journal)"
	}
	return fmt.Sprintf("seq %d %x", h.Seq, h.Hash)
}

// JournalKey derives a vault's journal signing key from its seed (the
// BIP39 seed, or the SLIP-39 master secret):
//
//	ed25519.NewKeyFromSeed(HMAC-SHA512(key = "coffer journal key v1", msg = seed)[:32])
//
// A restored vault derives the same key. The derivation is one-way: the
// journal key reveals nothing of the seed. The caller owns the returned key
// and must wipe it with WipeKey when done.
func JournalKey(seed []byte) (ed25519.PrivateKey, error) {
	if len(seed) < 16 || len(seed) > 64 {
		return nil, fmt.Errorf("seed of %d bytes is not 16 to 64 bytes long", len(seed))
	}
	mac := hmac.New(sha512.New, []byte(JournalKeyLabel))
	mac.Write(seed)
	var sum [sha512.Size]byte
	mac.Sum(sum[:0])
	key := ed25519.NewKeyFromSeed(sum[:ed25519.SeedSize])
	wipe(sum[:])
	return key, nil
}

// WipeKey overwrites a private key with zeros.
func WipeKey(key ed25519.PrivateKey) {
	wipe(key)
}

func wipe(b []byte) {
	clear(b)
}

// FaultPoint names a place inside Journal.Append where a test can make it
// fail, to model a crash.
type FaultPoint int

const (
	// FaultBeforeWrite: the entry is signed, nothing is written.
	FaultBeforeWrite FaultPoint = iota + 1
	// FaultTornWrite: only the first half of the line reaches the file,
	// as if the machine stopped mid-write. The journal is left torn.
	FaultTornWrite
	// FaultBeforeSync: the whole line is written but not yet fsynced.
	FaultBeforeSync
)

// String names the fault point.
func (p FaultPoint) String() string {
	switch p {
	case FaultBeforeWrite:
		return "before write"
	case FaultTornWrite:
		return "torn write"
	case FaultBeforeSync:
		return "before sync"
	}
	return fmt.Sprintf("FaultPoint(%d)", int(p))
}

// ClockBehindError is returned by Append when the clock reads earlier than
// the last journal entry: the clock was set back, and nothing must be
// signed until it is right.
type ClockBehindError struct {
	Last Head      // the last entry of the journal
	Now  time.Time // the clock's reading, as the journal would record it
}

func (e *ClockBehindError) Error() string {
	return fmt.Sprintf("clock reads %s, earlier than journal entry seq %d at %s",
		formatTime(nil, e.Now), e.Last.Seq, formatTime(nil, e.Last.Time))
}

// Journal is an open journal file that entries are appended to. It is safe
// for one goroutine; appends from several processes are serialised with an
// advisory lock on the file.
type Journal struct {
	path  string
	f     *os.File
	fault func(FaultPoint) error
}

// Open opens the journal at path for appending, creating it empty (mode
// 0600, with the folder fsynced) when it does not exist. It checks that the
// last line is whole and well formed; it does not verify the whole journal
// (use Verify).
func Open(path string) (*Journal, error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_APPEND|os.O_CREATE|os.O_EXCL, 0o600)
	created := err == nil
	if errors.Is(err, os.ErrExist) {
		f, err = os.OpenFile(path, os.O_RDWR|os.O_APPEND, 0)
	}
	if err != nil {
		return nil, fmt.Errorf("opening journal %s: %w", path, unwrapPathError(err))
	}
	j := &Journal{path: path, f: f}
	if created {
		if err := syncDir(filepath.Dir(path)); err != nil {
			f.Close()
			return nil, fmt.Errorf("creating journal %s: %w", path, err)
		}
	}
	fi, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("opening journal %s: %w", path, unwrapPathError(err))
	}
	if !fi.Mode().IsRegular() {
		f.Close()
		return nil, fmt.Errorf("journal %s is not a regular file", path)
	}
	if _, _, err := j.tail(); err != nil {
		f.Close()
		return nil, err
	}
	return j, nil
}

// Path returns the journal's file name.
func (j *Journal) Path() string { return j.path }

// Close closes the journal file.
func (j *Journal) Close() error {
	if err := j.f.Close(); err != nil {
		return fmt.Errorf("closing journal %s: %w", j.path, unwrapPathError(err))
	}
	return nil
}

// InjectFault makes Append call f at each FaultPoint; when f returns an
// error there, Append stops as a crash at that point would and returns the
// error. For tests of what callers do when journaling fails.
func (j *Journal) InjectFault(f func(FaultPoint) error) { j.fault = f }

func (j *Journal) faultAt(p FaultPoint) error {
	if j.fault == nil {
		return nil
	}
	if err := j.fault(p); err != nil {
		return fmt.Errorf("journal %s: injected fault %s: %w", j.path, p, err)
	}
	return nil
}

// Last returns the journal's last entry, and false when the journal is
// empty. The entry is well formed but its signature is not checked.
func (j *Journal) Last() (Entry, bool, error) {
	if err := lockFile(j.f); err != nil {
		return Entry{}, false, fmt.Errorf("locking journal %s: %w", j.path, err)
	}
	defer unlockFile(j.f)
	e, ok, err := j.tail()
	return e, ok, err
}

// Append signs and appends one entry: the next seq, the time now (UTC,
// truncated to the millisecond), kind, and data marshalled to a compact
// JSON object (nil means {}). It returns once the line is written with a
// single write and fsynced. It refuses, writing nothing, when the last line
// is torn or malformed, when the last entry's signature is not the key's,
// and with a *ClockBehindError when now is earlier than the last entry.
func (j *Journal) Append(key ed25519.PrivateKey, kind string, data any, now time.Time) (Entry, error) {
	if len(key) != ed25519.PrivateKeySize {
		return Entry{}, fmt.Errorf("journal key of %d bytes is not an ed25519 private key", len(key))
	}
	if !validKind([]byte(kind)) {
		return Entry{}, fmt.Errorf("journal entry kind %q is not a lower-case name of at most %d characters", kind, maxKindLen)
	}
	payload, err := encodeData(data)
	if err != nil {
		return Entry{}, fmt.Errorf("journal entry %s: %w", kind, err)
	}

	if err := lockFile(j.f); err != nil {
		return Entry{}, fmt.Errorf("locking journal %s: %w", j.path, err)
	}
	defer unlockFile(j.f)

	raw, last, err := j.readTail()
	if err != nil {
		return Entry{}, err
	}
	pub := key.Public().(ed25519.PublicKey)
	t := journalTime(now)
	next := Entry{Seq: 1, Time: t, Kind: kind, Data: payload}
	if raw != nil {
		if !ed25519.Verify(pub, appendMessage(nil, raw, last.bodyEnd), last.sig[:]) {
			return Entry{}, &VerifyError{Seq: last.seq, Reason: ReasonSignature,
				Detail: "the last entry is not signed by this journal key; refusing to extend it"}
		}
		if t.Before(last.time) {
			return Entry{}, &ClockBehindError{Last: Head{Seq: last.seq, Hash: lineHash(raw), Time: last.time}, Now: t}
		}
		if last.seq == 1<<64-1 {
			return Entry{}, fmt.Errorf("journal %s is full: its last seq is the largest possible", j.path)
		}
		next.Seq = last.seq + 1
		next.Prev = lineHash(raw)
	}

	buf := appendBody(make([]byte, 0, len(payload)+400), next.Seq, t, kind, &next.Prev, payload)
	bodyEnd := len(buf)
	if bodyEnd+sigTailLen > MaxLineLen {
		return Entry{}, fmt.Errorf("journal entry %s: data of %d bytes makes the line longer than %d bytes", kind, len(payload), MaxLineLen)
	}
	copy(next.Sig[:], ed25519.Sign(key, appendMessage(nil, buf, bodyEnd)))
	buf = appendSigTail(buf, next.Sig[:])
	next.Hash = lineHash(buf)
	buf = append(buf, '\n')

	if err := j.faultAt(FaultBeforeWrite); err != nil {
		return Entry{}, err
	}
	if err := j.faultAt(FaultTornWrite); err != nil {
		j.f.Write(buf[:len(buf)/2])
		return Entry{}, err
	}
	if n, err := j.f.Write(buf); err != nil || n != len(buf) {
		if err == nil {
			err = io.ErrShortWrite
		}
		return Entry{}, fmt.Errorf("writing journal %s entry seq %d: %w", j.path, next.Seq, unwrapPathError(err))
	}
	if err := j.faultAt(FaultBeforeSync); err != nil {
		return Entry{}, err
	}
	if err := j.f.Sync(); err != nil {
		return Entry{}, fmt.Errorf("syncing journal %s entry seq %d: %w", j.path, next.Seq, unwrapPathError(err))
	}
	return next, nil
}

// Append opens the journal at path (creating it if needed), appends one
// entry as Journal.Append does, and closes it.
func Append(path string, key ed25519.PrivateKey, kind string, data any, now time.Time) (Entry, error) {
	j, err := Open(path)
	if err != nil {
		return Entry{}, err
	}
	e, err := j.Append(key, kind, data, now)
	if cerr := j.Close(); err == nil && cerr != nil {
		return Entry{}, cerr
	}
	return e, err
}

// encodeData marshals a payload to a compact JSON object.
func encodeData(data any) ([]byte, error) {
	if data == nil {
		return []byte("{}"), nil
	}
	b, err := json.Marshal(data)
	if err != nil {
		return nil, fmt.Errorf("data cannot be encoded as JSON: %w", err)
	}
	if len(b) == 4 && string(b) == "null" {
		return []byte("{}"), nil
	}
	if len(b) < 2 || b[0] != '{' {
		return nil, errors.New("data is not a JSON object")
	}
	if !utf8.Valid(b) {
		return nil, errors.New("data is not valid UTF-8")
	}
	var out bytes.Buffer
	if err := json.Compact(&out, b); err != nil {
		return nil, errors.New("data is not valid JSON")
	}
	return out.Bytes(), nil
}

// tailChunk is how much of the file's end is read first when looking for
// the last line; the read doubles until the line's start is found.
const tailChunk = 4096

// lastLine returns the last line of the file, without its newline, reading
// only the end of the file. It returns nil for an empty file.
func (j *Journal) lastLine() ([]byte, error) {
	fi, err := j.f.Stat()
	if err != nil {
		return nil, fmt.Errorf("reading journal %s: %w", j.path, unwrapPathError(err))
	}
	size := fi.Size()
	if size == 0 {
		return nil, nil
	}
	var last [1]byte
	if _, err := j.f.ReadAt(last[:], size-1); err != nil {
		return nil, fmt.Errorf("reading journal %s: %w", j.path, unwrapPathError(err))
	}
	if last[0] != '\n' {
		return nil, &VerifyError{Seq: j.tornSeq(size), Reason: ReasonTorn,
			Detail: "the last line has no newline (a write was cut short); refusing to extend it"}
	}
	end := size - 1 // offset of the final newline
	for n := int64(tailChunk); ; n *= 2 {
		if n > end {
			n = end
		}
		if n > MaxLineLen+1 {
			n = MaxLineLen + 1
		}
		buf := make([]byte, n)
		if _, err := j.f.ReadAt(buf, end-n); err != nil {
			return nil, fmt.Errorf("reading journal %s: %w", j.path, unwrapPathError(err))
		}
		if i := bytes.LastIndexByte(buf, '\n'); i >= 0 {
			return buf[i+1:], nil
		}
		if n == end {
			return buf, nil // the only line
		}
		if n > MaxLineLen {
			return nil, &VerifyError{Seq: parseSeqPrefix(buf), Reason: ReasonTooLong,
				Detail: fmt.Sprintf("the last line is longer than %d bytes", MaxLineLen)}
		}
	}
}

// tornSeq reads the seq at the start of a torn last line, for the error.
func (j *Journal) tornSeq(size int64) uint64 {
	n := int64(MaxLineLen + 1)
	if n > size {
		n = size
	}
	buf := make([]byte, n)
	if _, err := j.f.ReadAt(buf, size-n); err != nil {
		return 0
	}
	if i := bytes.LastIndexByte(buf, '\n'); i >= 0 {
		buf = buf[i+1:]
	} else if n < size {
		return 0
	}
	return parseSeqPrefix(buf)
}

// readTail reads and parses the last line of the journal. It checks the
// form of the line, not its signature. raw is nil for an empty journal.
func (j *Journal) readTail() (raw []byte, l line, err error) {
	raw, err = j.lastLine()
	if err != nil || raw == nil {
		return nil, l, err
	}
	l, err = parseLine(raw, new(bytes.Buffer))
	if err != nil {
		return nil, l, &VerifyError{Seq: parseSeqPrefix(raw), Reason: ReasonMalformed,
			Detail: "last line: " + err.Error(), Err: err}
	}
	return raw, l, nil
}

// tail returns the last entry, unverified.
func (j *Journal) tail() (Entry, bool, error) {
	raw, l, err := j.readTail()
	if err != nil || raw == nil {
		return Entry{}, false, err
	}
	return entryOf(&l, raw, true), true, nil
}

// entryOf builds an Entry from a parsed line. With copyData the entry owns
// its Data; without, Data points into raw.
func entryOf(l *line, raw []byte, copyData bool) Entry {
	e := Entry{Seq: l.seq, Time: l.time, Kind: string(l.kind), Prev: l.prev, Sig: l.sig, Hash: lineHash(raw)}
	if copyData {
		e.Data = append(json.RawMessage(nil), l.data...)
	} else {
		e.Data = l.data
	}
	return e
}

// syncDir fsyncs a folder so a newly created file's name is durable.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("opening folder %s: %w", dir, unwrapPathError(err))
	}
	defer d.Close()
	if err := d.Sync(); err != nil {
		return fmt.Errorf("syncing folder %s: %w", dir, unwrapPathError(err))
	}
	return nil
}

// unwrapPathError drops the *os.PathError wrapper, whose text repeats the
// file name our own message already gives.
func unwrapPathError(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// HexHash renders a hash as the journal does: 64 lower-case hex digits.
func HexHash(h [32]byte) string { return hex.EncodeToString(h[:]) }
