// Package secret keeps secrets (seed entropy, private keys, passphrases,
// mnemonics) from leaking out of the process's memory.
//
// Call [Harden] once at start, before any secret is read: it turns core
// dumps off and makes the process non-dumpable, so a crash or a debugger
// attached by another user cannot copy memory to disk. Keep each secret in a
// [Buffer] from [New] (locked in memory where the OS allows, wiped by
// [Buffer.Destroy]), or in a plain []byte that you wipe with [Wipe] when done;
// [Lock] locks an existing slice.
//
// # Security
//
// Go gives no hard guarantees here: the garbage collector does not move heap
// objects but a slice that is appended to or converted to a string leaves
// copies behind, and stacks can be copied when they grow. So keep secrets in
// []byte of their final size, never in strings, never append to them, and
// wipe them as soon as they are no longer needed. [Wipe] uses clear followed
// by [runtime.KeepAlive], which the compiler does not remove.
//
// Locking is best effort. [Lock] and [New] lock whole pages with mlock(2) on
// Linux; when the limit on locked memory (RLIMIT_MEMLOCK) is reached or on
// other systems the memory is simply not locked, and nothing fails. A
// [Buffer] owns the pages it locks, so unlocking it never unlocks another
// secret; a slice passed to [Lock] may share pages with other data, and its
// unlock func unlocks those pages too. [Harden] does its work on Linux only;
// elsewhere it does nothing and returns nil.
//
// [Buffer] redacts itself: String, GoString and Format print [REDACTED], so
// a stray %v in a log line shows no secret. Buffers cannot be compared with
// ==; compare contents with crypto/subtle.
//
// # Errors
//
// Only [Harden] returns an error, when the OS refuses to disable core dumps;
// the caller should warn and go on, or stop, as its policy says. [Lock] and
// [New] never fail the caller.
package secret
