package synth

// Identity documents. Numbers follow each country's published layout and,
// where one exists, its check digit or letter, so that downstream validators
// see well-formed values; separators appear the way clerks type them, so the
// compact normalisation (spaces, hyphens, dots, slashes removed) is exercised.

type docGen struct {
	typ    string
	weight int
	gen    func(r *rng, b []byte, p *person) []byte
}

// pickDoc chooses a document by weight.
func pickDoc(r *rng, docs []docGen) *docGen {
	total := 0
	for i := range docs {
		total += docs[i].weight
	}
	n := r.n(total)
	for i := range docs {
		if n < docs[i].weight {
			return &docs[i]
		}
		n -= docs[i].weight
	}
	return &docs[len(docs)-1]
}

const (
	upper   = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	alnumDE = "CFGHJKLMNPRTVWXYZ0123456789" // German ID cards avoid vowels and look-alikes
	nlAlpha = "ABCDEFGHIJKLMNPQRSTUVWXYZ"   // Dutch documents never use the letter O
)

// diplomatic is shared: host-country diplomatic cards have no common layout.
var diplomatic = docGen{"diplomatic_id", 1, func(r *rng, b []byte, _ *person) []byte {
	b = append(b, 'D')
	return r.digits(b, 7)
}}

// Spain.

const dniLetters = "TRWAGMYFPDXBNJZSQVHLCKE"

func appendDNI(r *rng, b []byte) []byte {
	n := r.between(1000000, 99999999)
	b = pad(b, n, 8)
	sep := r.n(10)
	switch {
	case sep == 0:
		b = append(b, '-')
	case sep == 1:
		b = append(b, ' ')
	case sep == 2 && len(b) >= 8:
		// 12.345.678-Z, as printed on older cards.
		var d [8]byte
		copy(d[:], b[len(b)-8:])
		b = append(b[:len(b)-8], d[0], d[1], '.', d[2], d[3], d[4], '.', d[5], d[6], d[7], '-')
	}
	return append(b, dniLetters[n%23])
}

var esDocs = []docGen{
	{"national_id_card", 70, func(r *rng, b []byte, _ *person) []byte { return appendDNI(r, b) }},
	{"passport", 15, func(r *rng, b []byte, _ *person) []byte {
		b = r.from(b, upper, 3)
		return r.digits(b, 6)
	}},
	// The Spanish driving licence number is the holder's DNI.
	{"driver_licence", 7, func(r *rng, b []byte, _ *person) []byte { return appendDNI(r, b) }},
	{"social_security_id", 6, func(r *rng, b []byte, _ *person) []byte {
		prov := r.between(1, 52)
		num := r.n(100000000)
		b = pad(b, prov, 2)
		b = append(b, '/')
		b = pad(b, num, 8)
		b = append(b, '/')
		return pad(b, (prov*100000000+num)%97, 2)
	}},
	diplomatic,
	{"other", 1, func(r *rng, b []byte, _ *person) []byte { return r.digits(append(b, 'S', 'S'), 10) }},
}

// esNIE is the foreigner's identity number: X/Y/Z, seven digits, and the DNI
// letter of the number with X=0, Y=1, Z=2 in front.
func esNIE(r *rng, b []byte, _ *person) []byte {
	lead := r.n(3)
	n := r.n(10000000)
	b = append(b, "XYZ"[lead])
	b = pad(b, n, 7)
	return append(b, dniLetters[(lead*10000000+n)%23])
}

// Germany.

var deDocs = []docGen{
	{"national_id_card", 65, func(r *rng, b []byte, _ *person) []byte {
		b = r.from(b, "LMNPRTVWXY", 1)
		return r.from(b, alnumDE, 8)
	}},
	{"passport", 20, func(r *rng, b []byte, _ *person) []byte {
		return r.from(append(b, 'C'), alnumDE, 8)
	}},
	{"driver_licence", 10, func(r *rng, b []byte, _ *person) []byte {
		b = r.from(b, upper, 1)
		b = r.digits(b, 2)
		b = r.from(b, alnumDE, 6)
		b = r.digits(b, 1)
		return r.from(b, alnumDE, 1)
	}},
	// Rentenversicherungsnummer: area, birth date DDMMYY, initial of the
	// birth name, serial (00-49 men, 50-99 women), check digit.
	{"social_security_id", 4, func(r *rng, b []byte, p *person) []byte {
		b = pad(b, r.between(2, 89), 2)
		b = append(b, ' ')
		b = pad(b, p.birth.d, 2)
		b = pad(b, p.birth.m, 2)
		b = pad(b, p.birth.y%100, 2)
		b = append(b, ' ', p.birthInitial, ' ')
		serial := r.n(50)
		if p.female {
			serial += 50
		}
		b = pad(b, serial, 2)
		return r.digits(b, 1)
	}},
	diplomatic,
}

