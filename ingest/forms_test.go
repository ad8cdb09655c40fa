package ingest_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/kycmatch/kycmatch/engine"
	"github.com/kycmatch/kycmatch/ingest"
	"github.com/kycmatch/kycmatch/normalize"
)

// TestExportForms runs each way an export may be written through both
// Run and Check: the same rows load, the same rows are rejected for the
// same reasons, and what loads answers like the contract's own form.
func TestExportForms(t *testing.T) {
	df := func(s string) func(*ingest.Options) {
		return func(o *ingest.Options) {
			f, err := ingest.ParseDateFormat(s)
			if err != nil {
				t.Fatal(err)
			}
			o.DateFormat = &f
		}
	}
	delim := func(s string) func(*ingest.Options) {
		return func(o *ingest.Options) {
			r, err := ingest.ParseDelimiter(s)
			if err != nil {
				t.Fatal(err)
			}
			o.Delimiter = r
		}
	}
	msisdn := func(o *ingest.Options) { o.MSISDN = true }
	tests := []struct {
		name    string
		csv     string // header phoneNumber,birthdate,eligible with the case's delimiter
		mod     func(*ingest.Options)
		rejects []string // "row N: field: reason"
	}{
		{"Comma", "phoneNumber,birthdate,eligible\n+34600000001,1990-01-31,\n", nil, nil},
		{"Semicolon", "phoneNumber;birthdate;eligible\n+34600000001;1990-01-31;\n+34600000002;1990-02-30;\n", delim(";"), []string{"row 2 (line 3): birthdate: is not a calendar date YYYY-MM-DD"}},
		{"Pipe", "phoneNumber|birthdate|eligible\n+34600000001|1990-01-31|\n", delim("|"), nil},
		{"TabEscape", "phoneNumber\tbirthdate\teligible\n+34600000001\t1990-01-31\t\n", delim(`\t`), nil},
		{"TabWord", "phoneNumber\tbirthdate\teligible\n+34600000001\t1990-01-31\t\n", delim("tab"), nil},
		{"DotDMY", "phoneNumber,birthdate,eligible\n+34600000001,31.01.1990,\n+34600000002,30.02.1990,\n+34600000003,1990-01-31,\n", df("DD.MM.YYYY"),
			[]string{"row 2 (line 3): birthdate: is not a calendar date DD.MM.YYYY", "row 3 (line 4): birthdate: is not a calendar date DD.MM.YYYY"}},
		{"SlashDMY", "phoneNumber,birthdate,eligible\n+34600000001,31/01/1990,\n+34600000002,01/31/1990,\n", df("DD/MM/YYYY"),
			[]string{"row 2 (line 3): birthdate: is not a calendar date DD/MM/YYYY"}},
		{"SlashMDY", "phoneNumber,birthdate,eligible\n+34600000001,01/31/1990,\n+34600000002,31/01/1990,\n", df("MM/DD/YYYY"),
			[]string{"row 2 (line 3): birthdate: is not a calendar date MM/DD/YYYY"}},
		{"Compact", "phoneNumber,birthdate,eligible\n+34600000001,19900131,\n+34600000002,1990013,\n+34600000003,1990013x,\n", df("YYYYMMDD"),
			[]string{"row 2 (line 3): birthdate: is not a calendar date YYYYMMDD", "row 3 (line 4): birthdate: is not a calendar date YYYYMMDD"}},
		{"EligibleForms", "phoneNumber,birthdate,eligible\n+34600000001,1990-01-31,YES\n+34600000002,,n\n+34600000003,,0\n+34600000004,,False\n+34600000005,,Y\n+34600000006,,1\n+34600000007,,si\n", nil,
			[]string{"row 7 (line 8): eligible: must be true or false (also yes/no, y/n, 1/0)"}},
		{"MSISDN", "phoneNumber,birthdate,eligible\n34600000001,1990-01-31,\n0034600000002,,\n+34600000003,,\n0600000004,,\n", msisdn,
			[]string{"row 4 (line 5): phoneNumber: " + normalize.ErrPhone.Error()}},
		{"NoMSISDN", "phoneNumber,birthdate,eligible\n34600000001,1990-01-31,\n", nil,
			[]string{"row 1 (line 2): phoneNumber: " + normalize.ErrPhone.Error()}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var mods []func(*ingest.Options)
			if tt.mod != nil {
				mods = append(mods, tt.mod)
			}
			e := newEnv(t)
			sum, rejects, err := e.ingestCSV(t, tt.csv, mods...)
			csum, crejects, cerr := check(t, tt.csv, ingest.CSV, mods...)
			if want := strings.Join(tt.rejects, "\n"); rowLines(rejects) != want {
				t.Errorf("rejects:\n%s\nwant:\n%s", rejects, want)
			}
			if crejects != rejects || csum.Loaded != sum.Loaded || csum.Rejected != sum.Rejected || (cerr == nil) != (err == nil) {
				t.Errorf("check %+v %v:\n%s\ningest %+v %v:\n%s", csum, cerr, crejects, sum, err, rejects)
			}
			if tt.name == "NoMSISDN" {
				if !errors.Is(err, ingest.ErrNothingLoaded) {
					t.Errorf("err = %v", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if tt.name == "EligibleForms" {
				for i, want := range []string{"", engine.ENOTAPPLICABLE, engine.ENOTAPPLICABLE, engine.ENOTAPPLICABLE, "", ""} {
					if _, err := e.match(t, fmt.Sprintf("+3460000000%d", i+1), "birthdate", "1990-01-31"); engine.ErrorCode(err) != want {
						t.Errorf("line %d: %v, want %q", i+1, err, want)
					}
				}
			}
			if tt.name == "MSISDN" {
				for _, p := range []string{"+34600000002", "+34600000003"} {
					if _, err := e.match(t, p, "birthdate", "1990-01-31"); err != nil {
						t.Errorf("%s: %v", p, err)
					}
				}
			}
			res, err := e.match(t, "+34600000001", "birthdate", "1990-01-31")
			if err != nil || res.Verdict[engine.Birthdate] != engine.True {
				t.Errorf("row 1 answers %v %v", res, err)
			}
		})
	}
}

// TestDateFormatPrecedence: the mapping's date_format applies unless
// Options.DateFormat (the --date-format flag) names one, which wins.
func TestDateFormatPrecedence(t *testing.T) {
	path := t.TempDir() + "/mapping.yaml"
	writeFile(t, path, "rename: {BIRTH: birthdate}\ndate_format: DD.MM.YYYY\n")
	m, err := ingest.LoadMapping(path)
	if err != nil {
		t.Fatal(err)
	}
	csv := "phoneNumber,BIRTH\n+34600000001,31.01.1990\n+34600000002,1990-01-31\n"
	iso := ingest.DateISO
	for _, tt := range []struct {
		name   string
		flag   *ingest.DateFormat
		reject string
	}{
		{"Mapping", nil, "row 2 (line 3): birthdate: is not a calendar date DD.MM.YYYY"},
		{"FlagWins", &iso, "row 1 (line 2): birthdate: is not a calendar date YYYY-MM-DD"},
	} {
		_, rejects, err := check(t, csv, ingest.CSV, func(o *ingest.Options) { o.Mapping, o.DateFormat = m, tt.flag })
		if err != nil || rowLines(rejects) != tt.reject {
			t.Errorf("%s: %v, rejects %q, want %q", tt.name, err, rejects, tt.reject)
		}
	}
}

// rowLines is a rejects report without its totals.
func rowLines(report string) string {
	var rows []string
	for _, l := range strings.Split(report, "\n") {
		if strings.HasPrefix(l, "row ") {
			rows = append(rows, l)
		}
	}
	return strings.Join(rows, "\n")
}
