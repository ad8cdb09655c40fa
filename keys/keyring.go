package keys

import (
	"bytes"
	"cmp"
	"crypto/rand"
	"crypto/sha256"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strconv"
	"sync"
	"time"
)

// Options configure how Create, Open and Rotate handle sealing.
type Options struct {
	// Passphrase, when not empty, makes Create and Rotate write the
	// keyring sealed with age's scrypt recipient, and is needed by Open
	// for a sealed file. A plain file is opened whether or not it is set.
	// The keyring keeps its own copy; the caller may zero this slice
	// once Create or Open returns.
	Passphrase []byte

	// ScryptWorkFactor is log2 of the scrypt work used for sealing, 1 to
	// 22; 0 means age's default, 18 (about a second). Tests may use 10 to
	// stay fast. Open accepts files sealed with up to 22 whatever this is,
	// so a larger value would write a file nobody could open.
	ScryptWorkFactor int
}

func (o Options) check() error {
	// The upper bound is Open's cap, not age's 30: a file sealed with more
	// work could never be opened again.
	if o.ScryptWorkFactor < 0 || o.ScryptWorkFactor > maxScryptWorkFactor {
		return fmt.Errorf("scrypt work factor %d is out of range (0 for the default, or 1 to %d)", o.ScryptWorkFactor, maxScryptWorkFactor)
	}
	return nil
}

// sealingFor returns the sealing to write with, nil for a plain file.
func (o Options) sealingFor() *sealing {
	if len(o.Passphrase) == 0 {
		return nil
	}
	return &sealing{passphrase: bytes.Clone(o.Passphrase), workFactor: o.ScryptWorkFactor}
}

// Keyring is an opened keyring file: every key version, which one is
// active, and how to rewrite the file on Rotate. It is safe for concurrent
// use.
type Keyring struct {
	path string

	mu      sync.RWMutex
	seal    *sealing // nil: the file is plain
	entries []entry  // sorted by number
	active  *Key
	fileSum [sha256.Size]byte // of the file as last read or written, to detect outside changes before Rotate
}

// Sealed reports whether the keyring file is sealed with a passphrase.
func (kr *Keyring) Sealed() bool {
	kr.mu.RLock()
	defer kr.mu.RUnlock()
	return kr.seal != nil
}

// Version describes one key version. Every field is safe to print.
type Version struct {
	Number  int       // 1, 2, 3, ... in creation order
	ID      string    // 16 lowercase hex characters, derived one way from the secret
	Created time.Time // UTC, second precision
	Active  bool      // the version new data is keyed with
}

// Create writes a new keyring file at path holding one fresh 256-bit
// secret as active version 1, sealed when o.Passphrase is set. The file is
// created with O_EXCL and mode 0600 and synced with its directory; an
// existing file is never modified, and gives ErrExists.
func Create(path string, o Options) (*Keyring, error) {
	kr, err := create(path, o)
	if err != nil {
		return nil, fmt.Errorf("keys: create %s: %w", path, err)
	}
	return kr, nil
}

func create(path string, o Options) (*Keyring, error) {
	if err := o.check(); err != nil {
		return nil, err
	}
	e, err := newEntry(1)
	if err != nil {
		return nil, err
	}
	kr := &Keyring{path: path, seal: o.sealingFor(), entries: []entry{e}, active: e.key}
	data, err := kr.encode(kr.entries, kr.active)
	if err != nil {
		return nil, err
	}
	defer clear(data)
	if err := writeNew(path, data); err != nil {
		return nil, err
	}
	kr.fileSum = sha256.Sum256(data)
	return kr, nil
}

// Open reads and validates the keyring at path. It refuses, before reading
// it, a file that group or others can access (ErrPermissions). A sealed
// file needs o.Passphrase (ErrSealed without one, ErrPassphrase when it
// is wrong); a plain file is opened even when a passphrase is given, and
// stays plain on Rotate. A file that does not parse or validate (32-byte
// secrets, ids matching their secrets, unique version numbers, an active
// id that names a key) gives ErrMalformed.
func Open(path string, o Options) (*Keyring, error) {
	kr, err := open(path, o)
	if err != nil {
		return nil, fmt.Errorf("keys: open %s: %w", path, err)
	}
	return kr, nil
}

