package ingest_test

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kycmatch/kycmatch/engine"
	"github.com/kycmatch/kycmatch/hashing"
	"github.com/kycmatch/kycmatch/ingest"
	"github.com/kycmatch/kycmatch/internal/kyctest"
	"github.com/kycmatch/kycmatch/normalize"
	"github.com/kycmatch/kycmatch/synth"
)

const genRows = 10000

// genExport ingests a synthetic export and returns its plaintext rows.
func genExport(t *testing.T, e *env, rows int, seed int64) []synth.Subscriber {
	t.Helper()
	var csv bytes.Buffer
	if err := synth.Write(&csv, synth.Options{Count: rows, Seed: seed}); err != nil {
		t.Fatal(err)
	}
	var rejects bytes.Buffer
	o := e.options(&csv, ingest.CSV)
	o.Rejects = &rejects
	sum, err := ingest.Run(context.Background(), o)
	if err != nil || sum.Rejected != 0 {
		t.Fatalf("ingest: %v, %d rejected:\n%s", err, sum.Rejected, rejects.String())
	}
	subs := make([]synth.Subscriber, rows)
	for i := range subs {
		subs[i] = synth.Generate(seed, i, false)
	}
	return subs
}

// TestGenExportAnswers ingests a generated export of 10 000 lines and asks
// every line twice, once with its own values and once with altered ones,
// checking every verdict and score against a plaintext oracle built only
// from the contract: §5 normalisation, compositions and Jaro–Winkler.
func TestGenExportAnswers(t *testing.T) {
	if testing.Short() {
		t.Skip("ingests 10 000 lines")
	}
	e := newEnv(t)
	subs := genExport(t, e, genRows, 42)
	m := e.matcher(t)
	var asked, scored [engine.NumAttributes]int
	for i := range subs {
		s := &subs[i]
		phone, err := normalize.ParsePhone(s.Values[engine.PhoneNumber], "")
		if err != nil {
			t.Fatalf("row %d: %v", i, err)
		}
		for _, alter := range []bool{false, true} {
			req := requestFor(s, phone, alter)
			res, err := m.Match(context.Background(), req, engine.Options{})
			if !s.Eligible {
				if engine.ErrorCode(err) != engine.ENOTAPPLICABLE {
					t.Fatalf("row %d: ineligible line answered %v", i, err)
				}
				break
			}
			if err != nil {
				t.Fatalf("row %d: %v", i, err)
			}
			for _, a := range engine.Attributes()[1:] {
				if !req.Asked.Has(a) {
					continue
				}
				asked[a]++
				v, score := kyctest.Oracle(t, &s.Values, a, req.Values[a])
				if res.Verdict[a] != v || int(res.Score[a]) != score {
					t.Fatalf("row %d %s (altered=%v): got %s/%d, oracle %s/%d", i, a, alter, res.Verdict[a], res.Score[a], v, score)
				}
				if score != engine.NoScore {
					scored[a]++
				}
			}
		}
	}
	for _, a := range engine.Attributes()[1:] {
		if asked[a] == 0 || (a.Scored() && scored[a] == 0) {
			t.Errorf("%s: asked %d times, scored %d times: the export does not exercise it", a, asked[a], scored[a])
		}
	}
}

// requestFor asks every attribute: the line's own value, altered when
// alter is set, or a made-up one where the line holds none (and, for name
// and address, the composition of the parts it holds).
func requestFor(s *synth.Subscriber, phone string, alter bool) *engine.Request {
	req := &engine.Request{Phone: phone}
	for _, a := range engine.Attributes()[1:] {
		v := s.Values[a]
		switch {
		case v == "" && a == engine.Name && s.Values[engine.GivenName] != "" && s.Values[engine.FamilyName] != "":
			v = kyctest.Join(s.Values[engine.GivenName], s.Values[engine.MiddleNames], s.Values[engine.FamilyName])
		case v == "" && a == engine.Address && s.Values[engine.StreetName] != "" && s.Values[engine.StreetNumber] != "":
			v = kyctest.Join(s.Values[engine.StreetNumber], s.Values[engine.StreetName], s.Values[engine.HouseNumberExtension])
		case v == "":
			v = sample[a.Kind()]
		}
		if alter {
			v = altered(a.Kind(), v)
		}
		req.Values[a] = v
		req.Asked = req.Asked.With(a)
	}
	return req
}

var sample = map[normalize.Kind]string{
	normalize.KindText: "Zoë Quist", normalize.KindKana: "ゾエ", normalize.KindEmail: "zoe@example.org",
	normalize.KindCompact: "Z-1", normalize.KindBankAccount: "IBAN:ZZ00", normalize.KindDate: "2000-01-01",
	normalize.KindCountry: "NO", normalize.KindGender: "OTHER", normalize.KindIDDocumentType: "other",
}

