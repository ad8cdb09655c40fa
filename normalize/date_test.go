package normalize

import (
	"testing"
	"time"
)

// isDateByParse is the definition IsDate must agree with.
func isDateByParse(s string) bool {
	_, err := time.Parse(time.DateOnly, s)
	return err == nil && len(s) == 10
}

func TestIsDate(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want bool
	}{
		{"1978-08-22", true},
		{"2000-02-29", true},
		{"1900-02-29", false},
		{"2024-02-29", true},
		{"2023-02-29", false},
		{"2023-04-31", false},
		{"2023-12-31", true},
		{"0000-01-01", true},
		{"9999-12-31", true},
		{"2023-00-10", false},
		{"2023-13-10", false},
		{"2023-01-00", false},
		{"2023-1-010", false},
		{"2023-01-1", false},
		{"+023-01-10", false},
		{"2023/01/10", false},
		{"2023-01-10 ", false},
		{"２０２３-01-10", false},
		{"", false},
	} {
		if got := IsDate(tc.in); got != tc.want {
			t.Errorf("IsDate(%q) = %v, want %v", tc.in, got, tc.want)
		}
		if got := isDateByParse(tc.in); got != tc.want {
			t.Errorf("time.Parse disagrees on %q: %v", tc.in, got)
		}
	}
}

// FuzzIsDate: IsDate and time.Parse agree on every input, not only on the
// digit strings TestCalendarDateMatchesTimeParse walks.
func FuzzIsDate(f *testing.F) {
	for _, s := range []string{"1978-08-22", "2000-02-29", "1900-02-29", "2023-13-01", "2023-01-32", "0000-00-00", "20230110"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := IsDate(s), isDateByParse(s); got != want {
			t.Fatalf("IsDate(%q) = %v, time.Parse says %v", s, got, want)
		}
	})
}

func BenchmarkIsDate(b *testing.B) {
	for b.Loop() {
		if !IsDate("1978-08-22") {
			b.Fatal("not a date")
		}
	}
}
