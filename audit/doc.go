// Package audit keeps the vault's tamper-evident journal, journal.jsonl, and
// verifies it: a hash-chained, signed record of every act of the signer
// (keygen, restore, export, wallet-register, policy-install, sign, refusal,
// key-suspend, key-resume, passwd, prove, …), and the spending index that
// velocity limits read from it.
//
// To record an act, derive the journal key once with JournalKey(seed), open
// the journal with Open(path) and call Journal.Append(key, kind, data, now);
// Append returns only once the entry is on disk, so a caller that releases a
// signature only after Append succeeded never releases an unjournaled one.
// Append(path, …) does the same in one call. To check a journal, call
// Verify(r, pub) (or VerifyFile); pass Visitors to compute totals of your
// own in the same pass. For velocity limits build a SpentIndex in that pass
// (BuildSpentIndex) and ask SpentIn(window, t).
//
// # The journal key
//
// The journal key is an ed25519 key derived from the vault's seed (the
// 64-byte BIP39 seed, or the SLIP-39 master secret), so a restored vault
// signs with the same key:
//
//	k   = HMAC-SHA512(key = "coffer journal key v1" (ASCII), message = seed)
//	key = Ed25519 private key whose RFC 8032 seed is k[0:32]
//
// Its public key (32 bytes, written as 64 lower-case hex digits by
// FormatPublicKey) goes into the ceremony transcript; auditors verify with
// it and never need the seed.
//
// # Line format
//
// journal.jsonl is UTF-8 text, one entry per line, each line ended by a
// single "\n" (0x0A), no other line ending and nothing after the last one.
// An entry is exactly these bytes, with no white space anywhere outside
// strings inside data:
//
//	{"seq":SEQ,"time":"TIME","kind":"KIND","prev":"PREV","data":DATA,"sig":"SIG"}
//
// where:
//
//   - SEQ is a decimal integer without sign or leading zero: 1 for the
//     first entry, then one more than the previous entry's.
//   - TIME is the time of the act in UTC as RFC 3339 with exactly three
//     fractional digits and "Z": YYYY-MM-DDThh:mm:ss.sssZ. It is never
//     earlier than the previous entry's time (equal is allowed).
//   - KIND is a lower-case ASCII letter then up to 31 of a-z, 0-9 and "-".
//   - PREV is 64 lower-case hex digits: the SHA-256 of the previous entry's
//     line bytes (from "{" to "}", without the "\n"). The first entry's
//     PREV is 64 zeros (GenesisPrev).
//   - DATA is a JSON object in valid UTF-8 and in compact form (as Go's
//     json.Compact writes it: no white space between tokens; strings and
//     numbers are kept as written). Its content is the caller's; for kind
//     "sign" it holds "spent_sats", an integer (see SpentIndex).
//   - SIG is 128 lower-case hex digits: the signature below.
//
// SIG is the Ed25519 signature (RFC 8032, pure Ed25519) by the journal key
// over the ASCII domain string SignatureDomain followed by the line with
// its final `,"sig":"SIG"` removed (keeping the closing "}"):
//
//	"coffer journal entry v1\n" || {"seq":SEQ,"time":"TIME","kind":"KIND","prev":"PREV","data":DATA}
//
// Fields appear in exactly this order and no other field exists. A line is
// at most MaxLineLen (1 MiB) bytes. Verify rejects any line that is not byte for
// byte in this form, so every entry has one encoding and an entry's hash
// pins all of it. testdata/journal/verify_journal.py in the repository is
// an independent verifier of this format, for auditors.
//
// # Security
//
// The chain and the signatures show that no entry was changed, removed,
// reordered or inserted, and that each was made by the holder of the seed.
// The chain cannot show that entries were cut from the end: compare
// Report.End (the last seq and line hash) with a head you kept (a receipt,
// a previous export, the signer's own record). A vault whose journal file
// is missing or empty starts a new chain at seq 1; the signer must know
// from elsewhere (the ceremony, its keystore) that a journal should exist.
//
// Append chains onto the last line only after checking that line's form and
// its signature by the same key; it reads only the end of the file, not the
// whole journal, so it does not detect tampering further back (Verify
// does). It refuses to extend a torn last line (a write cut short): no
// entry is ever written after a partial one. It refuses with a
// *ClockBehindError when the clock reads earlier than the last entry, so a
// clock set back cannot reopen a velocity window. Each entry is written
// with one write(2) to a file opened O_APPEND and is fsynced before Append
// returns; a new journal file is created 0600 and its folder fsynced.
// Appends from several processes are serialised with flock(2).
//
// The journal holds no secrets and must be given none: data is recorded in
// clear. The journal key is secret; wipe it with WipeKey after use.
//
// # Errors
//
// Verification failures are a *VerifyError naming the first bad entry by
// line number and seq (the seq is 0 when unreadable) with a Reason:
// ReasonMalformed, ReasonTooLong, ReasonTorn, ReasonSeq, ReasonChain,
// ReasonTime, ReasonSignature, or ReasonRejected when a Visitor refused an
// entry (the Visitor's error is wrapped). Verify checks signatures in
// parallel but always reports the earliest bad entry. Append returns a
// *VerifyError when the journal's last line is unfit to chain onto, and a
// *ClockBehindError when the clock is behind; any error from Append means
// the entry may not be durable and nothing that depends on it may be
// released. Read and write failures are wrapped with the file name.
package audit
