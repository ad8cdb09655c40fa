package synth_test

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"
	"github.com/nyaruka/phonenumbers"
	"golang.org/x/net/idna"

	"github.com/kycmatch/kycmatch/engine"
	"github.com/kycmatch/kycmatch/normalize"
	"github.com/kycmatch/kycmatch/synth"
)

const testSeed = 20240601

// rows returns rows 0…n-1 of the test seed, generated once per (n, complete)
// and shared by the tests.
func rows(tb testing.TB, n int, complete bool) []synth.Subscriber {
	tb.Helper()
	key := fmt.Sprint(n, complete)
	cacheMu.Lock()
	defer cacheMu.Unlock()
	if r, ok := cache[key]; ok {
		return r
	}
	out := make([]synth.Subscriber, n)
	for i := range out {
		out[i] = synth.Generate(testSeed, i, complete)
	}
	cache[key] = out
	return out
}

var (
	cacheMu sync.Mutex
	cache   = map[string][]synth.Subscriber{}
)

func write(tb testing.TB, o synth.Options) []byte {
	tb.Helper()
	var buf bytes.Buffer
	if err := synth.Write(&buf, o); err != nil {
		tb.Fatalf("Write(%+v): %v", o, err)
	}
	return buf.Bytes()
}

func TestColumns(t *testing.T) {
	cols := synth.Columns()
	if got, want := len(cols), int(engine.NumAttributes)+1; got != want {
		t.Fatalf("len(Columns()) = %d, want %d", got, want)
	}
	for a := range engine.NumAttributes {
		if cols[a] != a.String() {
			t.Errorf("Columns()[%d] = %q, want %q", a, cols[a], a.String())
		}
	}
	if last := cols[len(cols)-1]; last != "eligible" {
		t.Errorf("last column = %q, want eligible", last)
	}

	header, _, _ := bytes.Cut(write(t, synth.Options{Count: 1, Seed: 1}), []byte("\n"))
	if got, want := string(header), strings.Join(cols, ","); got != want {
		t.Errorf("CSV header = %q, want %q", got, want)
	}
}

func TestWriteIsDeterministic(t *testing.T) {
	for _, o := range []synth.Options{
		{Count: 3000, Seed: 1, Format: synth.CSV},
		{Count: 3000, Seed: 1, Format: synth.JSONL},
		{Count: 500, Seed: -7, Format: synth.CSV, Complete: true},
		{Count: 500, Seed: 0, Format: synth.JSONL, Complete: true},
	} {
		t.Run(fmt.Sprintf("%v/seed%d/complete=%v", o.Format, o.Seed, o.Complete), func(t *testing.T) {
			a, b := write(t, o), write(t, o)
			if !bytes.Equal(a, b) {
				t.Fatal("two runs with the same options differ")
			}
			other := o
			other.Seed++
			if bytes.Equal(a, write(t, other)) {
				t.Fatal("a different seed gives the same output")
			}
		})
	}
}

// TestGenerateMatchesWrite: Write's rows are Generate's rows, so any row can
// be regenerated alone.
func TestGenerateMatchesWrite(t *testing.T) {
	const n = 2000
	for _, complete := range []bool{false, true} {
		records := readCSV(t, write(t, synth.Options{Count: n, Seed: testSeed, Complete: complete}))
		if len(records) != n+1 {
			t.Fatalf("CSV has %d records, want %d", len(records), n+1)
		}
		for i, rec := range records[1:] {
			s := synth.Generate(testSeed, i, complete)
			want := append(s.Values[:], fmt.Sprint(s.Eligible))
			if diff := cmp.Diff(want, rec); diff != "" {
				t.Fatalf("row %d (complete=%v): CSV differs from Generate (-generate +csv):\n%s", i, complete, diff)
			}
		}
	}
}

func readCSV(t *testing.T, data []byte) [][]string {
	t.Helper()
	r := csv.NewReader(bytes.NewReader(data))
	r.FieldsPerRecord = int(engine.NumAttributes) + 1
	records, err := r.ReadAll()
	if err != nil {
		t.Fatalf("CSV does not parse: %v", err)
	}
	return records
}

