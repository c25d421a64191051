// Package qr carries bytes across the air gap as QR codes: it makes QR
// codes (single ones for short payloads, animated series in the UR or BBQr
// format for files of any size), renders them to the terminal, PNG frames
// or an animated GIF, and reads them back from images or from the text
// lines a scanner types. It knows bytes and text, not PSBTs: what it
// carries is the caller's to parse.
//
// Sending: [Encode] makes one code; [Frames] turns a file into an
// animation ([FrameOptions] choose UR or BBQr, the UR type, the density,
// the version and the error correction); [Code.Terminal], [Animate],
// [WritePNGFrames] and [WriteGIF] show or save the codes. Receiving: a
// [Collector] takes scanned texts in any order with repeats and noise;
// feed it from [ScanLines] (a USB scanner or `zbarcam --raw` on stdin) or
// from [ScanImage] (PNG, JPEG, every frame of a GIF), then call
// [Collector.Result]. The formats themselves live in subpackages: ur (with
// fountain and bytewords, which it is built on), bbqr, and urtypes for the
// crypto-hdkey and crypto-output structures of watch-only exports.
//
// # Security
//
// Every code this package makes is decoded back (with gozxing, from an
// image of it) and compared with its content before it is returned; a
// difference is a [*MismatchError] and the code is never shown or saved.
// QR codes, UR and BBQr protect against scanning errors, not tampering:
// the caller must check what it receives (the signer reviews every PSBT).
// Reading is bounded: image size, pixels and GIF frames ([ImageLimits]),
// line length ([MaxLineLen]), and message size and fragment count
// ([Limits]). A part of another message is reported and skipped, never
// merged. Errors name the line, frame or part at fault, never the content.
//
// # Errors
//
// [Encode] and [Frames] return [ErrTooLong] (wrapped) for content that does
// not fit, and [*MismatchError] when a code does not decode back.
// [ScanImage] returns an [*ImageError] for an unreadable or oversized image
// and [ErrNoCode] when it finds no code. [Collector.Add] returns
// [ErrNoise] for text that is no part at all, a [*FormatError] for a part
// of the other format, and the typed errors of package ur and bbqr for
// corrupt parts and parts of other messages; [ScanLines] reports each of
// these through its callback and goes on, and stops with an error only
// when the input ends before the message is complete or the message fails
// its checksum.
package qr
