package api_test

import (
	"context"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
)

func TestProto(t *testing.T) {
	for _, p := range []string{"testdata/spec/v0.4/kyc-match.yaml", "testdata/spec/wip/API_definitions/kyc-match.yaml", "testdata/spec/wip/common/CAMARA_common.yaml"} {
		l := openapi3.NewLoader()
		l.IsExternalRefsAllowed = true
		doc, err := l.LoadFromFile(p)
		if err != nil {
			t.Fatal(p, err)
		}
		if err := doc.Validate(context.Background()); err != nil {
			t.Error(p, err)
		}
		t.Log(p, doc.OpenAPI, len(doc.Paths.Map()))
		if op := doc.Paths.Find("/match"); op != nil {
			s := op.Post.RequestBody.Value.Content.Get("application/json").Schema.Value
			for n, ps := range s.Properties {
				t.Log(n, ps.Value.Type, ps.Value.MaxLength, ps.Value.Pattern, len(ps.Value.AllOf), ps.Value.Format)
			}
		}
	}
}
