package synth

import "github.com/kycmatch/kycmatch/engine"

// Street numbers, house number extensions and complete addresses, in each
// country's customary layout. The address is written from the parts already
// in the row, and includes the extension only when the row holds one, so a
// complete address and its parts never contradict each other.

// latinNumber returns the common street number style: mostly a plain
// number, sometimes with a letter suffix ("12a", or "12A" with upperSuffix)
// or a range ("12-14").
func latinNumber(upperSuffix string) func(g *row) {
	return func(g *row) {
		s := g.begin()
		n := g.r.between(1, 180)
		g.buf = pad(g.buf, n, 1)
		switch v := g.r.n(100); {
		case v < 7:
			if upperSuffix != "" {
				g.buf = append(g.buf, "ABCD"[g.r.n(4)])
			} else {
				g.buf = append(g.buf, "abcd"[g.r.n(4)])
			}
		case v < 12:
			g.buf = append(g.buf, '-')
			g.buf = pad(g.buf, n+2, 1)
		}
		g.end(engine.StreetNumber, s)
	}
}

func frNumber(g *row) {
	s := g.begin()
	n := g.r.between(1, 220)
	g.buf = pad(g.buf, n, 1)
	switch v := g.r.n(100); {
	case v < 5:
		g.buf = append(g.buf, " bis"...)
	case v < 8:
		g.buf = append(g.buf, "bis"...)
	case v < 10:
		g.buf = append(g.buf, " ter"...)
	case v < 14:
		g.buf = append(g.buf, '-')
		g.buf = pad(g.buf, n+2, 1)
	}
	g.end(engine.StreetNumber, s)
}

func trNumber(g *row) {
	s := g.begin()
	n := g.r.between(1, 150)
	g.buf = pad(g.buf, n, 1)
	switch v := g.r.n(100); {
	case v < 12:
		g.buf = append(g.buf, '/')
		g.buf = append(g.buf, "ABC"[g.r.n(3)])
	case v < 16:
		g.buf = append(g.buf, '-')
		g.buf = pad(g.buf, n+2, 1)
	}
	g.end(engine.StreetNumber, s)
}

func elNumber(g *row) {
	s := g.begin()
	n := g.r.between(1, 160)
	g.buf = pad(g.buf, n, 1)
	switch v := g.r.n(100); {
	case v < 8:
		g.buf = append(g.buf, pick(&g.r, []string{"Α", "Β", "Γ"})...)
	case v < 12:
		g.buf = append(g.buf, '-')
		g.buf = pad(g.buf, n+2, 1)
	}
	g.end(engine.StreetNumber, s)
}

func ukNumber(g *row) {
	s := g.begin()
	n := g.r.between(1, 140)
	g.buf = pad(g.buf, n, 1)
	switch v := g.r.n(100); {
	case v < 8:
		g.buf = append(g.buf, pick(&g.r, []string{"а", "б", "в"})...)
	case v < 14:
		g.buf = append(g.buf, '/')
		g.buf = pad(g.buf, g.r.between(1, 5), 1)
	}
	g.end(engine.StreetNumber, s)
}

func brNumber(g *row) {
	s := g.begin()
	g.buf = pad(g.buf, g.r.between(1, 3500), 1)
	g.end(engine.StreetNumber, s)
}

// jaNumber writes chōme-banchi-gō in the usual variants, a fifth of them in
// full-width digits as Japanese forms produce them.
func jaNumber(g *row) {
	s := g.begin()
	c, b, n := g.r.between(1, 9), g.r.between(1, 30), g.r.between(1, 25)
	switch v := g.r.n(100); {
	case v < 50:
		g.buf = pad(g.buf, c, 1)
		g.buf = append(g.buf, '-')
		g.buf = pad(g.buf, b, 1)
		g.buf = append(g.buf, '-')
		g.buf = pad(g.buf, n, 1)
	case v < 70:
		g.buf = pad(g.buf, c, 1)
		g.buf = append(g.buf, "丁目"...)
		g.buf = pad(g.buf, b, 1)
		g.buf = append(g.buf, '-')
		g.buf = pad(g.buf, n, 1)
	case v < 80:
		g.buf = pad(g.buf, c, 1)
		g.buf = append(g.buf, "丁目"...)
		g.buf = pad(g.buf, b, 1)
		g.buf = append(g.buf, "番"...)
		g.buf = pad(g.buf, n, 1)
		g.buf = append(g.buf, "号"...)
	default:
		g.buf = appendWide(g.buf, c)
		g.buf = append(g.buf, "－"...)
		g.buf = appendWide(g.buf, b)
		g.buf = append(g.buf, "－"...)
		g.buf = appendWide(g.buf, n)
	}
	g.end(engine.StreetNumber, s)
}

