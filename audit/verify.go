package audit

import (
	"bufio"
	"bytes"
	"crypto/ed25519"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime"
	"strings"
	"sync"
	"time"
)

// Reason says why a journal entry failed verification.
type Reason int

const (
	// ReasonMalformed: the line is not a journal entry in canonical form.
	ReasonMalformed Reason = iota + 1
	// ReasonTooLong: the line is longer than MaxLineLen.
	ReasonTooLong
	// ReasonTorn: the last line has no newline; a write was cut short or
	// the file was truncated.
	ReasonTorn
	// ReasonSeq: the seq is not one more than the previous entry's (a line
	// deleted, repeated or moved).
	ReasonSeq
	// ReasonChain: prev is not the SHA-256 of the previous line (a line
	// changed, deleted or moved).
	ReasonChain
	// ReasonTime: the time is earlier than the previous entry's.
	ReasonTime
	// ReasonSignature: the signature does not verify with the journal
	// public key (an entry changed or forged).
	ReasonSignature
	// ReasonRejected: a Visitor refused the entry.
	ReasonRejected
)

// String names the reason in a few words.
func (r Reason) String() string {
	switch r {
	case ReasonMalformed:
		return "malformed entry"
	case ReasonTooLong:
		return "line too long"
	case ReasonTorn:
		return "torn last line"
	case ReasonSeq:
		return "sequence broken"
	case ReasonChain:
		return "hash chain broken"
	case ReasonTime:
		return "time goes backwards"
	case ReasonSignature:
		return "bad signature"
	case ReasonRejected:
		return "entry rejected"
	}
	return fmt.Sprintf("Reason(%d)", int(r))
}

// VerifyError reports the first journal entry that failed verification.
type VerifyError struct {
	Line   int64  // 1-based line number in the verified stream; 0 when not known
	Seq    uint64 // the entry's seq; 0 when unreadable
	Reason Reason
	Detail string // one sentence, no secrets
	Err    error  // the cause, for ReasonRejected and ReasonMalformed
}

func (e *VerifyError) Error() string {
	var b strings.Builder
	switch {
	case e.Line > 0 && e.Seq > 0:
		fmt.Fprintf(&b, "journal line %d (seq %d)", e.Line, e.Seq)
	case e.Line > 0:
		fmt.Fprintf(&b, "journal line %d", e.Line)
	case e.Seq > 0:
		fmt.Fprintf(&b, "journal entry seq %d", e.Seq)
	default:
		b.WriteString("journal last line")
	}
	b.WriteString(": ")
	b.WriteString(e.Reason.String())
	if e.Detail != "" {
		b.WriteString(": ")
		b.WriteString(e.Detail)
	}
	if e.Reason == ReasonRejected && e.Err != nil {
		b.WriteString(": ")
		b.WriteString(e.Err.Error())
	}
	return b.String()
}

func (e *VerifyError) Unwrap() error { return e.Err }

// A Visitor sees every entry that verified, in order, after its signature
// and chain link are checked. Returning an error stops verification with a
// VerifyError of ReasonRejected naming the entry. Entries given to Visit own
// their Data.
type Visitor interface {
	Visit(e Entry) error
}

// VisitorFunc adapts a function to a Visitor.
type VisitorFunc func(e Entry) error

// Visit calls f(e).
func (f VisitorFunc) Visit(e Entry) error { return f(e) }

// Report is what Verify found.
type Report struct {
	Entries int64            // entries verified
	Start   Head             // the point verification started after (zero: the journal's start)
	End     Head             // the last verified entry; equal to Start when none
	First   time.Time        // time of the first verified entry
	Last    time.Time        // time of the last verified entry
	Kinds   map[string]int64 // entries by kind
}

// Verify reads a whole journal from r and checks that it starts at seq 1
// with the genesis prev, that every line is canonical, that seq rises by one,
// that each prev is the SHA-256 of the line before, that times never go
// backwards and that every signature verifies with pub. Visitors see each
// entry once it has passed. It reads in constant memory and checks
// signatures on all CPUs.
//
// On failure it returns a *VerifyError naming the first bad entry, with the
// report of the entries before it.
func Verify(r io.Reader, pub ed25519.PublicKey, visitors ...Visitor) (*Report, error) {
	return VerifyFrom(r, pub, Head{}, visitors...)
}

// VerifyFrom verifies a part of a journal that continues after the entry
// named by after (for copies exported with --since). With the zero Head it
// is Verify.
func VerifyFrom(r io.Reader, pub ed25519.PublicKey, after Head, visitors ...Visitor) (*Report, error) {
	if len(pub) != ed25519.PublicKeySize {
		return nil, fmt.Errorf("journal public key of %d bytes is not an ed25519 public key", len(pub))
	}
	v := newVerifier(pub, after, visitors)
	return v.run(r)
}

