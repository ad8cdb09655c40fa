package normalize

import (
	"slices"
	"strings"
)

// Date rule (contract §5): exactly YYYY-MM-DD and a real calendar date, so
// 2023-02-29 is refused rather than rolled over.
func appendDate(dst []byte, s string) ([]byte, error) {
	s = strings.TrimSpace(s)
	if !IsDate(s) {
		return dst, ErrDate
	}
	return append(dst, s...), nil
}

// IsDate reports whether s is exactly a calendar date YYYY-MM-DD: what
// time.Parse(time.DateOnly, s) accepts in ten bytes, without its cost. The
// API checks request dates with it before anything is normalised.
func IsDate(s string) bool {
	if len(s) != 10 || s[4] != '-' || s[7] != '-' {
		return false
	}
	for i := 0; i < len(s); i++ {
		if i != 4 && i != 7 && (s[i] < '0' || s[i] > '9') {
			return false
		}
	}
	return isCalendarDate(s)
}

// isCalendarDate is what time.Parse(time.DateOnly, s) checks of ten bytes
// already known to be digits and dashes, at a fraction of the cost: with two
// dates a record, time.Parse was a few percent of ingest.
// TestCalendarDateMatchesTimeParse holds the two equal.
func isCalendarDate(s string) bool {
	year := digits(s[0:4])
	month, day := digits(s[5:7]), digits(s[8:10])
	return month >= 1 && month <= 12 && day >= 1 && day <= daysIn(month, year)
}

func digits(s string) int {
	n := 0
	for i := 0; i < len(s); i++ {
		n = n*10 + int(s[i]-'0')
	}
	return n
}

func daysIn(month, year int) int {
	switch month {
	case 2:
		if year%4 == 0 && (year%100 != 0 || year%400 == 0) {
			return 29
		}
		return 28
	case 4, 6, 9, 11:
		return 30
	}
	return 31
}

// Country rule: upper-cased and one of the officially assigned ISO 3166-1
// alpha-2 codes. A code nobody holds can never match, and accepting it would
// hide a broken export column.
func appendCountry(dst []byte, s string) ([]byte, error) {
	s = strings.TrimSpace(s)
	if len(s) != 2 {
		return dst, ErrCountry
	}
	a, b := upperASCII(s[0]), upperASCII(s[1])
	if a < 'A' || a > 'Z' || b < 'A' || b > 'Z' || !assignedCountries[a-'A'][b-'A'] {
		return dst, ErrCountry
	}
	return append(dst, a, b), nil
}

// assignedCountries is iso3166 as a table: three countries a record made
// scanning the list a few percent of ingest.
var assignedCountries = func() (t [26][26]bool) {
	for i := 1; i+1 < len(iso3166); i += 3 {
		t[iso3166[i]-'A'][iso3166[i+1]-'A'] = true
	}
	return t
}()

// appendEnum accepts one of the allowed values after trimming and, for the
// export's sake, case-mapping to the spec's case (the API's own validation
// already insists on the exact spelling).
func appendEnum(dst []byte, s string, allowed []string, upperCase bool) ([]byte, error) {
	s = strings.TrimSpace(s)
	if upperCase {
		s = strings.ToUpper(s)
	} else {
		s = strings.ToLower(s)
	}
	for _, v := range allowed {
		if s == v {
			return append(dst, v...), nil
		}
	}
	return dst, ErrEnum
}

// The spec's enum values, in its spelling and order.
var (
	genders         = []string{"MALE", "FEMALE", "OTHER"}
	idDocumentTypes = []string{"passport", "national_id_card", "residence_permit", "diplomatic_id", "driver_licence", "social_security_id", "other"}
)

// Genders returns the values of the spec's gender enum.
func Genders() []string { return slices.Clone(genders) }

// IDDocumentTypes returns the values of the spec's idDocumentType enum.
func IDDocumentTypes() []string { return slices.Clone(idDocumentTypes) }

// iso3166 lists the officially assigned ISO 3166-1 alpha-2 codes (249), each
// between spaces, which is how assignedCountries reads it.
const iso3166 = " AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR BS BT BV BW BY BZ" +
	" CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM DO DZ EC EE EG EH ER ES ET FI FJ FK FM FO FR" +
	" GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP" +
	" KE KG KH KI KM KN KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR MS MT MU MV MW MX MY MZ" +
	" NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM PN PR PS PT PW PY QA RE RO RS RU RW" +
	" SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ" +
	" UA UG UM US UY UZ VA VC VE VG VI VN VU WF WS YE YT ZA ZM ZW "
