package synth

import (
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
	"golang.org/x/text/width"
)

// appendUpper appends s upper-cased rune by rune (no allocation), with the
// Turkish dotted/dotless i rules when turkish is set, as a Turkish system
// would store "İSMAİL IŞIK".
func appendUpper(b, s []byte, turkish bool) []byte {
	for len(s) > 0 {
		c, n := utf8.DecodeRune(s)
		s = s[n:]
		if turkish {
			c = unicode.TurkishCase.ToUpper(c)
		} else {
			c = unicode.ToUpper(c)
		}
		b = utf8.AppendRune(b, c)
	}
	return b
}

// appendLowerLetters appends the letters of s in lower case, keeping
// accents: the local part of an internationalised address ("josé.garcía").
func appendLowerLetters(b, s []byte) []byte {
	for len(s) > 0 {
		c, n := utf8.DecodeRune(s)
		s = s[n:]
		if unicode.IsLetter(c) {
			b = utf8.AppendRune(b, unicode.ToLower(c))
		}
	}
	return b
}

// asciiFold maps the letters of the Latin-script names used here to ASCII,
// for e-mail local parts and DVLA licence numbers, where people drop
// accents themselves ("García" → "garcia", "Weiß" → "weiss").
var asciiFold = func() map[rune]string {
	m := map[rune]string{}
	add := func(to string, from string) {
		for _, c := range from {
			m[c] = to
		}
	}
	add("a", "áàâäãåāą")
	add("e", "éèêëēėę")
	add("i", "íìîïīıİ")
	add("o", "óòôöõøō")
	add("u", "úùûüū")
	add("y", "ýÿ")
	add("n", "ñń")
	add("c", "çćč")
	add("s", "şśšș")
	add("g", "ğ")
	add("z", "žźż")
	add("ss", "ß")
	add("ae", "æ")
	add("oe", "œ")
	add("ij", "ĳĲ")
	return m
}()

// appendFolded appends the ASCII lower-case letters of s, dropping spaces,
// apostrophes, hyphens and anything it cannot map.
func appendFolded(b []byte, s string) []byte {
	for _, c := range s {
		c = unicode.ToLower(c)
		switch {
		case c >= 'a' && c <= 'z':
			b = append(b, byte(c))
		case c < utf8.RuneSelf:
		default:
			b = append(b, asciiFold[c]...)
		}
	}
	return b
}

// appendHiragana appends the katakana string s with its katakana letters
// moved to the hiragana block; some operators store the reading in hiragana
// even in the "Zenkaku" field, and the contract maps it back.
func appendHiragana(b, s []byte) []byte {
	for len(s) > 0 {
		c, n := utf8.DecodeRune(s)
		s = s[n:]
		if c >= 'ァ' && c <= 'ヶ' {
			c -= 0x60
		}
		b = utf8.AppendRune(b, c)
	}
	return b
}

// appendHankaku appends the half-width form of a full-width katakana
// reading. Voiced kana become two characters (ダ → ﾀﾞ), which is exactly
// what NFKC has to join again; width.Narrow alone leaves them full-width,
// since half-width katakana has no precomposed voiced letters.
func appendHankaku(b, s []byte) []byte {
	for len(s) > 0 {
		c, n := utf8.DecodeRune(s)
		s = s[n:]
		if h, ok := hankaku[c]; ok {
			b = append(b, h...)
		} else {
			b = utf8.AppendRune(b, c)
		}
	}
	return b
}

// hankaku maps each full-width katakana (and the ideographic space) to its
// half-width spelling: the canonical decomposition, narrowed.
var hankaku = func() map[rune]string {
	m := map[rune]string{'\u3000': " "}
	for c := rune(0x30A1); c <= 0x30FC; c++ {
		var out []byte
		for _, d := range norm.NFD.String(string(c)) {
			switch d {
			case 0x3099:
				d = 0xFF9E
			case 0x309A:
				d = 0xFF9F
			default:
				d, _ = utf8.DecodeRuneInString(width.Narrow.String(string(d)))
			}
			out = utf8.AppendRune(out, d)
		}
		m[c] = string(out)
	}
	return m
}()

// katakanaRows maps a consonant to its katakana syllables a, i, u, e, o.
var katakanaRows = map[byte][5]string{
	0:   {"ア", "イ", "ウ", "エ", "オ"},
	'k': {"カ", "キ", "ク", "ケ", "コ"}, 'g': {"ガ", "ギ", "グ", "ゲ", "ゴ"},
	's': {"サ", "シ", "ス", "セ", "ソ"}, 'z': {"ザ", "ジ", "ズ", "ゼ", "ゾ"},
	't': {"タ", "チ", "ツ", "テ", "ト"}, 'd': {"ダ", "ヂ", "ヅ", "デ", "ド"},
	'n': {"ナ", "ニ", "ヌ", "ネ", "ノ"}, 'h': {"ハ", "ヒ", "フ", "ヘ", "ホ"},
	'b': {"バ", "ビ", "ブ", "ベ", "ボ"}, 'p': {"パ", "ピ", "プ", "ペ", "ポ"},
	'm': {"マ", "ミ", "ム", "メ", "モ"}, 'y': {"ヤ", "イ", "ユ", "エ", "ヨ"},
	'r': {"ラ", "リ", "ル", "レ", "ロ"}, 'w': {"ワ", "ウィ", "ウ", "ウェ", "ヲ"},
}

// consonantAlias folds letters Japanese lacks onto the nearest row.
var consonantAlias = map[byte]byte{'c': 'k', 'q': 'k', 'x': 'k', 'l': 'r', 'v': 'b', 'f': 'h', 'j': 'z'}

func vowelIndex(c byte) int {
	switch c {
	case 'a':
		return 0
	case 'i':
		return 1
	case 'u':
		return 2
	case 'e':
		return 3
	case 'o':
		return 4
	}
	return -1
}

// appendKatakana appends a rough katakana rendering of an ASCII name. It is
// only for Complete exports, where every line must hold every attribute; it
// is a plausible-looking reading, not a transliteration anyone would use.
func appendKatakana(b []byte, ascii []byte) []byte {
	start := len(b)
	for i := 0; i < len(ascii); i++ {
		c := ascii[i]
		if v := vowelIndex(c); v >= 0 {
			b = append(b, katakanaRows[0][v]...)
			continue
		}
		if a, ok := consonantAlias[c]; ok {
			c = a
		}
		row, ok := katakanaRows[c]
		if !ok {
			continue
		}
		if i+1 < len(ascii) {
			if v := vowelIndex(ascii[i+1]); v >= 0 {
				b = append(b, row[v]...)
				i++
				continue
			}
			if ascii[i+1] == ascii[i] {
				b = append(b, "ッ"...)
				continue
			}
		}
		switch c {
		case 'n':
			b = append(b, "ン"...)
		case 't', 'd':
			b = append(b, row[4]...)
		default:
			b = append(b, row[2]...)
		}
	}
	if len(b) == start {
		b = append(b, "ナナシ"...)
	}
	return b
}
