package normalize

import (
	"strconv"
	"strings"
	"sync"

	"github.com/nyaruka/phonenumbers"
	"google.golang.org/protobuf/proto"
)

// appendE164 accepts exactly the API's phoneNumber pattern,
// ^\+[1-9][0-9]{4,14}$. Numbers reach the API already in E.164; rewriting
// them would let two spellings of one line meet in a way the spec does not.
func appendE164(dst []byte, s string) ([]byte, error) {
	if !IsE164(s) {
		return dst, ErrPhone
	}
	return append(dst, s...), nil
}

// IsE164 reports whether s matches ^\+[1-9][0-9]{4,14}$.
func IsE164(s string) bool {
	if len(s) < 6 || len(s) > 16 || s[0] != '+' || s[1] < '1' || s[1] > '9' {
		return false
	}
	for i := 2; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// ParsePhone turns an export's phone number into E.164. International forms
// ("+34 612 345 678", "0034612345678") are read directly; national forms
// ("612 34 56 78", "0612345678") need defaultRegion, an ISO 3166-1 alpha-2
// code, and go through libphonenumber's parser.
//
// A number must be possible for its country (a known calling code and a
// length its plan allows). Whether the range is allocated is not checked:
// the library's metadata lags behind what operators assign.
//
// The library's parser is the dearest step of a row, so international forms
// skip it: their digits already are the E.164 form, and only the length
// test needs the metadata.
func ParsePhone(s, defaultRegion string) (string, error) {
	if len(s) > maxPhoneInput {
		return "", ErrPhone
	}
	compact, ok := stripPhoneSeparators(strings.TrimSpace(s))
	if !ok {
		return "", ErrPhone
	}
	if strings.HasPrefix(compact, "00") {
		compact = "+" + compact[2:]
	}
	if strings.HasPrefix(compact, "+") {
		if !IsE164(compact) || !possibleE164(compact) {
			return "", ErrPhone
		}
		return compact, nil
	}
	if defaultRegion == "" {
		return "", ErrPhone
	}
	num, err := phonenumbers.Parse(compact, strings.ToUpper(defaultRegion))
	if err != nil || !phonenumbers.IsPossibleNumber(num) {
		return "", ErrPhone
	}
	e164 := phonenumbers.Format(num, phonenumbers.E164)
	if !IsE164(e164) {
		return "", ErrPhone
	}
	return e164, nil
}

// maxPhoneInput bounds what reaches the library's regular expressions; no
// written phone number comes near it.
const maxPhoneInput = 64

// stripPhoneSeparators removes the visual separators people type into phone
// numbers and refuses anything else but digits and a leading '+'.
func stripPhoneSeparators(s string) (string, bool) {
	if IsE164(s) {
		return s, true
	}
	b := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c >= '0' && c <= '9':
			b = append(b, c)
		case c == '+' && len(b) == 0:
			b = append(b, c)
		case c == ' ' || c == '-' || c == '.' || c == '(' || c == ')' || c == '/':
		default:
			return "", false
		}
	}
	return string(b), len(b) > 0
}

var callingCodes = sync.OnceValue(phonenumbers.GetSupportedCallingCodes)

// possibleE164 asks the library's length rules about an E.164 string
// without its parser. Calling codes are prefix-free, so the first known
// prefix of one to three digits is the code.
func possibleE164(e164 string) bool {
	digits := e164[1:]
	codes := callingCodes()
	for n := 1; n <= 3 && n < len(digits); n++ {
		cc, _ := strconv.Atoi(digits[:n])
		if !codes[cc] {
			continue
		}
		return possibleNational(cc, digits[n:])
	}
	return false
}

func possibleNational(cc int, nsn string) bool {
	nn, err := strconv.ParseUint(nsn, 10, 64)
	if err != nil {
		return false
	}
	num := &phonenumbers.PhoneNumber{
		CountryCode:    proto.Int32(int32(cc)),
		NationalNumber: proto.Uint64(nn),
	}
	if zeros := leadingZeros(nsn); zeros > 0 {
		// Italian-style numbers keep their leading zeros in E.164.
		num.ItalianLeadingZero = proto.Bool(true)
		num.NumberOfLeadingZeros = proto.Int32(int32(zeros))
	}
	return phonenumbers.IsPossibleNumber(num)
}

func leadingZeros(s string) int {
	n := 0
	for n < len(s)-1 && s[n] == '0' {
		n++
	}
	return n
}
