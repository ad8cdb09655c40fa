package keys

import "errors"

// The sentinel errors below are always returned wrapped, with the
// operation and the path; test for them with [errors.Is]. Their texts are
// written to read well after "keys: open PATH: ".
var (
	// ErrExists means Create found a file at the path; it is never
	// modified.
	ErrExists = errors.New("keyring file already exists")

	// ErrPermissions means a keyring or passphrase file can be read or
	// written by group or others. The wrapping message gives the mode and
	// the chmod command that fixes it.
	ErrPermissions = errors.New("file is readable or writable by group or others")

	// ErrSealed means the keyring is sealed with a passphrase and
	// Options.Passphrase was empty.
	ErrSealed = errors.New("keyring is sealed with a passphrase and none was given")

	// ErrPassphrase means the passphrase does not unseal the keyring.
	ErrPassphrase = errors.New("wrong passphrase, or the keyring is not sealed with a passphrase")

	// ErrUnknownKey means the keyring has no key with the requested id.
	ErrUnknownKey = errors.New("no such key in keyring")

	// ErrActive means Remove was asked to remove the active version,
	// which new data is keyed with.
	ErrActive = errors.New("key version is the active one")

	// ErrMalformed means the keyring file cannot be parsed or fails
	// validation. Messages that wrap it say what and where, never with
	// which bytes.
	ErrMalformed = errors.New("malformed keyring file")
)
