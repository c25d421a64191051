package audit

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"strconv"
	"time"
	"unicode/utf8"
)

// The line format is defined in doc.go; this file is its only encoder and
// parser. Everything here works on byte slices and allocates little, because
// Verify runs it once per entry over journals of millions of lines.

const (
	// MaxLineLen is the largest journal line, in bytes, not counting its
	// newline. Append refuses to write a longer line and Verify refuses to
	// read one, so a reader needs no more memory than this per line.
	MaxLineLen = 1 << 20

	// SignatureDomain is prepended to an entry's canonical body before it
	// is signed, so a journal signature can never be replayed as any other
	// signature made with the same key.
	SignatureDomain = "coffer journal entry v1\n"

	// maxKindLen bounds the kind field.
	maxKindLen = 32

	// timeLayout is RFC 3339 in UTC with exactly three fractional digits.
	timeLayout = "2006-01-02T15:04:05.000Z"
	timeLen    = len(timeLayout)

	prefixSeq  = `{"seq":`
	prefixTime = `,"time":"`
	prefixKind = `","kind":"`
	prefixPrev = `","prev":"`
	prefixData = `","data":`
	prefixSig  = `,"sig":"`
	suffixLine = `"}`

	sigHexLen = 2 * 64
	// sigTailLen is the length of `,"sig":"<128 hex>"}`, always the end of a line.
	sigTailLen = len(prefixSig) + sigHexLen + len(suffixLine)
)

// GenesisPrev is the prev field of the first entry of a journal: the hex of
// 32 zero bytes.
const GenesisPrev = "0000000000000000000000000000000000000000000000000000000000000000"

// line is a parsed journal line. Its slices point into the line it was
// parsed from.
type line struct {
	seq     uint64
	time    time.Time
	kind    []byte
	kindAt  int // offset of kind in the line
	prev    [32]byte
	data    []byte
	dataAt  int // offset of data in the line
	sig     [64]byte
	bodyEnd int // line[:bodyEnd] + "}" is the canonical body
}

// lineFault is a parse failure: a fixed, non-secret sentence.
type lineFault string

func (f lineFault) Error() string { return string(f) }

// validKind reports whether k is a well-formed kind: a lower-case ASCII
// letter then up to 31 lower-case letters, digits or hyphens.
func validKind(k []byte) bool {
	if len(k) == 0 || len(k) > maxKindLen || k[0] < 'a' || k[0] > 'z' {
		return false
	}
	for _, c := range k {
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-') {
			return false
		}
	}
	return true
}

// formatTime renders t as the journal writes it. t must already be
// truncated to milliseconds for the result to round-trip.
func formatTime(dst []byte, t time.Time) []byte {
	return t.UTC().AppendFormat(dst, timeLayout)
}

// journalTime is the time an entry made at now records: UTC, truncated to
// the millisecond.
func journalTime(now time.Time) time.Time {
	return now.UTC().Truncate(time.Millisecond)
}

// appendBody appends the canonical body of an entry without its closing
// brace: {"seq":N,"time":"T","kind":"K","prev":"P","data":D
func appendBody(dst []byte, seq uint64, t time.Time, kind string, prev *[32]byte, data []byte) []byte {
	dst = append(dst, prefixSeq...)
	dst = strconv.AppendUint(dst, seq, 10)
	dst = append(dst, prefixTime...)
	dst = formatTime(dst, t)
	dst = append(dst, prefixKind...)
	dst = append(dst, kind...)
	dst = append(dst, prefixPrev...)
	dst = hex.AppendEncode(dst, prev[:])
	dst = append(dst, prefixData...)
	dst = append(dst, data...)
	return dst
}

// appendSigTail appends `,"sig":"<hex>"}`.
func appendSigTail(dst []byte, sig []byte) []byte {
	dst = append(dst, prefixSig...)
	dst = hex.AppendEncode(dst, sig)
	return append(dst, suffixLine...)
}

// appendMessage appends the bytes an entry's signature covers:
// SignatureDomain, then the canonical body, then "}".
func appendMessage(dst []byte, lineBytes []byte, bodyEnd int) []byte {
	dst = append(dst, SignatureDomain...)
	dst = append(dst, lineBytes[:bodyEnd]...)
	return append(dst, '}')
}

// lineHash is the value the next entry's prev holds.
func lineHash(lineBytes []byte) [32]byte {
	return sha256.Sum256(lineBytes)
}

// canonicalData checks that data is a compact JSON object in valid UTF-8,
// the only form the journal holds. scratch is reused between calls.
func canonicalData(data []byte, scratch *bytes.Buffer) error {
	if len(data) < 2 || data[0] != '{' {
		return lineFault(`field "data" is not a JSON object`)
	}
	if !utf8.Valid(data) {
		return lineFault(`field "data" is not valid UTF-8`)
	}
	scratch.Reset()
	if err := json.Compact(scratch, data); err != nil {
		return lineFault(`field "data" is not valid JSON`)
	}
	if !bytes.Equal(scratch.Bytes(), data) {
		return lineFault(`field "data" is not compact JSON`)
	}
	return nil
}

// parseSeqPrefix reads the seq of a line that begins like a journal entry,
// for naming a line that is otherwise unreadable. It returns 0 when even
// that fails.
func parseSeqPrefix(b []byte) uint64 {
	if !bytes.HasPrefix(b, []byte(prefixSeq)) {
		return 0
	}
	seq, _, ok := parseUint(b[len(prefixSeq):])
	if !ok {
		return 0
	}
	return seq
}

