package bbqr

import (
	"bytes"
	"compress/flate"
	"encoding/base32"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"

	"github.com/coffer-custody/coffer/qr/internal/qrcap"
)

// Encoding is the third character of the header.
type Encoding byte

// Encodings defined by BBQr.md.
const (
	Hex    Encoding = 'H' // upper-case hex
	Base32 Encoding = '2' // RFC 4648 Base32, no padding
	Zlib   Encoding = 'Z' // raw deflate, 1 KiB window, then Base32
)

func (e Encoding) valid() bool { return e == Hex || e == Base32 || e == Zlib }

// splitMod is how many characters make whole bytes.
func (e Encoding) splitMod() int {
	if e == Hex {
		return 2
	}
	return 8
}

// FileType is the fourth character of the header.
type FileType byte

// File types defined by BBQr.md.
const (
	PSBT        FileType = 'P'
	Transaction FileType = 'T'
	JSON        FileType = 'J'
	CBOR        FileType = 'C'
	UnicodeText FileType = 'U'
	Binary      FileType = 'B'
	Executable  FileType = 'X'
)

// Name is the human name BBQr gives the type.
func (f FileType) Name() string {
	switch f {
	case PSBT:
		return "PSBT"
	case Transaction:
		return "Transaction"
	case JSON:
		return "JSON"
	case CBOR:
		return "CBOR"
	case UnicodeText:
		return "Unicode Text"
	case Binary:
		return "Binary"
	case Executable:
		return "Executable"
	}
	return ""
}

func (f FileType) valid() bool { return f.Name() != "" }

const (
	headerLen = 8
	maxParts  = 36*36 - 1 // "ZZ"
	window    = 1 << 10   // wbits=10
)

var b32 = base32.StdEncoding.WithPadding(base32.NoPadding)

// Options bound how Encode splits. Zero fields take the defaults.
type Options struct {
	// Encoding forces H, 2 or Z. Zero means Z when compression makes the
	// data smaller, else 2 (Z, when asked for, falls back to 2 the same way).
	Encoding Encoding
	// Level is the QR error correction the parts will be shown at: 'L'
	// (default, as BBQr.md assumes), 'M', 'Q' or 'H'.
	Level byte
	// MinVersion and MaxVersion bound the QR version; default 5 and 40.
	MinVersion, MaxVersion int
	// MinParts and MaxParts bound the number of parts; default 1 and 1295.
	MinParts, MaxParts int
}

// Split is the result of Encode.
type Split struct {
	Version  int      // the QR version every part fits in
	Encoding Encoding // the encoding used
	Parts    []string // the texts to show, in order
}

func levelIndex(l byte) (int, error) {
	switch l {
	case 0, 'L', 'l':
		return qrcap.L, nil
	case 'M', 'm':
		return qrcap.M, nil
	case 'Q', 'q':
		return qrcap.Q, nil
	case 'H', 'h':
		return qrcap.H, nil
	}
	return 0, fmt.Errorf("bbqr: error correction level %q is not L, M, Q or H", l)
}

// Encode encodes data as a series of BBQr parts.
func Encode(data []byte, ft FileType, opt Options) (Split, error) {
	if !ft.valid() {
		return Split{}, fmt.Errorf("bbqr: file type %q is not one of P, T, J, C, U, B, X", byte(ft))
	}
	if len(data) == 0 {
		return Split{}, errors.New("bbqr: no data")
	}
	level, err := levelIndex(opt.Level)
	if err != nil {
		return Split{}, err
	}
	if opt.MinVersion == 0 {
		opt.MinVersion = 5
	}
	if opt.MaxVersion == 0 {
		opt.MaxVersion = 40
	}
	if opt.MinParts == 0 {
		opt.MinParts = 1
	}
	if opt.MaxParts == 0 {
		opt.MaxParts = maxParts
	}
	opt.MinVersion = min(opt.MinVersion, opt.MaxVersion)
	if opt.MinVersion < 1 || opt.MaxVersion > 40 {
		return Split{}, fmt.Errorf("bbqr: versions %d to %d are not within 1 to 40", opt.MinVersion, opt.MaxVersion)
	}
	if opt.MinParts < 1 || opt.MaxParts > maxParts || opt.MinParts > opt.MaxParts {
		return Split{}, fmt.Errorf("bbqr: parts %d to %d are not within 1 to %d", opt.MinParts, opt.MaxParts, maxParts)
	}
	enc, text, err := encodeData(data, opt.Encoding)
	if err != nil {
		return Split{}, err
	}
	version, count, per, ok := bestVersion(len(text), enc.splitMod(), level, opt)
	if !ok {
		return Split{}, fmt.Errorf("bbqr: %d characters do not fit in %d to %d QR codes of versions %d to %d",
			len(text), opt.MinParts, opt.MaxParts, opt.MinVersion, opt.MaxVersion)
	}
	s := Split{Version: version, Encoding: enc, Parts: make([]string, 0, count)}
	for i, off := 0, 0; off < len(text); i, off = i+1, off+per {
		end := min(off+per, len(text))
		s.Parts = append(s.Parts, "B$"+string(enc)+string(ft)+base36(count)+base36(i)+text[off:end])
	}
	return s, nil
}