// appendWide appends v in full-width digits (U+FF10…U+FF19).
func appendWide(b []byte, v int) []byte {
	var tmp [8]byte
	for _, d := range pad(tmp[:0], v, 1) {
		b = append(b, 0xEF, 0xBC, 0x90+(d-'0'))
	}
	return b
}

// Extensions.

func (g *row) extFrom(write func()) {
	s := g.begin()
	write()
	g.end(engine.HouseNumberExtension, s)
}

func esExt(g *row) {
	g.extFrom(func() {
		switch v := g.r.n(10); {
		case v == 0:
			g.buf = append(g.buf, pick(&g.r, []string{"Bajo", "Ático", "Entlo."})...)
			if g.r.pct(50) {
				g.buf = append(g.buf, ' ', "ABCD"[g.r.n(4)])
			}
		default:
			g.buf = pad(g.buf, g.r.between(1, 9), 1)
			g.buf = append(g.buf, "º"...)
			g.buf = append(g.buf, pick(&g.r, []string{" A", " B", " C", " D", " izq.", " dcha.", " izq", " 1ª", " 2ª"})...)
		}
	})
}

func deExt(g *row) {
	g.extFrom(func() {
		switch g.r.n(5) {
		case 0:
			g.buf = pad(g.buf, g.r.between(1, 6), 1)
			g.buf = append(g.buf, ". OG"...)
		case 1:
			g.buf = pad(g.buf, g.r.between(1, 6), 1)
			g.buf = append(g.buf, pick(&g.r, []string{". OG links", ". OG rechts", ". Etage"})...)
		case 2:
			g.buf = append(g.buf, "Whg. "...)
			g.buf = pad(g.buf, g.r.between(1, 40), 1)
		case 3:
			g.buf = append(g.buf, "App. "...)
			g.buf = pad(g.buf, g.r.between(1, 120), 1)
		default:
			g.buf = append(g.buf, pick(&g.r, []string{"Hinterhaus", "Seitenflügel", "Gartenhaus"})...)
		}
	})
}

func frExt(g *row) {
	g.extFrom(func() {
		switch g.r.n(5) {
		case 0:
			g.buf = append(g.buf, "Apt "...)
			g.buf = pad(g.buf, g.r.between(1, 80), 1)
		case 1:
			g.buf = append(g.buf, "Bât. "...)
			g.buf = append(g.buf, "ABCDE"[g.r.n(5)])
		case 2:
			g.buf = append(g.buf, "Esc. "...)
			g.buf = pad(g.buf, g.r.between(1, 4), 1)
		case 3:
			g.buf = append(g.buf, "Appartement "...)
			g.buf = pad(g.buf, g.r.between(1, 80), 1)
		default:
			g.buf = pad(g.buf, g.r.between(1, 9), 1)
			g.buf = append(g.buf, "e étage"...)
		}
	})
}

func nlExt(g *row) {
	g.extFrom(func() {
		if g.r.pct(25) {
			g.buf = pad(g.buf, g.r.between(1, 4), 1)
			g.buf = append(g.buf, "ABC"[g.r.n(3)])
			return
		}
		g.buf = append(g.buf, pick(&g.r, []string{"A", "B", "C", "hs", "I", "II", "III", "bis", "zw", "1", "2", "3"})...)
	})
}