func deResidence(r *rng, b []byte, _ *person) []byte {
	return r.from(append(b, 'Y'), alnumDE, 8)
}

// France.

var frDocs = []docGen{
	{"national_id_card", 60, func(r *rng, b []byte, _ *person) []byte {
		if r.pct(50) {
			return r.digits(b, 12) // cards issued before 2021
		}
		return r.from(b, upper+"0123456789", 9)
	}},
	{"passport", 25, frPassport},
	{"driver_licence", 9, func(r *rng, b []byte, _ *person) []byte { return r.digits(b, 12) }},
	// NIR: sex, YY, MM, département, commune, order, key = 97 − (n mod 97).
	{"social_security_id", 5, func(r *rng, b []byte, p *person) []byte {
		sex := 1
		if p.female {
			sex = 2
		}
		n := uint64(sex)
		for _, part := range [...][2]int{{p.birth.y % 100, 100}, {p.birth.m, 100}, {r.between(1, 95), 100}, {r.between(1, 999), 1000}, {r.between(1, 999), 1000}} {
			n = n*uint64(part[1]) + uint64(part[0])
		}
		s := len(b)
		b = pad(b, int(n), 13)
		var nir [13]byte
		copy(nir[:], b[s:])
		b = append(b[:s], nir[0], ' ', nir[1], nir[2], ' ', nir[3], nir[4], ' ', nir[5], nir[6], ' ',
			nir[7], nir[8], nir[9], ' ', nir[10], nir[11], nir[12], ' ')
		return pad(b, int(97-n%97), 2)
	}},
	diplomatic,
}

func frPassport(r *rng, b []byte, _ *person) []byte {
	b = r.digits(b, 2)
	b = r.from(b, upper, 2)
	return r.digits(b, 5)
}

// Netherlands: passports and identity cards share one layout, two letters,
// six letters or digits and a final digit, with no letter O.

func nlDocNumber(r *rng, b []byte, _ *person) []byte {
	b = r.from(b, nlAlpha, 2)
	b = r.from(b, nlAlpha+"0123456789", 6)
	return r.digits(b, 1)
}

var nlDocs = []docGen{
	{"national_id_card", 50, nlDocNumber},
	{"passport", 35, nlDocNumber},
	{"driver_licence", 11, func(r *rng, b []byte, _ *person) []byte { return r.digits(b, 10) }},
	// BSN: nine digits passing the 11-test (weights 9…2 and −1).
	{"social_security_id", 3, func(r *rng, b []byte, _ *person) []byte {
		s := len(b)
		for {
			b = r.digits(b[:s], 8)
			sum := 0
			for i, c := range b[s:] {
				sum += (9 - i) * int(c-'0')
			}
			if last := sum % 11; last < 10 {
				return append(b, byte('0'+last))
			}
		}
	}},
	diplomatic,
}

// Turkey: the 11-digit T.C. Kimlik No, whose tenth and eleventh digits are
// checksums; foreigners get the same layout starting with 99.

func appendTCKN(r *rng, b []byte, foreign bool) []byte {
	var d [11]int
	d[0] = 1 + r.n(9)
	start := 1
	if foreign {
		d[0], d[1], start = 9, 9, 2
	}
	for i := start; i < 9; i++ {
		d[i] = r.n(10)
	}
	odd := d[0] + d[2] + d[4] + d[6] + d[8]
	even := d[1] + d[3] + d[5] + d[7]
	d[9] = ((odd*7-even)%10 + 10) % 10
	sum := 0
	for _, v := range d[:10] {
		sum += v
	}
	d[10] = sum % 10
	for _, v := range d {
		b = append(b, byte('0'+v))
	}
	return b
}

