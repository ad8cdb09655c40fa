package normalize_test

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/kycmatch/kycmatch/normalize"
)

// checkIdempotent is the property every normaliser must hold: its output is
// a fixed point, so a value normalised at ingest and again at match time is
// still the same value.
func checkIdempotent(t *testing.T, k normalize.Kind, in string) {
	checkIdempotentUnder(t, normalize.DefaultProfile, field(k), in)
}

func checkIdempotentUnder(t *testing.T, p *normalize.Profile, f normalize.Field, in string) {
	out, err := p.Normalize(f, in)
	if err != nil {
		return
	}
	if out == "" || !utf8.ValidString(out) {
		t.Fatalf("Normalize(%q) = %q: empty or invalid UTF-8", in, out)
	}
	again, err := p.Normalize(f, out)
	if err != nil || again != out {
		t.Fatalf("not idempotent under %s, %s: %q → %q → %q (%v)", p.Name(), f.Name(), in, out, again, err)
	}
}

func FuzzText(f *testing.F) {
	for _, s := range []string{
		"José  María García-López", "Straße", "İSTANBUL", "ΟΔΥΣΣΕΥΣ", "ｶﾞｸ", "か\u3099",
		"ǅemal", "\u0301abc", "नमस्ते", "ᾳ", "\u0345", "Ⅻ", "ﬃ", "ŉ", "ΐ", "ǰ", "\u037a",
		"Müller", "MÜLLER", "Mu\u0308ller", "ǕBER", "van der Berg", "V.D. Berg", "de", "Jan 't Hart",
	} {
		f.Add(s)
	}
	// Under every built-in, on a field that drops words and one that does not.
	fields := []normalize.Field{normalize.MustField("familyName"), normalize.MustField("locality")}
	f.Fuzz(func(t *testing.T, s string) {
		for _, name := range normalize.BuiltinNames() {
			p, _ := normalize.Builtin(name)
			for _, fl := range fields {
				checkIdempotentUnder(t, p, fl, s)
				out, err := p.Normalize(fl, s)
				if err == nil && (strings.HasPrefix(out, " ") || strings.HasSuffix(out, " ") || strings.Contains(out, "  ")) {
					t.Fatalf("Normalize(%q) under %s = %q: spaces not collapsed", s, name, out)
				}
			}
		}
	})
}

func FuzzKana(f *testing.F) {
	for _, s := range []string{"ﾔﾏﾀﾞ ﾀﾛｳ", "やまだ　たろう", "ゔぁ", "ｶﾞｯｺｳ", "Ｆｅｄｅｒｉｃａ"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) { checkIdempotent(t, normalize.KindKana, s) })
}

func FuzzEmail(f *testing.F) {
	for _, s := range []string{"Abc@Example.COM", "user@bücher.de", "user@xn--bcher-kva.de", "ｕｓｅｒ＠ｅｘａｍｐｌｅ．ｃｏｍ", "a@b@c", "İ@example.com"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) { checkIdempotent(t, normalize.KindEmail, s) })
}

func FuzzCompact(f *testing.F) {
	for _, s := range []string{"28 013", "１００−０００１", "12.345.678-Z", "straße 5", "ﬁ-1"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) { checkIdempotent(t, normalize.KindCompact, s) })
}

func FuzzBankAccount(f *testing.F) {
	for _, s := range []string{"iban:nl59 abna 0123 4567 89", "IBAN:", ":x", "ＩＢＡＮ:ＮＬ５９"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) { checkIdempotent(t, normalize.KindBankAccount, s) })
}

func FuzzCodes(f *testing.F) {
	for _, s := range []string{"1978-08-22", "2023-02-29", "es", "female", "Passport", "+34629255833"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for _, k := range []normalize.Kind{normalize.KindDate, normalize.KindCountry, normalize.KindGender, normalize.KindIDDocumentType, normalize.KindPhone} {
			checkIdempotent(t, k, s)
		}
	})
}

func FuzzParsePhone(f *testing.F) {
	for _, s := range []string{"+34 612 345 678", "0034612345678", "612 34 56 78", "(0)612345678", "+39 06 1234 5678", "+1 (202) 555-0100"} {
		f.Add(s, "ES")
	}
	f.Fuzz(func(t *testing.T, s, region string) {
		out, err := normalize.ParsePhone(s, region)
		if err != nil {
			return
		}
		if !normalize.IsE164(out) {
			t.Fatalf("ParsePhone(%q, %q) = %q: not E.164", s, region, out)
		}
		if again, err := normalize.ParsePhone(out, ""); err != nil || again != out {
			t.Fatalf("ParsePhone(%q) not stable: %q, %v", out, again, err)
		}
	})
}
