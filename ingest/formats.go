package ingest

import (
	"errors"
	"fmt"
	"strings"

	"github.com/kycmatch/kycmatch/engine"
)

// DateFormat is how an export writes birthdate and idDocumentExpiryDate
// (contract §2). Values are turned into YYYY-MM-DD before the one date
// rule, hashing.IsDate, sees them, so every format gets the same calendar
// check.
type DateFormat int

// The date formats of contract §2.
const (
	DateISO        DateFormat = iota // YYYY-MM-DD
	DateDotDMY                       // DD.MM.YYYY
	DateSlashDMY                     // DD/MM/YYYY
	DateSlashMDY                     // MM/DD/YYYY
	DateCompactISO                   // YYYYMMDD
)

var dateFormatNames = [...]string{"YYYY-MM-DD", "DD.MM.YYYY", "DD/MM/YYYY", "MM/DD/YYYY", "YYYYMMDD"}

func (f DateFormat) String() string { return dateFormatNames[f] }

// ParseDateFormat reads a --date-format or date_format: value.
func ParseDateFormat(s string) (DateFormat, error) {
	for i, n := range dateFormatNames {
		if strings.EqualFold(strings.TrimSpace(s), n) {
			return DateFormat(i), nil
		}
	}
	return 0, fmt.Errorf("want one of %s", strings.Join(dateFormatNames[:], ", "))
}

// toISO rewrites a date written in f as YYYY-MM-DD. It checks only the
// shape (the separators in their places); digits and calendar are
// hashing.IsDate's. ok is false when the value is not in f's shape.
func (f DateFormat) toISO(s string) (string, bool) {
	switch f {
	case DateISO:
		return s, true
	case DateCompactISO:
		if len(s) != 8 {
			return "", false
		}
		return s[0:4] + "-" + s[4:6] + "-" + s[6:8], true
	}
	sep := byte('/')
	if f == DateDotDMY {
		sep = '.'
	}
	if len(s) != 10 || s[2] != sep || s[5] != sep {
		return "", false
	}
	if f == DateSlashMDY {
		return s[6:10] + "-" + s[0:2] + "-" + s[3:5], true
	}
	return s[6:10] + "-" + s[3:5] + "-" + s[0:2], true
}

// ParseDelimiter reads a --delimiter value: one of , ; | or a tab (written
// as a tab, \t or tab).
func ParseDelimiter(s string) (rune, error) {
	switch s {
	case ",", ";", "|":
		return rune(s[0]), nil
	case "\t", `\t`, "tab", "TAB":
		return '\t', nil
	}
	return 0, errors.New(`want one of , ; | or \t (tab)`)
}

// lineToISO rewrites a line's dates as YYYY-MM-DD; on a date not in f's
// shape it returns the attribute and false. Empty cells stay empty: the
// attribute is not held.
func (f DateFormat) lineToISO(l *engine.Line) (engine.Attribute, bool) {
	if f == DateISO {
		return 0, true
	}
	for _, a := range [...]engine.Attribute{engine.Birthdate, engine.IDDocumentExpiryDate} {
		v := l.Values[a]
		if strings.TrimSpace(v) == "" {
			continue
		}
		iso, ok := f.toISO(v)
		if !ok {
			return a, false
		}
		l.Values[a] = iso
	}
	return 0, true
}

// dateReason is the rejects report's reason for a date that is not one in
// f: the same rule, said in the export's own format.
func (f DateFormat) dateReason() string { return "is not a calendar date " + f.String() }
