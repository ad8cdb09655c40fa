package main

// The attack of docs/PRIVACY.md §5, run against a real serve: a partner
// who may ask about one line recovers its stored family name from the
// answers alone. TestProbeSimulation prints the table PRIVACY.md quotes.

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/kycmatch/kycmatch/ingest"
	"github.com/kycmatch/kycmatch/internal/kyctest"
)

// answer is what one request tells about a guess.
type answer struct {
	match  bool
	score  int  // valid when scored
	scored bool // the answer carried a score
}

// rank orders answers by how close they say the guess is.
func (a answer) rank() int {
	switch {
	case a.match:
		return 1000
	case a.scored:
		return a.score
	}
	return -1
}

// oracle asks one question about the line's family name.
type oracle func(guess string) answer

// coarsen is what serve does to a score under --score-step and
// --score-min; the attacker knows both (they show in the answers).
func coarsen(score, step, minimum int) answer {
	if score < minimum {
		return answer{}
	}
	return answer{score: score / step * step, scored: true}
}

const probeLetters = "abcdefghijklmnopqrstuvwxyz"

// hillClimb is PRIVACY.md §5's climb. First one request per letter of
// that letter repeated 40 times: with exact scores each gives how often
// the letter occurs in the stored value, and together they give its
// length. Then swaps of two letters, kept while the score rises. It
// returns the requests used, or ok false when it stalls or runs out of
// budget.
func hillClimb(ask oracle, step, minimum, budget int) (requests int, ok bool) {
	var probes [len(probeLetters)]answer
	for i := range probeLetters {
		probes[i] = ask(strings.Repeat(probeLetters[i:i+1], 40))
		if probes[i].match {
			return i + 1, true
		}
	}
	requests = len(probeLetters)
	counts, ok := decodeCounts(probes[:], step, minimum)
	if !ok {
		return requests, false
	}
	var cur []byte
	for i, n := range counts {
		cur = append(cur, strings.Repeat(probeLetters[i:i+1], n)...)
	}
	best := ask(string(cur))
	requests++
	for improved := true; improved && !best.match; {
		improved = false
		for i := 0; i < len(cur) && !best.match; i++ {
			for j := i + 1; j < len(cur) && !best.match; j++ {
				if cur[i] == cur[j] {
					continue
				}
				if requests >= budget {
					return requests, false
				}
				cur[i], cur[j] = cur[j], cur[i]
				a := ask(string(cur))
				requests++
				if a.rank() > best.rank() {
					best, improved = a, true
				} else {
					cur[i], cur[j] = cur[j], cur[i]
				}
			}
		}
	}
	return requests, best.match
}

// decodeCounts finds a length L and letter counts summing to L that
// explain every probe: the probe of letter x against a value holding it c
// times scores Jaro (c/40 + c/L + 1)/3, plus the Winkler bonus when the
// value starts with x. The shortest L that fits wins.
func decodeCounts(probes []answer, step, minimum int) ([]int, bool) {
	for l := 1; l <= 40; l++ {
		opts := make([][]int, len(probes))
		for i, p := range probes {
			for c := 0; c <= l; c++ {
				if fitsProbe(p, c, l, step, minimum) {
					opts[i] = append(opts[i], c)
				}
			}
		}
		if counts, ok := sumTo(opts, l); ok {
			return counts, true
		}
	}
	return nil, false
}

func fitsProbe(p answer, c, l, step, minimum int) bool {
	if c == 0 {
		return coarsen(0, step, minimum) == p
	}
	jaro := (float64(c)/40 + float64(c)/float64(l) + 1) / 3
	for prefix := 0; prefix <= min(c, 4); prefix++ {
		jw := jaro
		if jaro >= 0.7 {
			jw += float64(prefix) * 0.1 * (1 - jaro)
		}
		if coarsen(min(int(math.Floor(100*jw)), 99), step, minimum) == p {
			return true
		}
	}
	return false
}

