package keygen

import "runtime"

// wipe overwrites b with zeros. The KeepAlive stops the compiler from
// treating the stores as dead. Once internal/secret exists this becomes a
// call to secret.Wipe.
func wipe(b []byte) {
	clear(b)
	runtime.KeepAlive(b)
}
