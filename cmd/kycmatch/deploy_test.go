package main

// The alert rules and the dashboard in deploy/ name metrics and labels;
// these tests check every name against what a real serve exposes on
// /metrics and what a real ingest writes to its --metrics-file, so that a
// renamed metric cannot leave an alert that never fires.
//
// PromQL is read by a small scanner rather than Prometheus's own parser:
// github.com/prometheus/prometheus is one module with about 250
// requirements (cloud service discovery SDKs among them), and the rules
// use only selectors, matchers, grouping clauses and function calls.

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
	"go.yaml.in/yaml/v3"
)

// exposed is every series name a scrape can see, with its label names.
type exposed map[string]map[string]bool

// targetLabels are attached by Prometheus to every scraped series.
var targetLabels = []string{"job", "instance"}

func (ex exposed) add(text string) error {
	parser := expfmt.NewTextParser(model.UTF8Validation)
	families, err := parser.TextToMetricFamilies(strings.NewReader(text))
	if err != nil {
		return err
	}
	for name, f := range families {
		labels := map[string]bool{}
		for _, m := range f.GetMetric() {
			for _, l := range m.GetLabel() {
				labels[l.GetName()] = true
			}
		}
		names := []string{name}
		if f.GetType() == dto.MetricType_HISTOGRAM {
			names = []string{name + "_bucket", name + "_sum", name + "_count"}
		}
		for _, n := range names {
			ls := maps.Clone(labels)
			if strings.HasSuffix(n, "_bucket") {
				ls["le"] = true
			}
			ex[n] = ls
		}
	}
	return nil
}

var (
	promString   = regexp.MustCompile(`"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'`)
	promRange    = regexp.MustCompile(`\[[^\]]*\]`)
	promSelector = regexp.MustCompile(`([a-zA-Z_:][a-zA-Z0-9_:]*)?\s*\{([^}]*)\}`)
	promMatcher  = regexp.MustCompile(`([a-zA-Z_][a-zA-Z0-9_]*)\s*(?:=~|!~|!=|=)`)
	promGrouping = regexp.MustCompile(`\b(?:by|without|on|ignoring|group_left|group_right)\s*\(([^)]*)\)`)
	promIdent    = regexp.MustCompile(`[a-zA-Z_:][a-zA-Z0-9_:]*`)
	promKeywords = map[string]bool{"and": true, "or": true, "unless": true, "bool": true, "offset": true,
		"by": true, "without": true, "on": true, "ignoring": true, "group_left": true, "group_right": true,
		"inf": true, "nan": true, "Inf": true, "NaN": true}
)

// checkExpr returns what expr names that ex does not hold: a metric, a
// label of a selector's metric, or a grouping label no metric of expr has.
func (ex exposed) checkExpr(expr string) []string {
	var missing []string
	e := promRange.ReplaceAllString(promString.ReplaceAllString(expr, `""`), "")
	metricHas := func(metric, label string) bool {
		return slices.Contains(targetLabels, label) || ex[metric][label] || label == "__name__"
	}
	for _, m := range promSelector.FindAllStringSubmatch(e, -1) {
		for _, l := range promMatcher.FindAllStringSubmatch(m[2], -1) {
			if m[1] != "" && ex[m[1]] != nil && !metricHas(m[1], l[1]) {
				missing = append(missing, fmt.Sprintf("label %s of %s", l[1], m[1]))
			}
		}
	}
	e = promSelector.ReplaceAllString(e, "$1")
	var groups []string
	for _, g := range promGrouping.FindAllStringSubmatch(e, -1) {
		for _, l := range strings.Split(g[1], ",") {
			if l = strings.TrimSpace(l); l != "" {
				groups = append(groups, l)
			}
		}
	}
	e = promGrouping.ReplaceAllString(e, " ")
	var metrics []string
	for _, at := range promIdent.FindAllStringIndex(e, -1) {
		name := e[at[0]:at[1]]
		if at[0] > 0 && strings.ContainsAny(e[at[0]-1:at[0]], "0123456789.") {
			continue // the exponent or unit of a number
		}
		if promKeywords[name] || strings.HasPrefix(strings.TrimSpace(e[at[1]:]), "(") {
			continue // an operator or a function call
		}
		if ex[name] == nil {
			missing = append(missing, "metric "+name)
		}
		metrics = append(metrics, name)
	}
	for _, l := range groups {
		if !slices.ContainsFunc(metrics, func(m string) bool { return metricHas(m, l) }) {
			missing = append(missing, "grouping label "+l)
		}
	}
	return missing
}

// TestPromQLCheck: the scanner finds each kind of wrong name, and passes
// the right ones.
func TestPromQLCheck(t *testing.T) {
	ex := exposed{}
	if err := ex.add("# TYPE a_total counter\na_total{code=\"x\"} 1\n# TYPE h histogram\n" +
		"h_bucket{route=\"/\",le=\"+Inf\"} 1\nh_sum{route=\"/\"} 1\nh_count{route=\"/\"} 1\n"); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		expr    string
		missing []string
	}{
		{`sum by (code) (rate(a_total{code=~"5.."}[5m])) / 2`, nil},
		{`histogram_quantile(0.99, sum by (le, instance) (rate(h_bucket{route!="x"}[5m]))) > 1e-3`, nil},
		{`h_count offset 5m and on(job) a_total`, nil},
		{`rate(b_total[5m])`, []string{"metric b_total"}},
		{`a_total{colour="red"}`, []string{"label colour of a_total"}},
		{`sum without (colour) (a_total)`, []string{"grouping label colour"}},
		{`h{route="/"}`, []string{"metric h"}},
		{`h_sum{le="1"}`, []string{"label le of h_sum"}},
	}
	for _, tt := range tests {
		if got := ex.checkExpr(tt.expr); !slices.Equal(got, tt.missing) {
			t.Errorf("%s: missing %q, want %q", tt.expr, got, tt.missing)
		}
	}
}

