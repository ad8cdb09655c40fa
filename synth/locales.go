package synth

import "github.com/kycmatch/kycmatch/engine"

// locale is everything a country contributes to a row: its people (names,
// documents, birthplaces) and its lines (numbers, addresses, accounts). A row
// draws a residence locale and, for about one subscriber in eight, a
// different locale of origin, so a Turkish name with a Berlin address and a
// German number occurs as it does in real exports.
type locale struct {
	tag, country string
	weight       int

	male, female, family []nameEntry
	familyFirst          bool // the name is written family name first (Japanese)
	doubleSurname        int  // % of people with two family names (Iberian custom)
	hyphenated           int  // % of people with a hyphenated double family name

	streets []street
	cities  []city
	postal  func(g *row, c *city)
	number  func(g *row)
	ext     func(g *row)
	address func(g *row, st street, c *city)

	phone     *phonePlan
	bban      ibanPlan // nil: the country has no IBAN (Japan)
	docs      []docGen
	residence func(r *rng, b []byte, p *person) []byte
	domains   []string // e-mail domains of the locale, some internationalised
}

// commonDomains are the reserved example domains (RFC 2606, RFC 6761), so no
// generated address can reach a real mailbox.
var commonDomains = []string{"example.com", "example.org", "example.net", "mail.example",
	"post.example", "inbox.test"}

var locales = []*locale{
	{
		tag: "es-ES", country: "ES", weight: 13,
		male: esMale, female: esFemale, family: esFamily, doubleSurname: 60, hyphenated: 5,
		streets: esStreets, cities: esCities,
		postal: digitsPostal, number: latinNumber(""), ext: esExt, address: esAddress,
		phone: mobile(34, 7, "60", "61", "62", "63", "64", "65", "66", "67", "68", "69", "71", "72", "73", "74"),
		bban:  bbanES, docs: esDocs, residence: esNIE,
		domains: []string{"correo.example", "españa.example", "buzón.test"},
	},
	{
		tag: "de-DE", country: "DE", weight: 12,
		male: deMale, female: deFemale, family: deFamily, hyphenated: 6,
		streets: deStreets, cities: deCities,
		postal: digitsPostal, number: latinNumber(""), ext: deExt, address: deAddress,
		phone: mobile(49, 8, "151", "152", "155", "156", "157", "159", "160", "162", "163", "170", "171", "172", "173", "174", "175", "176", "177", "178", "179"),
		bban:  bbanDE, docs: deDocs, residence: deResidence,
		domains: []string{"müller.example", "bücher.example", "post.test"},
	},
	{
		tag: "fr-FR", country: "FR", weight: 11,
		male: frMale, female: frFemale, family: frFamily, hyphenated: 6,
		streets: frStreets, cities: frCities,
		postal: digitsPostal, number: frNumber, ext: frExt, address: frAddress,
		phone: mobile(33, 7, "60", "61", "62", "64", "65", "66", "67", "68", "73", "74", "75", "76", "77", "78", "79"),
		bban:  bbanFR, docs: frDocs, residence: genericResidence,
		domains: []string{"société.example", "courriel.test"},
	},
	{
		tag: "nl-NL", country: "NL", weight: 8,
		male: nlMale, female: nlFemale, family: nlFamily, hyphenated: 3,
		streets: nlStreets, cities: nlCities,
		postal: nlPostal, number: latinNumber(""), ext: nlExt, address: nlAddress,
		phone: mobile(31, 7, "61", "62", "63", "64", "65", "68"),
		bban:  bbanNL, docs: nlDocs, residence: nlDocNumber,
		domains: []string{"voorbeeld.example", "post.test"},
	},
	{
		tag: "tr-TR", country: "TR", weight: 8,
		male: trMale, female: trFemale, family: trFamily,
		streets: trStreets, cities: trCities,
		postal: digitsPostal, number: trNumber, ext: trExt, address: trAddress,
		phone: mobile(90, 7, "501", "505", "506", "507", "530", "531", "532", "533", "534", "535", "536", "537", "538", "539", "541", "542", "543", "544", "545", "546", "547", "548", "549", "551", "552", "553", "554", "555", "559"),
		bban:  bbanTR, docs: trDocs, residence: trResidence,
		domains: []string{"şirket.example", "posta.test"},
	},
	{
		tag: "el-GR", country: "GR", weight: 6,
		male: elMale, female: elFemale, family: elFamily,
		streets: elStreets, cities: elCities,
		postal: elPostal, number: elNumber, ext: elExt, address: elAddress,
		phone: mobile(30, 7, "690", "691", "693", "694", "695", "696", "697", "698", "699"),
		bban:  bbanGR, docs: elDocs, residence: genericResidence,
		domains: []string{"παράδειγμα.δοκιμή", "mail.test"},
	},
	{
		tag: "uk-UA", country: "UA", weight: 6,
		male: ukMale, female: ukFemale, family: ukFamily,
		streets: ukStreets, cities: ukCities,
		postal: digitsPostal, number: ukNumber, ext: ukExt, address: ukAddress,
		phone: mobile(380, 7, "50", "63", "66", "67", "68", "73", "93", "95", "96", "97", "98", "99"),
		bban:  bbanUA, docs: ukDocs, residence: genericResidence,
		domains: []string{"приклад.испытание", "пошта.example"},
	},
	{
		tag: "ja-JP", country: "JP", weight: 11,
		male: jaMale, female: jaFemale, family: jaFamily, familyFirst: true,
		streets: jaTowns, cities: jaCities,
		postal: jaPostal, number: jaNumber, ext: jaExt, address: jaAddress,
		phone: mobile(81, 7, "701", "702", "703", "704", "705", "706", "707", "708", "709", "801", "802", "803", "804", "805", "806", "807", "808", "809", "901", "902", "903", "904", "905", "906", "907", "908", "909"),
		docs:  jaDocs, residence: jaResidence,
		domains: []string{"例え.テスト", "メール.example"},
	},
	{
		tag: "en-GB", country: "GB", weight: 13,
		male: gbMale, female: gbFemale, family: gbFamily, hyphenated: 4,
		streets: gbStreets, cities: gbCities,
		postal: gbPostal, number: latinNumber("A"), ext: gbExt, address: gbAddress,
		phone: mobile(44, 7, "740", "741", "742", "743", "744", "746", "747", "748", "749", "751", "753", "754", "755", "756", "757", "758", "759", "771", "772", "773", "774", "775", "776", "777", "780", "781", "784", "785", "786", "787", "788", "789", "790", "792", "794", "795", "796", "797", "798", "799"),
		bban:  bbanGB, docs: gbDocs, residence: genericResidence,
		domains: []string{"example.co.test", "mail.test"},
	},
	{
		tag: "pt-BR", country: "BR", weight: 12,
		male: brMale, female: brFemale, family: brFamily, doubleSurname: 40,
		streets: brStreets, cities: brCities,
		postal: brPostal, number: brNumber, ext: brExt, address: brAddress,
		phone: mobile(55, 8, "119", "129", "139", "149", "159", "169", "179", "189", "199", "219", "229", "249", "279", "289", "319", "329", "339", "349", "419", "429", "439", "479", "489", "519", "539", "549", "619", "629", "719", "819", "859", "919"),
		bban:  bbanBR, docs: brDocs, residence: brResidence,
		domains: []string{"exemplo.example", "ação.example"},
	},
}

