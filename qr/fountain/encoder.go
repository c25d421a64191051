package fountain

import (
	"crypto/subtle"
	"errors"
	"fmt"
	"math"

	"github.com/coffer-custody/coffer/qr/bytewords"
)

// DefaultMinFragmentLen is the reference implementation's smallest
// fragment length.
const DefaultMinFragmentLen = 10

// FragmentLength returns the fragment length the reference implementation
// picks for a message: the length for the smallest number of fragments
// (at most messageLen/minFragmentLen of them) that keeps each fragment at
// or below maxFragmentLen. When minFragmentLen does not allow that, the
// result is the length for the largest allowed number of fragments, which
// exceeds maxFragmentLen. A message shorter than minFragmentLen is one
// fragment.
func FragmentLength(messageLen, minFragmentLen, maxFragmentLen int) int {
	minFragmentLen = max(minFragmentLen, 1)
	maxCount := messageLen / minFragmentLen
	if maxCount < 1 {
		return messageLen
	}
	fragmentLen := messageLen
	for count := 1; count <= maxCount; count++ {
		fragmentLen = (messageLen + count - 1) / count
		if fragmentLen <= maxFragmentLen {
			break
		}
	}
	return fragmentLen
}

// Encoder produces the parts of one message, without end.
type Encoder struct {
	message   []byte
	checksum  uint32
	fragLen   int
	fragments [][]byte
	seqNum    uint32
	sampler   *sampler
}

// NewEncoder prepares message for sending in fragments of at most
// maxFragmentLen bytes (see [FragmentLength] for how minFragmentLen can
// raise that). The first part returned has sequence number firstSeqNum+1;
// pass 0 to start at 1, as senders normally do.
func NewEncoder(message []byte, minFragmentLen, maxFragmentLen int, firstSeqNum uint32) (*Encoder, error) {
	switch {
	case len(message) == 0:
		return nil, errors.New("fountain: empty message")
	case uint64(len(message)) > math.MaxUint32:
		return nil, fmt.Errorf("fountain: message of %d bytes is longer than 2^32-1", len(message))
	case minFragmentLen < 1:
		return nil, fmt.Errorf("fountain: minimum fragment length %d is below 1", minFragmentLen)
	case maxFragmentLen < minFragmentLen:
		return nil, fmt.Errorf("fountain: maximum fragment length %d is below the minimum %d", maxFragmentLen, minFragmentLen)
	}
	e := &Encoder{
		message:  append([]byte(nil), message...),
		checksum: bytewords.Checksum(message),
		fragLen:  FragmentLength(len(message), minFragmentLen, maxFragmentLen),
		seqNum:   firstSeqNum,
	}
	e.fragments = partition(e.message, e.fragLen)
	e.sampler = degreeSampler(len(e.fragments))
	return e, nil
}

// partition cuts message into fragments of fragLen bytes, the last one
// padded with zeros.
func partition(message []byte, fragLen int) [][]byte {
	n := (len(message) + fragLen - 1) / fragLen
	buf := make([]byte, n*fragLen)
	copy(buf, message)
	out := make([][]byte, n)
	for i := range out {
		out[i] = buf[i*fragLen : (i+1)*fragLen : (i+1)*fragLen]
	}
	return out
}

// SeqLen is the number of fragments.
func (e *Encoder) SeqLen() int { return len(e.fragments) }

// FragmentLen is the length of each fragment.
func (e *Encoder) FragmentLen() int { return e.fragLen }

// Checksum is the CRC-32 of the message.
func (e *Encoder) Checksum() uint32 { return e.checksum }

// SeqNum is the sequence number of the last part returned.
func (e *Encoder) SeqNum() uint32 { return e.seqNum }

// IsComplete reports whether every fragment has been sent once, in the
// first SeqLen parts.
func (e *Encoder) IsComplete() bool { return uint64(e.seqNum) >= uint64(len(e.fragments)) }

// NextPart returns the next part. Sequence numbers wrap from 2^32-1 to 1.
func (e *Encoder) NextPart() Part {
	e.seqNum++
	if e.seqNum == 0 {
		e.seqNum = 1
	}
	idx := chooseFragments(e.seqNum, len(e.fragments), e.checksum, e.sampler)
	data := make([]byte, e.fragLen)
	for _, i := range idx {
		xorInto(data, e.fragments[i])
	}
	return Part{
		SeqNum:     e.seqNum,
		SeqLen:     len(e.fragments),
		MessageLen: len(e.message),
		Checksum:   e.checksum,
		Data:       data,
	}
}

func xorInto(dst, src []byte) { subtle.XORBytes(dst, dst, src) }
