// Package keys owns kycmatch's key material: it creates, opens and rotates
// the keyring file, and hands out key operations (HMACs, block ciphers) to
// the rest of the program.
//
// Like upspin's factotum, the package never gives a caller the secret
// itself: a [*Key] derives labelled subkeys and returns them already
// wrapped in an HMAC ([Key.NewMAC], and [Key.NewAuthMAC], which
// authenticates generations' metadata), a block cipher ([Key.NewBlock]) or an
// AEAD ([Key.NewAEAD], which seals generations' records). The single
// exception is [Key.StorageKey], because Badger's encryption at rest, which
// generations written before sealing use, takes raw key bytes; it returns a
// derived subkey, never the root secret. Nothing outside this package holds
// a root secret.
//
// # Key management
//
// File format. A keyring is one file holding JSON:
//
//	{"kycmatch_keyring":1,"active":"<id>","keys":[
//	{"version":1,"id":"<id>","created":"2026-11-25T10:00:00Z","secret":"<base64>"}
//	]}
//
// Each version has a 256-bit secret from crypto/rand (standard base64 in
// the file), a creation time in UTC with second precision, and an id. The
// id is 16 lowercase hex characters, the first 8 bytes of
// HKDF-SHA-256(secret, salt=nil, info="kycmatch/v1/key-id"): it is derived
// one way from the secret, so it is safe to print, to log and to record in
// a generation's metadata, and it cannot be edited to point at another
// secret (Open checks it). Exactly one version is active; files larger
// than 1 MiB are refused.
//
// Permissions. [Create] makes the file with O_CREATE|O_EXCL and mode 0600,
// so it never overwrites an existing keyring ([ErrExists]) and never
// exists, even briefly, with wider permissions; it syncs the file and its
// directory before returning. [Open] refuses a file that group or others
// can read or write ([ErrPermissions]) before reading any of it, and
// names the fix: chmod 600 PATH. Kubernetes secret volumes default to mode
// 0644: mount them with defaultMode 0400 or 0600. [ReadPassphraseFile]
// applies the same rule to passphrase files.
//
// Sealing. When [Options.Passphrase] is set, Create and Rotate write the
// JSON encrypted with age's scrypt recipient in age's ASCII armor
// ("-----BEGIN AGE ENCRYPTED FILE-----"). Open recognises sealed files
// (armored or binary age) and needs the passphrase for them: without one
// it returns [ErrSealed], with a wrong one [ErrPassphrase]. A plain file
// opened with a passphrase is simply opened, and stays plain when it is
// rotated; to seal an existing plain keyring, encrypt it with
// "age -p -a -o NEW PLAIN" and remove the plain copy. Passphrases come
// from a file ([ReadPassphraseFile]) or the environment, never from a
// command-line literal that ps would show. The scrypt work factor is
// 2^18 by default ([Options.ScryptWorkFactor]); Open accepts files sealed
// with at most 2^22, which bounds the work an untrusted file can demand.
//
// Rotation. [Keyring.Rotate] adds a version with a fresh secret, makes it
// active and rewrites the file atomically: a new 0600 file created with
// O_EXCL in the same directory, synced, renamed over the old one, and the
// directory synced. A crash leaves either the old or the new keyring,
// never a mix. Older versions stay in the file so that data written with
// them remains readable. [Keyring.Remove] deletes one, rewriting the file
// the same way, which shreds whatever was built with it: it refuses the
// active version, and "kycmatch keys remove" also refuses a version a
// kept generation uses. Rotate refuses to run if the file changed on disk since it was
// opened, so it does not silently undo another process's rotation; the
// check and the rename are not one atomic step, so do not start two
// rotations of one file at the same moment.
//
// Derivation labels. Every key a caller uses is derived from the version's
// secret with HKDF-SHA-256 (salt nil) under a labelled info string, so
// keys for different purposes are independent and one leaking reveals
// nothing about the others or the secret:
//
//	kycmatch/v1/key-id            key id (first 8 bytes, hex)
//	kycmatch/v1/mac/<label>       HMAC-SHA-256 key for NewMAC(label)
//	kycmatch/v1/auth/<label>      HMAC-SHA-256 key for NewAuthMAC(label)
//	kycmatch/v1/block/<label>     AES-256 key for NewBlock(label)
//	kycmatch/v1/aead/<label>      AES-256-GCM key for NewAEAD(label, salt), HKDF salt given
//	kycmatch/v1/storage/<label>   raw bytes returned by StorageKey(label)
//	kycmatch/v1/line-pseudonym    HMAC-SHA-256 key of audit pseudonyms (NewLineMAC, LineIDs)
//
// Callers choose one label per attribute and purpose; labels must not be
// empty.
//
// What is never printed. No error, String, GoString, Format or LogValue
// output of this package contains a secret, a derived key, a passphrase or
// any byte of a keyring or passphrase file: parse errors say what is wrong
// and where (line, entry position), never with what. Key ids, version
// numbers, creation times, paths and file modes are not secret and do
// appear. Buffers holding plaintext JSON are zeroed after use; copies made
// inside age's stream encryption, by string conversion of the passphrase
// (age takes a string) and by the garbage collector cannot be reached and
// are not.
package keys