func TestJSONL(t *testing.T) {
	const n = 3000
	data := write(t, synth.Options{Count: n, Seed: testSeed, Format: synth.JSONL})
	cols := synth.Columns()
	sc := bufio.NewScanner(bytes.NewReader(data))
	i := 0
	for ; sc.Scan(); i++ {
		var obj map[string]any
		if err := json.Unmarshal(sc.Bytes(), &obj); err != nil {
			t.Fatalf("line %d is not a JSON object: %v", i+1, err)
		}
		s := synth.Generate(testSeed, i, false)
		want := map[string]any{}
		for a, v := range s.Values {
			if v != "" {
				want[cols[a]] = v
			}
		}
		if !s.Eligible {
			want["eligible"] = false
		}
		if diff := cmp.Diff(want, obj); diff != "" {
			t.Fatalf("line %d differs from Generate (-want +got):\n%s", i+1, diff)
		}
		if v, ok := obj["eligible"]; ok && v != false {
			t.Fatalf("line %d: eligible = %v, want false or absent", i+1, v)
		}
	}
	if i != n {
		t.Fatalf("JSONL has %d lines, want %d", i, n)
	}
}

func TestWriteErrors(t *testing.T) {
	for _, tc := range []struct {
		name string
		o    synth.Options
	}{
		{"NegativeCount", synth.Options{Count: -1}},
		{"CountOverMax", synth.Options{Count: synth.MaxCount + 1}},
		{"UnknownFormat", synth.Options{Count: 1, Format: 9}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if err := synth.Write(io.Discard, tc.o); err == nil {
				t.Fatal("Write succeeded, want an error")
			}
		})
	}
	t.Run("WriterFails", func(t *testing.T) {
		for _, f := range []synth.Format{synth.CSV, synth.JSONL} {
			err := synth.Write(failingWriter{}, synth.Options{Count: 10000, Format: f})
			if !errors.Is(err, errDiskFull) {
				t.Errorf("%v: Write error = %v, want one wrapping %v", f, err, errDiskFull)
			}
		}
	})
	t.Run("ZeroRows", func(t *testing.T) {
		if got := write(t, synth.Options{Count: 0, Format: synth.JSONL}); len(got) != 0 {
			t.Errorf("JSONL with no rows = %q, want nothing", got)
		}
		if got := readCSV(t, write(t, synth.Options{Count: 0})); len(got) != 1 {
			t.Errorf("CSV with no rows has %d records, want the header only", len(got))
		}
	})
}

var errDiskFull = errors.New("disk full")

type failingWriter struct{}

func (failingWriter) Write([]byte) (int, error) { return 0, errDiskFull }

// e164 strips the separators of libphonenumber's international layout.
func e164(s string) string {
	return strings.NewReplacer(" ", "", "-", "").Replace(s)
}

var e164Pattern = regexp.MustCompile(`^\+[1-9][0-9]{4,14}$`)

func TestPhoneNumbersAreUnique(t *testing.T) {
	const n = 100_000
	seen := make(map[string]int, n)
	international := 0
	for i, s := range rows(t, n, false) {
		raw := s.Values[engine.PhoneNumber]
		p := e164(raw)
		if !e164Pattern.MatchString(p) {
			t.Fatalf("row %d: phone %q is not E.164 once separators are removed", i, raw)
		}
		if j, dup := seen[p]; dup {
			t.Fatalf("rows %d and %d share phone number %s", j, i, p)
		}
		seen[p] = i
		if p != raw {
			international++
		}
	}
	if share := float64(international) / n; share < 0.17 || share > 0.23 {
		t.Errorf("%.1f%% of numbers in international layout, want about 20%%", 100*share)
	}
}