var trDocs = []docGen{
	{"national_id_card", 80, func(r *rng, b []byte, _ *person) []byte { return appendTCKN(r, b, false) }},
	{"passport", 14, func(r *rng, b []byte, _ *person) []byte {
		return r.digits(append(b, "UZ"[r.n(2)]), 8)
	}},
	{"driver_licence", 5, func(r *rng, b []byte, _ *person) []byte { return r.digits(b, 6) }},
	diplomatic,
}

func trResidence(r *rng, b []byte, _ *person) []byte { return appendTCKN(r, b, true) }

// Greece: identity cards carry two Greek capitals (only those that look like
// Latin ones) and six digits.

var greekCaps = []rune("ΑΒΕΖΗΙΚΜΝΟΡΤΥΧ")

var elDocs = []docGen{
	{"national_id_card", 70, func(r *rng, b []byte, _ *person) []byte {
		b = r.fromRunes(b, greekCaps, 2)
		if r.pct(40) {
			b = append(b, ' ')
		}
		return r.digits(b, 6)
	}},
	{"passport", 20, latinPassport},
	{"driver_licence", 4, func(r *rng, b []byte, _ *person) []byte { return r.digits(b, 9) }},
	// AMKA: birth date DDMMYY, four digits, Luhn check digit.
	{"social_security_id", 5, func(r *rng, b []byte, p *person) []byte {
		s := len(b)
		b = pad(b, p.birth.d, 2)
		b = pad(b, p.birth.m, 2)
		b = pad(b, p.birth.y%100, 2)
		b = r.digits(b, 4)
		return append(b, luhn(b[s:]))
	}},
	diplomatic,
}

// latinPassport is the common two letters and seven digits layout.
func latinPassport(r *rng, b []byte, _ *person) []byte {
	b = r.from(b, upper, 2)
	return r.digits(b, 7)
}

// luhn returns the check digit that makes digits ++ check pass the Luhn test.
func luhn(digits []byte) byte {
	sum := 0
	double := true
	for i := len(digits) - 1; i >= 0; i-- {
		v := int(digits[i] - '0')
		if double {
			v *= 2
			if v > 9 {
				v -= 9
			}
		}
		sum += v
		double = !double
	}
	return byte('0' + (10-sum%10)%10)
}

// Ukraine: the ID card (nine digits) replaced the internal passport booklet
// (two Cyrillic letters and six digits), which is still in circulation.

var ukCaps = []rune("АВЕІКМНОРСТХ")

var ukDocs = []docGen{
	{"national_id_card", 60, func(r *rng, b []byte, _ *person) []byte {
		if r.pct(25) {
			b = r.fromRunes(b, ukCaps, 2)
			if r.pct(50) {
				b = append(b, ' ')
			}
			return r.digits(b, 6)
		}
		return r.digits(b, 9)
	}},
	{"passport", 30, func(r *rng, b []byte, _ *person) []byte {
		b = r.from(b, "EFGH", 1)
		b = r.from(b, upper, 1)
		return r.digits(b, 6)
	}},
	{"driver_licence", 5, func(r *rng, b []byte, _ *person) []byte {
		b = r.fromRunes(b, ukCaps, 3)
		return r.digits(b, 6)
	}},
	{"other", 4, func(r *rng, b []byte, _ *person) []byte { return r.digits(b, 10) }},
	diplomatic,
}

// Japan: the driving licence is the everyday identity document; My Number
// has a check digit.

func appendMyNumber(r *rng, b []byte) []byte {
	s := len(b)
	b = r.digits(b, 11)
	sum := 0
	for n := 1; n <= 11; n++ {
		q := n + 1
		if n > 6 {
			q = n - 5
		}
		sum += int(b[s+11-n]-'0') * q
	}
	check := 0
	if rem := sum % 11; rem > 1 {
		check = 11 - rem
	}
	return append(b, byte('0'+check))
}

var jaDocs = []docGen{
	{"driver_licence", 45, func(r *rng, b []byte, _ *person) []byte { return r.digits(b, 12) }},
	{"social_security_id", 15, func(r *rng, b []byte, _ *person) []byte { return appendMyNumber(r, b) }},
	{"passport", 25, func(r *rng, b []byte, _ *person) []byte {
		b = r.from(b, "MT", 1)
		b = r.from(b, upper, 1)
		return r.digits(b, 7)
	}},
	{"national_id_card", 10, func(r *rng, b []byte, _ *person) []byte { return appendMyNumber(r, b) }},
	{"other", 4, func(r *rng, b []byte, _ *person) []byte {
		b = r.digits(b, 8)
		b = append(b, '-')
		return r.digits(b, 2)
	}},
	diplomatic,
}

