package approval

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
)

// Approvals and the request's initiator may travel inside the PSBT, as
// BIP174 proprietary global fields, so that one QR stream carries
// everything:
//
//	key   = 0xFC || 0x06 "coffer" || subtype || key data
//	subtype 0x01  initiator: no key data; value = the initiator's id (ASCII)
//	subtype 0x02  approval:  key data = SHA-256 of the document;
//	              value = compact size || document || compact size || armored signature
//
// Both versions of PSBT (0 and 2) carry them; every PSBT reader keeps
// proprietary fields it does not know.
const (
	PropIdentifier        = "coffer"
	PropSubtypeInitiator  = 0x01
	PropSubtypeApproval   = 0x02
	proprietaryType       = 0xFC
	maxPSBTForProprietary = 64 << 20
)

var psbtMagic = []byte{0x70, 0x73, 0x62, 0x74, 0xff}

// Embedded is what a PSBT carries of Coffer's own fields.
type Embedded struct {
	Initiator string
	Approvals []*Approval
}

// ReadEmbedded reads the initiator and the approvals from a binary PSBT's
// global map (sign.Packet.Encode gives the bytes). A PSBT without them
// gives an empty Embedded.
func ReadEmbedded(psbt []byte) (*Embedded, error) {
	recs, _, err := globalRecords(psbt)
	if err != nil {
		return nil, err
	}
	out := &Embedded{}
	n := 0
	for _, r := range recs {
		sub, kdata, ok := cofferKey(r.key)
		if !ok {
			continue
		}
		switch sub {
		case PropSubtypeInitiator:
			if len(kdata) != 0 {
				return nil, errors.New("PSBT initiator field has key data")
			}
			id := string(r.value)
			if err := CheckID(id); err != nil {
				return nil, fmt.Errorf("PSBT initiator field: %v", err)
			}
			out.Initiator = id
		case PropSubtypeApproval:
			n++
			if n > MaxApprovals {
				return nil, fmt.Errorf("PSBT carries more than %d approvals", MaxApprovals)
			}
			name := fmt.Sprintf("PSBT approval #%d", n)
			doc, sig, err := splitApprovalValue(r.value)
			if err != nil {
				return nil, fmt.Errorf("%s: %v", name, err)
			}
			if sum := sha256.Sum256(doc); !bytes.Equal(kdata, sum[:]) {
				return nil, fmt.Errorf("%s: its key is not the SHA-256 of its document", name)
			}
			a, err := Parse(name, doc, sig)
			if err != nil {
				return nil, err
			}
			out.Approvals = append(out.Approvals, a)
		}
	}
	return out, nil
}

// SetInitiator returns the binary PSBT with its initiator field set to id
// (replacing one already there).
func SetInitiator(psbt []byte, id string) ([]byte, error) {
	if err := CheckID(id); err != nil {
		return nil, fmt.Errorf("initiator: %v", err)
	}
	return putGlobal(psbt, propKey(PropSubtypeInitiator, nil), []byte(id))
}

// Embed returns the binary PSBT carrying the approval (document and
// signature) in a proprietary global field; the same document twice is
// stored once.
func Embed(psbt []byte, a *Approval) ([]byte, error) {
	sum := sha256.Sum256(a.Raw)
	sig := a.Sig.Marshal()
	v := appendCompact(nil, uint64(len(a.Raw)))
	v = append(v, a.Raw...)
	v = appendCompact(v, uint64(len(sig)))
	v = append(v, sig...)
	return putGlobal(psbt, propKey(PropSubtypeApproval, sum[:]), v)
}

func propKey(sub byte, kdata []byte) []byte {
	k := []byte{proprietaryType, byte(len(PropIdentifier))}
	k = append(k, PropIdentifier...)
	k = append(k, sub)
	return append(k, kdata...)
}

