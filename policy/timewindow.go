package policy

import (
	"fmt"
	"strings"
	"time"

	"gopkg.in/yaml.v3"
)

// TimeWindow limits a rule to days of the week and hours of the day, read
// on the signer's clock at a fixed UTC offset (an offline machine has no
// time zone database to trust).
type TimeWindow struct {
	Days   [7]bool // by time.Weekday; all true when the policy names none
	From   int     // minutes after midnight, inclusive
	To     int     // minutes after midnight, exclusive; To < From wraps past midnight
	Offset int     // minutes east of UTC
	Text   string  // as the policy wrote it, for messages
}

var dayNames = map[string]time.Weekday{
	"sun": time.Sunday, "mon": time.Monday, "tue": time.Tuesday, "wed": time.Wednesday,
	"thu": time.Thursday, "fri": time.Friday, "sat": time.Saturday,
}

func parseTimeWindow(n *yaml.Node, where string) (*TimeWindow, error) {
	f, err := mapping(n, where+" time_window", "days", "hours", "zone")
	if err != nil {
		return nil, err
	}
	tw := &TimeWindow{From: 0, To: 24 * 60}
	var words []string
	if v := f.get("days"); v != nil {
		list, lines, err := stringList(v, where+" time_window days")
		if err != nil {
			return nil, err
		}
		for i, d := range list {
			d = strings.ToLower(d)
			lo, hi, isRange := strings.Cut(d, "-")
			a, ok1 := dayNames[shortDay(lo)]
			b := a
			ok2 := true
			if isRange {
				b, ok2 = dayNames[shortDay(hi)]
			}
			if !ok1 || !ok2 {
				return nil, &ParseError{Line: lines[i], Msg: fmt.Sprintf("%s time_window day %q is not a day (mon, tue, …, sun) or a range such as mon-fri", where, clip(d))}
			}
			for w := a; ; w = (w + 1) % 7 {
				tw.Days[w] = true
				if w == b {
					break
				}
			}
		}
		words = append(words, strings.Join(list, ", "))
	} else {
		for i := range tw.Days {
			tw.Days[i] = true
		}
	}
	if v := f.get("hours"); v != nil {
		s, err := str(v, where+" time_window hours")
		if err != nil {
			return nil, err
		}
		from, to, ok := strings.Cut(strings.ReplaceAll(s, " ", ""), "-")
		a, okA := clockMinutes(from)
		b, okB := clockMinutes(to)
		if !ok || !okA || !okB || a == b {
			return nil, errAt(v, "%s time_window hours %q is not a span such as \"09:00-17:00\"", where, clip(s))
		}
		tw.From, tw.To = a, b
		words = append(words, strings.ReplaceAll(s, " ", ""))
	}
	if v := f.get("zone"); v != nil {
		s, err := str(v, where+" time_window zone")
		if err != nil {
			return nil, err
		}
		off, ok := parseOffset(s)
		if !ok {
			return nil, errAt(v, "%s time_window zone %q is not UTC or an offset such as +01:00", where, clip(s))
		}
		tw.Offset = off
	}
	words = append(words, formatOffset(tw.Offset))
	tw.Text = strings.Join(words, " ")
	return tw, nil
}

func shortDay(s string) string {
	if len(s) >= 3 {
		return s[:3]
	}
	return s
}

// clockMinutes reads "HH:MM" (00:00 to 24:00).
func clockMinutes(s string) (int, bool) {
	var h, m int
	if len(s) != 5 || s[2] != ':' {
		return 0, false
	}
	if _, err := fmt.Sscanf(s, "%02d:%02d", &h, &m); err != nil {
		return 0, false
	}
	if h < 0 || m < 0 || m > 59 || h > 24 || (h == 24 && m != 0) {
		return 0, false
	}
	return h*60 + m, true
}

// parseOffset reads "UTC", "Z", "+01:00" or "-05:30".
func parseOffset(s string) (int, bool) {
	s = strings.TrimSpace(s)
	if strings.EqualFold(s, "utc") || s == "Z" {
		return 0, true
	}
	s = strings.TrimPrefix(strings.TrimPrefix(s, "UTC"), "utc")
	if len(s) != 6 || (s[0] != '+' && s[0] != '-') {
		return 0, false
	}
	m, ok := clockMinutes(s[1:])
	if !ok || m > 14*60 {
		return 0, false
	}
	if s[0] == '-' {
		m = -m
	}
	return m, true
}

func formatOffset(m int) string {
	if m == 0 {
		return "UTC"
	}
	sign := '+'
	if m < 0 {
		sign, m = '-', -m
	}
	return fmt.Sprintf("UTC%c%02d:%02d", sign, m/60, m%60)
}

// Contains reports whether t falls in the window.
func (tw *TimeWindow) Contains(t time.Time) bool {
	local := t.UTC().Add(time.Duration(tw.Offset) * time.Minute)
	min := local.Hour()*60 + local.Minute()
	day := local.Weekday()
	if tw.From < tw.To {
		return tw.Days[day] && min >= tw.From && min < tw.To
	}
	// wraps past midnight: the hours after midnight belong to the day before
	if min >= tw.From {
		return tw.Days[day]
	}
	if min < tw.To {
		return tw.Days[(day+6)%7]
	}
	return false
}
