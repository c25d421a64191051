package cli

import (
	"errors"
	"fmt"
	"strconv"

	"github.com/spf13/pflag"
)

// FlagError rewrites a flag parsing error of pflag into the contract's
// wording: the flag, the value given and what the flag takes, without
// strconv's "strconv.ParseUint: parsing ..." that names no input. Other
// errors are returned as they are. Root commands call it from their
// FlagErrorFunc.
func FlagError(err error) error {
	var ive *pflag.InvalidValueError
	if !errors.As(err, &ive) || ive.GetFlag() == nil {
		return err
	}
	f := ive.GetFlag()
	name, value := "--"+f.Name, ive.GetValue()
	var ne *strconv.NumError
	if !errors.As(err, &ne) {
		// A flag of the program's own type says what it wants.
		return fmt.Errorf("%s %q: %v", name, value, errors.Unwrap(err))
	}
	want := ""
	switch f.Value.Type() {
	case "uint8", "uint16", "uint32", "uint64", "uint":
		want = "a whole number from 0 to " + maxUint(f.Value.Type())
	case "int8", "int16", "int32", "int64", "int":
		want = "a whole number"
	case "float32", "float64":
		want = "a number"
	case "bool":
		want = "true or false"
	default:
		want = "a " + f.Value.Type()
	}
	if errors.Is(ne.Err, strconv.ErrRange) {
		return fmt.Errorf("%s %q is out of range: it takes %s", name, value, want)
	}
	return fmt.Errorf("%s %q is not %s", name, value, want)
}

func maxUint(t string) string {
	switch t {
	case "uint8":
		return "255"
	case "uint16":
		return "65535"
	case "uint32":
		return "4294967295"
	}
	return "18446744073709551615"
}