// VerifyFile verifies the journal in the named file.
func VerifyFile(path string, pub ed25519.PublicKey, visitors ...Visitor) (*Report, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("opening journal %s: %w", path, unwrapPathError(err))
	}
	defer f.Close()
	return Verify(f, pub, visitors...)
}

// ParsePublicKey reads a journal public key written as 64 hex digits, the
// form FormatPublicKey writes and the ceremony transcript holds.
func ParsePublicKey(s string) (ed25519.PublicKey, error) {
	if len(s) != 2*ed25519.PublicKeySize {
		return nil, fmt.Errorf("journal public key of %d characters is not 64 hex digits", len(s))
	}
	pub := make([]byte, ed25519.PublicKeySize)
	if !decodeHexLower(pub, []byte(strings.ToLower(s))) {
		return nil, errors.New("journal public key is not 64 hex digits")
	}
	return pub, nil
}

// FormatPublicKey writes a journal public key as 64 lower-case hex digits.
func FormatPublicKey(pub ed25519.PublicKey) string {
	return hex.EncodeToString(pub)
}

// The pipeline: the caller's goroutine reads, parses and hashes lines in
// order and fills batches; workers check the batches' signatures in
// parallel; one consumer takes batches back in order, reports the first
// bad signature and feeds the visitors. A fixed number of batches, each of
// bounded size, circulates, so memory stays constant.
const (
	batchEntries = 256
	batchBytes   = 128 << 10
)

type vitem struct {
	line             int64
	seq              uint64
	time             time.Time
	hash             [32]byte
	prev             [32]byte
	sig              [64]byte
	msgOff, msgEnd   int // the signed message in buf
	kindOff, kindEnd int // kind in buf
	dataOff, dataEnd int // data in buf
}

type kindCount struct {
	name string
	n    int64
}

type vbatch struct {
	buf   []byte
	items []vitem
	bad   int // index of the first item whose signature fails, or -1
	done  chan struct{}
}

type verifier struct {
	pub      ed25519.PublicKey
	visitors []Visitor

	// producer state
	line     int64
	nextSeq  uint64
	prevHash [32]byte
	prevTime time.Time
	scratch  bytes.Buffer

	// consumer state
	report *Report
	kinds  map[string]*kindCount
	err    error
}

func newVerifier(pub ed25519.PublicKey, after Head, visitors []Visitor) *verifier {
	return &verifier{
		pub:      pub,
		visitors: visitors,
		nextSeq:  after.Seq + 1,
		prevHash: after.Hash,
		prevTime: after.Time,
		report:   &Report{Start: after, End: after, Kinds: map[string]int64{}},
		kinds:    map[string]*kindCount{},
	}
}

var errStopped = errors.New("stopped")

func (v *verifier) run(r io.Reader) (*Report, error) {
	workers := runtime.GOMAXPROCS(0)
	nb := 2*workers + 2
	free := make(chan *vbatch, nb)
	for range nb {
		free <- &vbatch{items: make([]vitem, 0, batchEntries)}
	}
	work := make(chan *vbatch, nb)
	ordered := make(chan *vbatch, nb)
	stop := make(chan struct{})

	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for b := range work {
				b.bad = -1
				for i := range b.items {
					it := &b.items[i]
					if !ed25519.Verify(v.pub, b.buf[it.msgOff:it.msgEnd], it.sig[:]) {
						b.bad = i
						break
					}
				}
				close(b.done)
			}
		}()
	}
	consumed := make(chan struct{})
	go func() {
		defer close(consumed)
		for b := range ordered {
			<-b.done
			if v.err == nil {
				v.consume(b)
				if v.err != nil {
					close(stop)
				}
			}
			b.buf, b.items = b.buf[:0], b.items[:0]
			free <- b
		}
	}()

	perr := v.produce(r, free, work, ordered, stop)
	close(work)
	close(ordered)
	<-consumed
	wg.Wait()

	v.report.Kinds = make(map[string]int64, len(v.kinds))
	for k, c := range v.kinds {
		v.report.Kinds[k] = c.n
	}
	if v.err != nil {
		return v.report, v.err
	}
	if perr != nil && perr != errStopped {
		return v.report, perr
	}
	return v.report, nil
}

