package synth

import (
	"github.com/kycmatch/kycmatch/engine"
)

// row builds one subscriber line. Every value is appended to one buffer and
// located by a span, so turning a row into a Subscriber costs a single string
// allocation, and a generator reused across rows allocates almost nothing.
type row struct {
	r        rng
	buf      []byte
	span     [engine.NumAttributes]struct{ s, e int32 }
	held     engine.AttrSet
	complete bool
	eligible bool
	gender   string
	res, org *locale // where the line is, where the person comes from
	p        person
	scratch  []byte // folded names and other helpers that are not attributes
}

// person carries what documents and e-mail addresses are derived from.
type person struct {
	female                      bool
	birth                       date
	givenASCII, familyASCII     []byte // within row.scratch
	givenInitial, middleInitial byte
	birthInitial                byte
}

func (g *row) begin() int { return len(g.buf) }

func (g *row) end(a engine.Attribute, start int) {
	g.span[a].s, g.span[a].e = int32(start), int32(len(g.buf))
}

func (g *row) get(a engine.Attribute) []byte { return g.buf[g.span[a].s:g.span[a].e] }

func (g *row) put(a engine.Attribute, v string) {
	s := g.begin()
	g.buf = append(g.buf, v...)
	g.end(a, s)
}

// generate fills g with row i of the export for seed.
func (g *row) generate(seed int64, i uint64, complete bool) {
	g.r = newRowRNG(seed, i)
	g.buf = g.buf[:0]
	g.scratch = g.scratch[:0]
	g.span = [engine.NumAttributes]struct{ s, e int32 }{}
	g.complete = complete
	g.p = person{}

	g.res = pickLocale(&g.r)
	g.org = g.res
	if g.r.pct(12) {
		for g.org == g.res {
			g.org = pickLocale(&g.r)
		}
	}
	g.decidePresence()
	g.drawPerson()
	g.names()
	g.address()
	s := g.begin()
	g.buf = g.res.phone.appendPhone(g.buf, seed, i, g.r.n(5) == 0)
	g.end(engine.PhoneNumber, s)
	g.document()
	g.bankAccount()
	g.email()
	g.origins()
	if !complete && g.r.pct(4) {
		g.legacyUpper()
	}
}

// subscriber copies the row out: one string holding every value.
func (g *row) subscriber() Subscriber {
	s := Subscriber{Eligible: g.eligible}
	all := string(g.buf)
	for a := range engine.NumAttributes {
		if g.held.Has(a) {
			s.Values[a] = all[g.span[a].s:g.span[a].e]
		}
	}
	return s
}

// decidePresence chooses which attributes the operator holds for the line.
// Rates are rough guesses at a mobile operator's CRM: every line has a
// number, most have a name and an address, fewer a bank account or a
// birthplace.
func (g *row) decidePresence() {
	g.held = engine.AttrSet(0).With(engine.PhoneNumber)
	hold := func(pct int, as ...engine.Attribute) bool {
		ok := g.r.pct(pct) || g.complete
		if ok {
			for _, a := range as {
				g.held = g.held.With(a)
			}
		}
		return ok
	}
	// A line without a full name keeps its parts, and one without a full
	// address keeps street and number, so the contract's composition rules
	// (§5) have something to compose.
	nameHeld := hold(85, engine.Name)
	hold(ifElse(nameHeld, 96, 100), engine.GivenName, engine.FamilyName)
	hold(ifElse(g.org.familyFirst, 0, 30), engine.MiddleNames)
	hold(20, engine.FamilyNameAtBirth)
	japanese := g.org.familyFirst
	hold(ifElse(japanese, 95, 0), engine.NameKanaZenkaku)
	hold(ifElse(japanese, 90, 0), engine.NameKanaHankaku)
	addressHeld := hold(90, engine.Address)
	hold(ifElse(addressHeld, 96, 100), engine.StreetName, engine.StreetNumber)
	hold(30, engine.HouseNumberExtension)
	hold(98, engine.PostalCode)
	hold(92, engine.Region)
	hold(98, engine.Locality)
	hold(99, engine.Country)
	docHeld := hold(93, engine.IDDocument, engine.IDDocumentType)
	hold(ifElse(docHeld, 90, 0), engine.IDDocumentExpiryDate)
	hold(70, engine.BankAccountNumber)
	hold(97, engine.Birthdate)
	hold(85, engine.Email)
	hold(95, engine.Gender)
	hold(70, engine.CityOfBirth)
	hold(80, engine.CountryOfBirth)
	hold(90, engine.Nationality)
	// IoT, corporate and opted-out lines.
	g.eligible = !g.r.pct(2) || g.complete
}