// parseUint reads a canonical decimal (no sign, no leading zero, not zero)
// at the start of b. It returns the value and the digits consumed.
func parseUint(b []byte) (uint64, int, bool) {
	var v uint64
	n := 0
	for n < len(b) && b[n] >= '0' && b[n] <= '9' {
		d := uint64(b[n] - '0')
		if v > (1<<64-1-d)/10 {
			return 0, 0, false
		}
		v = v*10 + d
		n++
	}
	if n == 0 || b[0] == '0' {
		return 0, 0, false
	}
	return v, n, true
}

// parseTime reads YYYY-MM-DDThh:mm:ss.sssZ, the only form the journal
// writes, rejecting any field out of range (so the text is canonical).
func parseTime(b []byte) (time.Time, bool) {
	if len(b) != timeLen || b[4] != '-' || b[7] != '-' || b[10] != 'T' || b[13] != ':' ||
		b[16] != ':' || b[19] != '.' || b[23] != 'Z' {
		return time.Time{}, false
	}
	num := func(i, n int) (int, bool) {
		v := 0
		for _, c := range b[i : i+n] {
			if c < '0' || c > '9' {
				return 0, false
			}
			v = v*10 + int(c-'0')
		}
		return v, true
	}
	year, ok1 := num(0, 4)
	month, ok2 := num(5, 2)
	day, ok3 := num(8, 2)
	hour, ok4 := num(11, 2)
	minute, ok5 := num(14, 2)
	sec, ok6 := num(17, 2)
	ms, ok7 := num(20, 3)
	if !(ok1 && ok2 && ok3 && ok4 && ok5 && ok6 && ok7) ||
		month < 1 || month > 12 || day < 1 || hour > 23 || minute > 59 || sec > 59 {
		return time.Time{}, false
	}
	t := time.Date(year, time.Month(month), day, hour, minute, sec, ms*int(time.Millisecond), time.UTC)
	if t.Day() != day { // 31 April, 29 February of a common year
		return time.Time{}, false
	}
	return t, true
}

// decodeHexLower decodes exactly len(dst)*2 lower-case hex digits.
func decodeHexLower(dst []byte, src []byte) bool {
	if len(src) != 2*len(dst) {
		return false
	}
	for _, c := range src {
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
			return false
		}
	}
	_, err := hex.Decode(dst, src)
	return err == nil
}

// parseLine parses one journal line (without its newline) and checks that
// it is in canonical form, byte for byte. It does not check the signature,
// the chain or the sequence.
func parseLine(b []byte, scratch *bytes.Buffer) (line, error) {
	var l line
	if len(b) > MaxLineLen {
		return l, lineFault("line is longer than the limit")
	}
	rest, ok := bytes.CutPrefix(b, []byte(prefixSeq))
	if !ok {
		return l, lineFault(`line does not start with {"seq":`)
	}
	seq, n, ok := parseUint(rest)
	if !ok {
		return l, lineFault(`field "seq" is not a positive integer in canonical form`)
	}
	l.seq = seq
	rest = rest[n:]

	if rest, ok = bytes.CutPrefix(rest, []byte(prefixTime)); !ok || len(rest) < timeLen {
		return l, lineFault(`field "time" is missing or out of place`)
	}
	t, ok := parseTime(rest[:timeLen])
	if !ok {
		return l, lineFault(`field "time" is not RFC 3339 UTC with milliseconds`)
	}
	l.time = t
	rest = rest[timeLen:]

	if rest, ok = bytes.CutPrefix(rest, []byte(prefixKind)); !ok {
		return l, lineFault(`field "kind" is missing or out of place`)
	}
	end := bytes.IndexByte(rest, '"')
	if end < 0 || !validKind(rest[:end]) {
		return l, lineFault(`field "kind" is not a lower-case name of at most 32 characters`)
	}
	l.kind = rest[:end]
	l.kindAt = len(b) - len(rest)
	rest = rest[end:]

	if rest, ok = bytes.CutPrefix(rest, []byte(prefixPrev)); !ok || len(rest) < 64 {
		return l, lineFault(`field "prev" is missing or out of place`)
	}
	if !decodeHexLower(l.prev[:], rest[:64]) {
		return l, lineFault(`field "prev" is not 64 lower-case hex digits`)
	}
	rest = rest[64:]

	if rest, ok = bytes.CutPrefix(rest, []byte(prefixData)); !ok {
		return l, lineFault(`field "data" is missing or out of place`)
	}
	if len(rest) < sigTailLen {
		return l, lineFault(`field "sig" is missing or out of place`)
	}
	dataEnd := len(rest) - sigTailLen
	tail := rest[dataEnd:]
	if !bytes.HasPrefix(tail, []byte(prefixSig)) || !bytes.HasSuffix(tail, []byte(suffixLine)) {
		return l, lineFault(`field "sig" is missing or out of place`)
	}
	if !decodeHexLower(l.sig[:], tail[len(prefixSig):len(prefixSig)+sigHexLen]) {
		return l, lineFault(`field "sig" is not 128 lower-case hex digits`)
	}
	l.data = rest[:dataEnd]
	l.dataAt = len(b) - len(rest)
	if err := canonicalData(l.data, scratch); err != nil {
		return l, err
	}
	l.bodyEnd = len(b) - sigTailLen
	return l, nil
}
