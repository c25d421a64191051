package ur

import (
	"fmt"
	"strconv"

	"github.com/coffer-custody/coffer/qr/bytewords"
	"github.com/coffer-custody/coffer/qr/fountain"
)

// Encode returns the single-part UR string "ur:type/<bytewords>".
func Encode(u UR) string {
	return "ur:" + u.Type + "/" + bytewords.Encode(bytewords.Minimal, u.CBOR)
}

// EncoderOptions tune a multipart encoder.
type EncoderOptions struct {
	// MaxFragmentLen is the largest fragment in bytes (the "density" of
	// the animation); required.
	MaxFragmentLen int
	// MinFragmentLen is the smallest fragment the splitter considers;
	// default fountain.DefaultMinFragmentLen (10), as the reference.
	MinFragmentLen int
	// FirstSeqNum makes the first part number FirstSeqNum+1; default 0.
	FirstSeqNum uint32
}

// Encoder produces the parts of a UR. A message that fits in one fragment
// is sent as the single-part string every time.
type Encoder struct {
	ur UR
	fe *fountain.Encoder
}

// NewEncoder prepares u for sending in parts.
func NewEncoder(u UR, opt EncoderOptions) (*Encoder, error) {
	if !validType(u.Type) {
		return nil, fmt.Errorf("ur: type %q is not letters, digits and hyphens", u.Type)
	}
	if opt.MinFragmentLen == 0 {
		opt.MinFragmentLen = fountain.DefaultMinFragmentLen
	}
	if opt.MaxFragmentLen < opt.MinFragmentLen {
		opt.MinFragmentLen = opt.MaxFragmentLen
	}
	fe, err := fountain.NewEncoder(u.CBOR, opt.MinFragmentLen, opt.MaxFragmentLen, opt.FirstSeqNum)
	if err != nil {
		return nil, fmt.Errorf("ur:%s: %w", u.Type, err)
	}
	return &Encoder{ur: u, fe: fe}, nil
}

// IsSinglePart reports whether the message fits in one fragment.
func (e *Encoder) IsSinglePart() bool { return e.fe.SeqLen() == 1 }

// SeqLen is the number of fragments: the fewest parts a receiver needs.
func (e *Encoder) SeqLen() int { return e.fe.SeqLen() }

// FragmentLen is the length of each fragment in bytes.
func (e *Encoder) FragmentLen() int { return e.fe.FragmentLen() }

// NextPart returns the next part string, in lower case.
func (e *Encoder) NextPart() string {
	if e.IsSinglePart() {
		return Encode(e.ur)
	}
	p := e.fe.NextPart()
	return "ur:" + e.ur.Type + "/" + strconv.FormatUint(uint64(p.SeqNum), 10) + "-" +
		strconv.Itoa(p.SeqLen) + "/" + bytewords.Encode(bytewords.Minimal, p.MarshalCBOR())
}
