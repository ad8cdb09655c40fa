package keys

// Rule for this file: the bytes being parsed are secret. Error messages
// may say what is wrong and where (line, entry position, lengths), never
// quote the input, and never pass on an encoding/json or time error text,
// which can quote it.

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"
)

const (
	formatVersion = 1       // value of "kycmatch_keyring"
	maxFileSize   = 1 << 20 // a keyring with thousands of versions still fits; anything larger is not one
)

// fileKeyring is the JSON document, used for parsing only: marshalKeyring
// writes the same shape by hand.
type fileKeyring struct {
	Format int       `json:"kycmatch_keyring"`
	Active string    `json:"active"`
	Keys   []fileKey `json:"keys"`
}

type fileKey struct {
	Version int       `json:"version"`
	ID      string    `json:"id"`
	Created time.Time `json:"created"`
	Secret  []byte    `json:"secret"` // []byte, not string: encoding/json decodes the base64 into it, and it can be zeroed
}

// entry is one key version in memory.
type entry struct {
	number  int
	created time.Time
	key     *Key
}

func (e entry) version(active *Key) Version {
	return Version{Number: e.number, ID: e.key.id, Created: e.created, Active: e.key == active}
}

// marshalKeyring writes the JSON by hand into one buffer sized up front,
// so that the only copy of the encoded secrets is the returned slice, which
// the caller zeroes. json.Marshal would leave copies in its pooled encode
// buffers and in every slice it outgrows. Every value written is hex,
// decimal, RFC 3339 or base64, none of which needs JSON escaping.
func marshalKeyring(entries []entry, active *Key) []byte {
	// Per entry: about 140 bytes of names, a decimal version, a 16-char id,
	// a 20-char time and 44 chars of base64; 256 leaves room to spare.
	buf := make([]byte, 0, 128+256*len(entries))
	buf = append(buf, `{"kycmatch_keyring":`...)
	buf = strconv.AppendInt(buf, formatVersion, 10)
	buf = append(buf, `,"active":"`...)
	buf = append(buf, active.id...)
	buf = append(buf, `","keys":[`...)
	for i, e := range entries {
		if i > 0 {
			buf = append(buf, ',')
		}
		buf = append(buf, "\n"+`{"version":`...)
		buf = strconv.AppendInt(buf, int64(e.number), 10)
		buf = append(buf, `,"id":"`...)
		buf = append(buf, e.key.id...)
		buf = append(buf, `","created":"`...)
		buf = e.created.UTC().AppendFormat(buf, time.RFC3339)
		buf = append(buf, `","secret":"`...)
		buf = base64.StdEncoding.AppendEncode(buf, e.key.secret[:])
		buf = append(buf, `"}`...)
	}
	return append(buf, "\n]}\n"...)
}

// parseKeyring parses and validates plain, returning the entries sorted by
// version number and the active key. It does not retain plain.
func parseKeyring(plain []byte) ([]entry, *Key, error) {
	var f fileKeyring
	// json.Unmarshal rather than a Decoder: a Decoder copies its input into
	// an internal buffer that could not be zeroed.
	err := json.Unmarshal(plain, &f)
	defer func() {
		for i := range f.Keys {
			clear(f.Keys[i].Secret)
		}
	}()
	if err != nil {
		return nil, nil, describeJSONError(plain, err)
	}
	return validate(&f)
}

// describeJSONError turns a decoding error into a message that locates
// the problem without quoting any input.
func describeJSONError(plain []byte, err error) error {
	var (
		syntax   *json.SyntaxError
		typ      *json.UnmarshalTypeError
		base     base64.CorruptInputError
		timeErr  *time.ParseError
		reason   string
		position int64 = -1
	)
	switch {
	case errors.As(err, &syntax):
		reason, position = "invalid JSON", syntax.Offset
	case errors.As(err, &typ) && typ.Field != "":
		// Field is a path of this package's own JSON names, not input.
		reason, position = "field "+typ.Field+" has the wrong type", typ.Offset
	case errors.As(err, &typ):
		reason, position = "not a keyring document (want a JSON object)", typ.Offset
	case errors.As(err, &base):
		reason = "a secret is not valid standard base64"
	case errors.As(err, &timeErr):
		reason = "a created time is not an RFC 3339 timestamp"
	default:
		reason = "cannot decode JSON"
	}
	if position >= 0 {
		return fmt.Errorf("%w: %s at line %d", ErrMalformed, reason, lineOf(plain, position))
	}
	return fmt.Errorf("%w: %s", ErrMalformed, reason)
}

func lineOf(b []byte, offset int64) int {
	offset = min(max(offset, 0), int64(len(b)))
	return bytes.Count(b[:offset], []byte("\n")) + 1
}

func validate(f *fileKeyring) ([]entry, *Key, error) {
	if f.Format != formatVersion {
		return nil, nil, malformed("unsupported format (kycmatch_keyring must be %d)", formatVersion)
	}
	if len(f.Keys) == 0 {
		return nil, nil, malformed("no keys")
	}
	entries := make([]entry, 0, len(f.Keys))
	for i := range f.Keys {
		e, err := validateKey(&f.Keys[i], i+1)
		if err != nil {
			return nil, nil, err
		}
		if err := checkUnique(entries, e, i+1); err != nil {
			return nil, nil, err
		}
		entries = append(entries, e)
	}
	sortEntries(entries)
	for _, e := range entries {
		if e.key.id == f.Active {
			return entries, e.key, nil
		}
	}
	return nil, nil, malformed("the active key id is not one of the keys")
}

// validateKey checks entry number pos (1-based; positions are printed
// rather than versions or ids because they do not come from the input).
func validateKey(fk *fileKey, pos int) (entry, error) {
	switch {
	case fk.Version < 1:
		return entry{}, malformed("key entry %d: version must be a positive integer", pos)
	case len(fk.Secret) != secretSize:
		return entry{}, malformed("key entry %d: secret is %d bytes, want %d", pos, len(fk.Secret), secretSize)
	case fk.Created.IsZero():
		return entry{}, malformed("key entry %d: created time missing", pos)
	}
	k := newKey(fk.Secret)
	if k.id != fk.ID {
		return entry{}, malformed("key entry %d: id does not match its secret", pos)
	}
	return entry{number: fk.Version, created: fk.Created.UTC().Truncate(time.Second), key: k}, nil
}

func checkUnique(seen []entry, e entry, pos int) error {
	for i, s := range seen {
		switch {
		case s.number == e.number:
			return malformed("key entry %d: same version number as entry %d", pos, i+1)
		case s.key.id == e.key.id:
			return malformed("key entry %d: same secret as entry %d", pos, i+1)
		}
	}
	return nil
}

func malformed(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{ErrMalformed}, args...)...)
}