// partsNeeded is BBQr's num_qr_needed: how many parts of a version hold n
// characters, and how many characters go in each.
func partsNeeded(version, level, n, mod int) (count, per int) {
	cap1 := qrcap.Alphanumeric(version, level) - headerLen
	cap2 := cap1 - cap1%mod
	if cap2 <= 0 {
		return maxParts + 1, 0
	}
	need := (n + cap2 - 1) / cap2
	if need == 1 {
		return 1, n
	}
	if (need-1)*cap2+cap1 >= n {
		return need, cap2
	}
	return need + 1, cap2
}

// bestVersion is BBQr's find_best_version: the fewest parts, then the
// lowest version.
func bestVersion(n, mod, level int, opt Options) (version, count, per int, ok bool) {
	for v := opt.MinVersion; v <= opt.MaxVersion; v++ {
		c, p := partsNeeded(v, level, n, mod)
		if c < opt.MinParts || c > opt.MaxParts {
			continue
		}
		if !ok || c < count {
			version, count, per, ok = v, c, p, true
		}
	}
	return
}

func base36(n int) string {
	const digits = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	return string([]byte{digits[n/36], digits[n%36]})
}

func parseBase36(s string) (int, bool) {
	n := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		var d int
		switch {
		case '0' <= c && c <= '9':
			d = int(c - '0')
		case 'A' <= c && c <= 'Z':
			d = int(c-'A') + 10
		default:
			return 0, false
		}
		n = n*36 + d
	}
	return n, true
}

// encodeData returns the encoding used and the text of data.
func encodeData(data []byte, want Encoding) (Encoding, string, error) {
	switch want {
	case Hex:
		return Hex, strings.ToUpper(hex.EncodeToString(data)), nil
	case Base32:
		return Base32, b32.EncodeToString(data), nil
	case 0, Zlib:
		z, err := deflate(data)
		if err != nil {
			return 0, "", err
		}
		if len(z) >= len(data) {
			return Base32, b32.EncodeToString(data), nil
		}
		return Zlib, b32.EncodeToString(z), nil
	}
	return 0, "", fmt.Errorf("bbqr: encoding %q is not H, 2 or Z", byte(want))
}

// deflate compresses data so that a 1 KiB-window inflater reads it: the
// smaller of Huffman-only deflate and independent 1 KiB deflate segments.
func deflate(data []byte) ([]byte, error) {
	var huff bytes.Buffer
	w, err := flate.NewWriter(&huff, flate.HuffmanOnly)
	if err != nil {
		return nil, err
	}
	if _, err := w.Write(data); err != nil {
		return nil, err
	}
	if err := w.Close(); err != nil {
		return nil, err
	}
	var seg bytes.Buffer
	for off := 0; off < len(data); off += window {
		w, err := flate.NewWriter(&seg, flate.BestCompression)
		if err != nil {
			return nil, err
		}
		end := min(off+window, len(data))
		if _, err := w.Write(data[off:end]); err != nil {
			return nil, err
		}
		// A sync flush ends each segment on a byte boundary with a
		// non-final block; the last segment closes the stream.
		if end < len(data) {
			err = w.Flush()
		} else {
			err = w.Close()
		}
		if err != nil {
			return nil, err
		}
	}
	if seg.Len() < huff.Len() {
		return seg.Bytes(), nil
	}
	return huff.Bytes(), nil
}
