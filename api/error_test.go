package api_test

import (
	"errors"
	"fmt"
	"testing"

	"github.com/kycmatch/kycmatch/api"
	"github.com/kycmatch/kycmatch/engine"
)

// TestErrorBody pins the wire bytes of each application error: the table
// is the one place their status, code and default message are written.
func TestErrorBody(t *testing.T) {
	tests := []struct {
		name string
		err  error
		want string
	}{
		{"Invalid", &engine.Error{Code: engine.EINVALID}, `{"status":400,"code":"INVALID_ARGUMENT","message":"Client specified an invalid argument, request body or query param."}`},
		{"Invalid/OwnMessage", engine.Errorf(engine.EINVALID, "birthdate %s", "is not a date"), `{"status":400,"code":"INVALID_ARGUMENT","message":"birthdate is not a date"}`},
		{"Combination", &engine.Error{Code: engine.ECOMBINATION}, `{"status":400,"code":"KNOW_YOUR_CUSTOMER.INVALID_PARAM_COMBINATION","message":"Indicated parameter combination is invalid"}`},
		{"Unauthenticated", &engine.Error{Code: engine.EUNAUTHENTICATED}, body401},
		{"Unauthenticated/OwnMessageIgnored", &engine.Error{Code: engine.EUNAUTHENTICATED, Message: "token expired"}, body401},
		{"Permission", &engine.Error{Code: engine.EPERMISSION}, body403},
		{"TokenContext", &engine.Error{Code: engine.ETOKENCONTEXT}, `{"status":403,"code":"INVALID_TOKEN_CONTEXT","message":"phoneNumber is not consistent with access token."}`},
		{"IDRequired", &engine.Error{Code: engine.EIDREQUIRED}, `{"status":403,"code":"KNOW_YOUR_CUSTOMER.ID_DOCUMENT_REQUIRED","message":"The idDocument is required to perform the properties validation"}`},
		{"IDMismatch", &engine.Error{Code: engine.EIDMISMATCH}, `{"status":403,"code":"KNOW_YOUR_CUSTOMER.ID_DOCUMENT_MISMATCH","message":"The idDocument needs to match the one associated with the provided phoneNumber"}`},
		{"NotFound", engine.ErrNotFound, `{"status":404,"code":"IDENTIFIER_NOT_FOUND","message":"The phone number provided is not associated with a customer account"}`},
		{"NotFound/Wrapped", fmt.Errorf("match: %w", engine.ErrNotFound), `{"status":404,"code":"IDENTIFIER_NOT_FOUND","message":"The phone number provided is not associated with a customer account"}`},
		{"MissingIdentifier", &engine.Error{Code: engine.EMISSINGID}, `{"status":422,"code":"MISSING_IDENTIFIER","message":"No phone number has been provided"}`},
		{"NotApplicable", &engine.Error{Code: engine.ENOTAPPLICABLE}, `{"status":422,"code":"SERVICE_NOT_APPLICABLE","message":"The service is not applicable for the provided phone number"}`},
		{"Unavailable", &engine.Error{Code: engine.EUNAVAILABLE}, `{"status":503,"code":"UNAVAILABLE","message":"Service Unavailable."}`},
		{"NoGeneration", engine.ErrNoGeneration, `{"status":503,"code":"UNAVAILABLE","message":"No subscriber data has been loaded yet."}`},
		{"Internal", &engine.Error{Code: engine.EINTERNAL}, `{"status":500,"code":"INTERNAL","message":"Internal error."}`},
		{"Internal/AnyOtherError", errors.New("badger: disk on fire at /data/gen-7"), `{"status":500,"code":"INTERNAL","message":"Internal error."}`},
		{"Internal/UnknownCode", &engine.Error{Code: "no-such-code", Message: "unmapped"}, `{"status":500,"code":"INTERNAL","message":"Internal error."}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, body := api.ErrorBody(tt.err)
			if string(body) != tt.want {
				t.Errorf("body %s\nwant %s", body, tt.want)
			}
			if info := api.ErrorInfoOf(tt.err); info.Status != status {
				t.Errorf("status %d, ErrorInfoOf says %d", status, info.Status)
			}
		})
	}
}