// jaResidence is the residence card: two letters, eight digits, two letters.
func jaResidence(r *rng, b []byte, _ *person) []byte {
	b = r.from(b, upper, 2)
	b = r.digits(b, 8)
	return r.from(b, upper, 2)
}

// United Kingdom: no identity card; passports, DVLA licences (built from
// the surname, birth date and initials) and National Insurance numbers.

var gbDocs = []docGen{
	{"passport", 45, func(r *rng, b []byte, _ *person) []byte { return r.digits(b, 9) }},
	{"driver_licence", 43, dvlaLicence},
	{"social_security_id", 9, func(r *rng, b []byte, _ *person) []byte {
		b = r.from(b, "ABCEGHJKLMNOPRSTWXYZ", 1)
		b = r.from(b, "ABCEGHJKLMNPRSTWXYZ", 1)
		for range 3 {
			b = append(b, ' ')
			b = r.digits(b, 2)
		}
		b = append(b, ' ')
		return r.from(b, "ABCD", 1)
	}},
	diplomatic,
	{"other", 2, func(r *rng, b []byte, _ *person) []byte { return r.digits(b, 10) }},
}

// dvlaLicence: five letters of the surname (padded with 9), decade digit,
// month (+50 for women), day, year digit, two initials (9 when there is no
// middle name), a digit and two check characters.
func dvlaLicence(r *rng, b []byte, p *person) []byte {
	n := 0
	for i := 0; i < len(p.familyASCII) && n < 5; i++ {
		if c := p.familyASCII[i]; c >= 'a' && c <= 'z' {
			b = append(b, c-'a'+'A')
			n++
		}
	}
	for ; n < 5; n++ {
		b = append(b, '9')
	}
	month := p.birth.m
	if p.female {
		month += 50
	}
	b = append(b, byte('0'+p.birth.y%100/10))
	b = pad(b, month, 2)
	b = pad(b, p.birth.d, 2)
	b = append(b, byte('0'+p.birth.y%10), p.givenInitial, p.middleInitial, '9')
	return r.from(b, upper, 2)
}

// Brazil: RG (state identity card) and CPF (taxpayer number, the number
// Brazilians quote everywhere) with their check digits.

var brDocs = []docGen{
	{"national_id_card", 50, func(r *rng, b []byte, _ *person) []byte {
		var d [8]int
		sum := 0
		for i := range d {
			d[i] = r.n(10)
			sum += d[i] * (i + 2)
		}
		for i, v := range d {
			if i == 2 || i == 5 {
				b = append(b, '.')
			}
			b = append(b, byte('0'+v))
		}
		b = append(b, '-')
		c := 11 - sum%11
		if c == 10 {
			return append(b, 'X')
		}
		return append(b, byte('0'+c%11))
	}},
	{"other", 30, appendCPF},
	{"driver_licence", 14, func(r *rng, b []byte, _ *person) []byte { return r.digits(b, 11) }},
	{"passport", 5, func(r *rng, b []byte, _ *person) []byte {
		b = r.from(b, upper, 2)
		return r.digits(b, 6)
	}},
	diplomatic,
}

func appendCPF(r *rng, b []byte, _ *person) []byte {
	var d [11]int
	for i := range 9 {
		d[i] = r.n(10)
	}
	for k := 9; k <= 10; k++ {
		sum := 0
		for i := range k {
			sum += d[i] * (k + 1 - i)
		}
		d[k] = sum * 10 % 11 % 10
	}
	for i, v := range d {
		switch i {
		case 3, 6:
			b = append(b, '.')
		case 9:
			b = append(b, '-')
		}
		b = append(b, byte('0'+v))
	}
	return b
}

func brResidence(r *rng, b []byte, _ *person) []byte {
	b = r.from(b, "VFG", 1)
	b = r.digits(b, 6)
	b = append(b, '-')
	return r.from(b, upper+"0123456789", 1)
}

func genericResidence(r *rng, b []byte, _ *person) []byte {
	b = r.from(b, upper, 2)
	return r.digits(b, 7)
}
