package api

import (
	"testing"
)

// decodeBoth runs the fast path and the full decoder on one body.
func decodeBoth(v *Version, body []byte) (flat bool, fb, full Body, fullErr error) {
	flat = v.decodeFlat(body, &fb)
	release, err := v.decodeFull(body, &full)
	defer release()
	// Copy the full decoder's strings out of its pooled buffer.
	full.Phone = string([]byte(full.Phone))
	for i := range full.Values {
		full.Values[i] = string([]byte(full.Values[i]))
	}
	return flat, fb, full, err
}

// FuzzDecodeFlat: whatever the fast path accepts, the full decoder accepts
// with the same Body. The fast path may decline anything.
func FuzzDecodeFlat(f *testing.F) {
	for _, s := range []string{
		`{"phoneNumber":"+34600000001","name":"Ana Gil","birthdate":"1990-01-31"}`,
		` { "givenName" : "Ana María" , "familyName":"Gil"} `,
		"{\"givenName\":\"Ana\"}\n",
		`{"givenName":"Ana","givenName":"Bea"}`,
		`{"givenName":"Ana\u00e9"}`,
		`{"givenName":"Ana\"}`,
		`{"phoneNumber":"+34600000001"}`,
		`{}`,
		`{"unknown":"x","givenName":"Ana"}`,
		`{"givenName":"Ana"} {}`,
		`{"givenName":"Ana",}`,
		`{"gender":"FEMALE","country":"ES","email":"a@example.com"}`,
		`{"gender":"female"}`,
		`{"birthdate":"1990-02-30"}`,
		"{\"givenName\":\"A\x01\"}",
		"{\"givenName\":\"A\xff\"}",
		`{"givenName":1}`,
		`{"bankAccountNumber":"ES:123"}`,
	} {
		f.Add([]byte(s), false)
		f.Add([]byte(s), true)
	}
	f.Fuzz(func(t *testing.T, body []byte, v04 bool) {
		v := VWIP
		if v04 {
			v = V04
		}
		flat, fb, full, err := decodeBoth(v, body)
		if !flat {
			return
		}
		if err != nil {
			t.Fatalf("fast path accepted %q, full decoder: %v", body, err)
		}
		if fb != full {
			t.Fatalf("bodies differ for %q:\nfast %+v\nfull %+v", body, fb, full)
		}
	})
}

// TestDecodeFlat: the common bodies take the fast path, and anything
// unusual is left to the full decoder.
func TestDecodeFlat(t *testing.T) {
	for _, c := range []struct {
		body string
		flat bool
	}{
		{`{"phoneNumber":"+34600000001","name":"Ana Gil","givenName":"Ana","birthdate":"1990-01-31"}`, true},
		{"\t{ \"givenName\" :\r\n\"Ana María\" }  ", true},
		{`{"givenName":"Ana","givenName":"Bea"}`, false},        // duplicate name
		{`{"givenName":"An\u0061"}`, false},                     // escape
		{`{"phoneNumber":"+34600000001"}`, false},               // nothing to match
		{`{"unknown":"x","givenName":"Ana"}`, false},            // unknown name
		{`{"gender":"female"}`, false},                          // enum
		{`{"birthdate":"1990-02-30"}`, false},                   // impossible date
		{`{"givenName":"Ana"}x`, false},                         // trailing bytes
		{`{"givenName":"Ana",}`, false},                         // trailing comma
		{"{\"givenName\":\"Ana\xff\"}", false},                  // invalid UTF-8
		{`{"givenName":null}`, false},                           // not a string
		{`{"idDocument":"12345678Z","nationality":"ES"}`, true}, // vwip and v0.4 alike
	} {
		flat, fb, full, err := decodeBoth(VWIP, []byte(c.body))
		if flat != c.flat {
			t.Errorf("%q: fast path %v, want %v", c.body, flat, c.flat)
		}
		if flat && (err != nil || fb != full) {
			t.Errorf("%q: fast %+v, full %+v, %v", c.body, fb, full, err)
		}
	}
}

// BenchmarkDecode is the request decoding of a 10-attribute body, on the
// fast path and on the full decoder that takes every other body.
func BenchmarkDecode(b *testing.B) {
	body := []byte(`{"phoneNumber":"+34600000777","name":"Ana María Gil","givenName":"Ana María","familyName":"Gil",` +
		`"birthdate":"1990-01-31","email":"ana.gil@example.com","postalCode":"28013","country":"ES","gender":"FEMALE",` +
		`"idDocument":"12345678Z","nationality":"ES"}`)
	for _, c := range []struct {
		name   string
		decode func([]byte, *Body) (func(), error)
	}{{"flat", VWIP.Decode}, {"full", VWIP.decodeFull}} {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			var out Body
			for b.Loop() {
				release, err := c.decode(body, &out)
				if err != nil {
					b.Fatal(err)
				}
				release()
			}
		})
	}
}