func altered(k normalize.Kind, v string) string {
	switch k {
	case normalize.KindText:
		return v + "x"
	case normalize.KindKana:
		return v + "ア"
	case normalize.KindEmail:
		return "x" + v
	case normalize.KindCompact, normalize.KindBankAccount:
		return v + "9"
	case normalize.KindDate:
		if v == "1999-12-31" {
			return "1999-12-30"
		}
		return "1999-12-31"
	case normalize.KindCountry:
		return pick(v, "ES", "FR")
	case normalize.KindGender:
		return pick(v, "MALE", "FEMALE")
	case normalize.KindIDDocumentType:
		return pick(v, "passport", "other")
	}
	return v
}

func pick(v, a, b string) string {
	if strings.EqualFold(v, a) {
		return b
	}
	return a
}

// TestNoValueInDataDirectory scans every file of the data directory, with
// records not sealed at rest, so that only the keyed digests and tokens
// stand between a value and the disk, for every value of the export of at
// least four bytes, as written and as normalised.
func TestNoValueInDataDirectory(t *testing.T) {
	if testing.Short() {
		t.Skip("ingests 10 000 lines")
	}
	e := newEnv(t)
	e.st = e.openStore(t, true)
	subs := genExport(t, e, genRows, 7)
	needles := make(map[string]bool)
	for i := range subs {
		for a, v := range subs[i].Values {
			for _, n := range valueForms(engine.Attribute(a), v) {
				if len(n) >= 4 {
					needles[n] = true
				}
			}
		}
	}
	scanForNeedles(t, e.data, needles)
}

func valueForms(a engine.Attribute, v string) []string {
	if v == "" {
		return nil
	}
	forms := []string{v}
	if n, err := normalize.DefaultProfile.Normalize(a.Field(), v); err == nil {
		forms = append(forms, n)
	}
	if a == engine.PhoneNumber {
		if n, err := normalize.ParsePhone(v, ""); err == nil {
			forms = append(forms, n, n[1:])
		}
	}
	return forms
}

