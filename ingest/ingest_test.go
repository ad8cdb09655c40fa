package ingest_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kycmatch/kycmatch/engine"
	"github.com/kycmatch/kycmatch/ingest"
	"github.com/kycmatch/kycmatch/internal/kyctest"
	"github.com/kycmatch/kycmatch/keys"
	"github.com/kycmatch/kycmatch/store"
)

// env is a keyring and a real store in temporary directories.
type env struct {
	kr   *keys.Keyring
	st   *store.Store
	data string
}

func newEnv(tb testing.TB) *env {
	tb.Helper()
	e := &env{kr: kyctest.Keyring(tb), data: filepath.Join(tb.TempDir(), "data")}
	e.st = e.openStore(tb, false)
	return e
}

func (e *env) openStore(tb testing.TB, plaintext bool) *store.Store {
	tb.Helper()
	return kyctest.Store(tb, e.data, e.kr, plaintext)
}

func (e *env) options(in io.Reader, f ingest.Format) ingest.Options {
	return ingest.Options{Input: in, Format: f, Keyring: e.kr, Store: e.st, TempDir: e.data}
}

// ingestCSV runs a full ingest of csv text and returns the summary and the
// rejects report.
func (e *env) ingestCSV(tb testing.TB, csv string, mod ...func(*ingest.Options)) (ingest.Summary, string, error) {
	tb.Helper()
	var rejects bytes.Buffer
	o := e.options(strings.NewReader(csv), ingest.CSV)
	o.Rejects = &rejects
	for _, m := range mod {
		m(&o)
	}
	sum, err := ingest.Run(context.Background(), o)
	return sum, rejects.String(), err
}

// matcher opens the current generation.
func (e *env) matcher(tb testing.TB) *engine.Matcher {
	tb.Helper()
	gen, err := e.st.Current(context.Background())
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { gen.Close() })
	m, err := engine.NewMatcher(gen, e.kr)
	if err != nil {
		tb.Fatal(err)
	}
	return m
}

func (e *env) match(tb testing.TB, phone string, kv ...string) (*engine.Result, error) {
	tb.Helper()
	req := &engine.Request{Phone: phone}
	for i := 0; i < len(kv); i += 2 {
		a, ok := engine.ParseAttribute(kv[i])
		if !ok {
			tb.Fatalf("unknown attribute %s", kv[i])
		}
		req.Values[a] = kv[i+1]
		req.Asked = req.Asked.With(a)
	}
	return e.matcher(tb).Match(context.Background(), req, engine.Options{})
}

const header = "phoneNumber,name,givenName,familyName,birthdate,gender,country,eligible\n"

func TestIngestSmall(t *testing.T) {
	e := newEnv(t)
	sum, rejects, err := e.ingestCSV(t, header+
		"+34629255833,Ana Ruiz Gil,Ana,Ruiz Gil,1990-01-31,FEMALE,ES,\n"+
		"+34629255834,,Luis,Moreno,,MALE,es,true\n"+
		"+34629255835,Off Line,,,,,,false\n")
	if err != nil || rejects != "" {
		t.Fatalf("Run: %v; rejects %q", err, rejects)
	}
	if sum.Read != 3 || sum.Loaded != 3 || sum.Rejected != 0 || sum.Generation.Lines != 3 || sum.Generation.ID != "00000001" {
		t.Errorf("summary %+v", sum)
	}
	for _, w := range []string{"rows read 3", "loaded 3", "rejected 0", "rows/s", "generation 00000001"} {
		if !strings.Contains(sum.String(), w) {
			t.Errorf("summary line %q lacks %q", sum.String(), w)
		}
	}
	res, err := e.match(t, "+34629255834", "name", "Moreno Luis", "gender", "MALE", "birthdate", "1990-01-01")
	if err != nil {
		t.Fatal(err)
	}
	if res.Verdict[engine.Name] != engine.True || res.Verdict[engine.Gender] != engine.True || res.Verdict[engine.Birthdate] != engine.NotAvailable {
		t.Errorf("verdicts %v", res.Verdict)
	}
	if _, err := e.match(t, "+34629255835", "name", "Off Line"); engine.ErrorCode(err) != engine.ENOTAPPLICABLE {
		t.Errorf("ineligible line: %v", err)
	}
}

