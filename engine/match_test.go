package engine_test

import (
	"context"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/kycmatch/kycmatch/engine"
	"github.com/kycmatch/kycmatch/internal/kyctest"
	"github.com/kycmatch/kycmatch/normalize"
)

const (
	phoneFull     = "+34629255833"
	phoneComposed = "+34612345678"
	phoneSparse   = "+34600000001"
	phoneOff      = "+34600000002"
	phoneUnknown  = "+34699999999"
)

func testLines() []engine.Line {
	return []engine.Line{
		line(true, "phoneNumber", phoneFull,
			"name", "Federica Sánchez Arjona", "givenName", "Federica", "familyName", "Sánchez Arjona",
			"idDocument", "66666666-Q", "idDocumentType", "passport", "idDocumentExpiryDate", "2027-07-12",
			"bankAccountNumber", "IBAN:NL59 ABNA 0123 4567 89",
			"nameKanaZenkaku", "フェデリカ　サンチェス", "nameKanaHankaku", "ﾌｪﾃﾞﾘｶ ｻﾝﾁｪｽ",
			"address", "Calle Nicolás Salmerón 4, 3º B", "postalCode", "28013", "country", "ES",
			"birthdate", "1978-08-22", "email", "Federica@Bücher.example", "gender", "FEMALE",
			"cityOfBirth", "Madrid", "countryOfBirth", "ES", "nationality", "ES"),
		line(true, "phoneNumber", phoneComposed,
			"givenName", "José María", "middleNames", "Luis", "familyName", "García-López",
			"streetName", "Calle Mayor", "streetNumber", "12", "houseNumberExtension", "3B"),
		line(true, "phoneNumber", phoneSparse, "familyName", "Öztürk"),
		line(false, "phoneNumber", phoneOff, "name", "Ineligible Line"),
	}
}

func TestMatch(t *testing.T) {
	m := MustMatcher(t, testLines()...)
	type want map[string]string // field → verdict
	tests := []struct {
		name string
		req  *engine.Request
		want want
	}{
		{"ExactAfterNormalisation", request(phoneFull,
			"name", "  FEDERICA sanchez-arjona ", "idDocument", "66666666q", "postalCode", "28 013",
			"email", "federica@xn--bcher-kva.example", "bankAccountNumber", "IBAN:NL59ABNA0123456789",
			"nameKanaZenkaku", "ふぇでりか さんちぇす", "nameKanaHankaku", "ﾌｪﾃﾞﾘｶｻﾝﾁｪｽ",
			"address", "calle nicolas salmeron 4 3o b", "country", "es", "gender", "FEMALE"),
			want{"name": "true", "idDocument": "true", "postalCode": "true", "email": "true", "bankAccountNumber": "true",
				"nameKanaZenkaku": "true", "nameKanaHankaku": "true", "address": "true", "country": "true", "gender": "true"}},
		{"Mismatches", request(phoneFull,
			"name", "Federico Sanchez Arjona", "birthdate", "1978-08-23", "gender", "MALE", "idDocumentType", "national_id_card",
			"nationality", "FR", "nameKanaZenkaku", "フェデリカ・サンチェス"),
			want{"name": "false", "birthdate": "false", "gender": "false", "idDocumentType": "false", "nationality": "false", "nameKanaZenkaku": "false"}},
		{"KanaVoicingMatters", request(phoneFull, "nameKanaZenkaku", "フエテリカ サンチエス"),
			want{"nameKanaZenkaku": "false"}},
		{"NotHeld", request(phoneFull, "middleNames", "Luisa", "streetName", "Calle Mayor", "locality", "Madrid"),
			want{"middleNames": "not_available", "streetName": "not_available", "locality": "not_available"}},
		{"NameComposedGivenFirst", request(phoneComposed, "name", "José María Luis García López"),
			want{"name": "true"}},
		{"NameComposedFamilyFirst", request(phoneComposed, "name", "Garcia-Lopez, Jose Maria"),
			want{"name": "true"}},
		{"NameComposedFamilyFirstNoMiddle", request(phoneComposed, "name", "García López José María Luis"),
			want{"name": "false"}},
		{"NameComposedMissingMiddle", request(phoneComposed, "name", "José María García López"),
			want{"name": "false"}},
		{"AddressComposed", request(phoneComposed, "address", "Calle Mayor 12 3B"),
			want{"address": "true"}},
		{"AddressComposedNumberFirst", request(phoneComposed, "address", "12, Calle Mayor, 3B"),
			want{"address": "true"}},
		{"NoCompositionWithoutParts", request(phoneSparse, "name", "Öztürk", "address", "x"),
			want{"name": "not_available", "address": "not_available"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := m.Match(context.Background(), tt.req, engine.Options{})
			if err != nil {
				t.Fatal(err)
			}
			if res.Asked != tt.req.Asked {
				t.Errorf("Asked = %b, want %b", res.Asked, tt.req.Asked)
			}
			for field, v := range tt.want {
				a, _ := engine.ParseAttribute(field)
				if got := res.Verdict[a].String(); got != v {
					t.Errorf("%s = %s, want %s", field, got, v)
				}
				if v != "false" && res.Score[a] != engine.NoScore {
					t.Errorf("%s has score %d with verdict %s", field, res.Score[a], v)
				}
			}
		})
	}
}

