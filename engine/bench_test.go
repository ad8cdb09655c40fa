package engine_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/kycmatch/kycmatch/engine"
	"github.com/kycmatch/kycmatch/hashing"
	"github.com/kycmatch/kycmatch/internal/kyctest"
	"github.com/kycmatch/kycmatch/normalize"
)

// benchLine is a subscriber line with every attribute held, the worst case
// for ingest.
func benchLine(i int) engine.Line {
	return line(true, "phoneNumber", fmt.Sprintf("+346%08d", i),
		"idDocument", "12345678-Z", "idDocumentType", "national_id_card", "idDocumentExpiryDate", "2031-04-30",
		"bankAccountNumber", "IBAN:ES91 2100 0418 4502 0005 1332",
		"name", "María José Fernández de la Peña", "givenName", "María José", "familyName", "Fernández de la Peña",
		"nameKanaHankaku", "ﾏﾘｱ ﾎｾ ﾌｪﾙﾅﾝﾃﾞｽ", "nameKanaZenkaku", "マリア ホセ フェルナンデス",
		"middleNames", "Luisa", "familyNameAtBirth", "Ortega Ruiz",
		"address", "Calle de Alcalá 123, 4º B, 28009 Madrid", "streetName", "Calle de Alcalá", "streetNumber", "123",
		"postalCode", "28009", "region", "Comunidad de Madrid", "locality", "Madrid", "country", "ES",
		"houseNumberExtension", "4º B", "birthdate", "1984-11-03", "email", "maria.fernandez@example.com",
		"gender", "FEMALE", "cityOfBirth", "Sevilla", "countryOfBirth", "ES", "nationality", "ES")
}

// benchLineDE is benchLine with the umlauts the de profile replaces and the
// prefixes nl drops.
func benchLineDE(i int) engine.Line {
	l := benchLine(i)
	for a, v := range map[engine.Attribute]string{engine.Name: "Jürgen von der Müller-Lüdenscheidt", engine.GivenName: "Jürgen",
		engine.FamilyName: "von der Müller-Lüdenscheidt", engine.FamilyNameAtBirth: "Schröder", engine.StreetName: "Königsallee",
		engine.Address: "Königsallee 12, 40212 Düsseldorf", engine.Locality: "Düsseldorf", engine.CityOfBirth: "Köln",
		engine.Region: "Nordrhein-Westfalen"} {
		l.Values[a] = v
	}
	return l
}

// BenchmarkEncode is normalise+hash of one full record: the CPU cost of a
// row at ingest, CSV parsing and sorting aside, under each built-in
// profile, of a Spanish line (which no profile changes) and a German one.
func BenchmarkEncode(b *testing.B) {
	for _, line := range []struct {
		name string
		l    engine.Line
	}{{"es", benchLine(1)}, {"de", benchLineDE(1)}} {
		for _, name := range []string{"default", "de", "nl"} {
			p, err := normalize.Builtin(name)
			if err != nil {
				b.Fatal(err)
			}
			b.Run(line.name+"-line/"+name, func(b *testing.B) { benchEncode(b, p, line.l, true) })
		}
	}
}

// BenchmarkEncodeNoTokens leaves the score tokens out: the difference is
// what tokens cost per record.
func BenchmarkEncodeNoTokens(b *testing.B) {
	benchEncode(b, normalize.DefaultProfile, benchLine(1), false)
}

func benchEncode(b *testing.B, p *normalize.Profile, l engine.Line, tokens bool) {
	kr := kyctest.Keyring(b)
	enc := engine.NewEncoder(hashing.NewScheme(kr.Active(), p, engine.FieldNames()))
	if !tokens {
		enc.OmitTokensForBenchmark()
	}
	var buf []byte
	b.ReportAllocs()
	for b.Loop() {
		var err error
		if _, buf, err = enc.Encode(buf[:0], &l); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(len(buf)), "record-bytes")
}

func benchMatcher(b *testing.B, n int) *engine.Matcher {
	lines := make([]engine.Line, n)
	for i := range lines {
		lines[i] = benchLine(i)
	}
	return MustMatcher(b, lines...)
}

// BenchmarkMatch10 is a 10-attribute request that matches: lookup, record
// read, ten digests.
func BenchmarkMatch10(b *testing.B) {
	m := benchMatcher(b, 1000)
	req := request("+34600000500", "name", "Maria Jose Fernandez de la Pena", "givenName", "maria jose",
		"familyName", "Fernández de la Peña", "birthdate", "1984-11-03", "email", "maria.fernandez@example.com",
		"postalCode", "28009", "country", "ES", "gender", "FEMALE", "idDocument", "12345678Z", "nationality", "ES")
	benchMatch(b, m, req)
}

// BenchmarkMatchUnscored5 mismatches the five fields of
// BenchmarkMatchScored5 where scores are not computed (dates, codes,
// postal code): the baseline a scored match is compared with.
func BenchmarkMatchUnscored5(b *testing.B) {
	m := benchMatcher(b, 1000)
	req := request("+34600000500", "birthdate", "1984-11-04", "postalCode", "28010", "country", "FR",
		"gender", "MALE", "nationality", "PT")
	benchMatch(b, m, req)
}

// BenchmarkMatchScored5 is five 20-rune text attributes that all mismatch,
// so all five are scored through their tokens (issue goal: < 100 µs).
func BenchmarkMatchScored5(b *testing.B) {
	m := benchMatcher(b, 1000)
	req := request("+34600000500", "name", "Mario Jose Fernandes de la Pena", "familyName", "Fernandes de la Pena",
		"address", "Calle de Alcala 125, 4o B, 28009 Madrid", "region", "Comunidad de Madrit", "familyNameAtBirth", "Ortega Ruis")
	benchMatch(b, m, req)
}

func benchMatch(b *testing.B, m *engine.Matcher, req *engine.Request) {
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := m.Match(ctx, req, engine.Options{}); err != nil {
			b.Fatal(err)
		}
	}
}