func TestRejects(t *testing.T) {
	e := newEnv(t)
	csv := header +
		"+34600000001,Ana Gil,,,1990-01-31,FEMALE,ES,\n" + // row 1: fine
		",No Phone,,,,,,\n" + // row 2
		"12345,Bad Phone,,,,,,\n" + // row 3
		"+34600000004,Bad Date,,,1990-02-30,,,\n" + // row 4
		"+34600000005,Bad Gender,,,,X,,\n" + // row 5
		"+34600000006,Bad Country,,,,,ZZ,\n" + // row 6
		"+34600000007,Bad Flag,,,,,,maybe\n" + // row 7
		"+34600000008,Too,Few\n" + // row 8
		"+34600000009,\"Broken \"quote\",,,,,,\n" + // row 9
		"+34600000001,Repeat Ana,,,,,,\n" + // row 10: duplicate of row 1
		"+34600000011, -- ,,,,,,\n" + // row 11: name normalises to nothing
		"+34600000012,Fine Too,,,,,,\n" // row 12
	sum, rejects, err := e.ingestCSV(t, csv)
	if err != nil {
		t.Fatal(err)
	}
	want := []struct{ row, field string }{
		{"row 2 ", "phoneNumber"}, {"row 3 ", "phoneNumber"}, {"row 4 ", "birthdate"}, {"row 5 ", "gender"},
		{"row 6 ", "country"}, {"row 7 ", "eligible"}, {"row 8 ", "row"}, {"row 9 ", "row"},
		{"row 10 ", "phoneNumber"}, {"row 11 ", "name"},
	}
	lines := strings.Split(rowLines(rejects), "\n")
	if len(lines) != len(want) || sum.Rejected != int64(len(want)) || sum.Loaded != 2 || sum.Read != 12 {
		t.Fatalf("summary %+v, rejects:\n%s", sum, rejects)
	}
	for _, w := range want {
		if !strings.Contains(rejects, w.row) || !strings.Contains(lineOf(rejects, w.row), w.field) {
			t.Errorf("no reject %s%s in:\n%s", w.row, w.field, rejects)
		}
	}
	for _, total := range []string{"total: phoneNumber: is missing: 1", "total: phoneNumber: repeats the phone number of an earlier row: 1", "total: row: has not as many fields as the header: 1"} {
		if !strings.Contains(rejects, total+"\n") {
			t.Errorf("no %q in:\n%s", total, rejects)
		}
	}
	if !strings.Contains(lineOf(rejects, "row 10 "), "row 1") {
		t.Errorf("duplicate reject does not name the first row: %s", lineOf(rejects, "row 10 "))
	}
	for _, value := range []string{"Bad Phone", "12345", "1990-02-30", "maybe", "Repeat", "Broken", "ZZ"} {
		if strings.Contains(rejects, value) {
			t.Errorf("rejects report contains the value %q", value)
		}
	}
	res, err := e.match(t, "+34600000001", "name", "Ana Gil")
	if err != nil || res.Verdict[engine.Name] != engine.True {
		t.Errorf("first of duplicate rows not kept: %v %v", res, err)
	}
}

func lineOf(report, prefix string) string {
	for _, l := range strings.Split(report, "\n") {
		if strings.HasPrefix(l, prefix) {
			return l
		}
	}
	return ""
}

func TestMaxRejects(t *testing.T) {
	e := newEnv(t)
	if _, _, err := e.ingestCSV(t, header+"+34600000001,Ana,,,,,,\n"); err != nil {
		t.Fatal(err)
	}
	bad := header + "+34600000002,Bea,,,,,,\n+34600000003,,,,1990-02-30,,,\n+34600000004,,,,1990-02-31,,,\n"
	for _, limit := range []string{"1", "50%"} {
		t.Run(limit, func(t *testing.T) {
			l, err := ingest.ParseLimit(limit)
			if err != nil {
				t.Fatal(err)
			}
			_, _, err = e.ingestCSV(t, bad, func(o *ingest.Options) { o.MaxRejects = l })
			if !errors.Is(err, ingest.ErrTooManyRejects) {
				t.Fatalf("err = %v", err)
			}
			if id, _ := e.st.CurrentID(context.Background()); id != "00000001" {
				t.Errorf("current generation %s after a failed run", id)
			}
			if _, err := e.match(t, "+34600000002", "name", "Bea"); engine.ErrorCode(err) != engine.ENOTFOUND {
				t.Errorf("failed run's line is visible: %v", err)
			}
		})
	}
	l, _ := ingest.ParseLimit("67%")
	if _, _, err := e.ingestCSV(t, bad, func(o *ingest.Options) { o.MaxRejects = l }); err != nil {
		t.Errorf("2 of 3 rejected under 67%%: %v", err)
	}
}

