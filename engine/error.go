package engine

import (
	"errors"
	"fmt"
)

// Application error codes. The API maps each to one CAMARA status and code,
// in one table (api/error.go).
const (
	EINVALID         = "invalid"               // a value breaks a rule
	ECOMBINATION     = "invalid_combination"   // properties present do not make a request
	EUNAUTHENTICATED = "unauthenticated"       // no valid credentials
	EPERMISSION      = "permission_denied"     // credentials lack the scope
	ETOKENCONTEXT    = "invalid_token_context" // body phone number is not the token's
	EMISSINGID       = "missing_identifier"    // no phone number in body nor token
	ENOTFOUND        = "not_found"             // no line with that phone number
	ENOTAPPLICABLE   = "not_applicable"        // the line exists but is not eligible
	EIDREQUIRED      = "id_document_required"  // operator requires idDocument first
	EIDMISMATCH      = "id_document_mismatch"  // and it did not match
	EUNAVAILABLE     = "unavailable"           // no generation is open yet, or the store is out of reach
	EINTERNAL        = "internal"
)

// Error is an application error: a code and a message fit for a partner.
// Messages name fields and rules, never values. An empty Message leaves the
// code's default, which the API's error table holds; set one only to say
// more than that default.
type Error struct {
	Code    string
	Message string
}

func (e *Error) Error() string {
	if e.Message == "" {
		return "kycmatch error: code=" + e.Code
	}
	return fmt.Sprintf("kycmatch error: code=%s message=%s", e.Code, e.Message)
}

// Errorf builds an Error.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// ErrorCode returns the code of an application error in err's chain, and
// EINTERNAL for anything else (nil gives "").
func ErrorCode(err error) string {
	var e *Error
	switch {
	case err == nil:
		return ""
	case errors.As(err, &e):
		return e.Code
	}
	return EINTERNAL
}

// ErrorMessage returns the partner-facing message of err, or "" when err
// has none of its own and its code's default applies. Errors that are not
// application errors may carry anything, so they never have one.
func ErrorMessage(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Message
	}
	return ""
}

// ErrNoGeneration is returned by Store.Current when no generation has been
// made current yet.
var ErrNoGeneration = &Error{Code: EUNAVAILABLE, Message: "No subscriber data has been loaded yet."}

// ErrNotFound is returned by Generation.Get for an unknown line.
var ErrNotFound = &Error{Code: ENOTFOUND}

// ErrStoreUnavailable is wrapped by a store that cannot reach where its
// generations live (no database host answers, say): the request may
// succeed later, and must never be answered as if the line were unknown.
var ErrStoreUnavailable = &Error{Code: EUNAVAILABLE, Message: "The subscriber data cannot be reached right now."}
