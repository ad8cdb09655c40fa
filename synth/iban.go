package synth

// ibanPlan builds the BBAN (the national part of an IBAN) of one country.
// Where the country has a national check inside the BBAN (Spain's DC, the
// French RIB key, the Dutch 11-test) it is computed too, so the accounts pass
// the stricter validators operators sometimes run on their own data.
type ibanPlan func(r *rng, b []byte) []byte

// appendIBAN appends "IBAN:" and an IBAN for country cc with a correct
// ISO 13616 mod-97 check, grouped in fours with spaces when grouped is set,
// as IBANs are printed on statements.
func appendIBAN(b []byte, r *rng, cc string, bban ibanPlan, grouped bool) []byte {
	b = append(b, "IBAN:"...)
	start := len(b)
	b = append(b, cc...)
	b = append(b, "00"...)
	b = bban(r, b)
	check := 98 - ibanMod97(b[start+4:], cc)
	b[start+2] = byte('0' + check/10)
	b[start+3] = byte('0' + check%10)
	if !grouped {
		return b
	}
	return groupFours(b, start)
}

// ibanMod97 is the remainder of BBAN ++ country ++ "00" read as a number with
// letters A=10 … Z=35, computed digit by digit so no big integers are needed.
func ibanMod97(bban []byte, cc string) int {
	m := 0
	add := func(c byte) {
		switch {
		case c >= '0' && c <= '9':
			m = (m*10 + int(c-'0')) % 97
		case c >= 'A' && c <= 'Z':
			m = (m*100 + int(c-'A') + 10) % 97
		}
	}
	for _, c := range bban {
		add(c)
	}
	for i := range len(cc) {
		add(cc[i])
	}
	add('0')
	add('0')
	return m
}

// groupFours rewrites b[start:] with a space after every fourth character.
func groupFours(b []byte, start int) []byte {
	var tmp [64]byte
	raw := append(tmp[:0], b[start:]...)
	b = b[:start]
	for i, c := range raw {
		if i > 0 && i%4 == 0 {
			b = append(b, ' ')
		}
		b = append(b, c)
	}
	return b
}

// Spain: bank(4) branch(4) DC(2) account(10). The DC digits check
// "00"+bank+branch and the account with weights 1,2,4,8,5,10,9,7,3,6.
func bbanES(r *rng, b []byte) []byte {
	s := len(b)
	b = append(b, pick(r, esBanks)...)
	b = r.digits(b, 4)
	b = append(b, '0', '0')
	b = r.digits(b, 10)
	var first [10]byte
	copy(first[:2], "00")
	copy(first[2:], b[s:s+8])
	b[s+8] = esDC(first[:])
	b[s+9] = esDC(b[s+10 : s+20])
	return b
}

func esDC(d []byte) byte {
	weights := [10]int{1, 2, 4, 8, 5, 10, 9, 7, 3, 6}
	sum := 0
	for i, c := range d {
		sum += int(c-'0') * weights[i]
	}
	v := 11 - sum%11
	switch v {
	case 11:
		v = 0
	case 10:
		v = 1
	}
	return byte('0' + v)
}

var esBanks = []string{"0049", "0075", "0081", "0128", "0182", "2038", "2100", "2080", "3058", "1465"}

// Germany: Bankleitzahl(8) account(10).
func bbanDE(r *rng, b []byte) []byte {
	b = append(b, byte('1'+r.n(8)))
	b = r.digits(b, 7)
	return r.digits(b, 10)
}

// France: bank(5) branch(5) account(11) RIB key(2), where the key makes
// 89·bank + 15·branch + 3·account + key ≡ 0 (mod 97).
func bbanFR(r *rng, b []byte) []byte {
	s := len(b)
	b = append(b, pick(r, frBanks)...)
	b = r.digits(b, 16)
	num := func(d []byte) uint64 {
		var v uint64
		for _, c := range d {
			v = v*10 + uint64(c-'0')
		}
		return v
	}
	sum := (89*num(b[s:s+5]) + 15*num(b[s+5:s+10]) + 3*num(b[s+10:s+21])) % 97
	return pad(b, int(97-sum), 2)
}

var frBanks = []string{"30004", "30002", "30003", "10278", "20041", "11315", "18206", "30066", "17515"}

// Netherlands: bank code(4 letters) account(10) passing the 11-test that
// Dutch account numbers (other than the old ING ones) satisfy.
func bbanNL(r *rng, b []byte) []byte {
	b = append(b, pick(r, nlBanks)...)
	s := len(b)
	for {
		b = r.digits(b[:s], 9)
		sum := 0
		for i, c := range b[s:] {
			sum += (10 - i) * int(c-'0')
		}
		if last := (11 - sum%11) % 11; last < 10 {
			return append(b, byte('0'+last))
		}
	}
}

var nlBanks = []string{"ABNA", "INGB", "RABO", "SNSB", "TRIO", "ASNB", "KNAB", "BUNQ", "RBRB"}

// Turkey: bank(5) reserved '0' account(16).
func bbanTR(r *rng, b []byte) []byte {
	b = append(b, pick(r, trBanks)...)
	b = append(b, '0')
	return r.digits(b, 16)
}

var trBanks = []string{"00010", "00012", "00015", "00046", "00062", "00064", "00067", "00111", "00032"}

// Greece: bank(3) branch(4) account(16).
func bbanGR(r *rng, b []byte) []byte {
	b = append(b, pick(r, grBanks)...)
	return r.digits(b, 20)
}

var grBanks = []string{"011", "014", "017", "026", "172"}

// Ukraine: bank MFO(6) account(19).
func bbanUA(r *rng, b []byte) []byte {
	b = append(b, pick(r, uaBanks)...)
	b = append(b, '0', '0', '0', '0', '0')
	return r.digits(b, 14)
}

var uaBanks = []string{"305299", "300335", "322001", "300528", "380805", "320649"}

// United Kingdom: bank(4 letters) sort code(6) account(8).
func bbanGB(r *rng, b []byte) []byte {
	b = append(b, pick(r, gbBanks)...)
	return r.digits(b, 14)
}

var gbBanks = []string{"NWBK", "BARC", "LOYD", "HBUK", "MIDL", "NAIA", "SRLG", "MONZ"}

// Brazil: ISPB(8) branch(5) account(10) type(1) holder(1).
func bbanBR(r *rng, b []byte) []byte {
	b = append(b, pick(r, brBanks)...)
	b = r.digits(b, 15)
	b = append(b, "CP"[r.n(2)])
	return append(b, '1')
}

var brBanks = []string{"00000000", "00360305", "60746948", "60701190", "90400888", "18236120"}

// appendZengin appends a Japanese domestic account. Japan has no IBAN; banks
// identify an account by bank code, branch code and account number in the
// Zengin clearing system, and an operator there would store exactly that, so
// the value carries its own prefix instead of a fake IBAN.
func appendZengin(b []byte, r *rng) []byte {
	b = append(b, "ZENGIN:"...)
	b = append(b, pick(r, jpBanks)...)
	b = r.digits(b, 3)
	return r.digits(b, 7)
}

var jpBanks = []string{"0001", "0005", "0009", "0010", "0017", "9900"}