// TestDeployNamesExist scrapes a real serve after a match and an error,
// and reads the textfile a real ingest wrote, then checks every
// expression of the alert rules and the dashboard against them.
func TestDeployNamesExist(t *testing.T) {
	e := newServeEnv(t)
	export, metricsFile := filepath.Join(e.dir, "export.csv"), filepath.Join(e.dir, "kycmatch.prom")
	if err := os.WriteFile(export, []byte(serveExport), 0o600); err != nil {
		t.Fatal(err)
	}
	var stdout, stderr syncBuffer
	if code := run(context.Background(), []string{"kycmatch", "ingest", "--data", e.data, "--keyring", e.keyring,
		"--quiet", "--metrics-file", metricsFile, export}, nil, &stdout, &stderr); code != exitOK {
		t.Fatalf("ingest exit %d: %s", code, stderr.String())
	}
	srv, err := startServer(context.Background(), e.config(t))
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	match := "http://" + srv.Addr() + "/kyc-match/v0.4/match"
	camara(t, send(t, http.MethodPost, match, e.token(t), strings.NewReader(`{"phoneNumber":"`+servePhone+`","name":"Marta Serrano Vela"}`)), 200, "")
	camara(t, send(t, http.MethodPost, match, "", strings.NewReader(`{}`)), 401, "UNAUTHENTICATED")

	ex := exposed{"up": {}}
	scrape := get(t, "http://"+srv.AdminAddr()+"/metrics")
	textfile, err := os.ReadFile(metricsFile)
	if err != nil {
		t.Fatal(err)
	}
	for _, text := range []string{scrape.body, string(textfile)} {
		if err := ex.add(text); err != nil {
			t.Fatalf("parse metrics: %v", err)
		}
	}
	exprs := append(ruleExprs(t, "../../deploy/prometheus/kycmatch.rules.yml"), dashboardExprs(t, "../../deploy/grafana/kycmatch.json")...)
	if len(exprs) < 10 {
		t.Fatalf("only %d expressions found", len(exprs))
	}
	for _, expr := range exprs {
		if missing := ex.checkExpr(expr); len(missing) > 0 {
			t.Errorf("%s names what neither serve nor ingest exposes: %s", expr, strings.Join(missing, ", "))
		}
	}
}

func ruleExprs(t *testing.T, path string) []string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var rules struct {
		Groups []struct {
			Rules []struct{ Expr string }
		}
	}
	if err := yaml.Unmarshal(b, &rules); err != nil {
		t.Fatal(err)
	}
	var exprs []string
	for _, g := range rules.Groups {
		for _, r := range g.Rules {
			exprs = append(exprs, r.Expr)
		}
	}
	return exprs
}

func dashboardExprs(t *testing.T, path string) []string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var dash struct {
		Panels []struct {
			Targets []struct{ Expr string }
		}
	}
	if err := json.Unmarshal(b, &dash); err != nil {
		t.Fatal(err)
	}
	var exprs []string
	for _, p := range dash.Panels {
		for _, tg := range p.Targets {
			exprs = append(exprs, tg.Expr)
		}
	}
	return exprs
}

// TestIngestMetricsFile: a run leaves its outcome in --metrics-file, a
// failed run too, readable by a collector running as another user.
func TestIngestMetricsFile(t *testing.T) {
	tests := []struct {
		name, export string
		args         []string
		exit         int
		want         []string
	}{
		{"loaded", serveExport, nil, exitOK,
			[]string{"kycmatch_ingest_success 1", "kycmatch_ingest_rows_read 2", "kycmatch_ingest_rows_loaded 2", "kycmatch_ingest_rows_rejected 0"}},
		{"too many rejects", serveExport + "not-a-phone,Nadie,,,\n", []string{"--max-rejects", "0"}, exitFailure,
			[]string{"kycmatch_ingest_success 0", "kycmatch_ingest_rows_read 3", "kycmatch_ingest_rows_loaded 0", "kycmatch_ingest_rows_rejected 1"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newServeEnv(t)
			export, metricsFile := filepath.Join(e.dir, "export.csv"), filepath.Join(e.dir, "kycmatch.prom")
			if err := os.WriteFile(export, []byte(tt.export), 0o600); err != nil {
				t.Fatal(err)
			}
			args := append([]string{"kycmatch", "ingest", "--data", e.data, "--keyring", e.keyring, "--quiet",
				"--metrics-file", metricsFile}, tt.args...)
			var stdout, stderr syncBuffer
			if code := run(context.Background(), append(args, export), nil, &stdout, &stderr); code != tt.exit {
				t.Fatalf("exit %d, want %d: %s", code, tt.exit, stderr.String())
			}
			b, err := os.ReadFile(metricsFile)
			if err != nil {
				t.Fatal(err)
			}
			for _, want := range tt.want {
				if !strings.Contains(string(b), "\n"+want+"\n") {
					t.Errorf("metrics file lacks %s:\n%s", want, b)
				}
			}
			if fi, err := os.Stat(metricsFile); err != nil || fi.Mode().Perm() != 0o644 {
				t.Errorf("metrics file mode %v, %v; want 0644", fi.Mode(), err)
			}
		})
	}
}
