package engine

import (
	"math/bits"

	"github.com/kycmatch/kycmatch/normalize"
)

// Attribute is one field of the CAMARA KYC Match request, by its position in
// the export and in the stored record. The order is part of the record format:
// append new attributes at the end, never reorder.
type Attribute uint8

// The attributes, named as in the CAMARA request body. PhoneNumber is the
// identifier of the line; it is looked up, never compared as an attribute.
const (
	PhoneNumber Attribute = iota
	IDDocument
	IDDocumentType
	IDDocumentExpiryDate
	BankAccountNumber
	Name
	GivenName
	FamilyName
	NameKanaHankaku
	NameKanaZenkaku
	MiddleNames
	FamilyNameAtBirth
	Address
	StreetName
	StreetNumber
	PostalCode
	Region
	Locality
	Country
	HouseNumberExtension
	Birthdate
	Email
	Gender
	CityOfBirth
	CountryOfBirth
	Nationality

	// NumAttributes is the number of attributes, PhoneNumber included.
	NumAttributes
)

type attrInfo struct {
	name   string
	scored bool // the spec gives it a <name>MatchScore
}

var attrTable = [NumAttributes]attrInfo{
	PhoneNumber:          {"phoneNumber", false},
	IDDocument:           {"idDocument", false},
	IDDocumentType:       {"idDocumentType", false},
	IDDocumentExpiryDate: {"idDocumentExpiryDate", false},
	BankAccountNumber:    {"bankAccountNumber", false},
	Name:                 {"name", true},
	GivenName:            {"givenName", true},
	FamilyName:           {"familyName", true},
	NameKanaHankaku:      {"nameKanaHankaku", true},
	NameKanaZenkaku:      {"nameKanaZenkaku", true},
	MiddleNames:          {"middleNames", true},
	FamilyNameAtBirth:    {"familyNameAtBirth", true},
	Address:              {"address", true},
	StreetName:           {"streetName", true},
	StreetNumber:         {"streetNumber", true},
	PostalCode:           {"postalCode", false},
	Region:               {"region", true},
	Locality:             {"locality", true},
	Country:              {"country", false},
	HouseNumberExtension: {"houseNumberExtension", false},
	Birthdate:            {"birthdate", false},
	Email:                {"email", true},
	Gender:               {"gender", false},
	CityOfBirth:          {"cityOfBirth", true},
	CountryOfBirth:       {"countryOfBirth", false},
	Nationality:          {"nationality", false},
}

// String returns the CAMARA field name, e.g. "givenName".
func (a Attribute) String() string {
	if a >= NumAttributes {
		return "unknown"
	}
	return attrTable[a].name
}

// attrFields is attrTable's names as package normalize knows them, which
// holds the rule each takes.
var attrFields = func() (f [NumAttributes]normalize.Field) {
	for a := range f {
		f[a] = normalize.MustField(attrTable[a].name)
	}
	return f
}()

// Field returns the attribute as the normalisation rules see it.
func (a Attribute) Field() normalize.Field { return attrFields[a] }

// Kind returns the normalisation rule of the attribute.
func (a Attribute) Kind() normalize.Kind { return attrFields[a].Kind() }

// Scored reports whether the spec gives the attribute a …MatchScore.
func (a Attribute) Scored() bool { return attrTable[a].scored }

// ParseAttribute returns the attribute with the CAMARA field name s.
func ParseAttribute(s string) (Attribute, bool) {
	for a := Attribute(0); a < NumAttributes; a++ {
		if attrTable[a].name == s {
			return a, true
		}
	}
	return 0, false
}

// FieldNames returns the CAMARA names of all attributes, indexed by
// Attribute: the field labels of the hashing scheme.
func FieldNames() []string {
	out := make([]string, NumAttributes)
	for a := range out {
		out[a] = attrTable[a].name
	}
	return out
}

// Attributes lists every attribute in record order, PhoneNumber first.
func Attributes() []Attribute {
	out := make([]Attribute, NumAttributes)
	for i := range out {
		out[i] = Attribute(i)
	}
	return out
}

// AttrSet is a set of attributes.
type AttrSet uint32

// Has reports whether a is in the set.
func (s AttrSet) Has(a Attribute) bool { return s&(1<<a) != 0 }

// With returns the set with a added.
func (s AttrSet) With(a Attribute) AttrSet { return s | 1<<a }

// Without returns the set with a removed.
func (s AttrSet) Without(a Attribute) AttrSet { return s &^ (1 << a) }

// Len returns the number of attributes in the set.
func (s AttrSet) Len() int { return bits.OnesCount32(uint32(s)) }