func TestParseLimit(t *testing.T) {
	for _, ok := range []string{"", "0", "100", "0.5%", "100%"} {
		if _, err := ingest.ParseLimit(ok); err != nil {
			t.Errorf("ParseLimit(%q): %v", ok, err)
		}
	}
	for _, bad := range []string{"-1", "x", "101%", "5 %%", "1e3"} {
		if _, err := ingest.ParseLimit(bad); err == nil {
			t.Errorf("ParseLimit(%q) accepted", bad)
		}
	}
}

func TestNothingLoaded(t *testing.T) {
	e := newEnv(t)
	_, _, err := e.ingestCSV(t, header+",x,,,,,,\n")
	if !errors.Is(err, ingest.ErrNothingLoaded) {
		t.Fatalf("err = %v", err)
	}
	if _, err := e.st.CurrentID(context.Background()); !errors.Is(err, engine.ErrNoGeneration) {
		t.Errorf("a generation became current: %v", err)
	}
}

func TestHeaderErrors(t *testing.T) {
	e := newEnv(t)
	for _, tt := range []struct {
		name, csv, want string
	}{
		{"UnknownColumn", "phoneNumber,shoeSize\n+34600000001,42\n", `unknown column "shoeSize"`},
		{"UnknownValueLike", "phoneNumber,+34600000009\n+34600000001,42\n", "unknown column 2:"},
		{"NoPhoneColumn", "name\nAna\n", "no phoneNumber column"},
		{"DuplicateColumn", "phoneNumber,name,name\n+34600000001,a,b\n", `column "name" and column "name" both load name`},
		{"Headerless", "+34600000001,Ana Gil,1990-01-31\n", "needs a header row"},
		{"Empty", "", "empty"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := e.ingestCSV(t, tt.csv)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want %q", err, tt.want)
			}
			for _, v := range []string{"+34600000", "Ana", "1990"} {
				if strings.Contains(err.Error(), v) {
					t.Errorf("error quotes the value %q: %v", v, err)
				}
			}
		})
	}
}

func TestMapping(t *testing.T) {
	e := newEnv(t)
	path := filepath.Join(t.TempDir(), "mapping.yaml")
	writeFile(t, path, "rename:\n  MSISDN: phoneNumber\n  NOMBRE: name\n  ACTIVO: eligible\nignore:\n  - CLIENTE_ID\n")
	m, err := ingest.LoadMapping(path)
	if err != nil {
		t.Fatal(err)
	}
	_, rejects, err := e.ingestCSV(t, "\ufeffMSISDN,NOMBRE,CLIENTE_ID,ACTIVO\n+34600000001,Ana Gil,C-1,true\n",
		func(o *ingest.Options) { o.Mapping = m })
	if err != nil || rejects != "" {
		t.Fatalf("%v %s", err, rejects)
	}
	if res, err := e.match(t, "+34600000001", "name", "ana gil"); err != nil || res.Verdict[engine.Name] != engine.True {
		t.Errorf("%v %v", res, err)
	}
	for _, tt := range []struct{ name, yaml, want string }{
		{"UnknownTarget", "rename:\n  X: shoeSize\n", `line 2: column "X" is renamed to "shoeSize", which is not a contract column`},
		{"ValueTarget", "rename:\n  X: +34600000001\n", `line 2: column "X" is renamed to something that is not a contract column`},
		{"ValueColumn", "ignore: [a]\nrename:\n  +34600000001: name\n  +34600000001: givenName\n", "line 4: a column is renamed twice"},
		{"UnknownKey", "renames:\n  X: name\n", `line 1: key "renames" is not one of`},
		{"ValueKey", "+34600000001: x\n", "line 1: a key is not one of rename, ignore or date_format"},
		{"TwiceKey", "ignore: [a]\nignore: [b]\n", `line 2: key "ignore" appears twice`},
		{"NotAList", "ignore: {a: +34600000001}\n", "line 1: ignore must be a list"},
		{"NotAMap", "- +34600000001\n", "line 1: want the keys"},
		{"Syntax", "rename:\n  a: b\n +34600000001, \"Ana\n", "is not valid YAML"},
		{"BothWays", "rename:\n  X: name\nignore: [X]\n", `column "X" is both renamed and ignored`},
		{"DateFormat", "date_format: 31.01.1990\n", "line 1: date_format: want one of"},
	} {
		writeFile(t, path, tt.yaml)
		_, err := ingest.LoadMapping(path)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: err = %v, want %q", tt.name, err, tt.want)
		}
		if err != nil && (strings.Contains(err.Error(), "+34600000001") || strings.Contains(err.Error(), "31.01") || strings.Contains(err.Error(), "Ana")) {
			t.Errorf("%s: error quotes the file: %v", tt.name, err)
		}
	}
}