// produce reads lines, checks everything but signatures, and hands batches
// on. It returns the first error it finds itself; errStopped when the
// consumer found an earlier one.
func (v *verifier) produce(r io.Reader, free <-chan *vbatch, work, ordered chan<- *vbatch, stop <-chan struct{}) error {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64<<10), MaxLineLen+1) // grows to one line and its newline, no more
	sc.Split(splitLines)
	var b *vbatch
	send := func() {
		if b != nil && len(b.items) > 0 {
			b.done = make(chan struct{})
			work <- b
			ordered <- b
			b = nil
		}
	}
	defer send()
	for {
		if !sc.Scan() {
			switch err := sc.Err(); {
			case err == nil:
				return nil
			case errors.Is(err, bufio.ErrTooLong):
				return &VerifyError{Line: v.line + 1, Reason: ReasonTooLong,
					Detail: fmt.Sprintf("longer than %d bytes", MaxLineLen)}
			default:
				return fmt.Errorf("reading journal line %d: %w", v.line+1, err)
			}
		}
		v.line++
		raw := sc.Bytes()
		if raw[len(raw)-1] != '\n' {
			return &VerifyError{Line: v.line, Seq: parseSeqPrefix(raw), Reason: ReasonTorn,
				Detail: "the last line has no newline"}
		}
		raw = raw[:len(raw)-1]
		l, err := parseLine(raw, &v.scratch)
		if err != nil {
			return &VerifyError{Line: v.line, Seq: parseSeqPrefix(raw), Reason: ReasonMalformed,
				Detail: err.Error(), Err: err}
		}
		if l.seq != v.nextSeq {
			return &VerifyError{Line: v.line, Seq: l.seq, Reason: ReasonSeq,
				Detail: fmt.Sprintf("expected seq %d", v.nextSeq)}
		}
		if l.prev != v.prevHash {
			d := "prev is not the hash of the previous line"
			if v.nextSeq == 1 {
				d = "prev of the first entry is not " + GenesisPrev
			}
			return &VerifyError{Line: v.line, Seq: l.seq, Reason: ReasonChain, Detail: d}
		}
		if l.time.Before(v.prevTime) {
			return &VerifyError{Line: v.line, Seq: l.seq, Reason: ReasonTime,
				Detail: fmt.Sprintf("%s is earlier than the previous entry's %s",
					formatTime(nil, l.time), formatTime(nil, v.prevTime))}
		}
		if b == nil {
			select {
			case b = <-free:
			case <-stop:
				return errStopped
			}
		}
		it := vitem{line: v.line, seq: l.seq, time: l.time, hash: lineHash(raw), prev: l.prev, sig: l.sig}
		base := len(b.buf) + len(SignatureDomain) // offset of the line's start in buf
		it.msgOff = len(b.buf)
		b.buf = appendMessage(b.buf, raw, l.bodyEnd)
		it.msgEnd = len(b.buf)
		it.kindOff, it.kindEnd = base+l.kindAt, base+l.kindAt+len(l.kind)
		it.dataOff, it.dataEnd = base+l.dataAt, base+l.dataAt+len(l.data)
		b.items = append(b.items, it)

		v.nextSeq = l.seq + 1
		v.prevHash = it.hash
		v.prevTime = l.time
		if len(b.items) == batchEntries || len(b.buf) >= batchBytes {
			send()
		}
		if l.seq == 1<<64-1 {
			// Nothing can follow; a further line will fail the seq check
			// against the wrapped value 0.
			v.nextSeq = 0
		}
	}
}

// splitLines is a bufio.SplitFunc that returns each line with its newline,
// and a last line without one as it is, so that a torn line is seen.
func splitLines(data []byte, atEOF bool) (int, []byte, error) {
	if i := bytes.IndexByte(data, '\n'); i >= 0 {
		return i + 1, data[:i+1], nil
	}
	if atEOF && len(data) > 0 {
		return len(data), data, nil
	}
	return 0, nil, nil
}

// consume takes a batch whose signatures are checked, in order.
func (v *verifier) consume(b *vbatch) {
	for i := range b.items {
		it := &b.items[i]
		if i == b.bad {
			v.err = &VerifyError{Line: it.line, Seq: it.seq, Reason: ReasonSignature,
				Detail: "the signature does not verify with the journal public key"}
			return
		}
		kind := b.buf[it.kindOff:it.kindEnd]
		c, ok := v.kinds[string(kind)]
		if !ok {
			c = &kindCount{name: string(kind)}
			v.kinds[c.name] = c
		}
		if len(v.visitors) > 0 {
			e := Entry{Seq: it.seq, Time: it.time, Kind: c.name, Prev: it.prev, Hash: it.hash, Sig: it.sig,
				Data: append(json.RawMessage(nil), b.buf[it.dataOff:it.dataEnd]...)}
			for _, vis := range v.visitors {
				if err := vis.Visit(e); err != nil {
					v.err = &VerifyError{Line: it.line, Seq: it.seq, Reason: ReasonRejected, Err: err}
					return
				}
			}
		}
		c.n++
		rep := v.report
		if rep.Entries == 0 {
			rep.First = it.time
		}
		rep.Entries++
		rep.Last = it.time
		rep.End = Head{Seq: it.seq, Hash: it.hash, Time: it.time}
	}
}