func TestMatchErrors(t *testing.T) {
	m := MustMatcher(t, testLines()...)
	tests := []struct {
		name string
		req  *engine.Request
		opt  engine.Options
		code string
	}{
		{"UnknownLine", request(phoneUnknown, "name", "x"), engine.Options{}, engine.ENOTFOUND},
		{"Ineligible", request(phoneOff, "name", "Ineligible Line"), engine.Options{}, engine.ENOTAPPLICABLE},
		{"BadPhone", request("0034629255833", "name", "x"), engine.Options{}, engine.EINVALID},
		{"EmptyAfterNormalisation", request(phoneFull, "name", " -- "), engine.Options{}, engine.EINVALID},
		{"ImpossibleDate", request(phoneFull, "birthdate", "1978-02-30"), engine.Options{}, engine.EINVALID},
		{"UnknownCountry", request(phoneFull, "country", "ZZ"), engine.Options{}, engine.EINVALID},
		{"InvalidBeforeNotFound", request(phoneUnknown, "birthdate", "1978-02-30"), engine.Options{}, engine.EINVALID},
		{"IDDocumentRequired", request(phoneFull, "name", "x"), engine.Options{RequireIDDocument: true}, engine.EIDREQUIRED},
		{"IDDocumentMismatch", request(phoneFull, "idDocument", "66666666R", "name", "x"), engine.Options{RequireIDDocument: true}, engine.EIDMISMATCH},
		{"IDDocumentNotHeld", request(phoneSparse, "idDocument", "X1"), engine.Options{RequireIDDocument: true}, engine.EIDMISMATCH},
		{"NotFoundBeforeIDDocument", request(phoneUnknown, "name", "x"), engine.Options{RequireIDDocument: true}, engine.ENOTFOUND},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := m.Match(context.Background(), tt.req, tt.opt)
			if got := engine.ErrorCode(err); got != tt.code {
				t.Fatalf("code = %q (%v), want %q", got, err, tt.code)
			}
			for _, v := range tt.req.Values {
				if len(v) >= 4 && strings.Contains(engine.ErrorMessage(err), v) {
					t.Errorf("message %q contains a submitted value", engine.ErrorMessage(err))
				}
			}
		})
	}
	t.Run("IDDocumentMatchesThenCompares", func(t *testing.T) {
		res, err := m.Match(context.Background(), request(phoneFull, "idDocument", "66666666 Q", "name", "Federica Sanchez Arjona"), engine.Options{RequireIDDocument: true})
		if err != nil {
			t.Fatal(err)
		}
		if res.Verdict[engine.IDDocument] != engine.True || res.Verdict[engine.Name] != engine.True {
			t.Errorf("verdicts %v", res.Verdict)
		}
	})
}