// scanForNeedles looks for the needles in every file under dir. A needle
// of four or five bytes turns up in random bytes by chance (a four-byte one
// about once per 4 GiB), and digests and tokens are random bytes, so short
// needles are allowed the hits chance explains — a leaking field would show
// thousands — and longer ones none at all.
func scanForNeedles(t *testing.T, dir string, needles map[string]bool) {
	t.Helper()
	byPrefix := make(map[uint32][]string)
	count := make(map[int]int)
	for n := range needles {
		p := binary.LittleEndian.Uint32([]byte(n[:4]))
		byPrefix[p] = append(byPrefix[p], n)
		count[len(n)]++
	}
	hits := make(map[int]int)
	var size int64
	err := filepath.Walk(dir, func(path string, info os.FileInfo, err error) error {
		if err != nil || info.IsDir() {
			return err
		}
		if info.Name() == "GENERATION.json" {
			checkGenerationMeta(t, path)
			return nil
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		size += int64(len(b))
		for i := 0; i+4 <= len(b); i++ {
			for _, n := range byPrefix[binary.LittleEndian.Uint32(b[i:])] {
				if bytes.HasPrefix(b[i:], []byte(n)) {
					hits[len(n)]++
					if len(n) >= 6 {
						t.Errorf("%s holds an export value of %d bytes at offset %d", filepath.Base(path), len(n), i)
					}
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for l := 4; l <= 5; l++ {
		chance := float64(count[l]) * float64(size) / math.Pow(256, float64(l))
		if allowed := chance + 6*math.Sqrt(chance) + 3; float64(hits[l]) > allowed {
			t.Errorf("%d hits of %d-byte values in %d bytes; chance explains %.1f", hits[l], l, size, chance)
		}
	}
	t.Logf("scanned %d bytes for %d values: short hits %v", size, len(needles), hits)
}

// checkGenerationMeta: the one plaintext file holds only these fields. The
// profile's definition is the operator's rules, never a subscriber's value.
func checkGenerationMeta(t *testing.T, path string) {
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	for k := range m {
		switch k {
		case "id", "key_id", "profile", "profile_definition", "created", "lines", "record_format", "lookup_salt", "sealing", "seal_salt", "seal_check",
			"rows_read", "rows_rejected", "ingest_seconds", "shards":
		default:
			t.Errorf("GENERATION.json has an unexpected field %q", k)
		}
	}
}

// TestSealedAtRest: by default the files hold no record in the clear and
// no unsalted lookup key, and two full ingests of one export share no
// lookup key, so nothing links a line across generations.
func TestSealedAtRest(t *testing.T) {
	e := newEnv(t)
	subs := genExport(t, e, 200, 9)
	gen1 := e.matcher(t).Generation()
	scheme := hashing.NewScheme(e.kr.Active(), normalize.DefaultProfile, engine.FieldNames())
	salted, unsalted := scheme.WithLookupSalt(gen1.Info().LookupSalt).NewHasher(), scheme.NewHasher()
	needles, keys1 := make(map[string]bool), make(map[string]bool)
	for i := range subs {
		phone, _ := normalize.ParsePhone(subs[i].Values[engine.PhoneNumber], "")
		k, u := salted.LookupKey(phone), unsalted.LookupKey(phone)
		rec, err := gen1.Get(context.Background(), k.Bytes(), nil)
		if err != nil {
			t.Fatal(err)
		}
		for off := 2; off+16 <= len(rec); off += 16 {
			needles[string(rec[off:off+16])] = true
		}
		needles[string(u.Bytes())] = true
		keys1[string(k.Bytes())] = true
	}
	scanForNeedles(t, e.data, needles)

	genExport(t, e, 200, 9)
	gen2 := e.matcher(t).Generation().Info()
	if bytes.Equal(gen2.LookupSalt, gen1.Info().LookupSalt) {
		t.Fatal("two full ingests drew the same lookup salt")
	}
	scanForNeedles(t, filepath.Join(e.data, "gen-"+gen2.ID), keys1)
}

func TestDelta(t *testing.T) {
	e := newEnv(t)
	if _, _, err := e.ingestCSV(t, header+
		"+34600000001,Ana Gil,,,,,,\n"+
		"+34600000002,Bea Ruiz,,,,,,\n"+
		"+34600000003,Carla Sanz,,,,,,\n"); err != nil {
		t.Fatal(err)
	}
	if _, err := e.kr.Rotate(); err != nil { // a delta keeps the generation's key
		t.Fatal(err)
	}
	delta := "phoneNumber,name,op\n" +
		"+34600000001,Ana Gil Mora,upsert\n" + // changed
		"+34600000002,,delete\n" + // removed
		"+34600000004,Dora Vela,\n" + // added
		"+34600000005,Eva Tur,upsert\n" + // added, then removed
		"+34600000005,,delete\n" +
		"+34600000009,,delete\n" // not there: nothing to do
	sum, rejects, err := e.ingestCSV(t, delta, func(o *ingest.Options) { o.Delta = true })
	if err != nil || rejects != "" {
		t.Fatalf("%v %s", err, rejects)
	}
	if sum.Generation.ID != "00000002" || sum.Generation.Lines != 3 || sum.Upserts != 3 || sum.Deletes != 3 || sum.DeletesAbsent != 2 {
		t.Errorf("summary %+v", sum)
	}
	if !strings.Contains(sum.String(), "loaded 6 (upserts 3, deletes 3, 2 of them of absent lines), rejected 0") {
		t.Errorf("summary line %q", sum.String())
	}
	tests := []struct {
		phone, name string
		want        string // verdict or error code
	}{
		{"+34600000001", "Ana Gil Mora", "true"},
		{"+34600000001", "Ana Gil", "false"},
		{"+34600000002", "Bea Ruiz", engine.ENOTFOUND},
		{"+34600000003", "Carla Sanz", "true"},
		{"+34600000004", "Dora Vela", "true"},
		{"+34600000005", "Eva Tur", engine.ENOTFOUND},
	}
	for _, tt := range tests {
		res, err := e.match(t, tt.phone, "name", tt.name)
		got := engine.ErrorCode(err)
		if err == nil {
			got = res.Verdict[engine.Name].String()
		}
		if got != tt.want {
			t.Errorf("%s %q: %s, want %s", tt.phone, tt.name, got, tt.want)
		}
	}
	if info := e.matcher(t).Generation().Info(); info.KeyID != e.kr.Versions()[0].ID {
		t.Errorf("delta generation key %s, want the first version's", info.KeyID)
	}
}

func TestDeltaNeedsCurrent(t *testing.T) {
	e := newEnv(t)
	_, _, err := e.ingestCSV(t, header, func(o *ingest.Options) { o.Delta = true })
	if err == nil {
		t.Fatal("delta without a generation accepted")
	}
}

// TestDeltaNeedsSameFormat: a delta copies the current generation's
// records as they are, so it refuses a generation of another record format
// (one an older build wrote) instead of mixing formats.
func TestDeltaNeedsSameFormat(t *testing.T) {
	e := newEnv(t)
	w, err := e.st.Create(context.Background(), engine.GenerationInfo{KeyID: e.kr.Active().ID(), Profile: "default", Format: engine.RecordFormat - 1})
	if err != nil {
		t.Fatal(err)
	}
	key := bytes.Repeat([]byte{1}, 16)
	if err := w.Put(engine.StreamOf(key, w.Streams()), key, []byte{engine.RecordFormat - 1}); err != nil {
		t.Fatal(err)
	}
	if _, err := w.Commit(context.Background(), engine.CommitStats{Lines: 1}); err != nil {
		t.Fatal(err)
	}
	_, _, err = e.ingestCSV(t, header+"+34600000001,Ana\n", func(o *ingest.Options) { o.Delta = true })
	if err == nil || !strings.Contains(err.Error(), "record format") {
		t.Fatalf("delta over a format %d generation: %v", engine.RecordFormat-1, err)
	}
}

func TestDeleteNeedsDelta(t *testing.T) {
	e := newEnv(t)
	_, rejects, err := e.ingestCSV(t, "phoneNumber,name,op\n+34600000001,Ana,delete\n+34600000002,Bea,\n")
	if err != nil || !strings.Contains(rejects, "row 1 (line 2): op:") {
		t.Errorf("%v %q", err, rejects)
	}
}

func TestIdenticalAttributesShareNothing(t *testing.T) {
	e := newEnv(t)
	attrs := ",Ana Gil,Ana,Gil,1990-01-31,FEMALE,ES,\n"
	if _, _, err := e.ingestCSV(t, header+"+34600000001"+attrs+"+34600000002"+attrs); err != nil {
		t.Fatal(err)
	}
	gen := e.matcher(t).Generation()
	h := hashing.NewScheme(e.kr.Active(), normalize.DefaultProfile, engine.FieldNames()).WithLookupSalt(gen.Info().LookupSalt).NewHasher()
	var recs [2][]byte
	for i, phone := range []string{"+34600000001", "+34600000002"} {
		k := h.LookupKey(phone)
		rec, err := gen.Get(context.Background(), k.Bytes(), nil)
		if err != nil {
			t.Fatal(err)
		}
		recs[i] = rec
	}
	// Past the fixed header (format, flags), no 8-byte window of one record
	// appears in the other: salts, digests, tokens and masked lengths all
	// differ.
	const header = 2
	for i := header; i+8 <= len(recs[0]); i++ {
		if bytes.Contains(recs[1], recs[0][i:i+8]) {
			t.Errorf("records share the 8 bytes at offset %d: %x", i, recs[0][i:i+8])
		}
	}
	if len(recs[0]) < 100 {
		t.Errorf("record too short: %d bytes", len(recs[0]))
	}
}

// TestSpilledRuns forces the sort to spill many encrypted runs and checks
// that every line still answers as the oracle says, with duplicates found
// across runs, and that no run file is left behind.
func TestSpilledRuns(t *testing.T) {
	e := newEnv(t)
	const rows = 1500
	var csv bytes.Buffer
	if err := synth.Write(&csv, synth.Options{Count: rows, Seed: 5}); err != nil {
		t.Fatal(err)
	}
	// The first line again at the end: its duplicate lands in another run.
	first := strings.SplitN(csv.String(), "\n", 3)[1]
	csv.WriteString(first + "\n")
	var rejects bytes.Buffer
	o := e.options(&csv, ingest.CSV)
	o.SortMem, o.Rejects = 64<<10, &rejects
	sum, err := ingest.Run(context.Background(), o)
	if err != nil {
		t.Fatal(err)
	}
	if sum.Loaded != rows || sum.Rejected != 1 || !strings.Contains(rejects.String(), fmt.Sprintf("row %d ", rows+1)) {
		t.Fatalf("summary %+v rejects %s", sum, rejects.String())
	}
	m := e.matcher(t)
	for i := 0; i < rows; i += 7 {
		s := synth.Generate(5, i, false)
		phone, _ := normalize.ParsePhone(s.Values[engine.PhoneNumber], "")
		req := requestFor(&s, phone, i%2 == 0)
		res, err := m.Match(context.Background(), req, engine.Options{})
		if !s.Eligible {
			continue
		}
		if err != nil {
			t.Fatalf("row %d: %v", i, err)
		}
		for _, a := range engine.Attributes()[1:] {
			if v, score := kyctest.Oracle(t, &s.Values, a, req.Values[a]); res.Verdict[a] != v || int(res.Score[a]) != score {
				t.Fatalf("row %d %s: %s/%d, oracle %s/%d", i, a, res.Verdict[a], res.Score[a], v, score)
			}
		}
	}
	if left, _ := filepath.Glob(filepath.Join(e.data, "tmp-*")); len(left) > 0 {
		t.Errorf("left behind: %v", left)
	}
}