func open(path string, o Options) (*Keyring, error) {
	if err := o.check(); err != nil {
		return nil, err
	}
	raw, err := readPrivate(path, maxFileSize)
	if errors.As(err, new(sizeError)) {
		return nil, fmt.Errorf("%w: %w", ErrMalformed, err)
	}
	if err != nil {
		return nil, err
	}
	defer clear(raw)
	plain, s, err := decode(raw, o)
	if err != nil {
		return nil, err
	}
	entries, active, err := parseKeyring(plain)
	if s != nil {
		clear(plain) // a plain file's plaintext is raw, cleared above
	}
	if err != nil {
		return nil, err
	}
	return &Keyring{path: path, seal: s, entries: entries, active: active, fileSum: sha256.Sum256(raw)}, nil
}

// decode returns the plaintext JSON of a keyring file and, for a sealed
// one, the sealing to rewrite it with.
func decode(raw []byte, o Options) ([]byte, *sealing, error) {
	sealed, armored := isSealed(raw)
	if !sealed {
		return raw, nil, nil
	}
	s := o.sealingFor()
	if s == nil {
		return nil, nil, ErrSealed
	}
	plain, err := unseal(raw, armored, s.passphrase)
	if err != nil {
		return nil, nil, err
	}
	return plain, s, nil
}

// encode returns the file content for entries: the JSON, sealed when kr
// is. The caller zeroes it.
func (kr *Keyring) encode(entries []entry, active *Key) ([]byte, error) {
	plain := marshalKeyring(entries, active)
	if kr.seal == nil {
		return plain, nil
	}
	defer clear(plain)
	return seal(plain, kr.seal)
}

// Rotate adds a version with a fresh secret, makes it active and rewrites
// the file atomically (a new 0600 file, synced, renamed over the old one),
// sealed with the same passphrase if it was sealed. Older versions stay in
// the file and in the keyring. Rotate fails, changing nothing, if the file
// changed on disk since it was opened or last rotated: open it again.
func (kr *Keyring) Rotate() (Version, error) {
	kr.mu.Lock()
	defer kr.mu.Unlock()
	v, err := kr.rotate()
	if err != nil {
		return Version{}, fmt.Errorf("keys: rotate %s: %w", kr.path, err)
	}
	return v, nil
}

func (kr *Keyring) rotate() (Version, error) {
	if kr.path == "" {
		return Version{}, errors.New("an in-memory keyring has no file to rotate")
	}
	if err := kr.checkUnchanged(); err != nil {
		return Version{}, err
	}
	e, err := newEntry(kr.entries[len(kr.entries)-1].number + 1)
	if err != nil {
		return Version{}, err
	}
	// Clip so that appending never writes into the backing array that
	// concurrent readers of the old slice may share.
	entries := append(slices.Clip(kr.entries), e)
	data, err := kr.encode(entries, e.key)
	if err != nil {
		return Version{}, err
	}
	defer clear(data)
	if err := replaceFile(kr.path, data); err != nil {
		return Version{}, err
	}
	kr.entries, kr.active, kr.fileSum = entries, e.key, sha256.Sum256(data)
	return e.version(e.key), nil
}