func ifElse(c bool, a, b int) int {
	if c {
		return a
	}
	return b
}

func (g *row) drawPerson() {
	g.p.birth = g.r.dateBetween(1940, 2007)
	switch v := g.r.n(100); {
	case v < 1:
		g.gender = "OTHER"
		g.p.female = g.r.pct(50)
	case v < 51:
		g.gender = "FEMALE"
		g.p.female = true
	default:
		g.gender = "MALE"
	}
}

// names writes givenName, familyName, middleNames, familyNameAtBirth, the
// kana readings and the composed name.
func (g *row) names() {
	o := g.org
	given := pick(&g.r, ifElseList(g.p.female, o.female, o.male))
	g.put(engine.GivenName, given.native)
	g.p.givenASCII = g.foldLatin(given.native, given.latin)
	g.p.givenInitial = initial(g.p.givenASCII)

	fam := pick(&g.r, o.family)
	famNative, famLatin := fam.form(g.p.female)
	s := g.begin()
	g.buf = append(g.buf, famNative...)
	switch {
	case g.r.pct(o.doubleSurname):
		second, _ := pick(&g.r, o.family).form(g.p.female)
		g.buf = append(g.buf, ' ')
		g.buf = append(g.buf, second...)
	case g.r.pct(o.hyphenated):
		second, _ := pick(&g.r, o.family).form(g.p.female)
		g.buf = append(g.buf, '-')
		g.buf = append(g.buf, second...)
	}
	g.end(engine.FamilyName, s)
	g.p.familyASCII = g.foldLatin(famNative, famLatin)

	g.middleName(given)
	atBirthEntry := pick(&g.r, o.family)
	if atBirthEntry.native == fam.native {
		atBirthEntry = o.family[(indexOf(o.family, fam.native)+1)%len(o.family)]
	}
	atBirth, _ := atBirthEntry.form(g.p.female)
	g.put(engine.FamilyNameAtBirth, atBirth)
	g.p.birthInitial = initial(g.p.familyASCII)
	if g.held.Has(engine.FamilyNameAtBirth) {
		g.p.birthInitial = initial(g.scratchFold(atBirth))
	}
	g.kana(given, fam)
	g.composeName()
}

func ifElseList(c bool, a, b []nameEntry) []nameEntry {
	if c {
		return a
	}
	return b
}

// initial is the upper-case first letter of a folded name, or '9' (the
// filler UK and German document numbers use) when there is none.
func initial(folded []byte) byte {
	if len(folded) == 0 {
		return '9'
	}
	return folded[0] - 'a' + 'A'
}

// foldLatin appends the ASCII form of a name to scratch and returns it:
// the transliteration when the list has one, else the folded native form.
func (g *row) foldLatin(native, latin string) []byte {
	if latin != "" {
		return g.scratchFold(latin)
	}
	return g.scratchFold(native)
}

func (g *row) scratchFold(s string) []byte {
	start := len(g.scratch)
	g.scratch = appendFolded(g.scratch, s)
	if len(g.scratch) == start {
		g.scratch = append(g.scratch, 'x')
	}
	return g.scratch[start:len(g.scratch):len(g.scratch)]
}

// middleName: a patronymic for Ukrainians, a second given name elsewhere.
// Japanese has no middle names; Complete exports still get one.
func (g *row) middleName(given nameEntry) {
	o := g.org
	var m string
	switch {
	case o.male[0].patM != "":
		father := pick(&g.r, o.male)
		m = ifElseString(g.p.female, father.patF, father.patM)
	default:
		list := ifElseList(g.p.female, o.female, o.male)
		m = pick(&g.r, list).native
		if m == given.native {
			m = list[(indexOf(list, m)+1)%len(list)].native
		}
	}
	g.put(engine.MiddleNames, m)
	g.p.middleInitial = '9'
	if g.held.Has(engine.MiddleNames) {
		g.p.middleInitial = initial(g.scratchFold(m))
	}
}

