package fountain

import (
	"fmt"
	"math"

	"github.com/coffer-custody/coffer/qr/internal/cbor"
)

// Part is one part of a fountain-coded message, as carried in the CBOR of a
// multipart UR: [seqNum, seqLen, messageLen, checksum, data].
type Part struct {
	SeqNum     uint32 // 1-based; parts beyond SeqLen are mixes
	SeqLen     int    // number of fragments in the message
	MessageLen int    // message length in bytes, without padding
	Checksum   uint32 // CRC-32 of the whole message
	Data       []byte // one fragment, or the XOR of several
}

// PartError reports a part that is malformed or out of bounds.
type PartError struct {
	Reason string
}

func (e *PartError) Error() string { return "fountain part: " + e.Reason }

// MarshalCBOR encodes the part as deterministic CBOR.
func (p Part) MarshalCBOR() []byte {
	b := make([]byte, 0, 32+len(p.Data))
	b = cbor.AppendArray(b, 5)
	b = cbor.AppendUint(b, uint64(p.SeqNum))
	b = cbor.AppendUint(b, uint64(p.SeqLen))
	b = cbor.AppendUint(b, uint64(p.MessageLen))
	b = cbor.AppendUint(b, uint64(p.Checksum))
	return cbor.AppendBytes(b, p.Data)
}

// String describes the part the way the reference test vectors do.
func (p Part) String() string {
	return fmt.Sprintf("seqNum:%d, seqLen:%d, messageLen:%d, checksum:%d, data:%x",
		p.SeqNum, p.SeqLen, p.MessageLen, p.Checksum, p.Data)
}

// ParsePart decodes the CBOR of a part and checks it against lim: seqNum
// at least 1, seqLen and messageLen within the limits, a non-empty
// fragment, and seqLen equal to the number of fragments of that length
// that messageLen needs. The returned Data is a copy.
func ParsePart(b []byte, lim Limits) (Part, error) {
	lim = lim.withDefaults()
	r := cbor.NewReader(b)
	n, err := r.Array(5)
	if err != nil {
		return Part{}, &PartError{Reason: "not a CBOR array: " + err.Error()}
	}
	if n != 5 {
		return Part{}, &PartError{Reason: fmt.Sprintf("array of %d items, want 5", n)}
	}
	var v [4]uint64
	names := [4]string{"seqNum", "seqLen", "messageLen", "checksum"}
	for i := range v {
		if v[i], err = r.Uint(); err != nil {
			return Part{}, &PartError{Reason: names[i] + ": " + err.Error()}
		}
	}
	data, err := r.Bytes(lim.MaxMessageLen)
	if err != nil {
		return Part{}, &PartError{Reason: "data: " + err.Error()}
	}
	if err := r.ExpectEnd(); err != nil {
		return Part{}, &PartError{Reason: err.Error()}
	}
	if v[0] > math.MaxUint32 || v[3] > math.MaxUint32 {
		return Part{}, &PartError{Reason: "seqNum or checksum does not fit in 32 bits"}
	}
	p := Part{SeqNum: uint32(v[0]), Checksum: uint32(v[3])}
	if v[1] > uint64(lim.MaxSeqLen) {
		return Part{}, &PartError{Reason: fmt.Sprintf("seqLen %d is above the limit of %d", v[1], lim.MaxSeqLen)}
	}
	if v[2] > uint64(lim.MaxMessageLen) {
		return Part{}, &PartError{Reason: fmt.Sprintf("messageLen %d is above the limit of %d", v[2], lim.MaxMessageLen)}
	}
	p.SeqLen, p.MessageLen = int(v[1]), int(v[2])
	p.Data = append([]byte(nil), data...)
	if err := p.check(); err != nil {
		return Part{}, err
	}
	return p, nil
}

// check validates the fields that do not depend on limits.
func (p Part) check() error {
	switch {
	case p.SeqNum == 0:
		return &PartError{Reason: "seqNum is 0"}
	case p.SeqLen < 1:
		return &PartError{Reason: "seqLen is 0"}
	case p.MessageLen < 1:
		return &PartError{Reason: "messageLen is 0"}
	case len(p.Data) == 0:
		return &PartError{Reason: "no data"}
	}
	if want := (p.MessageLen + len(p.Data) - 1) / len(p.Data); want != p.SeqLen {
		return &PartError{Reason: fmt.Sprintf("seqLen %d does not match a %d-byte message in %d-byte fragments (%d)",
			p.SeqLen, p.MessageLen, len(p.Data), want)}
	}
	return nil
}