func TestPhoneNumbersAreValidMobiles(t *testing.T) {
	for i, s := range rows(t, 100_000, false)[:3000] {
		raw, country := s.Values[engine.PhoneNumber], s.Values[engine.Country]
		num, err := phonenumbers.Parse(raw, "")
		if err != nil {
			t.Fatalf("row %d: %q does not parse: %v", i, raw, err)
		}
		if !phonenumbers.IsValidNumber(num) {
			t.Errorf("row %d: %q is not a valid number", i, raw)
		}
		if typ := phonenumbers.GetNumberType(num); typ != phonenumbers.MOBILE && typ != phonenumbers.FIXED_LINE_OR_MOBILE {
			t.Errorf("row %d: %q is of type %v, want a mobile", i, raw, typ)
		}
		want := phonenumbers.Format(num, phonenumbers.E164)
		if raw != want && raw != phonenumbers.Format(num, phonenumbers.INTERNATIONAL) {
			t.Errorf("row %d: %q is neither E.164 nor libphonenumber's international layout", i, raw)
		}
		if country == "" {
			continue // the line's country is not held
		}
		if region := phonenumbers.GetRegionCodeForNumber(num); region != country {
			t.Errorf("row %d: %q belongs to %s, want the row's country %s", i, raw, region, country)
		}
		// The ingest side turns both layouts into the same E.164.
		if got, err := normalize.ParsePhone(raw, country); err != nil || got != want {
			t.Errorf("row %d: normalize.ParsePhone(%q) = %q, %v; want %q", i, raw, got, err, want)
		}
	}
}

func TestPhoneCapacityCoversMaxCount(t *testing.T) {
	for country, c := range synth.PhoneCapacities() {
		if c < synth.MaxCount {
			t.Errorf("%s numbering plan holds %d numbers, fewer than MaxCount %d", country, c, synth.MaxCount)
		}
	}
}

// ibanLengths are the registry lengths of the countries generated.
var ibanLengths = map[string]int{"ES": 24, "DE": 22, "FR": 27, "NL": 18, "TR": 26, "GR": 27,
	"UA": 29, "GB": 22, "BR": 29}

func TestBankAccounts(t *testing.T) {
	held, grouped := 0, 0
	for i, s := range rows(t, 100_000, false)[:20000] {
		v := s.Values[engine.BankAccountNumber]
		if v == "" {
			continue
		}
		held++
		country := s.Values[engine.Country]
		switch {
		case strings.HasPrefix(v, "IBAN:"):
			iban := strings.ReplaceAll(v[len("IBAN:"):], " ", "")
			if iban != v[len("IBAN:"):] {
				grouped++
			}
			if err := checkIBAN(iban); err != nil {
				t.Fatalf("row %d: %s: %v", i, v, err)
			}
			if country != "" && iban[:2] != country {
				t.Errorf("row %d: IBAN %s is not of the row's country %s", i, v, country)
			}
		case strings.HasPrefix(v, "ZENGIN:"):
			if !regexp.MustCompile(`^ZENGIN:[0-9]{14}$`).MatchString(v) {
				t.Errorf("row %d: malformed Japanese account %q", i, v)
			}
		default:
			t.Errorf("row %d: bank account %q has an unexpected prefix", i, v)
		}
	}
	if share := float64(held) / 20000; share < 0.66 || share > 0.74 {
		t.Errorf("%.1f%% of rows hold a bank account, want about 70%%", 100*share)
	}
	if grouped == 0 || grouped == held {
		t.Errorf("%d of %d IBANs grouped with spaces, want some but not all", grouped, held)
	}
}

func checkIBAN(iban string) error {
	want, ok := ibanLengths[iban[:2]]
	if !ok {
		return fmt.Errorf("unexpected country %q", iban[:2])
	}
	if len(iban) != want {
		return fmt.Errorf("length %d, want %d", len(iban), want)
	}
	m := 0
	for _, c := range iban[4:] + iban[:4] {
		switch {
		case c >= '0' && c <= '9':
			m = (m*10 + int(c-'0')) % 97
		case c >= 'A' && c <= 'Z':
			m = (m*100 + int(c-'A') + 10) % 97
		default:
			return fmt.Errorf("character %q", c)
		}
	}
	if m != 1 {
		return fmt.Errorf("mod-97 check gives %d, want 1", m)
	}
	return nil
}

func TestDates(t *testing.T) {
	for i, s := range rows(t, 100_000, false)[:20000] {
		for _, a := range []engine.Attribute{engine.Birthdate, engine.IDDocumentExpiryDate} {
			v := s.Values[a]
			if v == "" {
				continue
			}
			d, err := time.Parse(time.DateOnly, v)
			if err != nil || d.Format(time.DateOnly) != v {
				t.Fatalf("row %d: %s %q is not a calendar date YYYY-MM-DD", i, a, v)
			}
			if a == engine.Birthdate && (d.Year() < 1940 || d.Year() > 2007) {
				t.Errorf("row %d: birthdate %s outside 1940–2007", i, v)
			}
		}
	}
}

