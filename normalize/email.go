package normalize

import (
	"hash/maphash"
	"strings"
	"sync/atomic"
	"unicode"
	"unicode/utf8"

	"golang.org/x/net/idna"
	"golang.org/x/text/unicode/norm"
)

// idnaProfile turns a domain into its ASCII form the way resolvers do (UTS
// 46 mapping, non-transitional so ß stays a letter, STD3 rules), and refuses
// what could never be a mail domain.
var idnaProfile = idna.New(
	idna.MapForLookup(),
	idna.Transitional(false),
	idna.StrictDomainName(true),
	idna.BidiRule(),
)

const (
	maxLocalPart = 64
	maxEmail     = 254
)

// Email rule (contract §5): NFKC, trimmed, lower-cased, the domain in its
// IDNA ASCII form. No provider rewriting: dots and +tags are the
// subscriber's, and guessing would make false matches.
func appendEmail(dst []byte, s string) ([]byte, error) {
	if !isASCII(s) {
		s = norm.NFKC.String(s)
	}
	s = strings.ToLower(strings.TrimSpace(s))
	at := strings.IndexByte(s, '@')
	if at <= 0 || at != strings.LastIndexByte(s, '@') || at == len(s)-1 {
		return dst, ErrEmail
	}
	local, domain := s[:at], s[at+1:]
	if !validLocalPart(local) {
		return dst, ErrEmail
	}
	ascii, err := asciiDomain(domain)
	if err != nil {
		return dst, ErrEmail
	}
	if len(local)+1+len(ascii) > maxEmail*4 || utf8.RuneCountInString(local)+1+len(ascii) > maxEmail {
		return dst, ErrEmail
	}
	dst = append(dst, local...)
	dst = append(dst, '@')
	return append(dst, ascii...), nil
}

func validLocalPart(local string) bool {
	if utf8.RuneCountInString(local) > maxLocalPart {
		return false
	}
	for _, r := range local {
		if unicode.IsSpace(r) || unicode.IsControl(r) || r == '"' || r == '\\' {
			return false
		}
	}
	return true
}

// asciiDomain skips the IDNA machinery for plain lower-case ASCII host names,
// which are their own ASCII form, and remembers recent internationalised
// ones: an export's millions of addresses share a few such domains, and each
// conversion is dear and allocates.
func asciiDomain(domain string) (string, error) {
	if plainHostname(domain) {
		return domain, nil
	}
	slot := &idnaCache[maphash.String(idnaSeed, domain)%uint64(len(idnaCache))]
	if e := slot.Load(); e != nil && e.domain == domain {
		return e.ascii, e.err
	}
	ascii, err := convertDomain(domain)
	if err != nil {
		err = ErrEmail // what appendEmail makes of any error; idna's would quote the domain
	}
	if len(domain) <= maxEmail { // longer ones are refused anyway, and would bloat the cache
		slot.Store(&idnaEntry{domain: strings.Clone(domain), ascii: ascii, err: err})
	}
	return ascii, err
}

// idnaCache is direct-mapped: a colliding domain replaces the entry, so
// memory stays bounded whatever the export holds, and concurrent encoders
// share it without a lock.
var (
	idnaCache [512]atomic.Pointer[idnaEntry]
	idnaSeed  = maphash.MakeSeed()
)

type idnaEntry struct {
	domain, ascii string
	err           error
}

func convertDomain(domain string) (string, error) {
	ascii, err := idnaProfile.ToASCII(domain)
	if err != nil {
		return "", err
	}
	// The result must itself be a plain host name: IDNA maps some inputs
	// ("xn--" alone) to nothing, and an ACE label must survive a round trip.
	if !validACE(ascii) {
		return "", ErrEmail
	}
	return ascii, nil
}

func validACE(ascii string) bool {
	for _, label := range strings.Split(ascii, ".") {
		if !plainHostname(label) && !strings.HasPrefix(label, "xn--") {
			return false
		}
	}
	again, err := idnaProfile.ToASCII(ascii)
	return err == nil && again == ascii && ascii != ""
}

func plainHostname(d string) bool {
	if len(d) == 0 || len(d) > 253 {
		return false
	}
	label := 0
	for i := 0; i < len(d); i++ {
		c := d[i]
		switch {
		case c == '.':
			if label == 0 || d[i-1] == '-' {
				return false
			}
			label = 0
			continue
		case c >= 'a' && c <= 'z', c >= '0' && c <= '9':
		case c == '-' && label > 0:
		default:
			return false
		}
		label++
		if label > 63 || (label == 4 && c == '-' && d[i-1] == '-') {
			return false // "xn--" and other "??--" labels go through IDNA
		}
	}
	return label > 0 && d[len(d)-1] != '-'
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}
