package normalize_test

import (
	"errors"
	"testing"

	"github.com/kycmatch/kycmatch/normalize"
)

type normCase struct {
	in, want string
	err      error
}

func runNorm(t *testing.T, k normalize.Kind, cases []normCase) {
	t.Helper()
	for _, c := range cases {
		got, err := normalize.DefaultProfile.Normalize(field(k), c.in)
		if c.err != nil {
			if !errors.Is(err, c.err) {
				t.Errorf("Normalize(%q) error = %v, want %v", c.in, err, c.err)
			}
			continue
		}
		if err != nil || got != c.want {
			t.Errorf("Normalize(%q) = %q, %v; want %q", c.in, got, err, c.want)
			continue
		}
		again, err := normalize.DefaultProfile.Normalize(field(k), got)
		if err != nil || again != got {
			t.Errorf("not idempotent: Normalize(%q) = %q, %v", got, again, err)
		}
	}
}

func TestText(t *testing.T) {
	runNorm(t, normalize.KindText, []normCase{
		{in: "José  María García-López", want: "jose maria garcia lopez"},
		{in: "  Federica Sánchez Arjona ", want: "federica sanchez arjona"},
		{in: "Straße", want: "strasse"},
		{in: "STRASSE", want: "strasse"},
		{in: "ẞ", want: "ss"},
		{in: "İSTANBUL", want: "istanbul"},               // Turkish dotted capital I: fold gives i + dot above, dot dropped
		{in: "ıṡık", want: "ısık"},                       // dotless i is its own letter
		{in: "ΟΔΥΣΣΕΥΣ", want: "οδυσσευσ"},               // final sigma folds with the others
		{in: "Οδυσσεύς", want: "οδυσσευσ"},               // accent dropped, ς → σ
		{in: "Ёлка Йошкар-Ола", want: "елка иошкар ола"}, // Cyrillic diacritics dropped too
		{in: "O'Brien", want: "o brien"},
		{in: "D’Angelo", want: "d angelo"},
		{in: "Anne-Marie  Saint-Exupéry", want: "anne marie saint exupery"},
		{in: "Ｆｅｄｅｒｉｃａ", want: "federica"}, // full-width Latin
		{in: "ｶﾞｸ", want: "ガク"},            // half-width katakana composes, voicing kept
		{in: "ガ", want: "ガ"},
		{in: "か\u3099", want: "が"},   // decomposed hiragana voicing mark composes, kept
		{in: "山田　太郎", want: "山田 太郎"}, // ideographic space
		{in: "Calle Mayor, 12 – 3º B", want: "calle mayor 12 3o b"},
		{in: "Ⅻ", want: "xii"},
		{in: "ǅemal", want: "dzemal"},
		{in: "Ørsted Łódź", want: "ørsted łodz"},
		{in: "ﬁnn", want: "finn"},
		{in: "\u0301abc", want: "abc"}, // a mark with no base is not kept
		{in: "नमस्ते", want: "नमस्ते"}, // Devanagari keeps its marks
		{in: "a\tb\nc", want: "a b c"},
		{in: " - ' . ", err: normalize.ErrEmpty},
		{in: "", err: normalize.ErrEmpty},
		{in: "\xff", err: normalize.ErrUTF8},
	})
}

func TestKana(t *testing.T) {
	runNorm(t, normalize.KindKana, []normCase{
		{in: "ﾔﾏﾀﾞ ﾀﾛｳ", want: "ヤマダタロウ"},
		{in: "ヤマダ　タロウ", want: "ヤマダタロウ"},
		{in: "やまだ たろう", want: "ヤマダタロウ"},
		{in: "がっこう", want: "ガッコウ"},
		{in: "ｶﾞｯｺｳ", want: "ガッコウ"},
		{in: "ゔぁ", want: "ヴァ"},
		{in: "ゝゞ", want: "ヽヾ"},
		{in: "ガ", want: "ガ"}, // voicing marks kept, never stripped
		{in: "カ", want: "カ"},
		{in: "Ｆｅｄｅｒｉｃａ", want: "Federica"}, // NFKC only: no case folding in kana fields
		{in: "　 ", err: normalize.ErrEmpty},
	})
}

func TestEmail(t *testing.T) {
	runNorm(t, normalize.KindEmail, []normCase{
		{in: " Abc@Example.COM ", want: "abc@example.com"},
		{in: "john.doe+tag@example.com", want: "john.doe+tag@example.com"},
		{in: "user@bücher.de", want: "user@xn--bcher-kva.de"},
		{in: "user@BÜCHER.de", want: "user@xn--bcher-kva.de"},
		{in: "user@xn--bcher-kva.de", want: "user@xn--bcher-kva.de"},
		{in: "ｕｓｅｒ＠ｅｘａｍｐｌｅ．ｃｏｍ", want: "user@example.com"},
		{in: "José@example.com", want: "josé@example.com"},
		{in: "no-at-sign", err: normalize.ErrEmail},
		{in: "a@b@c", err: normalize.ErrEmail},
		{in: "@example.com", err: normalize.ErrEmail},
		{in: "user@", err: normalize.ErrEmail},
		{in: "us er@example.com", err: normalize.ErrEmail},
		{in: "user@exa_mple.com", err: normalize.ErrEmail},
		{in: "user@-example.com", err: normalize.ErrEmail},
	})
}