var (
	genders  = []string{"MALE", "FEMALE", "OTHER"}
	docTypes = []string{"passport", "national_id_card", "residence_permit", "diplomatic_id",
		"driver_licence", "social_security_id", "other"}
	countryCode = regexp.MustCompile(`^[A-Z]{2}$`)
)

func TestCodesAndEnums(t *testing.T) {
	seenTypes := map[string]bool{}
	seenGenders := map[string]bool{}
	for i, s := range rows(t, 100_000, false)[:20000] {
		if g := s.Values[engine.Gender]; g != "" {
			if !contains(genders, g) {
				t.Fatalf("row %d: gender %q", i, g)
			}
			seenGenders[g] = true
		}
		if d := s.Values[engine.IDDocumentType]; d != "" {
			if !contains(docTypes, d) {
				t.Fatalf("row %d: idDocumentType %q", i, d)
			}
			seenTypes[d] = true
		}
		if (s.Values[engine.IDDocument] == "") != (s.Values[engine.IDDocumentType] == "") {
			t.Errorf("row %d: idDocument and idDocumentType not held together", i)
		}
		for _, a := range []engine.Attribute{engine.Country, engine.CountryOfBirth, engine.Nationality} {
			if v := s.Values[a]; v != "" && !countryCode.MatchString(v) {
				t.Errorf("row %d: %s %q is not an upper-case alpha-2 code", i, a, v)
			}
		}
	}
	if len(seenGenders) != len(genders) || len(seenTypes) != len(docTypes) {
		t.Errorf("saw genders %v and document types %v, want every value of both enums", seenGenders, seenTypes)
	}
}

func contains(list []string, v string) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}

// TestDocumentChecks verifies the check digits of the document numbers whose
// algorithms are public.
func TestDocumentChecks(t *testing.T) {
	dni := regexp.MustCompile(`^([0-9]{2})\.?([0-9]{3})\.?([0-9]{3})[- ]?([A-Z])$`)
	checked := map[string]int{}
	for i, s := range rows(t, 100_000, false)[:30000] {
		doc, typ := s.Values[engine.IDDocument], s.Values[engine.IDDocumentType]
		switch country := s.Values[engine.Country]; {
		case country == "ES" && typ == "national_id_card":
			m := dni.FindStringSubmatch(doc)
			if m == nil {
				t.Fatalf("row %d: DNI %q malformed", i, doc)
			}
			n, _ := strconv.Atoi(m[1] + m[2] + m[3])
			if want := "TRWAGMYFPDXBNJZSQVHLCKE"[n%23]; m[4][0] != want {
				t.Errorf("row %d: DNI %q has check letter %s, want %c", i, doc, m[4], want)
			}
			checked["DNI"]++
		case country == "TR" && typ == "national_id_card":
			if !validTCKN(doc) {
				t.Errorf("row %d: T.C. Kimlik No %q fails its checksums", i, doc)
			}
			checked["TCKN"]++
		}
	}
	for _, k := range []string{"DNI", "TCKN"} {
		if checked[k] == 0 {
			t.Errorf("no %s in the sample", k)
		}
	}
}

func validTCKN(s string) bool {
	if len(s) != 11 || s[0] == '0' {
		return false
	}
	var d [11]int
	for i := range s {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
		d[i] = int(s[i] - '0')
	}
	odd := d[0] + d[2] + d[4] + d[6] + d[8]
	even := d[1] + d[3] + d[5] + d[7]
	sum := 0
	for _, v := range d[:10] {
		sum += v
	}
	return ((odd*7-even)%10+10)%10 == d[9] && sum%10 == d[10]
}

func TestCompleteFillsEveryColumn(t *testing.T) {
	for i, s := range rows(t, 3000, true) {
		for a, v := range s.Values {
			if v == "" {
				t.Fatalf("row %d: %s empty in a Complete export", i, engine.Attribute(a))
			}
		}
		if !s.Eligible {
			t.Fatalf("row %d ineligible in a Complete export", i)
		}
	}
}