// cofferKey splits a proprietary key of Coffer into subtype and key data.
func cofferKey(key []byte) (byte, []byte, bool) {
	p := []byte{proprietaryType, byte(len(PropIdentifier))}
	p = append(p, PropIdentifier...)
	if !bytes.HasPrefix(key, p) || len(key) < len(p)+1 {
		return 0, nil, false
	}
	sub := key[len(p)]
	if sub >= 0xfd { // a multi-byte compact size: not one of ours
		return 0, nil, false
	}
	return sub, key[len(p)+1:], true
}

func splitApprovalValue(v []byte) (doc, sig []byte, err error) {
	n, rest, ok := readCompact(v)
	if !ok || n > uint64(len(rest)) || n > MaxDocumentSize {
		return nil, nil, errors.New("its document length is wrong")
	}
	doc, rest = rest[:n], rest[n:]
	m, rest, ok := readCompact(rest)
	if !ok || m != uint64(len(rest)) || m > MaxSignatureSize {
		return nil, nil, errors.New("its signature length is wrong")
	}
	return doc, rest, nil
}

type rec struct {
	key, value []byte
}

// globalRecords reads the global map of a binary PSBT; end is the offset
// of its separator byte.
func globalRecords(psbt []byte) (recs []rec, end int, err error) {
	if len(psbt) > maxPSBTForProprietary {
		return nil, 0, fmt.Errorf("PSBT of %d bytes is too large", len(psbt))
	}
	if !bytes.HasPrefix(psbt, psbtMagic) {
		return nil, 0, errors.New("not a binary PSBT")
	}
	b := psbt[len(psbtMagic):]
	off := len(psbtMagic)
	for {
		kl, rest, ok := readCompact(b)
		if !ok {
			return nil, 0, errors.New("PSBT global map is truncated")
		}
		if kl == 0 {
			return recs, off, nil
		}
		if kl > uint64(len(rest)) {
			return nil, 0, errors.New("PSBT global key is truncated")
		}
		key := rest[:kl]
		rest = rest[kl:]
		vl, rest2, ok := readCompact(rest)
		if !ok || vl > uint64(len(rest2)) {
			return nil, 0, errors.New("PSBT global value is truncated")
		}
		recs = append(recs, rec{key: key, value: rest2[:vl]})
		consumed := len(b) - len(rest2[vl:])
		off += consumed
		b = rest2[vl:]
	}
}

// putGlobal sets key = value in the global map (replacing the same key).
func putGlobal(psbt []byte, key, value []byte) ([]byte, error) {
	recs, end, err := globalRecords(psbt)
	if err != nil {
		return nil, err
	}
	out := append([]byte(nil), psbtMagic...)
	for _, r := range recs {
		if bytes.Equal(r.key, key) {
			continue
		}
		out = appendRec(out, r.key, r.value)
	}
	out = appendRec(out, key, value)
	return append(out, psbt[end:]...), nil
}

func appendRec(b, key, value []byte) []byte {
	b = appendCompact(b, uint64(len(key)))
	b = append(b, key...)
	b = appendCompact(b, uint64(len(value)))
	return append(b, value...)
}

func appendCompact(b []byte, v uint64) []byte {
	switch {
	case v < 0xfd:
		return append(b, byte(v))
	case v <= 0xffff:
		return binary.LittleEndian.AppendUint16(append(b, 0xfd), uint16(v))
	case v <= 0xffffffff:
		return binary.LittleEndian.AppendUint32(append(b, 0xfe), uint32(v))
	}
	return binary.LittleEndian.AppendUint64(append(b, 0xff), v)
}

func readCompact(b []byte) (uint64, []byte, bool) {
	if len(b) == 0 {
		return 0, nil, false
	}
	switch c := b[0]; {
	case c < 0xfd:
		return uint64(c), b[1:], true
	case c == 0xfd && len(b) >= 3:
		return uint64(binary.LittleEndian.Uint16(b[1:])), b[3:], true
	case c == 0xfe && len(b) >= 5:
		return uint64(binary.LittleEndian.Uint32(b[1:])), b[5:], true
	case c == 0xff && len(b) >= 9:
		return binary.LittleEndian.Uint64(b[1:]), b[9:], true
	}
	return 0, nil, false
}
