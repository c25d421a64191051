package secret

import "unsafe"

// uintptrOf returns the address of b's first byte, to align a buffer on a
// page. The address is used for arithmetic only, never turned back into a
// pointer.
func uintptrOf(b []byte) uintptr {
	if len(b) == 0 {
		return 0
	}
	return uintptr(unsafe.Pointer(unsafe.SliceData(b)))
}