// maxLengths are the spec's maxLength values, counted in code points. The
// export may be looser than a request (grouped IBANs have spaces), but a
// value longer than the API accepts could never be matched.
var maxLengths = map[engine.Attribute]int{
	engine.IDDocument: 50, engine.IDDocumentType: 50, engine.IDDocumentExpiryDate: 10,
	engine.BankAccountNumber: 50, engine.Name: 256, engine.GivenName: 100,
	engine.FamilyName: 150, engine.NameKanaHankaku: 256, engine.NameKanaZenkaku: 256,
	engine.MiddleNames: 100, engine.FamilyNameAtBirth: 150, engine.Address: 256,
	engine.StreetName: 150, engine.StreetNumber: 20, engine.PostalCode: 20, engine.Region: 100,
	engine.Locality: 100, engine.HouseNumberExtension: 20, engine.Birthdate: 10,
	engine.Email: 254, engine.Gender: 6, engine.CityOfBirth: 100,
}

// TestSample checks every value of a broad sample against the export's
// rules: valid UTF-8 without line breaks, within the spec's lengths, and
// accepted by the contract's normalisation (the hashing package), so an
// ingest of a generated export rejects nothing.
func TestSample(t *testing.T) {
	sample := append(append([]synth.Subscriber(nil), rows(t, 100_000, false)[:20000]...), rows(t, 3000, true)...)
	for i, s := range sample {
		if s.Values[engine.PhoneNumber] == "" {
			t.Fatalf("row %d has no phone number", i)
		}
		for a, v := range s.Values {
			attr := engine.Attribute(a)
			if v == "" {
				continue
			}
			if !utf8.ValidString(v) || strings.ContainsAny(v, "\r\n") || strings.TrimSpace(v) != v {
				t.Fatalf("row %d: %s %q is not a clean single-line value", i, attr, v)
			}
			if max, ok := maxLengths[attr]; ok && utf8.RuneCountInString(v) > max {
				t.Errorf("row %d: %s %q longer than %d code points", i, attr, v, max)
			}
			if attr == engine.PhoneNumber {
				continue // TestPhoneNumbersAreValidMobiles
			}
			if _, err := normalize.DefaultProfile.Normalize(attr.Field(), v); err != nil {
				t.Errorf("row %d: %s %q refused by the normalisation: %v", i, attr, v, err)
			}
		}
		checkEmail(t, i, s.Values[engine.Email])
		checkKana(t, i, s)
	}
}

func checkEmail(t *testing.T, i int, email string) {
	t.Helper()
	if email == "" {
		return
	}
	local, domain, ok := strings.Cut(email, "@")
	if !ok || local == "" || strings.Contains(domain, "@") {
		t.Fatalf("row %d: e-mail %q is not local@domain", i, email)
	}
	ascii, err := idna.Lookup.ToASCII(strings.ToLower(domain))
	if err != nil {
		t.Fatalf("row %d: e-mail domain %q has no IDNA form: %v", i, domain, err)
	}
	reserved := false
	for _, suffix := range []string{".example", ".test", "example.com", "example.org", "example.net",
		".xn--zckzah", ".xn--jxalpdlp", ".xn--80akhbyknj4f"} {
		reserved = reserved || strings.HasSuffix(ascii, suffix)
	}
	if !reserved {
		t.Errorf("row %d: e-mail domain %q (%s) is not a reserved example or test domain", i, domain, ascii)
	}
}

func checkKana(t *testing.T, i int, s synth.Subscriber) {
	t.Helper()
	for _, a := range []engine.Attribute{engine.NameKanaZenkaku, engine.NameKanaHankaku} {
		for _, r := range s.Values[a] {
			if !unicode.In(r, unicode.Katakana, unicode.Hiragana) && r != ' ' && r != '\u3000' &&
				r != 'ー' && r != 'ｰ' && r != 'ﾞ' && r != 'ﾟ' {
				t.Errorf("row %d: %s %q has the non-kana %q", i, a, s.Values[a], r)
				break
			}
		}
	}
	if z := s.Values[engine.NameKanaZenkaku]; z != "" && strings.ContainsFunc(z, isHalfWidthKana) {
		t.Errorf("row %d: nameKanaZenkaku %q has half-width kana", i, z)
	}
	if h := s.Values[engine.NameKanaHankaku]; h != "" && strings.ContainsFunc(h, func(r rune) bool {
		return r != ' ' && !isHalfWidthKana(r)
	}) {
		t.Errorf("row %d: nameKanaHankaku %q has full-width characters", i, h)
	}
}

