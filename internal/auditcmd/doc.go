// Package auditcmd is what the audit commands of both binaries do — coffer
// audit … on the offline signer and coffer-watch audit … online — written
// once: verifying a journal and reporting what it holds, verifying a key
// ceremony transcript against its signature, watch-only exports, the binary
// and the journal, replaying every recorded signing against the spending
// policy that was in force, verifying proofs of control, and copying a
// verified journal for the online side.
//
// A binary mounts NewCommand(Options{Prog, JSON, VaultFiles}) as its
// `audit` command and adds its own subcommands (coffer adds `export`, which
// calls ExportJournal; coffer-watch adds `keep` and `show-kept`,
// NewKeepCommand and NewShowKeptCommand, which keep the auditors' copies of
// a journal with KeepJournal); coffer-watch also mounts
// NewVerifyProofCommand at its root. The work is in plain functions that
// tests call directly: VerifyJournal, VerifyCeremony, Replay,
// ExportJournal, ExportKeys, KeepJournal.
//
// # Replay
//
// coffer sign records in each sign entry a SignReplay (NewSignReplay): the
// whole sign.Review, its SHA-256, the initiator the PSBT named and every
// approval the policy's decision was given (document and armored signature,
// base64). Replay verifies the journal from seq 1 and, for each sign entry,
// takes the policy in force from the last policy-install entry before it
// (a file given in ReplayOptions.Policies with that SHA-256; none is
// guessed), the policy state from the entries before it, and the time the
// signer's decision used, and calls policy.Evaluate again. A signing
// passes when the same rule allows it; it fails when the policy refuses it
// or its record contradicts the journal (another policy, a review of
// another transaction, spent_sats that is not the review's amount). A
// --no-policy signing is its own status; an entry without a review (an
// older coffer, or a review larger than a journal line, MaxSignEntryData)
// is not checkable.
//
// # The ceremony signature
//
// A vault's ceremony.sig (CeremonySigFile) is the Ed25519 signature by the
// vault's journal key over the ASCII string CeremonySigDomain
// ("coffer ceremony transcript v1\n") followed by ceremony.json's exact
// bytes, written as 128 lower-case hex digits and a newline. The domain
// keeps it apart from journal entries, which the same key signs with
// another prefix. SignCeremony makes it (coffer keygen and restore);
// VerifyCeremonySignature checks it.
//
// # Security
//
// Nothing here needs or touches a secret: every check uses the journal
// public key, extended public keys and hashes. A transcript names its own
// journal key, so its signature alone shows only that the transcript and
// the journal come from one seed holder; an auditor who kept the key given
// at the ceremony pins it with --pubkey. The journal's chain cannot show
// that entries were cut from the end: the report prints the head
// (SEQ:HASH) to keep and compare. A partial copy (audit export --since)
// is checked against a head the auditor kept (--after), else its link is
// taken from the file and a warning says so. Inputs are bounded:
// transcripts 1 MiB, exports 4 MiB, messages 1 MiB, journal lines as
// audit.MaxLineLen.
//
// # Errors
//
// VerifyJournal returns the report it got so far and an error wrapping
// the *audit.VerifyError of the first bad entry (line, seq, reason).
// Replay does the same for the journal; the signings that did not pass are
// in its report (ReplayReport.Signings, each with a ReplayStatus and the
// reasons), not in the error.
// VerifyCeremony runs every check, reports each, and returns an error
// counting the failures. ExportJournal writes nothing when the journal
// does not verify. The commands wrap these with internal/cli's exit codes
// (1 for anything that does not verify) and hints.
package auditcmd
