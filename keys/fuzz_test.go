package keys_test

import (
	"bytes"
	"path/filepath"
	"strings"
	"testing"

	"filippo.io/age/armor"

	"github.com/kycmatch/kycmatch/keys"
)

// FuzzOpen feeds arbitrary file contents to Open. Open must never panic,
// and no error may repeat the input: the file is secret.
func FuzzOpen(f *testing.F) {
	idA := keyID(f, fixedSecret)
	secretB := bytes.Repeat([]byte{0xaa}, 32)
	idB := keyID(f, secretB)
	valid := keyringJSON(idA, keyJSON(1, idA, fixedSecret), keyJSON(2, idB, secretB))

	f.Add([]byte(valid))                                                                        // valid, two versions
	f.Add([]byte(keyringJSON(idA, keyJSON(1, idA, fixedSecret))))                               // valid, one version
	f.Add([]byte(valid[:len(valid)/2]))                                                         // truncated JSON
	f.Add([]byte(keyringJSON(idB, keyJSON(1, idA, fixedSecret))))                               // active id missing
	f.Add([]byte(keyringJSON(idA, keyJSON(1, idB, fixedSecret))))                               // id does not match secret
	f.Add([]byte(keyringJSON(idA, keyJSON(1, idA, fixedSecret[:31]))))                          // short secret
	f.Add([]byte(strings.Replace(valid, `"version":2`, `"version":1`, 1)))                      // duplicate versions
	f.Add([]byte(strings.Replace(valid, `"created":"2026-11-25T10:00:00Z"`, `"created":7`, 1))) // wrong type
	f.Add([]byte(`{"kycmatch_keyring":1,"keys":[{"secret":"!!not base64!!"}]}`))                // bad base64
	f.Add([]byte("null"))
	f.Add([]byte(armor.Header + "\nYWdlLWVuY3J5cHRpb24ub3JnL3YxCg==\n" + armor.Footer + "\n")) // sealed-looking
	f.Add([]byte("age-encryption.org/v1\n-> scrypt AAAA 10\n"))                                // binary age header

	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, data []byte) {
		path := filepath.Join(dir, "keyring.json")
		writeFile(t, path, data, 0o600)
		kr, err := keys.Open(path, keys.Options{})
		if err == nil {
			if kr.Active() == nil || len(kr.Versions()) == 0 {
				t.Fatal("Open succeeded without an active key")
			}
			return
		}
		// The path is ours, not the input's: drop it before looking.
		msg := strings.ReplaceAll(err.Error(), path, "PATH")
		if len(data) >= 8 && strings.Contains(msg, string(data)) {
			t.Fatalf("error repeats the input: %s", msg)
		}
	})
}