func ifElseString(c bool, a, b string) string {
	if c {
		return a
	}
	return b
}

func indexOf(list []nameEntry, native string) int {
	for i := range list {
		if list[i].native == native {
			return i
		}
	}
	return 0
}

// kana writes the readings. Japanese names have a reading in the lists;
// anyone else gets a rough katakana rendering, used only in Complete mode.
func (g *row) kana(given, fam nameEntry) {
	if !g.held.Has(engine.NameKanaZenkaku) && !g.held.Has(engine.NameKanaHankaku) {
		return
	}
	ks := len(g.scratch)
	if fam.kana != "" && given.kana != "" {
		g.scratch = append(g.scratch, fam.kana...)
		g.scratch = append(g.scratch, ' ')
		g.scratch = append(g.scratch, given.kana...)
	} else {
		g.scratch = appendKatakana(g.scratch, g.p.familyASCII)
		g.scratch = append(g.scratch, ' ')
		g.scratch = appendKatakana(g.scratch, g.p.givenASCII)
	}
	reading := g.scratch[ks:]
	famLen := 0
	for reading[famLen] != ' ' {
		famLen++
	}

	s := g.begin()
	sep := ifElseString(g.r.pct(60), "\u3000", " ")
	if g.r.pct(15) {
		g.buf = appendHiragana(g.buf, reading[:famLen])
		g.buf = append(g.buf, sep...)
		g.buf = appendHiragana(g.buf, reading[famLen+1:])
	} else {
		g.buf = append(g.buf, reading[:famLen]...)
		g.buf = append(g.buf, sep...)
		g.buf = append(g.buf, reading[famLen+1:]...)
	}
	g.end(engine.NameKanaZenkaku, s)

	s = g.begin()
	if g.r.pct(20) {
		g.buf = appendHankaku(g.buf, reading[:famLen])
		g.buf = appendHankaku(g.buf, reading[famLen+1:])
	} else {
		g.buf = appendHankaku(g.buf, reading)
	}
	g.end(engine.NameKanaHankaku, s)
}

// composeName writes the full name from the parts: given [middle] family,
// or family given for Japanese, where the space is sometimes the
// ideographic one.
func (g *row) composeName() {
	s := g.begin()
	if g.org.familyFirst {
		g.part(engine.FamilyName)
		g.str(ifElseString(g.r.pct(20), "\u3000", " "))
		g.part(engine.GivenName)
		if g.held.Has(engine.MiddleNames) {
			g.sepPart(" ", engine.MiddleNames)
		}
	} else {
		g.part(engine.GivenName)
		if g.held.Has(engine.MiddleNames) {
			g.sepPart(" ", engine.MiddleNames)
		}
		g.sepPart(" ", engine.FamilyName)
	}
	g.end(engine.Name, s)
}

func (g *row) address() {
	res := g.res
	c := &res.cities[g.r.n(len(res.cities))]
	st := pick(&g.r, res.streets)
	g.put(engine.StreetName, st.name)
	res.number(g)
	res.ext(g)
	res.postal(g, c)
	g.put(engine.Region, c.region)
	g.put(engine.Locality, c.name)
	g.put(engine.Country, res.country)
	s := g.begin()
	res.address(g, st, c)
	g.end(engine.Address, s)
}

// document: a local document for locals; for people from elsewhere either
// the residence permit of the country they live in or their own passport.
func (g *row) document() {
	var typ string
	var gen func(*rng, []byte, *person) []byte
	switch {
	case g.org == g.res:
		d := pickDoc(&g.r, g.res.docs)
		typ, gen = d.typ, d.gen
	case g.r.pct(55):
		typ, gen = "residence_permit", g.res.residence
	default:
		typ, gen = "passport", passportOf(g.org)
	}
	s := g.begin()
	g.buf = gen(&g.r, g.buf, &g.p)
	g.end(engine.IDDocument, s)
	g.put(engine.IDDocumentType, typ)
	s = g.begin()
	g.buf = g.r.dateBetween(2024, 2036).appendISO(g.buf)
	g.end(engine.IDDocumentExpiryDate, s)
	if typ == "social_security_id" && !g.complete {
		// Social security numbers do not expire.
		g.held = g.held.Without(engine.IDDocumentExpiryDate)
	}
}

