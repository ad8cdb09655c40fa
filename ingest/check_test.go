package ingest_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kycmatch/kycmatch/ingest"
)

// rejectsFixture breaks every rule a row can break, duplicates included.
const rejectsFixture = header +
	"+34600000001,Ana Gil,,,1990-01-31,FEMALE,ES,\n" +
	",No Phone,,,,,,\n" +
	"12345,Bad Phone,,,,,,\n" +
	"+34600000004,Bad Date,,,1990-02-30,,,\n" +
	"+34600000005,Bad Gender,,,,X,,\n" +
	"+34600000006,Bad Country,,,,,ZZ,\n" +
	"+34600000007,Bad Flag,,,,,,maybe\n" +
	"+34600000008,Too,Few\n" +
	"+34600000009,\"Broken \"quote\",,,,,,\n" +
	"+34600000001,Repeat Ana,,,,,,\n" +
	"+34600000011, -- ,,,,,,\n" +
	"+34600000012,Fine Too,,,,,,\n" +
	"+34600000012,Fine Again,,,,,,\n" +
	"+34600000001,Ana Thrice,,,,,,\n"

// check runs Check with a TempDir that must stay absent, and no keyring
// or store.
func check(t *testing.T, in string, f ingest.Format, mod ...func(*ingest.Options)) (ingest.Summary, string, error) {
	t.Helper()
	var rejects bytes.Buffer
	tmp := filepath.Join(t.TempDir(), "never")
	o := ingest.Options{Input: strings.NewReader(in), Format: f, Rejects: &rejects, TempDir: tmp}
	for _, m := range mod {
		m(&o)
	}
	sum, err := ingest.Check(context.Background(), o)
	if _, serr := os.Stat(tmp); !os.IsNotExist(serr) {
		t.Errorf("Check wrote %s", tmp)
	}
	return sum, rejects.String(), err
}

func TestCheckMatchesRun(t *testing.T) {
	for _, tt := range []struct {
		name  string
		limit string
	}{{"Unlimited", ""}, {"TooMany", "50%"}, {"CountPassed", "3"}} {
		t.Run(tt.name, func(t *testing.T) {
			l, err := ingest.ParseLimit(tt.limit)
			if err != nil {
				t.Fatal(err)
			}
			limit := func(o *ingest.Options) { o.MaxRejects = l }
			e := newEnv(t)
			runSum, runRejects, runErr := e.ingestCSV(t, rejectsFixture, limit)
			sum, rejects, err := check(t, rejectsFixture, ingest.CSV, limit)
			if (err == nil) != (runErr == nil) || (err != nil && err.Error() != runErr.Error()) {
				t.Errorf("Check error %v, Run error %v", err, runErr)
			}
			if rejects != runRejects {
				t.Errorf("rejects differ:\ncheck:\n%s\ningest:\n%s", rejects, runRejects)
			}
			if sum.Read != runSum.Read || sum.Loaded != runSum.Loaded || sum.Rejected != runSum.Rejected {
				t.Errorf("check %+v, ingest %+v", sum, runSum)
			}
			if runErr == nil && (runSum.Loaded != runSum.Generation.Lines || !strings.Contains(sum.String(), "would load 2,")) {
				t.Errorf("summary %q; ingest loaded %d lines", sum.String(), runSum.Generation.Lines)
			}
		})
	}
}

func TestCheckJSONLAndDelta(t *testing.T) {
	in := `{"phoneNumber":"+34600000001","name":"Ana"}` + "\n" +
		`{"phoneNumber":"+34600000001","op":"delete"}` + "\n" +
		`{"phoneNumber":"+34600000002","birthdate":"1990-02-30"}` + "\n"
	sum, rejects, err := check(t, in, ingest.JSONL)
	if err != nil || sum.Loaded != 1 || !strings.Contains(rejects, "row 2 (line 2): op: delete is only allowed with --delta") || !strings.Contains(rejects, "row 3 (line 3): birthdate") {
		t.Errorf("full: %v %+v\n%s", err, sum, rejects)
	}
	sum, rejects, err = check(t, in, ingest.JSONL, func(o *ingest.Options) { o.Delta = true })
	if err != nil || sum.Loaded != 2 || strings.Count(rowLines(rejects), "row ") != 1 {
		t.Errorf("delta: %v %+v\n%s", err, sum, rejects)
	}
	if _, _, err := check(t, header+",x,,,,,,\n", ingest.CSV); err == nil || err != nil && !strings.Contains(err.Error(), "no row") {
		t.Errorf("nothing loaded: %v", err)
	}
}

func TestMaxShrink(t *testing.T) {
	e := newEnv(t)
	rows := func(n int) string {
		var b strings.Builder
		b.WriteString("phoneNumber,name\n")
		for i := 0; i < n; i++ {
			fmt.Fprintf(&b, "+346000%05d,Ana\n", i)
		}
		return b.String()
	}
	shrink := func(s string) func(*ingest.Options) {
		return func(o *ingest.Options) {
			l, err := ingest.ParseShrink(s)
			if err != nil {
				t.Fatal(err)
			}
			o.MaxShrink = l
		}
	}
	if _, _, err := e.ingestCSV(t, rows(20), shrink("10%")); err != nil {
		t.Fatalf("first generation: %v", err)
	}
	for _, tt := range []struct {
		rows  int
		limit string
		ok    bool
	}{{17, "10%", false}, {18, "10%", true}, {9, "50%", false}, {1, "100%", true}, {1, "0%", false}, {1, "", true}} {
		before, _ := e.st.CurrentID(context.Background())
		sum, _, err := e.ingestCSV(t, rows(tt.rows), shrink(tt.limit))
		after, _ := e.st.CurrentID(context.Background())
		if tt.ok != (err == nil) || (err != nil && (!errors.Is(err, ingest.ErrShrink) || before != after)) {
			t.Errorf("%d rows under %q: %v (current %s → %s, %+v)", tt.rows, tt.limit, err, before, after, sum)
		}
		if tt.ok {
			if _, _, err := e.ingestCSV(t, rows(20)); err != nil {
				t.Fatal(err)
			}
		}
	}
	for _, bad := range []string{"10", "x%", "101%", "-1%"} {
		if _, err := ingest.ParseShrink(bad); err == nil {
			t.Errorf("ParseShrink(%q) accepted", bad)
		}
	}
}