// sumTo picks one option per letter so that they sum to total, the
// smallest counts first.
func sumTo(opts [][]int, total int) ([]int, bool) {
	if len(opts) == 0 {
		return nil, total == 0
	}
	for _, c := range opts[0] {
		if c > total {
			break
		}
		if rest, ok := sumTo(opts[1:], total-c); ok {
			return append([]int{c}, rest...), true
		}
	}
	return nil, false
}

// dictionaryAttack guesses from a list of family names, each answer
// ruling out every name that would have been answered differently; it
// returns the requests until the stored one is found.
func dictionaryAttack(ask oracle, dict []string, step, minimum int) (int, bool) {
	left := slices.Clone(dict)
	slices.Sort(left) // guessed in an order that knows nothing of the target
	for requests := 1; len(left) > 0; requests++ {
		guess := left[0]
		a := ask(guess)
		if a.match {
			return requests, true
		}
		var keep []string
		for _, n := range left[1:] {
			if coarsen(kyctest.PlainScore(n, guess), step, minimum) == a {
				keep = append(keep, n)
			}
		}
		left = keep
	}
	return len(dict), false
}

// probeTargets are the stored family names; probeDictionary is what the
// attacker guesses from, the targets among them. All synthetic.
var (
	probeTargets = []string{"garcia", "rodriguez", "fernandez", "moreno", "navarro", "serrano",
		"schmidt", "williams", "robinson", "thompson", "fitzgerald", "dominguez", "yilmaz", "papadopoulos"}
	probeDictionary = append(slices.Clone(probeTargets), "gonzalez", "lopez", "martinez", "sanchez", "perez", "gomez",
		"martin", "jimenez", "ruiz", "hernandez", "diaz", "munoz", "alvarez", "romero", "alonso", "gutierrez",
		"torres", "vazquez", "ramos", "gil", "ramirez", "blanco", "suarez", "muller", "schneider", "fischer",
		"weber", "meyer", "wagner", "becker", "schulz", "hoffmann", "smith", "jones", "taylor", "brown",
		"davies", "evans", "wilson", "thomas", "johnson", "roberts", "wright", "walker", "white", "edwards",
		"hughes", "green", "hall", "wood", "harris", "lewis", "clarke", "kaya", "demir", "sahin", "celik",
		"dupont", "durand", "lefebvre", "moreau", "laurent", "simon", "michel", "bernard", "dubois", "janssen",
		"devries", "bakker", "visser", "smit", "meijer", "mulder", "bos", "vos", "peters", "hendriks")
)

// probeResult is one defence's row: requests per recovered name.
type probeResult struct {
	setting             string
	recovered, total    int
	median, p90, worst  int
	dictMedian, dictMax int
}

// TestProbeSimulation runs both attacks against a real serve per
// defence, with the numbers PRIVACY.md quotes in its log (go test -v); it
// takes a few seconds.
func TestProbeSimulation(t *testing.T) {
	targets := probeTargets
	e := newServeEnv(t)
	ingestFamilyNames(t, e, targets)
	tok := e.token(t)
	settings := []struct {
		name          string
		step, minimum int
	}{{"score step 1 (default)", 1, 0}, {"--score-step 10", 10, 0}, {"--score-min 80", 1, 80}}
	var results []probeResult
	for _, s := range settings {
		p := startServe(t, e, "--score-step", strconv.Itoa(s.step), "--score-min", strconv.Itoa(s.minimum))
		r := probeResult{setting: s.name, total: len(targets)}
		var climbs, dicts []int
		for i := range targets {
			ask := httpOracle(t, p, tok, fmt.Sprintf("+3460000%04d", i))
			if n, ok := hillClimb(ask, s.step, s.minimum, 2000); ok {
				climbs = append(climbs, n)
			}
			n, ok := dictionaryAttack(ask, probeDictionary, s.step, s.minimum)
			if !ok {
				t.Errorf("%s: the dictionary attack missed %s, which the dictionary holds", s.name, targets[i])
			}
			dicts = append(dicts, n)
		}
		r.recovered = len(climbs)
		r.median, r.p90, r.worst = percentiles(climbs)
		r.dictMedian, _, r.dictMax = percentiles(dicts)
		results = append(results, r)
	}
	if results[0].recovered != len(targets) {
		t.Errorf("the climb recovered %d of %d names with exact scores", results[0].recovered, len(targets))
	}
	t.Log("| defence | climb: names recovered | climb: requests, median / 90th pct / worst | climb: days at 10/d, median | dictionary: requests, median / worst | dictionary: days at 10/d, median |")
	for _, r := range results {
		t.Logf("| %s | %d of %d | %d / %d / %d | %s | %d / %d | %s |", r.setting, r.recovered, r.total, r.median, r.p90, r.worst,
			days(r.median, r.recovered), r.dictMedian, r.dictMax, days(r.dictMedian, r.total))
	}
	checkLineBudget(t, e, tok)
}

