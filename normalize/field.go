package normalize

// Field is one attribute of the CAMARA request as the rules see it: which
// kind of rule it takes, and, through its number, whether a profile's
// drop_words list it. The zero Field is not a field.
type Field struct {
	id   uint8 // 1 + index in fieldTable
	kind Kind
}

// fieldTable is contract §5's list of which rule each field takes. A
// composed name or address is normalised as that field.
var fieldTable = [...]struct {
	name string
	kind Kind
}{
	{"phoneNumber", KindPhone},
	{"idDocument", KindCompact},
	{"idDocumentType", KindIDDocumentType},
	{"idDocumentExpiryDate", KindDate},
	{"bankAccountNumber", KindBankAccount},
	{"name", KindText},
	{"givenName", KindText},
	{"familyName", KindText},
	{"nameKanaHankaku", KindKana},
	{"nameKanaZenkaku", KindKana},
	{"middleNames", KindText},
	{"familyNameAtBirth", KindText},
	{"address", KindText},
	{"streetName", KindText},
	{"streetNumber", KindCompact},
	{"postalCode", KindCompact},
	{"region", KindText},
	{"locality", KindText},
	{"country", KindCountry},
	{"houseNumberExtension", KindCompact},
	{"birthdate", KindDate},
	{"email", KindEmail},
	{"gender", KindGender},
	{"cityOfBirth", KindText},
	{"countryOfBirth", KindCountry},
	{"nationality", KindCountry},
}

// fieldSet is a set of fields by number; fieldTable fits in it.
type fieldSet uint32

func (s fieldSet) has(f Field) bool { return f.id != 0 && s&(1<<(f.id-1)) != 0 }

// FieldNamed returns the field with the CAMARA name name.
func FieldNamed(name string) (Field, bool) {
	for i, f := range fieldTable {
		if f.name == name {
			return Field{id: uint8(i + 1), kind: f.kind}, true
		}
	}
	return Field{}, false
}

// MustField is FieldNamed for names fixed in the code; it panics on a name
// that is not a field.
func MustField(name string) Field {
	f, ok := FieldNamed(name)
	if !ok {
		panic("normalize: no field " + name)
	}
	return f
}

// Kind returns the rule the field takes.
func (f Field) Kind() Kind { return f.kind }

// Name returns the field's CAMARA name.
func (f Field) Name() string {
	if f.id == 0 {
		return ""
	}
	return fieldTable[f.id-1].name
}
