//go:build !unix

package qrcli

import "os"

// Without poll(2) a key press is not read: the animation runs its loops.
const keySupported = false

func waitKey(*os.File, <-chan struct{}) <-chan struct{} { return nil }
