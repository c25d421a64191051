// Package atomicfile writes whole files so that a crash, a full disk or a
// killed process never leaves a half-written file behind: a reader sees the
// old content or the new content, nothing in between.
//
// Call [Write] to create or replace a file, and [WriteNew] to create a file
// that must not exist yet (a keystore, a vault's first file). There is no
// append: files that grow (the journal) are rewritten whole or use their own
// scheme.
//
// Both functions write the data to a temporary file in the same folder
// (created with O_EXCL and the requested permission bits), fsync it, move it
// into place and fsync the folder, so that the new name survives a power
// loss. On any failure the temporary file is removed and the target is left
// as it was.
//
// # Security
//
// The temporary file is created with the final permission bits (subject to the
// umask, as with [os.WriteFile]), so secret-bearing data is never readable by
// others, not even for a moment. [Write] replaces the target by rename: the
// new file gets perm, not the mode of the file it replaces. [WriteNew] moves
// the file into place with link(2), which fails if the name exists, so two
// processes racing to create the same file cannot both succeed and neither
// overwrites the other. On a file system without hard links (some FAT or
// network mounts) it falls back to creating the target with O_EXCL and
// writing it in place: still race-free, but a crash in the middle can then
// leave a short file.
//
// # Errors
//
// Errors name the file and the step that failed and wrap the operating
// system's error, so [errors.Is] works with [fs.ErrNotExist],
// [fs.ErrPermission] and, for [WriteNew] on an existing file,
// [fs.ErrExist].
package atomicfile