func days(requests, recovered int) string {
	if recovered == 0 {
		return "-"
	}
	return strconv.Itoa((requests + 9) / 10)
}

func percentiles(xs []int) (median, p90, worst int) {
	if len(xs) == 0 {
		return 0, 0, 0
	}
	slices.Sort(xs)
	return xs[(len(xs)-1)/2], xs[(len(xs)*9+9)/10-1], xs[len(xs)-1]
}

// checkLineBudget: under --line-rate-limit 10/d the eleventh question
// about the line is refused until the day is over, so the days of the
// table are what an attacker waits.
func checkLineBudget(t *testing.T, e *serveEnv, tok string) {
	p := startServe(t, e, "--line-rate-limit", "10/d")
	for i := range 11 {
		r := p.match(t, tok, `{"phoneNumber":"+34600000000","familyName":"`+strings.Repeat("a", i+1)+`"}`)
		switch {
		case i < 10 && r.status != 200:
			t.Fatalf("request %d under the daily budget: %d %s", i+1, r.status, r.body)
		case i == 10:
			if n, err := strconv.Atoi(r.header.Get("Retry-After")); r.status != 429 || err != nil || n < 86000 {
				t.Fatalf("eleventh request: %d, Retry-After %q; want 429 for the rest of the day", r.status, r.header.Get("Retry-After"))
			}
		}
	}
}

// httpOracle asks serve about phone's familyName.
func httpOracle(t *testing.T, p *serveProcess, tok, phone string) oracle {
	return func(guess string) answer {
		r := send(t, http.MethodPost, "http://"+p.addr+"/kyc-match/vwip/match", tok,
			strings.NewReader(`{"phoneNumber":"`+phone+`","familyName":"`+guess+`"}`))
		if r.status != 200 {
			t.Fatalf("%d %s", r.status, r.body)
		}
		var b struct {
			Match string `json:"familyNameMatch"`
			Score *int   `json:"familyNameMatchScore"`
		}
		if err := json.Unmarshal([]byte(r.body), &b); err != nil {
			t.Fatal(err)
		}
		a := answer{match: b.Match == "true", scored: b.Score != nil}
		if a.scored {
			a.score = *b.Score
		}
		return a
	}
}

// ingestFamilyNames publishes one line per name, +346000000000 upwards.
func ingestFamilyNames(t *testing.T, e *serveEnv, names []string) {
	var csv strings.Builder
	csv.WriteString("phoneNumber,familyName\n")
	for i, n := range names {
		fmt.Fprintf(&csv, "+3460000%04d,%s\n", i, n)
	}
	st, err := openStore(e.data, e.kr, false)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ingest.Run(context.Background(), ingest.Options{Input: strings.NewReader(csv.String()), Format: ingest.CSV,
		Keyring: e.kr, Store: st, TempDir: e.data}); err != nil {
		t.Fatal(err)
	}
}
