package normalize

import (
	"fmt"
	"testing"
)

// TestDomainCache gives asciiDomain each domain three times, with a crowd of
// others in between so that entries are evicted by collisions, and expects
// convertDomain's answer every time.
func TestDomainCache(t *testing.T) {
	domains := []string{"bücher.de", "xn--bcher-kva.de", "παράδειγμα.δοκιμή", "例え.テスト", "xn--", "a..b", "ß.de", "-x.de", "ｅｘａｍｐｌｅ.ｃｏｍ"}
	for i := 0; i < 2000; i++ {
		domains = append(domains, fmt.Sprintf("ñ%d.example", i))
	}
	for round := 0; round < 3; round++ {
		for _, d := range domains {
			want, wantErr := convertDomain(d)
			got, err := asciiDomain(d)
			if got != want || (err == nil) != (wantErr == nil) || (err != nil && err != ErrEmail) {
				t.Fatalf("round %d, %q: %q, %v; want %q, %v", round, d, got, err, want, wantErr)
			}
		}
	}
}
