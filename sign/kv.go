package sign

import (
	"bytes"
	"encoding/binary"
	"fmt"
)

// psbtMagic opens every PSBT: "psbt" and the 0xff separator.
var psbtMagic = []byte{0x70, 0x73, 0x62, 0x74, 0xff}

// record is one key-value pair of a PSBT map, kept as read so that a PSBT
// is written back with every field it came with, known or not.
type record struct {
	key   []byte // the whole key: compact-size type, then key data
	typ   uint64 // the key type
	kdata []byte // the key data after the type (a sub-slice of key)
	value []byte
}

// kvMap is one PSBT map (global, an input or an output) in the order read.
type kvMap struct {
	recs []record
}

// find returns the value of the record with type typ and no key data.
func (m *kvMap) find(typ uint64) ([]byte, bool) {
	for i := range m.recs {
		if m.recs[i].typ == typ && len(m.recs[i].kdata) == 0 {
			return m.recs[i].value, true
		}
	}
	return nil, false
}

// has reports whether any record of type typ is present.
func (m *kvMap) has(typ uint64) bool {
	for i := range m.recs {
		if m.recs[i].typ == typ {
			return true
		}
	}
	return false
}

// put adds the record typ||kdata = value, replacing one with the same key.
// A new record goes before the first record whose key sorts after it, so a
// map that was sorted by key stays sorted.
func (m *kvMap) put(typ uint64, kdata, value []byte) {
	key := appendCompactSize(nil, typ)
	key = append(key, kdata...)
	r := record{key: key, typ: typ, kdata: key[len(key)-len(kdata):], value: value}
	for i := range m.recs {
		if bytes.Equal(m.recs[i].key, key) {
			m.recs[i] = r
			return
		}
	}
	at := len(m.recs)
	for i := range m.recs {
		if bytes.Compare(m.recs[i].key, key) > 0 {
			at = i
			break
		}
	}
	m.recs = append(m.recs, record{})
	copy(m.recs[at+1:], m.recs[at:])
	m.recs[at] = r
}

// size is the serialized length of the map with its terminator.
func (m *kvMap) size() int {
	n := 1
	for _, r := range m.recs {
		n += compactSizeLen(uint64(len(r.key))) + len(r.key)
		n += compactSizeLen(uint64(len(r.value))) + len(r.value)
	}
	return n
}

// appendTo appends the serialized map and its 0x00 terminator to b.
func (m *kvMap) appendTo(b []byte) []byte {
	for _, r := range m.recs {
		b = appendCompactSize(b, uint64(len(r.key)))
		b = append(b, r.key...)
		b = appendCompactSize(b, uint64(len(r.value)))
		b = append(b, r.value...)
	}
	return append(b, 0x00)
}

// reader walks a byte slice; every read is bounds-checked.
type reader struct {
	b   []byte
	pos int
}

func (r *reader) remaining() int { return len(r.b) - r.pos }

// errTruncated and errNonCanonical are framing problems; the caller adds
// where they happened.
type framingError string

func (e framingError) Error() string { return string(e) }

// compactSize reads a minimally encoded Bitcoin compact size integer.
func (r *reader) compactSize() (uint64, error) {
	if r.remaining() < 1 {
		return 0, framingError("data ends where a length was expected")
	}
	first := r.b[r.pos]
	r.pos++
	var n uint64
	var width int
	var min uint64
	switch first {
	case 0xfd:
		width, min = 2, 0xfd
	case 0xfe:
		width, min = 4, 0x10000
	case 0xff:
		width, min = 8, 0x100000000
	default:
		return uint64(first), nil
	}
	if r.remaining() < width {
		return 0, framingError("data ends inside a compact size integer")
	}
	switch width {
	case 2:
		n = uint64(binary.LittleEndian.Uint16(r.b[r.pos:]))
	case 4:
		n = uint64(binary.LittleEndian.Uint32(r.b[r.pos:]))
	case 8:
		n = binary.LittleEndian.Uint64(r.b[r.pos:])
	}
	r.pos += width
	if n < min {
		return 0, framingError(fmt.Sprintf("compact size %d is not minimally encoded", n))
	}
	return n, nil
}

// bytes reads n bytes, or fails naming what was being read.
func (r *reader) bytes(n uint64, what string) ([]byte, error) {
	if n > uint64(r.remaining()) {
		return nil, framingError(fmt.Sprintf("%s of %d bytes runs past the end of the data (%d bytes left)", what, n, r.remaining()))
	}
	out := r.b[r.pos : r.pos+int(n)]
	r.pos += int(n)
	return out, nil
}

// readMap reads one map up to and including its 0x00 terminator. A key that
// appears twice is refused. The records point into r's buffer.
func (r *reader) readMap() (*kvMap, error) {
	m := &kvMap{}
	var seen map[string]struct{}
	for {
		if r.remaining() == 0 {
			return nil, framingError("data ends before the map's 0x00 terminator")
		}
		klen, err := r.compactSize()
		if err != nil {
			return nil, err
		}
		if klen == 0 {
			return m, nil
		}
		key, err := r.bytes(klen, "key")
		if err != nil {
			return nil, err
		}
		kr := reader{b: key}
		typ, err := kr.compactSize()
		if err != nil {
			return nil, framingError("key type: " + err.Error())
		}
		vlen, err := r.compactSize()
		if err != nil {
			return nil, fmt.Errorf("value length of key type 0x%02x: %w", typ, err)
		}
		value, err := r.bytes(vlen, fmt.Sprintf("value of key type 0x%02x", typ))
		if err != nil {
			return nil, err
		}
		rec := record{key: key, typ: typ, kdata: key[kr.pos:], value: value}
		if len(m.recs) < 8 {
			for i := range m.recs {
				if bytes.Equal(m.recs[i].key, key) {
					return nil, duplicateKeyError{typ: typ}
				}
			}
		} else {
			if seen == nil {
				seen = make(map[string]struct{}, 16)
				for i := range m.recs {
					seen[string(m.recs[i].key)] = struct{}{}
				}
			}
			if _, dup := seen[string(key)]; dup {
				return nil, duplicateKeyError{typ: typ}
			}
			seen[string(key)] = struct{}{}
		}
		m.recs = append(m.recs, rec)
	}
}

type duplicateKeyError struct{ typ uint64 }

func (e duplicateKeyError) Error() string {
	return fmt.Sprintf("key of type 0x%02x appears twice", e.typ)
}

// compactSizeLen is the encoded length of n.
func compactSizeLen(n uint64) int {
	switch {
	case n < 0xfd:
		return 1
	case n <= 0xffff:
		return 3
	case n <= 0xffffffff:
		return 5
	}
	return 9
}

// appendCompactSize appends the minimal encoding of n.
func appendCompactSize(b []byte, n uint64) []byte {
	switch {
	case n < 0xfd:
		return append(b, byte(n))
	case n <= 0xffff:
		return binary.LittleEndian.AppendUint16(append(b, 0xfd), uint16(n))
	case n <= 0xffffffff:
		return binary.LittleEndian.AppendUint32(append(b, 0xfe), uint32(n))
	}
	return binary.LittleEndian.AppendUint64(append(b, 0xff), n)
}
