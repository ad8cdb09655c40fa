package kyctest

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// Postgres is a throwaway PostgreSQL server on a loopback port, in a
// directory of its own, with trust authentication: what the PostgreSQL
// store's tests run against. Debian's postgresql package provides it.
type Postgres struct {
	Dir  string // data directory (and socket directory)
	Port int
	cmd  *exec.Cmd
	done chan struct{}
}

// PostgresBin returns the directory of PostgreSQL's server binaries, or
// skips the test naming the package to install; in CI (CI set) a missing
// server fails the test instead.
func PostgresBin(tb testing.TB) string {
	tb.Helper()
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	for i := len(dirs) - 1; i >= 0; i-- {
		if _, err := os.Stat(filepath.Join(dirs[i], "postgres")); err == nil {
			return dirs[i]
		}
	}
	if p, err := exec.LookPath("postgres"); err == nil {
		return filepath.Dir(p)
	}
	if os.Getenv("CI") != "" {
		tb.Fatal("PostgreSQL is not installed: apt-get install postgresql")
	}
	tb.Skip("PostgreSQL is not installed (apt-get install postgresql)")
	return ""
}

var (
	sharedMu sync.Mutex
	shared   *Postgres
	dbSeq    atomic.Int64
)

// SharedPostgres returns one server for the whole test binary, started on
// first use: initdb and start cost about a second, too much for every
// test. The package's TestMain stops it with StopSharedPostgres.
func SharedPostgres(tb testing.TB) *Postgres {
	tb.Helper()
	sharedMu.Lock()
	defer sharedMu.Unlock()
	if shared == nil {
		p, err := StartPostgres(PostgresBin(tb), "")
		if err != nil {
			tb.Fatal(err)
		}
		shared = p
	}
	return shared
}

// StopSharedPostgres stops the server SharedPostgres started, if any.
func StopSharedPostgres() {
	sharedMu.Lock()
	defer sharedMu.Unlock()
	if shared != nil {
		shared.Stop()
		shared = nil
	}
}

// NewPostgres starts a server of the test's own (a primary to kill, say),
// stopped when the test ends.
func NewPostgres(tb testing.TB) *Postgres {
	tb.Helper()
	p, err := StartPostgres(PostgresBin(tb), "")
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(p.Stop)
	return p
}

// Standby starts a streaming hot standby of p (pg_basebackup -R), stopped
// when the test ends.
func (p *Postgres) Standby(tb testing.TB) *Postgres {
	tb.Helper()
	bin := PostgresBin(tb)
	dir, err := os.MkdirTemp("", "kycmatch-pg-")
	if err != nil {
		tb.Fatal(err)
	}
	s := &Postgres{Dir: dir}
	if err := s.init(bin, p.Dir); err != nil {
		tb.Fatal(err)
	}
	if _, err := s.RunAs(bin, "pg_basebackup", "-h", "127.0.0.1", "-p", strconv.Itoa(p.Port), "-U", "postgres",
		"-D", dir, "-R", "-X", "stream", "--no-sync", "--checkpoint=fast"); err != nil {
		os.RemoveAll(dir)
		tb.Fatal(err)
	}
	if err := s.Start(bin); err != nil {
		os.RemoveAll(dir)
		tb.Fatal(err)
	}
	tb.Cleanup(s.Stop)
	return s
}

// StartPostgres initialises a data directory (unless from, a base backup
// such as pg_basebackup writes, is given: then it starts that) and starts
// a server on a free loopback port. As root it runs them as the postgres
// user, since both refuse root.
func StartPostgres(bin, from string) (*Postgres, error) {
	dir, err := os.MkdirTemp("", "kycmatch-pg-")
	if err != nil {
		return nil, err
	}
	p := &Postgres{Dir: dir}
	if err := p.init(bin, from); err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	if err := p.Start(bin); err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	return p, nil
}

func (p *Postgres) init(bin, from string) error {
	if os.Geteuid() == 0 {
		if err := exec.Command("chown", "postgres:postgres", p.Dir).Run(); err != nil {
			return fmt.Errorf("chown %s: %w", p.Dir, err)
		}
	}
	if from != "" {
		return nil
	}
	out, err := asPostgres(filepath.Join(bin, "initdb"), "-D", p.Dir, "-A", "trust", "-U", "postgres", "-E", "UTF8", "--no-sync").CombinedOutput()
	if err != nil {
		return fmt.Errorf("initdb: %v: %s", err, out)
	}
	return nil
}

// asPostgres runs a PostgreSQL program, as the postgres user when root.
func asPostgres(name string, args ...string) *exec.Cmd {
	if os.Geteuid() == 0 {
		return exec.Command("runuser", append([]string{"-u", "postgres", "--", name}, args...)...)
	}
	return exec.Command(name, args...)
}

