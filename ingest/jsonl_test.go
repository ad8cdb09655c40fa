package ingest_test

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/kycmatch/kycmatch/engine"
	"github.com/kycmatch/kycmatch/ingest"
)

// TestJSONLRows: how the tokenizer reads each kind of line. A row either
// loads, answering the match given, or is rejected with the reason given,
// and the rejects report never shows the line's text.
func TestJSONLRows(t *testing.T) {
	long := `{"phoneNumber":"+34600000001","name":"` + strings.Repeat("a", 2<<20) + `"}`
	// wide is 1 MiB exactly, the most a line may hold, and more than the
	// reader's buffer holds with its line ending.
	wide := `{"phoneNumber":"+34600000001","name":"Ana`
	wide += strings.Repeat(" ", 1<<20-len(wide)-2) + `"}`
	tests := []struct {
		name, line   string
		field, value string // a match that must be true once loaded
		reject       string
	}{
		{"escaped value", `{"phoneNumber":"+34600000001","name":"Ana \u00c1lvarez \"Gil\""}`, "name", `Ana Álvarez "Gil"`, ""},
		{"escaped key", `{"phoneNumber":"+34600000001","n\u0061me":"Ana"}`, "name", "Ana", ""},
		{"number and spaces", ` { "phoneNumber" : "+34600000001" , "postalCode" : 28013 } `, "postalCode", "28013", ""},
		{"CRLF", "{\"phoneNumber\":\"+34600000001\",\"name\":\"Ana\"}\r", "name", "Ana", ""},
		{"wider than the read buffer", wide, "name", "Ana", ""},
		{"array value", `{"phoneNumber":"+34600000001","name":["Ana"]}`, "", "", "name: must be a string"},
		{"key twice", `{"phoneNumber":"+34600000001","name":"Ana","name":"Bea"}`, "", "", "row: has a key twice"},
		{"invalid UTF-8", "{\"phoneNumber\":\"+34600000001\",\"name\":\"An\xff\"}", "", "", "row: is not valid UTF-8"},
		{"two objects", `{"phoneNumber":"+34600000001"}{"name":"Ana"}`, "", "", "row: is not a JSON object"},
		{"unclosed", `{"phoneNumber":"+34600000001","name":"Ana"`, "", "", "row: is not a JSON object"},
		{"an array", `["+34600000001"]`, "", "", "row: is not a JSON object"},
		{"too long", long, "", "", "row: is longer than 1 MiB"},
	}
	maxOne, err := ingest.ParseLimit("1")
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t)
			in := tt.line + "\n" + `{"phoneNumber":"+34600000009","name":"Zoe"}` + "\n"
			var rejects bytes.Buffer
			o := e.options(strings.NewReader(in), ingest.JSONL)
			o.Rejects, o.MaxRejects = &rejects, maxOne
			sum, err := ingest.Run(context.Background(), o)
			if err != nil {
				t.Fatal(err)
			}
			if tt.reject != "" {
				if sum.Loaded != 1 || !strings.Contains(rejects.String(), "row 1 (line 1): "+tt.reject) {
					t.Errorf("loaded %d, rejects:\n%.300s", sum.Loaded, rejects.String())
				}
				if strings.Contains(rejects.String(), "Ana") || strings.Contains(rejects.String(), "+34600000001") {
					t.Errorf("rejects quote the line:\n%.300s", rejects.String())
				}
				return
			}
			if sum.Loaded != 2 {
				t.Fatalf("loaded %d, rejects:\n%s", sum.Loaded, rejects.String())
			}
			a, _ := engine.ParseAttribute(tt.field)
			if res, err := e.match(t, "+34600000001", tt.field, tt.value); err != nil || res.Verdict[a] != engine.True {
				t.Errorf("%s: %v %v", tt.field, res, err)
			}
		})
	}
}