func isHalfWidthKana(r rune) bool { return r >= 0xFF61 && r <= 0xFF9F }

// TestCompositionsAgree: a full name or address the row holds is made of
// the parts it holds, so the contract's composition (§5) and the stored
// value describe the same person and place.
func TestCompositionsAgree(t *testing.T) {
	for i, s := range rows(t, 100_000, false)[:20000] {
		v := func(a engine.Attribute) string { return strings.ReplaceAll(s.Values[a], "\u3000", " ") }
		name, given, family := v(engine.Name), v(engine.GivenName), v(engine.FamilyName)
		if name != "" && given != "" && family != "" {
			mid := ""
			if m := v(engine.MiddleNames); m != "" {
				mid = " " + m
			}
			if name != given+mid+" "+family && name != family+" "+given+mid {
				t.Errorf("row %d: name %q is not composed of %q, %q and %q", i, name, given, mid, family)
			}
		}
		// Legacy upper-case rows of Turkish lines use Turkish casing (i → İ).
		addr := v(engine.Address)
		for _, a := range []engine.Attribute{engine.StreetName, engine.StreetNumber, engine.HouseNumberExtension} {
			p := v(a)
			if addr == "" || p == "" {
				continue
			}
			if !strings.Contains(strings.ToUpper(addr), strings.ToUpper(p)) &&
				!strings.Contains(addr, strings.ToUpperSpecial(unicode.TurkishCase, p)) {
				t.Errorf("row %d: address %q lacks its %s %q", i, addr, a, p)
			}
		}
	}
}

// TestDistribution checks the shares the package documents, loosely, on the
// first 20 000 rows.
func TestDistribution(t *testing.T) {
	const n = 20000
	var c struct {
		nameFromParts, addressFromParts, ineligible, japanese, kana, hiragana,
		middle, atBirth, ext, upper, foreign, fullWidthSpace int
	}
	countries := map[string]int{}
	for _, s := range rows(t, 100_000, false)[:n] {
		val := s.Values
		countries[val[engine.Country]]++
		if val[engine.Name] == "" && val[engine.GivenName] != "" && val[engine.FamilyName] != "" {
			c.nameFromParts++
		}
		if val[engine.Name] == "" && (val[engine.GivenName] == "" || val[engine.FamilyName] == "") {
			t.Fatalf("a row holds neither a name nor its parts: %q", val)
		}
		if val[engine.Address] == "" && val[engine.StreetName] != "" && val[engine.StreetNumber] != "" {
			c.addressFromParts++
		}
		if !s.Eligible {
			c.ineligible++
		}
		if val[engine.CountryOfBirth] == "JP" || strings.ContainsFunc(val[engine.GivenName]+val[engine.FamilyName]+val[engine.Name], isJapanese) {
			c.japanese++
		}
		if val[engine.NameKanaZenkaku] != "" || val[engine.NameKanaHankaku] != "" {
			c.kana++
		}
		if strings.ContainsFunc(val[engine.NameKanaZenkaku], func(r rune) bool { return unicode.Is(unicode.Hiragana, r) }) {
			c.hiragana++
		}
		if strings.Contains(val[engine.NameKanaZenkaku], "\u3000") {
			c.fullWidthSpace++
		}
		if val[engine.MiddleNames] != "" {
			c.middle++
		}
		if val[engine.FamilyNameAtBirth] != "" {
			c.atBirth++
		}
		if val[engine.HouseNumberExtension] != "" {
			c.ext++
		}
		if g := val[engine.GivenName]; g != "" && g == strings.ToUpper(g) && strings.ToLower(g) != g {
			c.upper++
		}
		if cob := val[engine.CountryOfBirth]; cob != "" && cob != val[engine.Country] {
			c.foreign++
		}
	}
	for _, tc := range []struct {
		what     string
		got      int
		min, max float64
	}{
		{"name empty, given and family held", c.nameFromParts, 0.12, 0.18},
		{"address empty, street and number held", c.addressFromParts, 0.08, 0.12},
		{"ineligible", c.ineligible, 0.012, 0.03},
		{"middle names", c.middle, 0.22, 0.32},
		{"family name at birth", c.atBirth, 0.17, 0.23},
		{"house number extension", c.ext, 0.26, 0.34},
		{"legacy upper-case", c.upper, 0.02, 0.06},
		{"born abroad", c.foreign, 0.07, 0.14},
		{"kana readings", c.kana, 0.08, 0.14},
		{"hiragana readings", c.hiragana, 0.005, 0.03},
		{"ideographic space in readings", c.fullWidthSpace, 0.03, 0.1},
	} {
		if share := float64(tc.got) / n; share < tc.min || share > tc.max {
			t.Errorf("%s: %.2f%% of rows, want %.1f%%–%.1f%%", tc.what, 100*share, 100*tc.min, 100*tc.max)
		}
	}
	if c.kana > c.japanese {
		t.Errorf("%d rows with kana but only %d Japanese names: non-Japanese rows got readings", c.kana, c.japanese)
	}
	if got, want := len(countries), len(synth.LocaleTags()); got < want {
		t.Errorf("rows come from %d countries %v, want all %d locales", got, countries, want)
	}
}