// RunAs runs a PostgreSQL client program of bin (pg_dump, pg_basebackup)
// as the server's user and returns its output.
func (p *Postgres) RunAs(bin, name string, args ...string) ([]byte, error) {
	out, err := asPostgres(filepath.Join(bin, name), args...).Output()
	if ee, ok := err.(*exec.ExitError); ok {
		return out, fmt.Errorf("%s: %v: %s", name, err, ee.Stderr)
	}
	return out, err
}

// Start starts the server, on its port again after Kill, else on a free
// one; settings favour speed over durability, which throwaway tests do
// not need.
func (p *Postgres) Start(bin string) error {
	if p.Port == 0 {
		port, err := freePort()
		if err != nil {
			return err
		}
		p.Port = port
	}
	port := p.Port
	p.cmd = asPostgres(filepath.Join(bin, "postgres"), "-D", p.Dir, "-p", strconv.Itoa(port), "-k", p.Dir,
		"-c", "listen_addresses=127.0.0.1", "-c", "fsync=off", "-c", "synchronous_commit=off",
		"-c", "full_page_writes=off", "-c", "max_connections=100", "-c", "shared_buffers=32MB",
		"-c", "hot_standby=on", "-c", "wal_level=replica", "-c", "logging_collector=off")
	p.cmd.Stderr, _ = os.Create(filepath.Join(os.TempDir(), fmt.Sprintf("kycmatch-pg-%d.log", port)))
	p.cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := p.cmd.Start(); err != nil {
		return fmt.Errorf("start postgres: %w", err)
	}
	p.done = make(chan struct{})
	go func() { p.cmd.Wait(); close(p.done) }()
	return p.waitReady()
}

func (p *Postgres) waitReady() error {
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		select {
		case <-p.done:
			return fmt.Errorf("postgres exited during start (log: %s)", os.TempDir())
		default:
		}
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		c, err := pgx.Connect(ctx, p.URL("postgres"))
		cancel()
		if err == nil {
			c.Close(context.Background())
			return nil
		}
		time.Sleep(50 * time.Millisecond)
	}
	return fmt.Errorf("postgres on port %d did not answer within 30s", p.Port)
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// Addr is the server's HOST:PORT.
func (p *Postgres) Addr() string { return "127.0.0.1:" + strconv.Itoa(p.Port) }

// URL is a connection URL for database db as the superuser.
func (p *Postgres) URL(db string) string {
	return fmt.Sprintf("postgres://postgres@%s/%s?sslmode=disable", p.Addr(), db)
}

// NewDatabase creates an empty database for one test and returns its
// URL; it is dropped when the test ends.
func (p *Postgres) NewDatabase(tb testing.TB) string {
	tb.Helper()
	name := fmt.Sprintf("t%d_%d", os.Getpid(), dbSeq.Add(1))
	p.Exec(tb, "postgres", "CREATE DATABASE "+name)
	tb.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if c, err := pgx.Connect(ctx, p.URL("postgres")); err == nil {
			c.Exec(ctx, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)")
			c.Close(ctx)
		}
	})
	return p.URL(name)
}

// Exec runs SQL statements as the superuser in database db.
func (p *Postgres) Exec(tb testing.TB, db string, sql ...string) {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	c, err := pgx.Connect(ctx, p.URL(db))
	if err != nil {
		tb.Fatal(err)
	}
	defer c.Close(ctx)
	for _, s := range sql {
		if _, err := c.Exec(ctx, s); err != nil {
			tb.Fatalf("%s: %v", strings.Fields(s)[0], err)
		}
	}
}

// PID is the postmaster's process id.
func (p *Postgres) PID() int {
	b, err := os.ReadFile(filepath.Join(p.Dir, "postmaster.pid"))
	if err != nil {
		return 0
	}
	pid, _ := strconv.Atoi(strings.SplitN(string(b), "\n", 2)[0])
	return pid
}

// Kill kills the postmaster with SIGKILL, as a crashed machine would stop
// it, and waits until it is gone.
func (p *Postgres) Kill() {
	if pid := p.PID(); pid > 0 {
		syscall.Kill(pid, syscall.SIGKILL)
	}
	<-p.done
}

// Stop shuts the server down fast and removes its directory.
func (p *Postgres) Stop() {
	select {
	case <-p.done: // killed already: its pid file is stale
	default:
		if pid := p.PID(); pid > 0 {
			syscall.Kill(pid, syscall.SIGINT)
		}
	}
	select {
	case <-p.done:
	case <-time.After(20 * time.Second):
		syscall.Kill(-p.cmd.Process.Pid, syscall.SIGKILL)
		<-p.done
	}
	if f, ok := p.cmd.Stderr.(*os.File); ok {
		f.Close()
		os.Remove(f.Name())
	}
	os.RemoveAll(p.Dir)
}
