package ingest

import (
	"crypto/rand"
	"encoding/binary"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestSortRunsAuthenticated: runs spilled to disk merge back intact, and a
// run file altered during the ingest (a flipped byte, a cut-off end, a
// section moved) fails the merge with a message naming the file.
func TestSortRunsAuthenticated(t *testing.T) {
	tests := []struct {
		name  string
		alter func(t *testing.T, path string, bounds []int64)
		want  string
	}{
		{"Intact", func(*testing.T, string, []int64) {}, ""},
		{"FlippedByte", func(t *testing.T, path string, _ []int64) {
			b := readFile(t, path)
			b[len(b)/3] ^= 1
			os.WriteFile(path, b, 0o600)
		}, "does not authenticate"},
		{"Truncated", func(t *testing.T, path string, _ []int64) {
			b := readFile(t, path)
			os.WriteFile(path, b[:len(b)-100], 0o600)
		}, "run-00000"},
		{"ChunksSwapped", func(t *testing.T, path string, _ []int64) {
			b := readFile(t, path)
			const c = runChunk + 16
			a := append([]byte{}, b[:c]...)
			copy(b[:c], b[c:2*c])
			copy(b[c:2*c], a)
			os.WriteFile(path, b, 0o600)
		}, "does not authenticate"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newSorter(filepath.Join(t.TempDir(), "sort"), 1<<20, 2)
			defer s.close()
			const n = 12000
			rec := make([]byte, 200)
			for i := 0; i < n; i++ {
				var k keyBytes
				rand.Read(k[:])
				binary.LittleEndian.PutUint64(rec, uint64(i))
				if err := s.add(&k, int64(i), int64(i), opUpsert, rec); err != nil {
					t.Fatal(err)
				}
			}
			if err := s.finish(); err != nil {
				t.Fatal(err)
			}
			if len(s.runs) < 2 {
				t.Fatalf("%d runs spilled, want several", len(s.runs))
			}
			tt.alter(t, s.runs[0].path, s.runs[0].bounds)
			got, err := mergeAll(s)
			if tt.want == "" {
				if err != nil || got != n {
					t.Fatalf("merged %d of %d: %v", got, n, err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("merge of an altered run: %v, want an error naming %q", err, tt.want)
			}
		})
	}
}

func mergeAll(s *sorter) (int, error) {
	total := 0
	for st := 0; st < s.streams; st++ {
		m, err := s.merge(st)
		if err != nil {
			return total, err
		}
		var it item
		for {
			ok, err := m.next(&it)
			if err != nil {
				m.close()
				return total, err
			}
			if !ok {
				break
			}
			total++
		}
		m.close()
	}
	return total, nil
}

func readFile(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
