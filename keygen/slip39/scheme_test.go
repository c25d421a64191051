package slip39

import (
	"errors"
	"reflect"
	"strings"
	"testing"
)

func TestParseScheme(t *testing.T) {
	tests := []struct {
		in   string
		want Group
		err  string
	}{
		{"2-of-3", Group{2, 3}, ""},
		{" 3 of 5 ", Group{3, 5}, ""},
		{"16-OF-16", Group{16, 16}, ""},
		{"1-of-1", Group{1, 1}, ""},
		{"2of3", Group{2, 3}, ""},
		{"1-of-3", Group{}, `scheme "1-of-3": 1-of-3 gives each holder the whole secret; use 1-of-1 and copy that share`},
		{"3-of-2", Group{}, `scheme "3-of-2": threshold 3 is outside 1..2 (the number of shares)`},
		{"0-of-2", Group{}, "threshold 0 is outside"},
		{"2-of-17", Group{}, "17 shares, SLIP-39 allows 1 to 16"},
		{"2-3", Group{}, "expected M-of-N"},
		{"two-of-three", Group{}, `scheme "two-of-three": threshold "two" is not a number from 1 to 16`},
		{"-2-of-3", Group{}, `threshold "-2" is not a number`},
		{"2-of-", Group{}, `share count "" is not a number`},
		{"", Group{}, "expected M-of-N"},
	}
	for _, tc := range tests {
		got, err := ParseScheme(tc.in)
		if tc.err == "" {
			if err != nil || got != tc.want {
				t.Errorf("ParseScheme(%q) = %v, %v; want %v", tc.in, got, err, tc.want)
			}
			continue
		}
		if !errors.Is(err, ErrScheme) || !strings.Contains(err.Error(), tc.err) {
			t.Errorf("ParseScheme(%q) error %v; want ErrScheme containing %q", tc.in, err, tc.err)
		}
	}
}

func TestParseGroups(t *testing.T) {
	tests := []struct {
		in   string
		want Scheme
		err  string
	}{
		{"2 of (2-of-3, 1-of-1, 3-of-5)", Scheme{2, []Group{{2, 3}, {1, 1}, {3, 5}}}, ""},
		{"2-of-(2-of-3,1-of-1)", Scheme{2, []Group{{2, 3}, {1, 1}}}, ""},
		{"1 OF ( 3 of 5 )", Scheme{1, []Group{{3, 5}}}, ""},
		{"3-of-5", Scheme{1, []Group{{3, 5}}}, ""},
		{"3 of (2-of-3, 1-of-1)", Scheme{}, "group threshold 3 is outside 1..2 (the number of groups)"},
		{"2 of (2-of-3, 1-of-2)", Scheme{}, "group 2: 1-of-2 gives each holder the whole secret"},
		{"2 of (2-of-3, 1-of-1", Scheme{}, "missing ) at the end"},
		{"2 (2-of-3, 1-of-1)", Scheme{}, `missing "of" before (`},
		{"x of (2-of-3)", Scheme{}, `group threshold "x" is not a number`},
		{"1 of (2-of-3, , 1-of-1)", Scheme{}, `group 2 "": expected M-of-N`},
		{"1 of (2-of-(3))", Scheme{}, "no nested groups"},
		{"1 of ()", Scheme{}, "group 1"},
		{"1 of (" + strings.Repeat("1-of-1,", 17) + "1-of-1)", Scheme{}, "18 groups, SLIP-39 allows at most 16"},
		{strings.Repeat("1", 600), Scheme{}, "longer than 512 characters"},
	}
	for _, tc := range tests {
		got, err := ParseGroups(tc.in)
		if tc.err == "" {
			if err != nil || !reflect.DeepEqual(got, tc.want) {
				t.Errorf("ParseGroups(%q) = %v, %v; want %v", tc.in, got, err, tc.want)
			}
			continue
		}
		if !errors.Is(err, ErrScheme) || !strings.Contains(err.Error(), tc.err) {
			t.Errorf("ParseGroups(%q) error %v; want ErrScheme containing %q", tc.in, err, tc.err)
		}
	}
}

func TestSchemeString(t *testing.T) {
	for _, in := range []string{"2 of (2-of-3, 1-of-1, 3-of-5)", "2-of-3", "1 of (2-of-3, 3-of-5)"} {
		s, err := ParseGroups(in)
		if err != nil {
			t.Fatal(err)
		}
		if s.String() != in {
			t.Errorf("ParseGroups(%q).String() = %q", in, s)
		}
		back, err := ParseGroups(s.String())
		if err != nil || !reflect.DeepEqual(back, s) {
			t.Errorf("round trip of %q: %v, %v", in, back, err)
		}
	}
	if n := (Scheme{2, []Group{{2, 3}, {1, 1}, {3, 5}}}).Shares(); n != 9 {
		t.Errorf("Shares() = %d, want 9", n)
	}
}
