// Package ur reads and writes Uniform Resources (BCR-2020-005): CBOR
// messages carried as "ur:type/..." strings, one string for a short
// message or a fountain-coded series of "ur:type/seqNum-seqLen/..." parts
// for a long one, as Sparrow, Keystone, SeedSigner, Passport, Nunchuk and
// BlueWallet exchange them over animated QR codes.
//
// To send bytes, wrap them with [NewBytes] (type "bytes" for arbitrary
// files) or [NewPSBT] (type "crypto-psbt" by default, "psbt" on request),
// then call [Encode] for a single string or [NewEncoder] and
// [Encoder.NextPart] for a series. To receive, feed every scanned string to
// a [Decoder] with [Decoder.Receive], in any order, with repeats and noise,
// until [Decoder.Complete]; then [Decoder.Result] gives the UR and
// [UR.Payload] (or [UR.PSBT]) the bytes.
//
// # Security
//
// A UR is a transport encoding: its CRC-32 checksums catch scanning
// errors, not tampering. The Decoder never mixes a part of another message
// (another type, length or checksum) into the one it is decoding, refuses
// parts that contradict what it holds, and bounds its memory by [Limits]
// (message length, number of fragments, length of a part). Errors name the
// part and the field at fault, never the payload.
//
// # Errors
//
// [Decoder.Receive] returns [ErrNotUR] for text that is not a UR at all
// (noise a caller skips quietly), a [*PartError] for a UR that is
// malformed or corrupt (bad bytewords or checksum, bad CBOR, a sequence
// that disagrees with its CBOR), and an [*OtherMessageError] for a part of
// another message. Both leave the decoder as it was. A [*MessageError]
// means the parts, though each valid, rebuilt a message that fails its
// checksum; the decoder must then be [Decoder.Reset]. [UR.Payload] and
// [UR.PSBT] return a [*PayloadError] for CBOR that is not the expected
// byte string.
package ur
