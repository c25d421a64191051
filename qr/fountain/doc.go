// Package fountain implements the rateless fountain code of Uniform
// Resources (BCR-2020-005): a message is cut into equal fragments, the
// first seqLen parts carry the fragments in order, and every later part
// carries a pseudo-random XOR mix of fragments chosen by Xoshiro256**
// seeded with SHA-256(seqNum || checksum). A receiver can rebuild the
// message from any large enough set of parts, in any order.
//
// Most callers want package ur, which wraps parts in UR strings. Use this
// package directly only to work with [Part] values: [NewEncoder] and
// [Encoder.NextPart] on the sending side, [NewDecoder] and
// [Decoder.Receive] on the receiving side. The encoder reproduces the
// reference implementation (bc-ur, URKit) part for part; the decoder solves
// the parts as a linear system over GF(2) (Gaussian elimination), which
// needs fewer parts than the reference "peeling" decoder when parts are
// lost, and decodes every stream that decoder decodes.
//
// # Security
//
// The fountain code is a transport code, not an authenticator: the CRC-32
// checksum detects accidents, not forgeries. The decoder bounds what a
// stream can make it hold ([Limits]): the message length, the number of
// fragments and therefore the size of the linear system (at most
// seqLen rows of seqLen bits plus one fragment each). Parts that disagree
// with the message being decoded are refused, never mixed in.
//
// # Errors
//
// [ParsePart] returns a [*PartError] for CBOR that is not a well-formed
// part. [Decoder.Receive] returns a [*MismatchError] for a part of another
// message (different length, checksum or fragment count), a [*PartError]
// for a part that is out of bounds or internally inconsistent, an
// [*InconsistentError] when a part contradicts the parts already received,
// and a [*ChecksumError] when the rebuilt message does not match its
// checksum. None of them change what the decoder holds except the last,
// after which [Decoder.Reset] is needed.
package fountain
