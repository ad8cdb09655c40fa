package api

import (
	"testing"

	"github.com/kycmatch/kycmatch/engine"
)

// TestDecodeMessages: a refused body's message names the property and the
// rule, never the value.
func TestDecodeMessages(t *testing.T) {
	tests := []struct {
		body, want string
	}{
		{`{"phoneNumber":"+34600000001","name":"Ana","name":"Eve Other"}`, "Duplicate property name."},
		{`{"phoneNumber":"+34600000001","name":"Ana","n\u0061me":"Eve Other"}`, "Duplicate property name."},
		{`{"phoneNumber":"+34600000001","phoneNumber":"+34600000003","name":"Ana"}`, "Duplicate property phoneNumber."},
		{`{"phoneNumber":"+34600000001","x y":"Ana","x y":"Eve"}`, "Unknown property (unnamed)."},
		{`{"phoneNumber":"+34600000001","name":null}`, "Property name must not be null."},
		{`{"phoneNumber":"+34600000001","name":"Ana"`, "The request body is not valid JSON."},
	}
	for _, tt := range tests {
		_, err := VWIP.Decode([]byte(tt.body), &Body{})
		if engine.ErrorCode(err) != engine.EINVALID || engine.ErrorMessage(err) != tt.want {
			t.Errorf("%s: %v, want %q", tt.body, err, tt.want)
		}
	}
}
