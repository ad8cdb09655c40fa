package keys_test

import (
	"fmt"
	"log"
	"os"
	"path/filepath"

	"github.com/kycmatch/kycmatch/keys"
)

// ExampleCreate makes a keyring and opens it again, as "kycmatch keys init"
// and every later command do. Set Options.Passphrase (read with
// ReadPassphraseFile) to seal the file.
func ExampleCreate() {
	dir, err := os.MkdirTemp("", "keys-example")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "keyring.json")

	if _, err := keys.Create(path, keys.Options{}); err != nil {
		log.Fatal(err)
	}
	fi, err := os.Stat(path)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("mode:", fi.Mode())

	kr, err := keys.Open(path, keys.Options{})
	if err != nil {
		log.Fatal(err)
	}
	for _, v := range kr.Versions() {
		fmt.Printf("version %d active=%v\n", v.Number, v.Active)
	}

	// Callers get operations, not bytes: a MAC keyed for one purpose.
	mac := kr.Active().NewMAC("email")
	mac.Write([]byte("normalised value"))
	fmt.Println("digest bytes:", len(mac.Sum(nil)))
	// Output:
	// mode: -rw-------
	// version 1 active=true
	// digest bytes: 32
}

// ExampleKeyring_Rotate adds a version: new data is keyed with it, while
// data written under the old id can still be checked with Key.
func ExampleKeyring_Rotate() {
	dir, err := os.MkdirTemp("", "keys-example")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)

	kr, err := keys.Create(filepath.Join(dir, "keyring.json"), keys.Options{})
	if err != nil {
		log.Fatal(err)
	}
	oldID := kr.Active().ID() // what a generation built now would record

	if _, err := kr.Rotate(); err != nil {
		log.Fatal(err)
	}
	for _, v := range kr.Versions() {
		fmt.Printf("version %d active=%v\n", v.Number, v.Active)
	}
	old, err := kr.Key(oldID)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("old key still available:", old.ID() == oldID)
	fmt.Println("active key changed:", kr.Active().ID() != oldID)
	// Output:
	// version 1 active=false
	// version 2 active=true
	// old key still available: true
	// active key changed: true
}
