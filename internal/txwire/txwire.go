// Package txwire decodes serialized Bitcoin transactions from untrusted
// bytes.
//
// btcd's wire.MsgTx decoder sizes its slices by the counts and lengths the
// bytes declare before it reads what they count: up to 780,000 inputs,
// 3.7 million outputs, 4 million witness items per input and 32 MB scripts.
// Nine bytes that declare 780,000 inputs make it allocate about 80 MB before
// it fails at the end of the input. Decode and DecodeNoWitness first walk the
// serialization and check every count and length against the bytes that
// follow it, so the memory btcd then allocates stays proportional to the
// input; only then do they hand the bytes to btcd.
//
// # Errors
//
// Every error is one lower-case sentence naming the field that is wrong
// (input #, output #, witness item #), with no final period.
package txwire

import (
	"bytes"
	"errors"
	"fmt"

	"github.com/btcsuite/btcd/wire"
)

// The smallest serialized input (outpoint, empty script length, sequence)
// and output (amount, empty script length).
const (
	minInputLen  = 32 + 4 + 1 + 4
	minOutputLen = 8 + 1
)

// Decode reads exactly one transaction in witness or legacy serialization:
// nothing may follow it.
func Decode(b []byte) (*wire.MsgTx, error) {
	return decode(b, true)
}

// DecodeNoWitness reads exactly one transaction in legacy serialization
// (as PSBT_GLOBAL_UNSIGNED_TX holds it): nothing may follow it.
func DecodeNoWitness(b []byte) (*wire.MsgTx, error) {
	return decode(b, false)
}

func decode(b []byte, witness bool) (*wire.MsgTx, error) {
	n, err := Check(b, witness)
	if err != nil {
		return nil, err
	}
	tx := &wire.MsgTx{}
	r := bytes.NewReader(b[:n])
	if witness {
		err = tx.Deserialize(r)
	} else {
		err = tx.DeserializeNoWitness(r)
	}
	if err != nil {
		return nil, err
	}
	if r.Len() != 0 || n != len(b) {
		return nil, fmt.Errorf("%d %w", len(b)-n+r.Len(), ErrTrailing)
	}
	return tx, nil
}

// Check walks the serialization of one transaction at the start of b and
// returns its length. It checks that every count and length fits in the
// bytes that follow it; it does not check that the encoding is canonical,
// which btcd's decoder does. With witness false a zero input count is read
// as zero inputs, as btcd's DeserializeNoWitness does.
func Check(b []byte, witness bool) (int, error) {
	w := &walker{b: b}
	if err := w.skip(4, name("the version")); err != nil {
		return 0, err
	}
	nIn, err := w.count(name("the input count"))
	if err != nil {
		return 0, err
	}
	segwit := false
	if nIn == 0 && witness {
		flag, err := w.byte(name("the segwit flag"))
		if err != nil {
			return 0, err
		}
		if flag != 0x01 {
			return 0, fmt.Errorf("the segwit flag is 0x%02x, not 0x01", flag)
		}
		segwit = true
		if nIn, err = w.count(name("the input count")); err != nil {
			return 0, err
		}
	}
	if nIn > uint64(w.left()/minInputLen) {
		return 0, fmt.Errorf("the transaction declares %d inputs but only %d bytes follow", nIn, w.left())
	}
	for i := range nIn {
		if err := w.skip(36, nth("input #%d's outpoint", i)); err != nil {
			return 0, err
		}
		if err := w.varBytes(nth("input #%d's scriptSig", i)); err != nil {
			return 0, err
		}
		if err := w.skip(4, nth("input #%d's sequence", i)); err != nil {
			return 0, err
		}
	}
	nOut, err := w.count(name("the output count"))
	if err != nil {
		return 0, err
	}
	if nOut > uint64(w.left()/minOutputLen) {
		return 0, fmt.Errorf("the transaction declares %d outputs but only %d bytes follow", nOut, w.left())
	}
	for i := range nOut {
		if err := w.skip(8, nth("output #%d's amount", i)); err != nil {
			return 0, err
		}
		if err := w.varBytes(nth("output #%d's script", i)); err != nil {
			return 0, err
		}
	}
	if segwit {
		for i := range nIn {
			items, err := w.count(nth("input #%d's witness item count", i))
			if err != nil {
				return 0, err
			}
			if items > uint64(w.left()) {
				return 0, fmt.Errorf("input #%d's witness declares %d items but only %d bytes follow", i, items, w.left())
			}
			for j := range items {
				if err := w.varBytes(nth2("input #%d's witness item #%d", i, j)); err != nil {
					return 0, err
				}
			}
		}
	}
	if err := w.skip(4, name("the lock time")); err != nil {
		return 0, err
	}
	return w.pos, nil
}

// ErrTrailing is the error of Decode and DecodeNoWitness when bytes follow
// a whole transaction; the message reads "N bytes follow the transaction".
var ErrTrailing = errors.New("bytes follow the transaction")

var errShort = errors.New("the transaction ends early")

// label names the field being read. It is formatted only when an error
// needs it: Check runs on every transaction of a PSBT (each
// non_witness_utxo too), and formatting a name per field cost more than
// the walk itself.
type label struct {
	format string // with n %d verbs, for i and j
	n      int
	i, j   uint64
	suffix string
}

func name(s string) label                   { return label{format: s} }
func nth(format string, i uint64) label     { return label{format: format, n: 1, i: i} }
func nth2(format string, i, j uint64) label { return label{format: format, n: 2, i: i, j: j} }
func (l label) length() label               { l.suffix += " length"; return l }

func (l label) String() string {
	switch l.n {
	case 0:
		return l.format + l.suffix
	case 1:
		return fmt.Sprintf(l.format, l.i) + l.suffix
	default:
		return fmt.Sprintf(l.format, l.i, l.j) + l.suffix
	}
}

// walker reads through a serialized transaction without allocating.
type walker struct {
	b   []byte
	pos int
}

func (w *walker) left() int { return len(w.b) - w.pos }

func (w *walker) skip(n uint64, what label) error {
	if n > uint64(w.left()) {
		return fmt.Errorf("%w: %s needs %d bytes but %d follow", errShort, what, n, w.left())
	}
	w.pos += int(n)
	return nil
}

func (w *walker) byte(what label) (byte, error) {
	if w.left() < 1 {
		return 0, fmt.Errorf("%w: %s is missing", errShort, what)
	}
	c := w.b[w.pos]
	w.pos++
	return c, nil
}

// count reads a CompactSize.
func (w *walker) count(what label) (uint64, error) {
	c, err := w.byte(what)
	if err != nil {
		return 0, err
	}
	size := 0
	switch c {
	case 0xfd:
		size = 2
	case 0xfe:
		size = 4
	case 0xff:
		size = 8
	default:
		return uint64(c), nil
	}
	if w.left() < size {
		return 0, fmt.Errorf("%w: %s is cut short", errShort, what)
	}
	var v uint64
	for i := size - 1; i >= 0; i-- {
		v = v<<8 | uint64(w.b[w.pos+i])
	}
	w.pos += size
	return v, nil
}

// varBytes skips a CompactSize length and that many bytes.
func (w *walker) varBytes(what label) error {
	n, err := w.count(what.length())
	if err != nil {
		return err
	}
	return w.skip(n, what)
}