func isHan(r rune) bool { return unicode.Is(unicode.Han, r) }

func isJapanese(r rune) bool { return unicode.In(r, unicode.Han, unicode.Hiragana, unicode.Katakana) }

// TestScripts makes sure the sample exercises the normalisation rules the
// package is meant to exercise.
func TestScripts(t *testing.T) {
	var text strings.Builder
	for _, s := range rows(t, 100_000, false)[:20000] {
		for _, v := range s.Values {
			text.WriteString(v)
			text.WriteByte('\n')
		}
	}
	all := text.String()
	for _, tc := range []struct {
		what string
		ok   bool
	}{
		{"Greek", strings.ContainsFunc(all, func(r rune) bool { return unicode.Is(unicode.Greek, r) })},
		{"Cyrillic", strings.ContainsFunc(all, func(r rune) bool { return unicode.Is(unicode.Cyrillic, r) })},
		{"Han", strings.ContainsFunc(all, isHan)},
		{"half-width kana", strings.ContainsFunc(all, isHalfWidthKana)},
		{"full-width digits", strings.ContainsRune(all, '１') || strings.ContainsRune(all, '２')},
		{"ß", strings.Contains(all, "ß")},
		{"Turkish İ", strings.Contains(all, "İ")},
		{"apostrophe", strings.Contains(all, "O'")},
		{"hyphenated family name", regexp.MustCompile(`\p{Lu}\p{Ll}+-\p{Lu}`).MatchString(all)},
		{"internationalised e-mail domain", strings.Contains(all, "@müller.example") || strings.Contains(all, "@bücher.example")},
		{"grouped IBAN", regexp.MustCompile(`IBAN:[A-Z]{2}[0-9]{2} `).MatchString(all)},
		{"DNI with separator", regexp.MustCompile(`[0-9]{8}-[A-Z]`).MatchString(all)},
		{"street number with suffix", regexp.MustCompile(`(?m)^[0-9]+[a-d]$`).MatchString(all)},
		{"street number range", regexp.MustCompile(`(?m)^[0-9]+-[0-9]+$`).MatchString(all)},
		{"Dutch postal code", regexp.MustCompile(`(?m)^[0-9]{4} [A-Z]{2}$`).MatchString(all)},
		{"UK postcode", regexp.MustCompile(`(?m)^[A-Z]{1,2}[0-9]{1,2}[A-Z]? [0-9][A-Z]{2}$`).MatchString(all)},
		{"Japanese postal code", regexp.MustCompile(`(?m)^[0-9]{3}-[0-9]{4}$`).MatchString(all)},
	} {
		if !tc.ok {
			t.Errorf("sample has no %s", tc.what)
		}
	}
}

// TestPhoneLayouts: the international layout cached per prefix is the one
// libphonenumber gives every number of the range.
func TestPhoneLayouts(t *testing.T) {
	if err := synth.CheckPhoneLayouts(100); err != nil {
		t.Fatal(err)
	}
}