func trExt(g *row) {
	g.extFrom(func() {
		if g.r.pct(40) {
			g.buf = append(g.buf, "Kat "...)
			g.buf = pad(g.buf, g.r.between(1, 12), 1)
			g.buf = append(g.buf, ' ')
		}
		g.buf = append(g.buf, pick(&g.r, []string{"Daire ", "D: ", "D:"})...)
		g.buf = pad(g.buf, g.r.between(1, 40), 1)
	})
}

func elExt(g *row) {
	g.extFrom(func() {
		switch g.r.n(3) {
		case 0:
			g.buf = pad(g.buf, g.r.between(1, 7), 1)
			g.buf = append(g.buf, "ος όροφος"...)
		case 1:
			g.buf = append(g.buf, "Διαμ. "...)
			g.buf = pad(g.buf, g.r.between(1, 30), 1)
		default:
			g.buf = append(g.buf, "Όροφος "...)
			g.buf = pad(g.buf, g.r.between(1, 7), 1)
		}
	})
}

func ukExt(g *row) {
	g.extFrom(func() {
		g.buf = append(g.buf, pick(&g.r, []string{"кв. ", "кв.", "офіс "})...)
		g.buf = pad(g.buf, g.r.between(1, 240), 1)
	})
}

func jaExt(g *row) {
	g.extFrom(func() {
		if g.r.pct(50) {
			g.buf = append(g.buf, pick(&g.r, jaBuildings)...)
			if g.r.pct(30) {
				g.buf = append(g.buf, ' ')
			}
		}
		g.buf = pad(g.buf, g.r.between(1, 12), 1)
		g.buf = pad(g.buf, g.r.between(1, 9), 2)
		if g.r.pct(40) {
			g.buf = append(g.buf, "号室"...)
		}
	})
}

func gbExt(g *row) {
	g.extFrom(func() {
		g.buf = append(g.buf, pick(&g.r, []string{"Flat ", "Flat ", "Apartment ", "Unit "})...)
		g.buf = pad(g.buf, g.r.between(1, 40), 1)
		if g.r.pct(20) {
			g.buf = append(g.buf, "ABCD"[g.r.n(4)])
		}
	})
}

func brExt(g *row) {
	g.extFrom(func() {
		switch g.r.n(4) {
		case 0:
			g.buf = append(g.buf, "Bloco "...)
			g.buf = append(g.buf, "ABCD"[g.r.n(4)])
			g.buf = append(g.buf, ", Apto "...)
		case 1:
			g.buf = append(g.buf, "Casa "...)
		case 2:
			g.buf = append(g.buf, "Sala "...)
		default:
			g.buf = append(g.buf, pick(&g.r, []string{"Apto ", "Apto. ", "Ap "})...)
		}
		g.buf = pad(g.buf, g.r.between(1, 1500), 1)
	})
}

// Complete addresses. Each appends to the row's buffer between begin and
// end(Address); street is the row's street, with its type.

func (g *row) str(s string)                           { g.buf = append(g.buf, s...) }
func (g *row) part(a engine.Attribute)                { g.buf = append(g.buf, g.get(a)...) }
func (g *row) hasExt() bool                           { return g.held.Has(engine.HouseNumberExtension) }
func (g *row) sepPart(sep string, a engine.Attribute) { g.str(sep); g.part(a) }

func esAddress(g *row, st street, c *city) {
	if st.typ == "Calle" && g.r.pct(20) {
		g.str("C/ ")
	} else if st.typ != "" {
		g.str(st.typ)
		g.str(" ")
	}
	g.part(engine.StreetName)
	g.str(pick(&g.r, []string{" ", ", "}))
	g.part(engine.StreetNumber)
	if g.hasExt() {
		g.sepPart(", ", engine.HouseNumberExtension)
	}
	g.sepPart(", ", engine.PostalCode)
	g.str(" ")
	g.str(c.name)
}

func deAddress(g *row, _ street, c *city) {
	g.part(engine.StreetName)
	g.sepPart(" ", engine.StreetNumber)
	if g.hasExt() {
		g.sepPart(", ", engine.HouseNumberExtension)
	}
	g.sepPart(", ", engine.PostalCode)
	g.str(" ")
	g.str(c.name)
}