func TestJSONL(t *testing.T) {
	e := newEnv(t)
	in := `{"phoneNumber":"+34600000001","name":"Ana Gil","postalCode":28013,"eligible":true,"middleNames":null}` + "\n" +
		"\n" +
		`{"phoneNumber":"+34600000002","name":{"x":1}}` + "\n" +
		`not json` + "\n" +
		`{"phoneNumber":"+34600000003","eligible":false}` + "\n"
	var rejects bytes.Buffer
	o := e.options(strings.NewReader(in), ingest.JSONL)
	o.Rejects = &rejects
	sum, err := ingest.Run(context.Background(), o)
	if err != nil {
		t.Fatal(err)
	}
	if sum.Read != 4 || sum.Loaded != 2 || !strings.Contains(rejects.String(), "row 2 (line 3): name") || !strings.Contains(rejects.String(), "row 3 (line 4): row") {
		t.Errorf("summary %+v rejects:\n%s", sum, rejects.String())
	}
	if res, err := e.match(t, "+34600000001", "postalCode", "28013", "middleNames", "x"); err != nil ||
		res.Verdict[engine.PostalCode] != engine.True || res.Verdict[engine.MiddleNames] != engine.NotAvailable {
		t.Errorf("%v %v", res, err)
	}
	if _, err := e.match(t, "+34600000003", "name", "x"); engine.ErrorCode(err) != engine.ENOTAPPLICABLE {
		t.Errorf("eligible false: %v", err)
	}
	o = e.options(strings.NewReader(`{"phoneNumber":"+34600000001","shoeSize":"42"}`+"\n"), ingest.JSONL)
	if _, err := ingest.Run(context.Background(), o); err == nil || !strings.Contains(err.Error(), `row 1 (line 1) has the unknown key "shoeSize"`) {
		t.Errorf("unknown key: %v", err)
	}
	o = e.options(strings.NewReader(`{"phoneNumber":"+34600000001","name":"x"}`+"\n"+`{"+34600000002":"Ana Gil"}`+"\n"), ingest.JSONL)
	if _, err := ingest.Run(context.Background(), o); err == nil || !strings.Contains(err.Error(), "row 2 (line 2) has an object key that is not") ||
		strings.Contains(err.Error(), "+34600000002") {
		t.Errorf("key that is a value: %v", err)
	}
}

func TestNationalPhoneNumbers(t *testing.T) {
	e := newEnv(t)
	_, rejects, err := e.ingestCSV(t, "phoneNumber,name\n612 34 56 78,Ana\n0034 612 34 56 79,Bea\n", func(o *ingest.Options) { o.DefaultRegion = "ES" })
	if err != nil || rejects != "" {
		t.Fatalf("%v %s", err, rejects)
	}
	for _, phone := range []string{"+34612345678", "+34612345679"} {
		if _, err := e.match(t, phone, "name", "x"); err != nil {
			t.Errorf("%s: %v", phone, err)
		}
	}
}

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := osWriteFile(path, content); err != nil {
		t.Fatal(err)
	}
}

func osWriteFile(path, content string) error { return os.WriteFile(path, []byte(content), 0o600) }
