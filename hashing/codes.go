package hashing

import (
	"strings"
	"time"
)

// Date rule (contract §5): exactly YYYY-MM-DD and a real calendar date, so
// 2023-02-29 is refused rather than rolled over.
func appendDate(dst []byte, s string) ([]byte, error) {
	s = strings.TrimSpace(s)
	if len(s) != 10 || s[4] != '-' || s[7] != '-' {
		return dst, ErrDate
	}
	for i := 0; i < len(s); i++ {
		if i != 4 && i != 7 && (s[i] < '0' || s[i] > '9') {
			return dst, ErrDate
		}
	}
	if _, err := time.Parse(time.DateOnly, s); err != nil {
		return dst, ErrDate
	}
	return append(dst, s...), nil
}

// Country rule: upper-cased and one of the officially assigned ISO 3166-1
// alpha-2 codes. A code nobody holds can never match, and accepting it would
// hide a broken export column.
func appendCountry(dst []byte, s string) ([]byte, error) {
	s = strings.TrimSpace(s)
	if len(s) != 2 {
		return dst, ErrCountry
	}
	code := string([]byte{upperASCII(s[0]), upperASCII(s[1])})
	if !strings.Contains(iso3166, " "+code+" ") {
		return dst, ErrCountry
	}
	return append(dst, code...), nil
}

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

var (
	genders         = []string{"MALE", "FEMALE", "OTHER"}
	idDocumentTypes = []string{"passport", "national_id_card", "residence_permit", "diplomatic_id", "driver_licence", "social_security_id", "other"}
)

// iso3166 lists the officially assigned ISO 3166-1 alpha-2 codes (249), each
// between spaces for a cheap substring test.
const iso3166 = " AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR BS BT BV BW BY BZ" +
	" CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM DO DZ EC EE EG EH ER ES ET FI FJ FK FM FO FR" +
	" GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP" +
	" KE KG KH KI KM KN KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR MS MT MU MV MW MX MY MZ" +
	" NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM PN PR PS PT PW PY QA RE RO RS RU RW" +
	" SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ" +
	" UA UG UM US UY UZ VA VC VE VG VI VN VU WF WS YE YT ZA ZM ZW "
