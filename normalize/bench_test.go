package normalize_test

import (
	"testing"

	"github.com/kycmatch/kycmatch/normalize"
)

// normBenchCases are the shapes of value ingest sees most, one per script
// and kind, so a fast path's gain (or a regression) shows per case.
var normBenchCases = []struct {
	name string
	kind normalize.Kind
	in   string
}{
	{"text/ascii-name", normalize.KindText, "Federica Sanchez Arjona"},
	{"text/spanish-name", normalize.KindText, "María José Fernández de la Peña"},
	{"text/greek-name", normalize.KindText, "Οδυσσέας Παπαδόπουλος"},
	{"text/kanji-name", normalize.KindText, "渡邉　美咲"},
	{"text/ja-address", normalize.KindText, "〒100-0001 東京都千代田区本町２丁目３－１５ サンハイツ 1203号室"},
	{"kana/zenkaku", normalize.KindKana, "フェルナンデス　マリア"},
	{"kana/hankaku", normalize.KindKana, "ﾌｪﾙﾅﾝﾃﾞｽ ﾏﾘｱ ﾊﾟﾄﾞﾚ"},
	{"compact/postal", normalize.KindCompact, "28009"},
	{"compact/ordinal", normalize.KindCompact, "4º B"},
	{"compact/ja-room", normalize.KindCompact, "サンハイツ 1203号室"},
	{"email/ascii", normalize.KindEmail, "Maria.Fernandez@Example.com"},
	{"email/idn", normalize.KindEmail, "maria@bücher.example"},
}

func BenchmarkNormalize(b *testing.B) {
	for _, c := range normBenchCases {
		b.Run(c.name, func(b *testing.B) {
			var buf []byte
			b.ReportAllocs()
			b.SetBytes(int64(len(c.in)))
			for b.Loop() {
				var err error
				if buf, err = normalize.DefaultProfile.Append(buf[:0], field(c.kind), c.in); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkTextProfiles is the text rule under each built-in, on values no
// profile changes and on values de or nl does: the fast paths must keep a
// profile's cost to what it replaces or drops.
func BenchmarkTextProfiles(b *testing.B) {
	values := []struct{ name, in string }{
		{"ascii", "Federica Sanchez Arjona"},
		{"spanish", "María José Fernández de la Peña"},
		{"german", "Jürgen von der Müller-Lüdenscheidt"},
		{"dutch", "Jan-Willem van der Berg"},
	}
	fam := normalize.MustField("familyName")
	for _, v := range values {
		for _, name := range normalize.BuiltinNames() {
			p, _ := normalize.Builtin(name)
			b.Run(v.name+"/"+name, func(b *testing.B) {
				var buf []byte
				b.SetBytes(int64(len(v.in)))
				for b.Loop() {
					var err error
					if buf, err = p.Append(buf[:0], fam, v.in); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}