// Remove deletes the version with the given id from the keyring and
// rewrites the file atomically, as Rotate does: whatever was keyed with it
// can never be read again. It refuses, changing nothing, the active
// version (ErrActive), an id it does not hold (ErrUnknownKey), and a file
// changed on disk since it was opened. Whether data still needs the
// version is the caller's question: the keyring does not know.
func (kr *Keyring) Remove(id string) (Version, error) {
	kr.mu.Lock()
	defer kr.mu.Unlock()
	i := slices.IndexFunc(kr.entries, func(e entry) bool { return e.key.id == id })
	switch {
	case i < 0 && !validID(id):
		return Version{}, fmt.Errorf("keys: remove: malformed key id (want %d lowercase hex characters): %w %s", 2*idSize, ErrUnknownKey, kr.path)
	case i < 0:
		return Version{}, fmt.Errorf("keys: remove %s: %w %s", id, ErrUnknownKey, kr.path)
	case kr.entries[i].key == kr.active:
		return Version{}, fmt.Errorf("keys: remove %s: %w", id, ErrActive)
	}
	gone := kr.entries[i].version(kr.active)
	if err := kr.checkUnchanged(); err != nil {
		return Version{}, fmt.Errorf("keys: remove %s from %s: %w", id, kr.path, err)
	}
	// A new slice: concurrent readers may hold the old one.
	entries := slices.Delete(slices.Clone(kr.entries), i, i+1)
	data, err := kr.encode(entries, kr.active)
	if err != nil {
		return Version{}, fmt.Errorf("keys: remove %s from %s: %w", id, kr.path, err)
	}
	defer clear(data)
	if err := replaceFile(kr.path, data); err != nil {
		return Version{}, fmt.Errorf("keys: remove %s from %s: %w", id, kr.path, err)
	}
	kr.entries, kr.fileSum = entries, sha256.Sum256(data)
	return gone, nil
}

// checkUnchanged narrows the window in which two processes rotating the
// same file could each drop the other's new version to the time between
// this read and the rename.
func (kr *Keyring) checkUnchanged() error {
	raw, err := readPrivate(kr.path, maxFileSize)
	if err != nil {
		return err
	}
	defer clear(raw)
	if sha256.Sum256(raw) != kr.fileSum {
		return errors.New("keyring file changed on disk since it was opened; open it again and retry")
	}
	return nil
}

// Versions returns every version, sorted by Number.
func (kr *Keyring) Versions() []Version {
	kr.mu.RLock()
	defer kr.mu.RUnlock()
	vs := make([]Version, len(kr.entries))
	for i, e := range kr.entries {
		vs[i] = e.version(kr.active)
	}
	return vs
}

// Active returns the key that new data is keyed with.
func (kr *Keyring) Active() *Key {
	kr.mu.RLock()
	defer kr.mu.RUnlock()
	return kr.active
}

// Key returns the key with the given id, or an error wrapping
// ErrUnknownKey. The id is printed in the error when it is well-formed;
// anything else passed as an id is not echoed.
func (kr *Keyring) Key(id string) (*Key, error) {
	kr.mu.RLock()
	defer kr.mu.RUnlock()
	for _, e := range kr.entries {
		if e.key.id == id {
			return e.key, nil
		}
	}
	if !validID(id) {
		return nil, fmt.Errorf("keys: malformed key id (want %d lowercase hex characters): %w %s", 2*idSize, ErrUnknownKey, kr.path)
	}
	return nil, fmt.Errorf("keys: key %s: %w %s", id, ErrUnknownKey, kr.path)
}

func validID(id string) bool {
	if len(id) != 2*idSize {
		return false
	}
	for _, c := range []byte(id) {
		if (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}

// String returns "keyring PATH (N versions, active ID)"; no secret.
func (kr *Keyring) String() string {
	kr.mu.RLock()
	defer kr.mu.RUnlock()
	versions := " versions"
	if len(kr.entries) == 1 {
		versions = " version"
	}
	return "keyring " + kr.path + " (" + strconv.Itoa(len(kr.entries)) + versions + ", active " + kr.active.id + ")"
}

// GoString returns the same as String, so %#v cannot print a secret.
func (kr *Keyring) GoString() string { return kr.String() }

// Format prints String for every verb and flag.
func (kr *Keyring) Format(f fmt.State, _ rune) { _, _ = f.Write([]byte(kr.String())) }

// LogValue makes slog record the keyring as its String.
func (kr *Keyring) LogValue() slog.Value { return slog.StringValue(kr.String()) }

func newEntry(number int) (entry, error) {
	var secret [secretSize]byte
	defer clear(secret[:])
	if _, err := rand.Read(secret[:]); err != nil {
		return entry{}, fmt.Errorf("read random secret: %w", err)
	}
	created := time.Now().UTC().Truncate(time.Second)
	return entry{number: number, created: created, key: newKey(secret[:])}, nil
}

func sortEntries(es []entry) {
	slices.SortFunc(es, func(a, b entry) int { return cmp.Compare(a.number, b.number) })
}
