package hashing_test

import (
	"testing"

	"github.com/kycmatch/kycmatch/hashing"
)

// normBenchCases are the shapes of value ingest sees most, one per script
// and kind, so a fast path's gain (or a regression) shows per case.
var normBenchCases = []struct {
	name string
	kind hashing.Kind
	in   string
}{
	{"text/ascii-name", hashing.KindText, "Federica Sanchez Arjona"},
	{"text/spanish-name", hashing.KindText, "María José Fernández de la Peña"},
	{"text/greek-name", hashing.KindText, "Οδυσσέας Παπαδόπουλος"},
	{"text/kanji-name", hashing.KindText, "渡邉　美咲"},
	{"text/ja-address", hashing.KindText, "〒100-0001 東京都千代田区本町２丁目３－１５ サンハイツ 1203号室"},
	{"kana/zenkaku", hashing.KindKana, "フェルナンデス　マリア"},
	{"kana/hankaku", hashing.KindKana, "ﾌｪﾙﾅﾝﾃﾞｽ ﾏﾘｱ ﾊﾟﾄﾞﾚ"},
	{"compact/postal", hashing.KindCompact, "28009"},
	{"compact/ordinal", hashing.KindCompact, "4º B"},
	{"compact/ja-room", hashing.KindCompact, "サンハイツ 1203号室"},
	{"email/ascii", hashing.KindEmail, "Maria.Fernandez@Example.com"},
	{"email/idn", hashing.KindEmail, "maria@bücher.example"},
}

func BenchmarkNormalize(b *testing.B) {
	for _, c := range normBenchCases {
		b.Run(c.name, func(b *testing.B) {
			var buf []byte
			b.ReportAllocs()
			b.SetBytes(int64(len(c.in)))
			for b.Loop() {
				var err error
				if buf, err = hashing.DefaultProfile.Append(buf[:0], c.kind, c.in); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
