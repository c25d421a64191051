// Package bytewords encodes bytes as Bytewords (BCR-2020-012), the
// 256-word alphabet that Uniform Resources use, with the CRC-32 checksum
// that the specification appends.
//
// Call [Encode] to turn bytes into words and [Decode] to turn words back
// into bytes. Three styles exist: [Standard] ("able acid also"), [URI]
// ("able-acid-also") and [Minimal] ("aeadao", the first and last letter of
// each word), which is the one UR strings carry. Decoding ignores case, so
// upper-case text read from an alphanumeric QR code decodes too.
//
// # Security
//
// Bytewords carry no secrecy: they are a transport encoding. The checksum
// is CRC-32, which detects transcription and scanning errors, not
// tampering. Errors never quote the decoded bytes; they name the position
// of the word or letter that is wrong.
//
// # Errors
//
// [Decode] returns [ErrChecksum] when the words are well formed but the
// checksum does not match, [ErrTooShort] when there is not at least one
// byte of data plus the four checksum bytes, and a [*WordError] naming the
// position of a word that is not a byteword (or, in the minimal style, of a
// letter pair that is not one).
package bytewords
