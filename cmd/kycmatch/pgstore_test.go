package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/kycmatch/kycmatch/internal/devissuer"
	"github.com/kycmatch/kycmatch/internal/kyctest"
)

// pgEnv is a keyring, a synthetic export, a JWKS file and the binary, for
// tests that run kycmatch processes against PostgreSQL.
type pgEnv struct {
	t                       *testing.T
	bin, dir, kr, jwks, csv string
	idp                     *devissuer.Issuer
}

func newPGEnv(t *testing.T, lines int) *pgEnv {
	t.Helper()
	if testing.Short() {
		t.Skip("builds the binary and starts PostgreSQL")
	}
	kyctest.PostgresBin(t)
	dir := t.TempDir()
	e := &pgEnv{t: t, bin: binary(t), dir: dir, kr: filepath.Join(dir, "kr"), jwks: filepath.Join(dir, "jwks.json"), csv: filepath.Join(dir, "export.csv")}
	var err error
	if e.idp, err = devissuer.New(serveIssuer, serveAudience); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(e.jwks, e.idp.JWKS(), 0o600); err != nil {
		t.Fatal(err)
	}
	e.run("keys", "init", "--keyring", e.kr)
	e.run("gen", "--count", fmt.Sprint(lines), "--seed", "5", "--complete", "--out", e.csv)
	return e
}

// cmd is a kycmatch process with no KYCMATCH_ variable of the test's
// environment, so each test says what it uses.
func (e *pgEnv) cmd(args ...string) *exec.Cmd {
	cmd := exec.Command(e.bin, args...)
	cmd.Dir = e.dir
	for _, v := range os.Environ() {
		if !strings.HasPrefix(v, "KYCMATCH_") {
			cmd.Env = append(cmd.Env, v)
		}
	}
	cmd.Env = append(cmd.Env, "KYCMATCH_KEYRING="+e.kr)
	return cmd
}

func (e *pgEnv) run(args ...string) string {
	e.t.Helper()
	out, err := e.cmd(args...).CombinedOutput()
	if err != nil {
		e.t.Fatalf("kycmatch %s: %v\n%s", args[0], err, out)
	}
	return string(out)
}

func (e *pgEnv) ingest(url string) string {
	e.t.Helper()
	return e.run("ingest", "--quiet", "--store", url, e.csv)
}

// serve starts `kycmatch serve --store url` and returns its public and
// admin base URLs once /healthz answers.
func (e *pgEnv) serve(url string) (pub, adm string) {
	e.t.Helper()
	pub, adm = "127.0.0.1:"+freePort(e.t), "127.0.0.1:"+freePort(e.t)
	cmd := e.cmd("serve", "--store", url, "--addr", pub, "--admin-addr", adm, "--jwks", e.jwks,
		"--issuer", serveIssuer, "--audience", serveAudience, "--poll", "100ms")
	var stderr syncBuffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		e.t.Fatal(err)
	}
	e.t.Cleanup(func() {
		cmd.Process.Signal(syscall.SIGTERM)
		cmd.Wait()
		if e.t.Failed() {
			e.t.Logf("serve's log:\n%s", stderr.String())
		}
	})
	pub, adm = "http://"+pub, "http://"+adm
	waitFor(e.t, "serve's /healthz", func() bool {
		r, err := httpGet(adm + "/healthz")
		return err == nil && r == 200
	})
	return pub, adm
}

func freePort(t *testing.T) string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	_, port, _ := net.SplitHostPort(l.Addr().String())
	return port
}

func (e *pgEnv) token() string {
	tok, err := e.idp.Token(devissuer.Claims{ClientID: "pg-test-partner", Scopes: []string{"kyc-match:match"}}, time.Hour)
	if err != nil {
		e.t.Fatal(err)
	}
	return tok
}

// matchBody asks about phone's gender, which every line of a --complete
// export holds.
func matchBody(phone string) string { return `{"phoneNumber":"` + phone + `","gender":"MALE"}` }

