package cli

import (
	"errors"
	"io"
	"testing"

	"github.com/spf13/pflag"
)

func TestFlagError(t *testing.T) {
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"--account", "-1"}, `--account "-1" is not a whole number from 0 to 4294967295`},
		{[]string{"--account", "99999999999"}, `--account "99999999999" is out of range: it takes a whole number from 0 to 4294967295`},
		{[]string{"--since", "x"}, `--since "x" is not a whole number from 0 to 18446744073709551615`},
		{[]string{"--max-size", "1e9"}, `--max-size "1e9" is not a whole number`},
		{[]string{"--fps", "fast"}, `--fps "fast" is not a number`},
		{[]string{"--yes=maybe"}, `--yes "maybe" is not true or false`},
	}
	for _, tt := range tests {
		fs := pflag.NewFlagSet("t", pflag.ContinueOnError)
		fs.SetOutput(io.Discard)
		fs.Uint32("account", 0, "")
		fs.Uint64("since", 0, "")
		fs.Int("max-size", 0, "")
		fs.Float64("fps", 0, "")
		fs.Bool("yes", false, "")
		err := fs.Parse(tt.args)
		if err == nil {
			t.Fatalf("%v: no error", tt.args)
		}
		if got := FlagError(err).Error(); got != tt.want {
			t.Errorf("%v:\n got %s\nwant %s", tt.args, got, tt.want)
		}
	}
	other := errors.New("unknown flag: --nope")
	if FlagError(other) != other {
		t.Error("an error that is not an invalid value is not returned as it is")
	}
}

func TestFlagGroupMessage(t *testing.T) {
	tests := []struct{ in, want string }{
		{"if any flags in the group [message message-file] are set none of the others can be; [message message-file] were all set",
			"--message and --message-file cannot be used together"},
		{"if any flags in the group [a b c] are set none of the others can be; [a c] were all set",
			"--a and --c cannot be used together"},
		{"if any flags in the group [shares officer] are set they must all be set; missing [officer]",
			"--shares and --officer go together: --officer is missing"},
		{"at least one of the flags in the group [pubkey ceremony] is required",
			"one of --pubkey, --ceremony is required"},
		{`required flag(s) "out" not set`, "--out is required"},
		{`required flag(s) "out", "qr-out" not set`, "--out and --qr-out are required"},
		{"--index is required", "--index is required"},
	}
	for _, tt := range tests {
		if got := flagGroupMessage(tt.in); got != tt.want {
			t.Errorf("flagGroupMessage(%q)\n got %q\nwant %q", tt.in, got, tt.want)
		}
	}
}