func passportOf(l *locale) func(*rng, []byte, *person) []byte {
	for i := range l.docs {
		if l.docs[i].typ == "passport" {
			return l.docs[i].gen
		}
	}
	return latinPassport
}

func (g *row) bankAccount() {
	s := g.begin()
	if g.res.bban == nil {
		g.buf = appendZengin(g.buf, &g.r)
	} else {
		g.buf = appendIBAN(g.buf, &g.r, g.res.country, g.res.bban, g.r.pct(30))
	}
	g.end(engine.BankAccountNumber, s)
}

// email derives an address from the name the way people pick them, on a
// reserved domain; a few keep their accents (internationalised local parts)
// or have capitals, which the contract's e-mail normalisation must absorb.
func (g *row) email() {
	s := g.begin()
	given, family := g.p.givenASCII, g.p.familyASCII
	capital := g.r.pct(10)
	word := func(w []byte) {
		if capital {
			g.buf = append(g.buf, w[0]-'a'+'A')
			g.buf = append(g.buf, w[1:]...)
		} else {
			g.buf = append(g.buf, w...)
		}
	}
	switch v := g.r.n(100); {
	case v < 3 && !g.org.familyFirst:
		g.buf = appendLowerLetters(g.buf, g.get(engine.GivenName))
		g.buf = append(g.buf, '.')
		g.buf = appendLowerLetters(g.buf, g.get(engine.FamilyName))
	case v < 40:
		word(given)
		g.buf = append(g.buf, '.')
		word(family)
	case v < 55:
		word(given[:1])
		word(family)
	case v < 65:
		word(given)
		g.buf = append(g.buf, '_')
		word(family)
	case v < 75:
		word(family)
		g.buf = append(g.buf, '.')
		word(given)
	case v < 90:
		word(given)
		word(family)
		g.buf = pad(g.buf, g.p.birth.y%100, 2)
	default:
		word(given)
		g.buf = append(g.buf, '.')
		word(family)
		g.buf = pad(g.buf, g.r.between(1, 999), 1)
	}
	g.buf = append(g.buf, '@')
	domain := pick(&g.r, commonDomains)
	if g.r.pct(25) {
		domain = pick(&g.r, g.org.domains)
	}
	if g.r.pct(5) {
		g.buf = appendUpper(g.buf, []byte(domain), false)
	} else {
		g.buf = append(g.buf, domain...)
	}
	g.end(engine.Email, s)
}

func (g *row) origins() {
	s := g.begin()
	g.buf = g.p.birth.appendISO(g.buf)
	g.end(engine.Birthdate, s)
	g.put(engine.Gender, g.gender)
	c := pick(&g.r, g.org.cities)
	g.put(engine.CityOfBirth, c.name)
	g.put(engine.CountryOfBirth, g.org.country)
	nationality := g.org.country
	if g.org != g.res && g.r.pct(30) {
		nationality = g.res.country // naturalised
	}
	g.put(engine.Nationality, nationality)
}

// legacyUpper rewrites the text attributes in capitals, as records migrated
// from old billing systems are; the contract's case folding must make them
// match mixed-case requests.
func (g *row) legacyUpper() {
	nameTurkish := g.org.tag == "tr-TR"
	placeTurkish := g.res.tag == "tr-TR"
	for _, a := range [...]engine.Attribute{engine.Name, engine.GivenName, engine.FamilyName,
		engine.MiddleNames, engine.FamilyNameAtBirth, engine.Address, engine.StreetName,
		engine.Locality, engine.Region, engine.CityOfBirth} {
		turkish := placeTurkish
		if a <= engine.FamilyNameAtBirth || a == engine.CityOfBirth {
			turkish = nameTurkish
		}
		src := g.get(a)
		s := g.begin()
		g.buf = appendUpper(g.buf, src, turkish)
		g.end(a, s)
	}
}
