package textsafe

import "testing"

func TestClip(t *testing.T) {
	for _, tc := range []struct {
		in   string
		max  int
		want string
	}{
		{"alice", 10, "alice"},
		{"abcdef", 3, "abc…"},
		{"a\x1b[31mred", 20, "a?[31mred"},
		{"tab\there\n", 20, "tab?here?"},
		{"c1\u009bcsi", 20, "c1?csi"},
		{"bidi\u202eevil\u2066", 20, "bidi?evil?"},
		{"zero\u200dwidth", 20, "zero?width"},
		{"bad\xffutf8", 20, "bad?utf8"},
		{"ééééé", 3, "ééé…"},
	} {
		if got := Clip(tc.in, tc.max); got != tc.want {
			t.Errorf("Clip(%q, %d) = %q, want %q", tc.in, tc.max, got, tc.want)
		}
	}
}
