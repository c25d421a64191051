package main

import (
	"errors"
	"io/fs"
	"syscall"
)

// unreadable is why a file could not be read, in the contract's few words
// and without the "open PATH:" that Go's error repeats; errors.Is still
// sees the cause.
type unreadable struct {
	msg string
	err error
}

func (e *unreadable) Error() string { return e.msg }
func (e *unreadable) Unwrap() error { return e.err }

func whyUnreadable(err error) error {
	msg := unwrapPath(err).Error()
	switch {
	case errors.Is(err, fs.ErrNotExist):
		msg = "no such file"
	case errors.Is(err, syscall.EISDIR):
		msg = "it is a folder, not a file"
	case errors.Is(err, fs.ErrPermission):
		msg = "permission denied"
	}
	return &unreadable{msg: msg, err: err}
}
