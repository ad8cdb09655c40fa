package store_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kycmatch/kycmatch/store"
)

// TestMetadataAuthenticated: a generation whose GENERATION.json or
// GENERATION.mac was altered, removed or taken from another generation is
// refused, with a message naming the fault and no key material.
func TestMetadataAuthenticated(t *testing.T) {
	flip := func(name string, at func([]byte) int) func(t *testing.T, gen, other string) {
		return func(t *testing.T, gen, _ string) {
			p := filepath.Join(gen, name)
			b, err := os.ReadFile(p)
			if err != nil {
				t.Fatal(err)
			}
			b[at(b)] ^= 1
			os.WriteFile(p, b, 0o600)
		}
	}
	replace := func(old, new string) func(t *testing.T, gen, other string) {
		return func(t *testing.T, gen, _ string) {
			p := filepath.Join(gen, "GENERATION.json")
			b, _ := os.ReadFile(p)
			if !bytes.Contains(b, []byte(old)) {
				t.Fatalf("GENERATION.json lacks %q", old)
			}
			os.WriteFile(p, bytes.Replace(b, []byte(old), []byte(new), 1), 0o600)
		}
	}
	tests := []struct {
		name  string
		alter func(t *testing.T, gen, other string)
		want  string
	}{
		{"FlippedByte", flip("GENERATION.json", func(b []byte) int { return bytes.Index(b, []byte(`"lines": 10`)) + 10 }), "does not authenticate"},
		{"FlippedMAC", flip("GENERATION.mac", func(b []byte) int { return 3 }), "does not authenticate"},
		{"SealingStripped", replace(`"sealing": "aes-256-gcm"`, `"sealing": ""`), "does not authenticate"},
		{"ShardsChanged", replace(`"shards": 2`, `"shards": 1`), "does not authenticate"},
		{"MACRemoved", func(t *testing.T, gen, _ string) { os.Remove(filepath.Join(gen, "GENERATION.mac")) }, "--allow-unsealed"},
		{"MACOfAnotherGeneration", func(t *testing.T, gen, other string) {
			b, _ := os.ReadFile(filepath.Join(other, "GENERATION.mac"))
			os.WriteFile(filepath.Join(gen, "GENERATION.mac"), b, 0o600)
		}, "does not authenticate"},
		{"DirectoryCopied", func(t *testing.T, gen, other string) {
			os.RemoveAll(gen)
			if err := os.CopyFS(gen, os.DirFS(other)); err != nil {
				t.Fatal(err)
			}
		}, "names generation"},
	}
	defer store.SetWriteStreams(2)()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			st := MustOpen(t, dir, false)
			build(t, st, 10, "a")
			build(t, st, 10, "b")
			tt.alter(t, filepath.Join(dir, "gen-00000002"), filepath.Join(dir, "gen-00000001"))
			_, err := st.Current(context.Background())
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("opened or wrong error: %v, want %q", err, tt.want)
			}
			if !strings.Contains(err.Error(), "generation 00000002") {
				t.Errorf("error %q does not name the generation", err)
			}
		})
	}
}

// TestRecordBoundToGeneration: a record copied from another generation,
// under the same lookup key, does not open.
func TestRecordBoundToGeneration(t *testing.T) {
	dir := t.TempDir()
	st := MustOpen(t, dir, false)
	build(t, st, 3, "a")
	g1, err := st.OpenGeneration("00000001")
	if err != nil {
		t.Fatal(err)
	}
	defer g1.Close()
	build(t, st, 3, "b")
	g2, err := st.OpenGeneration("00000002")
	if err != nil {
		t.Fatal(err)
	}
	defer g2.Close()
	var sealed [][]byte
	store.RawScan(g1, func(key, v []byte) error { sealed = append(sealed, bytes.Clone(v)); return nil })
	if _, err := store.OpenRaw(g1, key(0, 3), sealed[0]); err != nil {
		t.Fatalf("record in its own generation: %v", err)
	}
	if _, err := store.OpenRaw(g2, key(0, 3), sealed[0]); err == nil {
		t.Error("a record copied from another generation opened")
	}
}