func TestCompact(t *testing.T) {
	runNorm(t, normalize.KindCompact, []normCase{
		{in: "28 013", want: "28013"},
		{in: "1012 ab", want: "1012AB"},
		{in: "sw1a 1aa", want: "SW1A1AA"},
		{in: "100-0001", want: "1000001"},
		{in: "１００−０００１", want: "1000001"}, // full-width digits, U+2212 minus
		{in: "100‐0001", want: "1000001"}, // U+2010 hyphen
		{in: "66666666q", want: "66666666Q"},
		{in: "12.345.678-Z", want: "12345678Z"},
		{in: "12/14", want: "1214"},
		{in: "3º izq", want: "3OIZQ"},
		{in: "straße 5", want: "STRASSE5"},
		{in: " - / . ", err: normalize.ErrEmpty},
	})
}

func TestBankAccount(t *testing.T) {
	runNorm(t, normalize.KindBankAccount, []normCase{
		{in: "IBAN:NL59ABNA0123456789", want: "IBAN:NL59ABNA0123456789"},
		{in: "iban:nl59 abna 0123 4567 89", want: "IBAN:NL59ABNA0123456789"},
		{in: " IBAN:ES91 2100 0418 4502 0005 1332 ", want: "IBAN:ES9121000418450200051332"},
		{in: "NL59ABNA0123456789", err: normalize.ErrBankAccount},
		{in: "IBAN:", err: normalize.ErrBankAccount},
		{in: "IBAN:NL59-ABNA", err: normalize.ErrBankAccount},
		{in: "I8AN:NL59", err: normalize.ErrBankAccount},
	})
}

func TestCodes(t *testing.T) {
	t.Run("Date", func(t *testing.T) {
		runNorm(t, normalize.KindDate, []normCase{
			{in: "1978-08-22", want: "1978-08-22"},
			{in: "2024-02-29", want: "2024-02-29"},
			{in: "2023-02-29", err: normalize.ErrDate},
			{in: "1978-13-01", err: normalize.ErrDate},
			{in: "1978-8-22", err: normalize.ErrDate},
			{in: "22/08/1978", err: normalize.ErrDate},
			{in: "1978-08-22T00:00:00Z", err: normalize.ErrDate},
		})
	})
	t.Run("Country", func(t *testing.T) {
		runNorm(t, normalize.KindCountry, []normCase{
			{in: "ES", want: "ES"},
			{in: "jp", want: "JP"},
			{in: "ZZ", err: normalize.ErrCountry},
			{in: "ESP", err: normalize.ErrCountry},
		})
	})
	t.Run("Gender", func(t *testing.T) {
		runNorm(t, normalize.KindGender, []normCase{
			{in: "MALE", want: "MALE"},
			{in: "female", want: "FEMALE"},
			{in: "X", err: normalize.ErrEnum},
		})
	})
	t.Run("IDDocumentType", func(t *testing.T) {
		runNorm(t, normalize.KindIDDocumentType, []normCase{
			{in: "passport", want: "passport"},
			{in: "National_ID_Card", want: "national_id_card"},
			{in: "id_card", err: normalize.ErrEnum},
		})
	})
	t.Run("Phone", func(t *testing.T) {
		runNorm(t, normalize.KindPhone, []normCase{
			{in: "+34629255833", want: "+34629255833"},
			{in: "+34 629 255 833", err: normalize.ErrPhone},
			{in: "0034629255833", err: normalize.ErrPhone},
			{in: "+0123456", err: normalize.ErrPhone},
		})
	})
}

func TestParsePhone(t *testing.T) {
	tests := []struct {
		in, region, want string
		ok               bool
	}{
		{"+34612345678", "", "+34612345678", true},
		{"+34 612 345 678", "", "+34612345678", true},
		{"0034612345678", "", "+34612345678", true},
		{"612 34 56 78", "ES", "+34612345678", true},
		{"0612345678", "FR", "+33612345678", true},
		{"06 12 34 56 78", "fr", "+33612345678", true},
		{"+39 06 1234 5678", "", "+390612345678", true},
		{"(0)612345678", "NL", "+31612345678", true},
		{"612345678", "", "", false},      // national form without a region
		{"+34 6123", "", "", false},       // too short for Spain
		{"+999 123456789", "", "", false}, // no such calling code
		{"call me", "ES", "", false},
		{"", "ES", "", false},
		{"+34 612 345 678 ext 9", "", "", false},
	}
	for _, tt := range tests {
		got, err := normalize.ParsePhone(tt.in, tt.region)
		if tt.ok != (err == nil) || got != tt.want {
			t.Errorf("ParsePhone(%q, %q) = %q, %v; want %q ok=%v", tt.in, tt.region, got, err, tt.want, tt.ok)
		}
	}
}

// kindFields name one field of each kind, for the tests of a kind's rule.
var kindFields = map[normalize.Kind]string{
	normalize.KindPhone: "phoneNumber", normalize.KindText: "givenName", normalize.KindKana: "nameKanaHankaku",
	normalize.KindEmail: "email", normalize.KindCompact: "postalCode", normalize.KindBankAccount: "bankAccountNumber",
	normalize.KindDate: "birthdate", normalize.KindCountry: "country", normalize.KindGender: "gender",
	normalize.KindIDDocumentType: "idDocumentType",
}

func field(k normalize.Kind) normalize.Field { return normalize.MustField(kindFields[k]) }
