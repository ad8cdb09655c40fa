package synth

import "fmt"

// PhoneCapacities exposes, for the external tests, how many distinct numbers
// each country's plan holds, so they can check MaxCount against it.
func PhoneCapacities() map[string]uint64 {
	m := map[string]uint64{}
	for _, l := range locales {
		m[l.country] = l.phone.capacity()
	}
	return m
}

// LocaleTags lists the locales rows are drawn from.
func LocaleTags() []string {
	var tags []string
	for _, l := range locales {
		tags = append(tags, l.tag)
	}
	return tags
}

// CheckPhoneLayouts compares the cached international layouts with
// libphonenumber for n numbers of every prefix of every plan.
func CheckPhoneLayouts(n int) error {
	r := newRowRNG(1, 1)
	for _, l := range locales {
		p := l.phone
		for _, prefix := range p.prefixes {
			for range n {
				var sub uint64
				for range p.free {
					sub = sub*10 + uint64(r.n(10))
				}
				got := string(p.appendInternational(nil, prefix, sub))
				if want := p.formatInternational(prefix, sub); got != want {
					return fmt.Errorf("%s %s: layout gives %q, libphonenumber %q", l.tag, prefix, got, want)
				}
			}
		}
	}
	return nil
}
