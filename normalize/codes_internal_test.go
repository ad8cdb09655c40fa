package normalize

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

// TestCalendarDateMatchesTimeParse compares isCalendarDate with time.Parse
// on every year with every month and day around the valid ranges, and on
// every month and day field of a leap, a common and a century year.
func TestCalendarDateMatchesTimeParse(t *testing.T) {
	check := func(y, m, d int) {
		s := fmt.Sprintf("%04d-%02d-%02d", y, m, d)
		_, err := time.Parse(time.DateOnly, s)
		if got := isCalendarDate(s); got != (err == nil) {
			t.Fatalf("%s: isCalendarDate %v, time.Parse %v", s, got, err)
		}
	}
	for y := 0; y <= 9999; y++ {
		for m := 0; m <= 13; m++ {
			for _, d := range []int{0, 1, 28, 29, 30, 31, 32} {
				check(y, m, d)
			}
		}
	}
	for _, y := range []int{0, 1900, 2000, 2023, 2024} {
		for m := 0; m <= 99; m++ {
			for d := 0; d <= 99; d++ {
				check(y, m, d)
			}
		}
	}
}

// TestCountryTable compares appendCountry with the list it was a substring
// search of, on every pair of bytes.
func TestCountryTable(t *testing.T) {
	n := 0
	for a := 0; a < 256; a++ {
		for b := 0; b < 256; b++ {
			s := string([]byte{byte(a), byte(b)})
			code := string([]byte{upperASCII(byte(a)), upperASCII(byte(b))})
			want := strings.Contains(iso3166, " "+code+" ") && strings.TrimSpace(s) == s
			got, err := appendCountry(nil, s)
			if (err == nil) != want || (want && string(got) != code) {
				t.Fatalf("%q: %q, %v; want %v", s, got, err, want)
			}
			if want {
				n++
			}
		}
	}
	if n != 249*4 {
		t.Fatalf("%d codes accepted in any case, want 249×4", n)
	}
}
