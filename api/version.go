package api

import (
	"github.com/kycmatch/kycmatch/engine"
	"github.com/kycmatch/kycmatch/normalize"
)

// Version is one API version's request rules, as data: which properties
// exist and what each must look like. One code path serves every version.
type Version struct {
	name   string // path segment: "v0.4", "vwip"
	fields map[string]fieldRule
	// idDocumentLevel: the operator option of idDocument second-level
	// validation exists in this version (v0.4 only).
	idDocumentLevel bool
}

// Name returns the version's path segment.
func (v *Version) Name() string { return v.name }

type fieldRule struct {
	attr      engine.Attribute
	maxLength int // code points; 0: unbounded
	pattern   string
	match     func(string) bool
	enum      []string
	date      bool
}

var (
	e164Pattern    = fieldRule{pattern: `^\+[1-9][0-9]{4,14}$`, match: normalize.IsE164}
	countryPattern = fieldRule{pattern: `^[A-Za-z]{2}$`, match: isAlpha2, maxLength: 2}
	bankPattern    = fieldRule{pattern: `^[A-Z]+:[A-Za-z0-9]+$`, match: isBankAccount, maxLength: 50}
	genderEnum     = normalize.Genders()
	docTypeEnum    = normalize.IDDocumentTypes()
)

// V04 is kyc-match 0.4.0 (spec/v0.4/kyc-match.yaml). It has no
// maxLength limits; values are still bounded by the body limit and by the
// normaliser's.
var V04 = &Version{name: "v0.4", idDocumentLevel: true, fields: rules(map[engine.Attribute]fieldRule{
	engine.PhoneNumber:          e164Pattern,
	engine.IDDocumentType:       {enum: docTypeEnum},
	engine.IDDocumentExpiryDate: {date: true},
	engine.Birthdate:            {date: true},
	engine.Gender:               {enum: genderEnum},
}, engine.BankAccountNumber)}

// VWIP is the work-in-progress definition
// (spec/wip/API_definitions/kyc-match.yaml), with bankAccountNumber
// and maxLength on every property.
var VWIP = &Version{name: "vwip", fields: rules(map[engine.Attribute]fieldRule{
	engine.PhoneNumber:          withMax(e164Pattern, 16),
	engine.IDDocument:           {maxLength: 50},
	engine.IDDocumentType:       {maxLength: 50, enum: docTypeEnum},
	engine.IDDocumentExpiryDate: {maxLength: 10, date: true},
	engine.BankAccountNumber:    bankPattern,
	engine.Name:                 {maxLength: 256},
	engine.GivenName:            {maxLength: 100},
	engine.FamilyName:           {maxLength: 150},
	engine.NameKanaHankaku:      {maxLength: 256},
	engine.NameKanaZenkaku:      {maxLength: 256},
	engine.MiddleNames:          {maxLength: 100},
	engine.FamilyNameAtBirth:    {maxLength: 150},
	engine.Address:              {maxLength: 256},
	engine.StreetName:           {maxLength: 150},
	engine.StreetNumber:         {maxLength: 20},
	engine.PostalCode:           {maxLength: 20},
	engine.Region:               {maxLength: 100},
	engine.Locality:             {maxLength: 100},
	engine.Country:              countryPattern,
	engine.HouseNumberExtension: {maxLength: 20},
	engine.Birthdate:            {maxLength: 10, date: true},
	engine.Email:                {maxLength: 254},
	engine.Gender:               {maxLength: 6, enum: genderEnum},
	engine.CityOfBirth:          {maxLength: 100},
	engine.CountryOfBirth:       countryPattern,
	engine.Nationality:          countryPattern,
})}

// Versions lists the served versions.
var Versions = []*Version{V04, VWIP}

// rules completes a version's table: every attribute not excluded is a
// property, with the given rule or none.
func rules(special map[engine.Attribute]fieldRule, exclude ...engine.Attribute) map[string]fieldRule {
	out := make(map[string]fieldRule)
next:
	for _, a := range engine.Attributes() {
		for _, x := range exclude {
			if a == x {
				continue next
			}
		}
		r := special[a]
		r.attr = a
		out[a.String()] = r
	}
	return out
}

func withMax(r fieldRule, n int) fieldRule { r.maxLength = n; return r }

func isAlpha2(s string) bool {
	return len(s) == 2 && isASCIILetter(s[0]) && isASCIILetter(s[1])
}

func isASCIILetter(c byte) bool { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') }

func isBankAccount(s string) bool {
	i := 0
	for i < len(s) && s[i] >= 'A' && s[i] <= 'Z' {
		i++
	}
	if i == 0 || i >= len(s)-1 || s[i] != ':' {
		return false
	}
	for _, c := range []byte(s[i+1:]) {
		if !isASCIILetter(c) && (c < '0' || c > '9') {
			return false
		}
	}
	return true
}