var totalWeight = func() int {
	t := 0
	for _, l := range locales {
		t += l.weight
	}
	return t
}()

func pickLocale(r *rng) *locale {
	n := r.n(totalWeight)
	for _, l := range locales {
		if n < l.weight {
			return l
		}
		n -= l.weight
	}
	return locales[len(locales)-1]
}

// MaxCount is the largest export Write produces. Phone numbers are unique
// only below each country's plan capacity (see phonePlan.number); the
// smallest plan, the Netherlands', holds 60 million numbers.
const MaxCount = 50_000_000

// Postal codes.

// digitsPostal: the city's prefix followed by digits up to five (ES, DE, FR,
// TR, UA, BR before the hyphen).
func digitsPostal(g *row, c *city) {
	s := g.begin()
	g.buf = appendPostalDigits(g.buf, &g.r, c)
	g.end(engine.PostalCode, s)
}

func appendPostalDigits(b []byte, r *rng, c *city) []byte {
	w := 5 - len(c.code)
	hi := c.max
	if hi == 0 {
		hi = 1
		for range w {
			hi *= 10
		}
		hi--
	}
	b = append(b, c.code...)
	return pad(b, r.between(1, hi), w)
}

// nlPostal: four digits, a space (often left out) and two letters, never
// SA, SD or SS.
func nlPostal(g *row, c *city) {
	s := g.begin()
	g.buf = append(g.buf, c.code...)
	g.buf = g.r.digits(g.buf, 2)
	if g.r.pct(80) {
		g.buf = append(g.buf, ' ')
	}
	for {
		a, b := "ABCDEGHJKLMNPRSTVWXZ"[g.r.n(20)], "ABCDEGHJKLMNPRSTVWXZ"[g.r.n(20)]
		if a != 'S' || (b != 'A' && b != 'D' && b != 'S') {
			g.buf = append(g.buf, a, b)
			break
		}
	}
	g.end(engine.PostalCode, s)
}

// elPostal: five digits written "105 63".
func elPostal(g *row, c *city) {
	s := g.begin()
	g.buf = append(g.buf, c.code...)
	g.buf = g.r.digits(g.buf, 1)
	if g.r.pct(80) {
		g.buf = append(g.buf, ' ')
	}
	g.buf = g.r.digits(g.buf, 2)
	g.end(engine.PostalCode, s)
}

// jaPostal: "100-0001", sometimes without the hyphen.
func jaPostal(g *row, c *city) {
	s := g.begin()
	g.buf = append(g.buf, c.code...)
	if g.r.pct(80) {
		g.buf = append(g.buf, '-')
	}
	g.buf = g.r.digits(g.buf, 4)
	g.end(engine.PostalCode, s)
}

// gbPostal: outward code (area and district) and inward code (sector digit
// and two unit letters), as in "SW1A 1AA" or "M14 5RT".
func gbPostal(g *row, c *city) {
	s := g.begin()
	g.buf = append(g.buf, c.code...)
	d := g.r.between(1, c.max)
	g.buf = pad(g.buf, d, 1)
	if d < 10 && len(c.code) == 2 && g.r.pct(15) {
		g.buf = append(g.buf, "ABCEHJKMNPRVWXY"[g.r.n(15)])
	}
	if g.r.pct(92) {
		g.buf = append(g.buf, ' ')
	}
	g.buf = g.r.digits(g.buf, 1)
	g.buf = g.r.from(g.buf, "ABDEFGHJLNPQRSTUWXYZ", 2)
	g.end(engine.PostalCode, s)
}

// brPostal: the CEP "01310-100".
func brPostal(g *row, c *city) {
	s := g.begin()
	g.buf = appendPostalDigits(g.buf, &g.r, c)
	g.buf = append(g.buf, '-')
	g.buf = g.r.digits(g.buf, 3)
	g.end(engine.PostalCode, s)
}
