// Package bbqr reads and writes BBQr ("Better Bitcoin QR", coinkite/BBQr
// BBQr.md), the animated-QR format of Coldcard: a file is encoded (hex,
// Base32, or raw deflate then Base32), cut into equal parts, and each part
// prefixed with an 8-character header "B$" + encoding + file type + total
// parts + part index (two base-36 digits each).
//
// To send, call [Encode] with the bytes and a [FileType]; it picks the
// encoding (compressed when that is smaller) and the smallest number of
// parts, at the lowest QR version that fits them, within [Options]. To
// receive, feed every scanned string to a [Decoder] with [Decoder.Receive]
// in any order, with repeats and noise, until [Decoder.Complete], then call
// [Decoder.Result]; [Join] does the same for a complete set at once.
//
// Mode Z is raw deflate with a 1 KiB window (zlib wbits=10). Go's
// compress/flate cannot limit its window, so [Encode] writes Z either as
// Huffman-only deflate (no back-references) or as independent 1 KiB
// deflate segments (back-references never reach further than 1023 bytes),
// whichever is smaller, and falls back to Base32 when neither shrinks the
// data.
//
// # Security
//
// BBQr has no checksum of its own: QR error correction is its only guard,
// so the caller must check what it decodes (the signer parses and reviews
// every PSBT). The Decoder refuses parts of another series, parts whose
// index is out of range and repeats with different content, never letting
// them replace what it holds, and it stops inflating at [Limits].
//
// # Errors
//
// [Decoder.Receive] returns [ErrNotBBQr] for text without the "B$" header
// (noise), a [*PartError] for a malformed part or a repeat that conflicts
// with the part already held, and an [*OtherSeriesError] for a part whose
// header (encoding, file type or count) differs from the series being
// decoded. [Decoder.Result] returns a [*DataError] when the joined parts do
// not decode (bad hex or Base32, broken deflate, over the size limit).
package bbqr