func TestScores(t *testing.T) {
	m := MustMatcher(t, testLines()...)
	norm := func(f normalize.Field, s string) string {
		n, err := normalize.DefaultProfile.Normalize(f, s)
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	tests := []struct {
		phone, field, submitted string
		stored                  []string // normalised variants held
	}{
		{phoneFull, "name", "Federico Sanchez", []string{"federica sanchez arjona"}},
		{phoneFull, "givenName", "Frederica", []string{"federica"}},
		{phoneFull, "email", "federica@example.com", []string{"federica@xn--bcher-kva.example"}},
		{phoneFull, "cityOfBirth", "Madris", []string{"madrid"}},
		{phoneFull, "nameKanaZenkaku", "フェデリコ", []string{"フェデリカサンチェス"}},
		{phoneComposed, "name", "Jose Garcia", []string{"jose maria luis garcia lopez", "garcia lopez jose maria"}},
		{phoneComposed, "address", "Mayor 12", []string{"calle mayor 12 3b", "12 calle mayor 3b"}},
		{phoneComposed, "streetNumber", "13", []string{"12"}},
	}
	for _, tt := range tests {
		t.Run(tt.field, func(t *testing.T) {
			a, _ := engine.ParseAttribute(tt.field)
			res, err := m.Match(context.Background(), request(tt.phone, tt.field, tt.submitted), engine.Options{})
			if err != nil {
				t.Fatal(err)
			}
			want := -1
			for _, s := range tt.stored {
				want = max(want, kyctest.PlainScore(s, norm(a.Field(), tt.submitted)))
			}
			if res.Verdict[a] != engine.False || int(res.Score[a]) != want {
				t.Errorf("%s: verdict %s score %d, want false %d", tt.field, res.Verdict[a], res.Score[a], want)
			}
		})
	}
	t.Run("NoScoreForUnscoredFields", func(t *testing.T) {
		res, err := m.Match(context.Background(), request(phoneFull, "postalCode", "28014", "birthdate", "1978-08-21"), engine.Options{})
		if err != nil {
			t.Fatal(err)
		}
		if res.Score[engine.PostalCode] != engine.NoScore || res.Score[engine.Birthdate] != engine.NoScore {
			t.Errorf("scores %v", res.Score)
		}
	})
}

// TestScoresAgreeWithPlaintext is the property behind the token design:
// for random pairs, the score computed from stored tokens equals the
// plaintext Jaro–Winkler score.
func TestScoresAgreeWithPlaintext(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 11))
	alphabet := []rune("aabcdeéσガ ")
	word := func() string {
		n := 1 + rng.IntN(24)
		var b strings.Builder
		for b.Len() == 0 || strings.TrimSpace(b.String()) == "" || len([]rune(b.String())) < n {
			b.WriteRune(alphabet[rng.IntN(len(alphabet))])
		}
		return b.String()
	}
	var lines []engine.Line
	var stored []string
	for i := 0; i < 60; i++ {
		s := word()
		stored = append(stored, s)
		lines = append(lines, line(true, "phoneNumber", "+3460000"+string(rune('1'+i/10))+string(rune('0'+i%10))+"00", "familyName", s))
	}
	m := MustMatcher(t, lines...)
	for i := 0; i < 600; i++ {
		j := rng.IntN(len(lines))
		sub := word()
		res, err := m.Match(context.Background(), request(lines[j].Values[engine.PhoneNumber], "familyName", sub), engine.Options{})
		if err != nil {
			t.Fatal(err)
		}
		ns, _ := normalize.DefaultProfile.Normalize(engine.FamilyName.Field(), stored[j])
		nsub, _ := normalize.DefaultProfile.Normalize(engine.FamilyName.Field(), sub)
		if ns == nsub {
			if res.Verdict[engine.FamilyName] != engine.True {
				t.Fatalf("%q vs %q: not true", ns, nsub)
			}
			continue
		}
		if want := kyctest.PlainScore(ns, nsub); int(res.Score[engine.FamilyName]) != want {
			t.Fatalf("%q vs %q: token score %d, plaintext %d", ns, nsub, res.Score[engine.FamilyName], want)
		}
	}
}

// TestPooledStateCleared: once a match has returned, the state it used,
// which the pool hands to the next request, holds nothing of it: not the
// phone number, not a submitted value, and no record, token block or rune
// code (everything but the keys and MAC states is zero, buffers to their
// capacity). The requests score, so a token block was opened.
func TestPooledStateCleared(t *testing.T) {
	m := MustMatcher(t, testLines()...)
	var states []any
	engine.TrackStates(m, &states)
	for _, req := range []*engine.Request{
		request(phoneFull, "givenName", "Federika", "familyName", "Sanches Arjona", "birthdate", "1978-08-22"),
		request(phoneComposed, "name", "José Maria Garcia", "address", "Calle Mayor 13"),
		request(phoneUnknown, "familyName", "Nobody"),
	} {
		res, err := m.Match(context.Background(), req, engine.Options{})
		if err != nil && req.Phone != phoneUnknown {
			t.Fatal(err)
		}
		if req.Phone == phoneFull && res.Score[engine.FamilyName] <= 0 {
			t.Fatalf("no score: %v", res.Score)
		}
		if len(states) == 0 {
			t.Fatal("no state tracked")
		}
		// Every state the pool made is back in it: no request is running.
		keys := func(p string) bool { return p == "h.s" || p == "h.pad" }
		scratch := func(p string) bool { return keys(p) || p == "h.lookup" || strings.HasPrefix(p, "h.macs") }
		for _, st := range states {
			heap := kyctest.ScanHeap(st, keys)
			for _, needle := range []string{req.Phone, "federika", "sanches arjona", "calle mayor 13", "nobody"} {
				if heap.Contains([]byte(needle)) {
					t.Errorf("%s: pooled state holds %q", req.Phone, needle)
				}
			}
			if nz := kyctest.ScanHeap(st, scratch).NonZero; len(nz) > 0 {
				t.Errorf("%s: pooled state not cleared: %.10q", req.Phone, nz)
			}
		}
	}
}