// readOnlyURL creates a role that may only read, and whose SELECT extends
// to the tables ingests create later, and returns url as that role.
func readOnlyURL(t *testing.T, pg *kyctest.Postgres, url, role string) string {
	db := url[strings.LastIndex(url, "/")+1 : strings.Index(url, "?")]
	pg.Exec(t, db, "CREATE ROLE "+role+" LOGIN",
		"GRANT SELECT ON ALL TABLES IN SCHEMA public TO "+role,
		"ALTER DEFAULT PRIVILEGES FOR ROLE postgres IN SCHEMA public GRANT SELECT ON TABLES TO "+role)
	t.Cleanup(func() {
		pg.Exec(t, db, "REASSIGN OWNED BY "+role+" TO postgres", "DROP OWNED BY "+role)
		pg.Exec(t, "postgres", "DROP ROLE "+role)
	})
	return strings.Replace(url, "postgres://postgres@", "postgres://"+role+"@", 1)
}

// TestPostgresStore: ingest, serve and match with --store, serve under a
// role that may only read, a second ingest swapped in while two serve
// processes answer without a failed request, and a database dump that
// holds no value of the export.
func TestPostgresStore(t *testing.T) {
	e := newPGEnv(t, 300)
	pg := kyctest.SharedPostgres(t)
	url := pg.NewDatabase(t)
	ro := readOnlyURL(t, pg, url, fmt.Sprintf("kyc_ro_%d", os.Getpid()))
	if out := e.ingest(url); !strings.Contains(out, "loaded 300") {
		t.Fatalf("ingest: %s", out)
	}
	phone := firstPhone(t, e.csv)
	out := e.run("match", "--store", ro, "--json", matchBody(phone))
	if !strings.Contains(out, `"genderMatch"`) {
		t.Fatalf("match: %s", out)
	}
	pubs := make([]string, 2)
	for i := range pubs {
		var adm string
		pubs[i], adm = e.serve(ro)
		waitFor(t, "readiness", func() bool { return ready(t, adm).Generation == "00000001" })
	}
	tok := e.token()
	camara(t, send(t, "POST", pubs[0]+"/kyc-match/vwip/match", tok, strings.NewReader(matchBody(phone))), 200, "")
	camara(t, send(t, "POST", pubs[0]+"/kyc-match/vwip/match", tok, strings.NewReader(matchBody("+99912345678"))), 404, "IDENTIFIER_NOT_FOUND")

	// Hot swap: steady requests to both while a second ingest commits.
	stop, results := steadyRequests(t, pubs, tok, phone)
	e.ingest(url)
	time.Sleep(time.Second)
	stop()
	if bad := results.failures(); len(bad) > 0 {
		t.Errorf("failed requests during the swap: %v", bad)
	}
	for _, p := range pubs {
		if s := postStatus(p+"/kyc-match/vwip/match", tok, matchBody(phone)); s != 200 {
			t.Errorf("after the swap: %d", s)
		}
	}
	dumpHoldsNoValue(t, pg, url, e.csv)

	// A delta builds on the current generation, read back with Scan.
	delta := filepath.Join(e.dir, "delta.csv")
	if err := os.WriteFile(delta, []byte("phoneNumber,op\n"+phone+",delete\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	e.run("ingest", "--quiet", "--delta", "--store", url, delta)
	out = e.run("match", "--store", url, "--json", matchBody(firstPhoneAfter(t, e.csv)))
	if !strings.Contains(out, `"genderMatch"`) {
		t.Fatalf("a line the delta kept: %s", out)
	}
	if out, err := e.cmd("match", "--store", url, "--json", matchBody(phone)).CombinedOutput(); err == nil || !strings.Contains(string(out), "IDENTIFIER_NOT_FOUND") {
		t.Fatalf("the line the delta deleted: %v %s", err, out)
	}

	keysOnPostgres(t, e, url)
}

// keysOnPostgres: keys list and keys remove read the kept generations of
// a PostgreSQL store as they do a data directory's.
func keysOnPostgres(t *testing.T, e *pgEnv, url string) {
	out := e.run("keys", "list", "--store", url, "--output", "json")
	if !strings.Contains(out, `"generations":["00000002","00000003"]`) {
		t.Fatalf("keys list --store: %s", out)
	}
	var v struct{ ID string }
	if err := json.Unmarshal([]byte(out), &v); err != nil {
		t.Fatal(err)
	}
	e.run("keys", "rotate", "--keyring", e.kr)
	out2, err := e.cmd("keys", "remove", "--store", url, v.ID).CombinedOutput()
	if err == nil || !strings.Contains(string(out2), "00000002, 00000003") {
		t.Fatalf("keys remove of a key kept generations use: %v %s", err, out2)
	}
}

// firstPhoneAfter is the export's second line's phone number.
func firstPhoneAfter(t *testing.T, path string) string {
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.SplitN(string(b), "\n", 4)
	return strings.NewReplacer(" ", "", "-", "").Replace(strings.Split(lines[2], ",")[0])
}

// dumpHoldsNoValue runs pg_dump and fails if it holds any value of the
// export, a phone number included: the privacy scan, on what a database
// administrator or a backup would have.
func dumpHoldsNoValue(t *testing.T, pg *kyctest.Postgres, url, export string) {
	t.Helper()
	db := url[strings.LastIndex(url, "/")+1 : strings.Index(url, "?")]
	dump, err := pg.RunAs(kyctest.PostgresBin(t), "pg_dump", "-h", "127.0.0.1", "-p", fmt.Sprint(pg.Port), "-U", "postgres", db)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(dump, []byte("kycmatch_gen_")) {
		t.Fatal("the dump holds no generation table")
	}
	f, err := os.Open(export)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	checked := 0
	for _, row := range rows[1:] {
		for _, v := range row {
			v = strings.TrimSpace(v)
			if len(v) < 6 { // short codes (ES, MALE, true) occur by chance
				continue
			}
			checked++
			if bytes.Contains(dump, []byte(v)) {
				t.Fatalf("the dump holds a value of the export (%d bytes long)", len(v))
			}
		}
	}
	if checked < 1000 {
		t.Fatalf("only %d values checked", checked)
	}
}

// requestLog counts a steady stream of requests' outcomes.
type requestLog struct {
	mu       sync.Mutex
	statuses []int
	times    []time.Time
}

func (l *requestLog) add(status int) {
	l.mu.Lock()
	l.statuses, l.times = append(l.statuses, status), append(l.times, time.Now())
	l.mu.Unlock()
}

// failures lists the statuses other than 200, in order.
func (l *requestLog) failures() []int {
	l.mu.Lock()
	defer l.mu.Unlock()
	var bad []int
	for _, s := range l.statuses {
		if s != 200 {
			bad = append(bad, s)
		}
	}
	return bad
}

// steadyRequests sends a match about phone to each of pubs every 10 ms
// until stop; status 0 is a request that got no HTTP answer.
func steadyRequests(t *testing.T, pubs []string, tok, phone string) (stop func(), log *requestLog) {
	log = &requestLog{}
	done := make(chan struct{})
	var wg sync.WaitGroup
	for _, p := range pubs {
		wg.Go(func() {
			for {
				select {
				case <-done:
					return
				case <-time.After(10 * time.Millisecond):
				}
				log.add(postStatus(p+"/kyc-match/vwip/match", tok, matchBody(phone)))
			}
		})
	}
	return func() { close(done); wg.Wait() }, log
}

var shortClient = &http.Client{Timeout: 5 * time.Second}

func httpGet(url string) (int, error) {
	r, err := shortClient.Get(url)
	if err != nil {
		return 0, err
	}
	r.Body.Close()
	return r.StatusCode, nil
}

// postStatus sends one match and returns its status: 0 when no answer
// came, -1 for a 200 that is not the verdict asked for.
func postStatus(url, tok, body string) int {
	req, _ := http.NewRequest("POST", url, strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+tok)
	req.Header.Set("Content-Type", "application/json")
	r, err := shortClient.Do(req)
	if err != nil {
		return 0
	}
	defer r.Body.Close()
	b, _ := io.ReadAll(r.Body)
	if r.StatusCode == 200 && !bytes.Contains(b, []byte(`"genderMatch"`)) {
		return -1
	}
	return r.StatusCode
}

// TestPostgresFailover: serve given a primary and its streaming standby.
// The primary is killed under steady requests: answers resume from the
// standby within 2 s, and every request that fails meanwhile is a 503,
// never a 404 or a verdict. The standby is promoted and an ingest against
// it becomes current on the running serve. Then no host answers at all:
// /match is 503 and /readyz 503, until the server is back, when serve
// answers again by itself.
func TestPostgresFailover(t *testing.T) {
	e := newPGEnv(t, 200)
	primary := kyctest.NewPostgres(t)
	url := primary.NewDatabase(t)
	e.ingest(url)
	standby := primary.Standby(t)
	db := url[strings.LastIndex(url, "/")+1 : strings.Index(url, "?")]
	both := fmt.Sprintf("postgres://postgres@%s,%s/%s?sslmode=disable&target_session_attrs=any", primary.Addr(), standby.Addr(), db)
	pub, adm := e.serve(both)
	waitFor(t, "readiness", func() bool { return ready(t, adm).Generation == "00000001" })
	tok, phone := e.token(), firstPhone(t, e.csv)

	stop, log := steadyRequests(t, []string{pub}, tok, phone)
	time.Sleep(300 * time.Millisecond)
	killed := time.Now()
	primary.Kill()
	time.Sleep(2500 * time.Millisecond)
	stop()
	checkOutage(t, log, killed, 2*time.Second)

	standby.Exec(t, "postgres", "SELECT pg_promote()")
	promoted := fmt.Sprintf("postgres://postgres@%s/%s?sslmode=disable", standby.Addr(), db)
	waitFor(t, "the promoted standby to accept writes", func() bool {
		_, err := e.cmd("ingest", "--quiet", "--store", promoted, e.csv).CombinedOutput()
		return err == nil
	})
	waitFor(t, "serve to answer from the new generation", func() bool { return ready(t, adm).Generation == "00000002" })
	camara(t, send(t, "POST", pub+"/kyc-match/vwip/match", tok, strings.NewReader(matchBody(phone))), 200, "")

	// No host answers.
	standby.Kill()
	camara(t, send(t, "POST", pub+"/kyc-match/vwip/match", tok, strings.NewReader(matchBody(phone))), 503, "UNAVAILABLE")
	waitFor(t, "/readyz 503", func() bool { s, _ := httpGet(adm + "/readyz"); return s == 503 })
	if err := standby.Start(kyctest.PostgresBin(t)); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "/readyz 200 again", func() bool { s, _ := httpGet(adm + "/readyz"); return s == 200 })
	camara(t, send(t, "POST", pub+"/kyc-match/vwip/match", tok, strings.NewReader(matchBody(phone))), 200, "")
}

// checkOutage: every request failed with a 503 (none unanswered, none a
// 404 or a wrong verdict), and answers resumed within limit of the kill.
func checkOutage(t *testing.T, log *requestLog, killed time.Time, limit time.Duration) {
	t.Helper()
	log.mu.Lock()
	defer log.mu.Unlock()
	var failed int
	var lastFail time.Time
	resumed := false
	for i, s := range log.statuses {
		switch {
		case s == 503:
			failed++
			lastFail = log.times[i]
		case s != 200:
			t.Errorf("request %d at %s after the kill: status %d", i, log.times[i].Sub(killed), s)
		case log.times[i].After(killed):
			resumed = true
		}
	}
	if !resumed || lastFail.Sub(killed) > limit {
		t.Errorf("answers did not resume within %s: last failure %s after the kill, %d failures", limit, lastFail.Sub(killed), failed)
	}
	t.Logf("%d requests, %d answered 503, the last %s after the kill", len(log.statuses), failed, max(lastFail.Sub(killed), 0))
}

// TestPostgresIngestSurvivesKill kills ingest with SIGKILL during its
// COPY, while its primary key is being built, and in its switch
// transaction (each held there by a lock the test takes): the previous
// generation stays current and answering, and the next ingest succeeds
// and leaves no table, row or lock behind.
func TestPostgresIngestSurvivesKill(t *testing.T) {
	e := newPGEnv(t, 2000)
	pg := kyctest.SharedPostgres(t)
	url := pg.NewDatabase(t)
	e.ingest(url)
	ctx := context.Background()
	db, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close(ctx)
	phone := firstPhone(t, e.csv)
	stages := []struct {
		name, query string // the ingest's statement to kill it in
		block       string // what the test holds meanwhile
	}{
		{"COPY", "COPY %", ""},
		{"IndexBuild", "ALTER TABLE % ADD PRIMARY KEY%", "LOCK TABLE kycmatch_gen_00000002 IN ACCESS SHARE MODE"},
		{"Switch", "INSERT INTO kycmatch_current%", "SELECT * FROM kycmatch_current FOR UPDATE"},
	}
	for _, st := range stages {
		t.Run(st.name, func(t *testing.T) {
			cmd := e.cmd("ingest", "--quiet", "--store", url, e.csv)
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
			inStage := func(query string) func() bool {
				return func() bool {
					return countRows(t, db, "SELECT 1 FROM pg_stat_activity WHERE application_name = 'kycmatch' AND state = 'active' AND query ILIKE '"+query+"'") > 0
				}
			}
			var blocker pgx.Tx
			if st.block != "" {
				// The COPY runs into the new table: a killed run's is gone.
				waitFor(t, "the ingest's COPY", inStage("COPY %"))
				// On a session of its own: within a transaction,
				// pg_stat_activity shows one snapshot.
				hold, err := pgx.Connect(ctx, url)
				if err != nil {
					t.Fatal(err)
				}
				defer hold.Close(ctx)
				if blocker, err = hold.Begin(ctx); err != nil {
					t.Fatal(err)
				}
				if _, err := blocker.Exec(ctx, st.block); err != nil {
					t.Fatal(err)
				}
			}
			waitFor(t, "the ingest in "+st.name, inStage(st.query))
			cmd.Process.Kill()
			if blocker != nil {
				blocker.Rollback(ctx)
			}
			waitFor(t, "the killed ingest's sessions gone, and its lock", func() bool {
				return countRows(t, db, "SELECT 1 FROM pg_stat_activity WHERE application_name = 'kycmatch'") == 0 &&
					countRows(t, db, "SELECT 1 FROM pg_locks WHERE locktype = 'advisory'") == 0
			})
			var cur string
			if err := db.QueryRow(ctx, "SELECT generation FROM kycmatch_current").Scan(&cur); err != nil || cur != "00000001" {
				t.Fatalf("current generation %q after the kill (%v)", cur, err)
			}
			if out := e.run("match", "--store", url, "--json", matchBody(phone)); !strings.Contains(out, `"genderMatch"`) {
				t.Fatalf("the previous generation does not answer: %s", out)
			}
		})
	}
	e.ingest(url)
	e.ingest(url)
	if n := countRows(t, db, tablesQuery+" AND table_name ~ '^kycmatch_gen_[0-9]{8}$'"); n != 2 {
		t.Errorf("%d generation tables after two good ingests, want 2", n)
	}
	if n := countRows(t, db, "SELECT 1 FROM kycmatch_generations"); n != 2 {
		t.Errorf("%d generation rows, want 2", n)
	}
}

const tablesQuery = "SELECT 1 FROM information_schema.tables WHERE table_schema = current_schema()"

func countRows(t *testing.T, db *pgx.Conn, q string) int {
	t.Helper()
	rows, err := db.Query(context.Background(), q)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for rows.Next() {
		n++
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return n
}

// TestStoreFlags: --data and --store together, or a --store that is not
// a PostgreSQL URL, are usage errors naming the flags, in every command
// that takes them; the URL's password is never repeated.
func TestStoreFlags(t *testing.T) {
	for _, cmd := range [][]string{{"ingest", "x.csv"}, {"serve"}, {"match", "--json", "{}"}} {
		for _, tt := range []struct {
			name string
			args []string
			want []string
		}{
			{"Both", []string{"--data", t.TempDir(), "--store", "postgres://u:hunter22@h/db"}, []string{"--data", "--store"}},
			{"NotPostgres", []string{"--store", "mysql://u:hunter22@h/db"}, []string{"--store", "postgres://"}},
		} {
			t.Run(cmd[0]+"/"+tt.name, func(t *testing.T) {
				var stderr bytes.Buffer
				args := append(append([]string{"kycmatch", cmd[0], "--keyring", "kr"}, tt.args...), cmd[1:]...)
				if code := run(context.Background(), args, nil, io.Discard, &stderr); code != exitUsage {
					t.Fatalf("exit %d, want %d: %s", code, exitUsage, stderr.String())
				}
				for _, w := range tt.want {
					if !strings.Contains(stderr.String(), w) {
						t.Errorf("%q does not name %s", stderr.String(), w)
					}
				}
				if strings.Contains(stderr.String(), "hunter22") {
					t.Errorf("the password is in %q", stderr.String())
				}
			})
		}
	}
}
