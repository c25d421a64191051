// Package prompt asks the officer for passphrases and answers.
//
// Build a [Prompter] from the command's streams (cobra's cmd.InOrStdin() and
// cmd.ErrOrStderr()): prompts go to Out, answers are read from In. Call
// [Prompter.NewPassphrase] when a passphrase is chosen (it asks twice),
// [Prompter.ReadPassphrase] to unlock, [Prompter.ReadSecretLine] for secret
// words typed where the officer must see them (the backup quiz), and
// [Prompter.ReadLine] or [ReadLine] for ordinary answers. For automation,
// [ReadPassphraseFile] reads a passphrase from the file named by
// --passphrase-file; never take a passphrase from a flag value or an
// environment variable.
//
// When In is a terminal, passphrases are read with echo off
// (golang.org/x/term). When In is not a terminal (a pipe, a test) lines are
// read from it as they come, one byte at a time so that several prompts can
// share one stream without one read swallowing the next answer.
//
// # Security
//
// Every secret comes back as a []byte of its final size, never a string:
// wipe it with secret.Wipe when done. Errors never contain what was typed or
// the content of a passphrase file. Passphrases are at most [MaxLen] bytes
// and may not contain a line break, so any passphrase accepted from a file
// can also be typed at a terminal. A passphrase read from a terminal passes
// through x/term's growing buffer, which may leave copies in freed memory
// that this package cannot wipe; lines read from a non-terminal do not.
// Passphrases are returned as typed; callers that derive keys decide about
// Unicode normalisation.
//
// If the process is killed while echo is off (SIGKILL, or SIGINT without a
// handler that restores the terminal), the terminal stays without echo until
// `stty echo` or `reset`.
//
// # Errors
//
// [ErrEmpty] when an empty passphrase is given, [ErrMismatch] when the two
// entries of a new passphrase differ, an error wrapping [io.EOF] when the
// input ends before an answer, and errors naming the file for
// [ReadPassphraseFile] (wrapping [fs.ErrNotExist] and the like).
package prompt
