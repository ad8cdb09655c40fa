package api

import (
	"encoding/json"
	"errors"
	"net/http"

	"github.com/kycmatch/kycmatch/engine"
)

// camara is one row of the error table: the HTTP status and CAMARA code of
// an application error code, with the message used when the error carries
// none fit for a partner.
type camara struct {
	status  int
	code    string
	message string
}

// errorTable is the one place application errors become HTTP, and the one
// place their default messages are written: an engine.Error carries a
// message of its own only when it says more than its row's. Every 401 has
// its row's message whatever failed (ErrorInfoOf ignores an error's own):
// telling an attacker which check a forged token passed would help them
// forge the next one.
var errorTable = map[string]camara{
	engine.EINVALID:         {400, "INVALID_ARGUMENT", "Client specified an invalid argument, request body or query param."},
	engine.ECOMBINATION:     {400, "KNOW_YOUR_CUSTOMER.INVALID_PARAM_COMBINATION", "Indicated parameter combination is invalid"},
	engine.EUNAUTHENTICATED: {401, "UNAUTHENTICATED", "Request not authenticated due to missing, invalid, or expired credentials. A new authentication is required."},
	engine.EPERMISSION:      {403, "PERMISSION_DENIED", "Client does not have sufficient permissions to perform this action."},
	engine.ETOKENCONTEXT:    {403, "INVALID_TOKEN_CONTEXT", "phoneNumber is not consistent with access token."},
	engine.EIDREQUIRED:      {403, "KNOW_YOUR_CUSTOMER.ID_DOCUMENT_REQUIRED", "The idDocument is required to perform the properties validation"},
	engine.EIDMISMATCH:      {403, "KNOW_YOUR_CUSTOMER.ID_DOCUMENT_MISMATCH", "The idDocument needs to match the one associated with the provided phoneNumber"},
	engine.ENOTFOUND:        {404, "IDENTIFIER_NOT_FOUND", "The phone number provided is not associated with a customer account"},
	engine.EMISSINGID:       {422, "MISSING_IDENTIFIER", "No phone number has been provided"},
	engine.ENOTAPPLICABLE:   {422, "SERVICE_NOT_APPLICABLE", "The service is not applicable for the provided phone number"},
	engine.EUNAVAILABLE:     {503, "UNAVAILABLE", "Service Unavailable."},
	engine.EINTERNAL:        {500, "INTERNAL", "Internal error."},

	// Transport-level refusals, raised by the router and middleware.
	codeRouteNotFound: {404, "NOT_FOUND", "The specified resource is not found."},
	codeMethod:        {405, "METHOD_NOT_ALLOWED", "The requested method is not allowed/supported on the target resource."},
	codeTooLarge:      {413, "CONTENT_TOO_LARGE", "The request body is larger than 64 KiB."},
	codeMediaType:     {415, "UNSUPPORTED_MEDIA_TYPE", "The server refuses to accept the request because the payload format is in an unsupported format."},
	codeRateLimited:   {429, "TOO_MANY_REQUESTS", "Rate limit reached."},
}

const (
	codeRouteNotFound = "route_not_found"
	codeMethod        = "method_not_allowed"
	codeTooLarge      = "too_large"
	codeMediaType     = "media_type"
	codeRateLimited   = "rate_limited"
)

// ErrorInfo is the CAMARA error body.
type ErrorInfo struct {
	Status  int    `json:"status"`
	Code    string `json:"code"`
	Message string `json:"message"`
}

// ErrorInfoOf maps err through the table. Only *engine.Error messages are
// shown; anything else is an internal error whose text stays in the log,
// and so is an Error whose code the table lacks (a programming mistake).
func ErrorInfoOf(err error) ErrorInfo {
	code := engine.ErrorCode(err)
	row, ok := errorTable[code]
	if !ok {
		return ErrorInfoOf(errInternal)
	}
	info := ErrorInfo{Status: row.status, Code: row.code, Message: row.message}
	var e *engine.Error
	if errors.As(err, &e) && e.Message != "" && code != engine.EUNAUTHENTICATED {
		info.Message = e.Message
	}
	return info
}

var errInternal = &engine.Error{Code: engine.EINTERNAL}

// ErrorBody returns the HTTP status and JSON body for err.
func ErrorBody(err error) (int, []byte) {
	info := ErrorInfoOf(err)
	b, _ := json.Marshal(info)
	return info.Status, b
}

// jsonType is shared by every response: net/http only reads header values.
var jsonType = []string{"application/json"}

func writeJSON(w http.ResponseWriter, status int, body []byte) {
	w.Header()["Content-Type"] = jsonType
	w.WriteHeader(status)
	w.Write(body)
}