func frAddress(g *row, st street, c *city) {
	extFirst := g.hasExt() && g.r.pct(50)
	if extFirst {
		g.part(engine.HouseNumberExtension)
		g.str(", ")
	}
	g.part(engine.StreetNumber)
	g.str(" ")
	g.str(st.typ)
	g.sepPart(" ", engine.StreetName)
	if g.hasExt() && !extFirst {
		g.sepPart(", ", engine.HouseNumberExtension)
	}
	g.sepPart(", ", engine.PostalCode)
	g.str(" ")
	if g.r.pct(30) {
		// French mail puts the town in capitals: "75002 PARIS".
		g.buf = appendUpper(g.buf, []byte(c.name), false)
	} else {
		g.str(c.name)
	}
}

func nlAddress(g *row, _ street, c *city) {
	g.part(engine.StreetName)
	g.sepPart(" ", engine.StreetNumber)
	if g.hasExt() {
		// "12A", "12-II", "12 hs"; a digit never follows the number directly.
		sep := pick(&g.r, []string{" ", "-", ""})
		if ext := g.get(engine.HouseNumberExtension); sep == "" && ext[0] >= '0' && ext[0] <= '9' {
			sep = "-"
		}
		g.sepPart(sep, engine.HouseNumberExtension)
	}
	g.sepPart(", ", engine.PostalCode)
	g.str(pick(&g.r, []string{" ", "  "}))
	g.str(c.name)
}

func trAddress(g *row, st street, c *city) {
	g.part(engine.StreetName)
	g.str(" ")
	g.str(st.typ)
	g.sepPart(pick(&g.r, []string{" No: ", " No:", " No."}), engine.StreetNumber)
	if g.hasExt() {
		g.sepPart(" ", engine.HouseNumberExtension)
	}
	g.sepPart(", ", engine.PostalCode)
	g.str(" ")
	g.str(c.name)
	g.str("/")
	g.str(c.region)
}

func elAddress(g *row, st street, c *city) {
	if st.typ != "" {
		g.str(st.typ)
		g.str(" ")
	}
	g.part(engine.StreetName)
	g.sepPart(" ", engine.StreetNumber)
	if g.hasExt() {
		g.sepPart(", ", engine.HouseNumberExtension)
	}
	g.sepPart(", ", engine.PostalCode)
	g.str(" ")
	g.str(c.name)
}

func ukAddress(g *row, st street, c *city) {
	g.str(st.typ)
	g.sepPart(" ", engine.StreetName)
	g.sepPart(pick(&g.r, []string{", ", ", буд. "}), engine.StreetNumber)
	if g.hasExt() {
		g.sepPart(", ", engine.HouseNumberExtension)
	}
	g.str(", м. ")
	g.str(c.name)
	if c.region != c.name {
		g.str(", ")
		g.str(c.region)
	}
	g.sepPart(", ", engine.PostalCode)
}

func jaAddress(g *row, _ street, c *city) {
	if g.r.pct(30) {
		g.sepPart("〒", engine.PostalCode)
		g.str(" ")
	}
	g.str(c.region)
	g.str(c.name)
	g.part(engine.StreetName)
	g.part(engine.StreetNumber)
	if g.hasExt() {
		g.sepPart(pick(&g.r, []string{" ", "　"}), engine.HouseNumberExtension)
	}
}

func gbAddress(g *row, _ street, c *city) {
	if g.hasExt() {
		g.part(engine.HouseNumberExtension)
		g.str(", ")
	}
	g.part(engine.StreetNumber)
	g.sepPart(" ", engine.StreetName)
	g.str(", ")
	g.str(c.name)
	g.sepPart(pick(&g.r, []string{" ", ", "}), engine.PostalCode)
}

func brAddress(g *row, st street, c *city) {
	g.str(st.typ)
	g.sepPart(" ", engine.StreetName)
	g.sepPart(", ", engine.StreetNumber)
	if g.hasExt() {
		g.sepPart(", ", engine.HouseNumberExtension)
	}
	g.str(" - ")
	g.str(c.name)
	g.str("/")
	g.str(c.abbr)
	g.sepPart(", ", engine.PostalCode)
}
