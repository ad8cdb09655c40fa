package kyctest

import (
	"net"
	"os"
	"os/exec"
	"strconv"
	"testing"
	"time"
)

// RedisServer is a redis-server of the test's own, on a loopback port,
// keeping nothing on disk. Stop and Start kill and restart it on the same
// port, for tests of what clients do while it is away.
type RedisServer struct {
	tb   testing.TB
	port int
	dir  string
	cmd  *exec.Cmd
}

// Redis starts a redis-server (Debian's redis-server package), stopped
// when the test ends. Without the binary the test is skipped, or fails
// when CI is set: there a skip would hide a missing install step.
func Redis(tb testing.TB) *RedisServer {
	tb.Helper()
	if _, err := exec.LookPath("redis-server"); err != nil {
		if os.Getenv("CI") != "" {
			tb.Fatal("redis-server not found: apt-get install -y redis-server")
		}
		tb.Skip("redis-server not found: apt-get install -y redis-server")
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	r := &RedisServer{tb: tb, port: ln.Addr().(*net.TCPAddr).Port, dir: tb.TempDir()}
	ln.Close()
	r.Start()
	tb.Cleanup(r.Stop)
	return r
}

// URL is the server's redis:// URL.
func (r *RedisServer) URL() string { return "redis://" + r.addr() + "/0" }

func (r *RedisServer) addr() string { return "127.0.0.1:" + strconv.Itoa(r.port) }

// Start starts the server, if stopped, and waits until it accepts
// connections.
func (r *RedisServer) Start() {
	r.tb.Helper()
	if r.cmd != nil {
		return
	}
	r.cmd = exec.Command("redis-server", "--port", strconv.Itoa(r.port), "--bind", "127.0.0.1",
		"--save", "", "--appendonly", "no", "--dir", r.dir, "--daemonize", "no", "--loglevel", "warning")
	if err := r.cmd.Start(); err != nil {
		r.tb.Fatalf("start redis-server: %v", err)
	}
	for deadline := time.Now().Add(10 * time.Second); ; {
		c, err := net.DialTimeout("tcp", r.addr(), 100*time.Millisecond)
		if err == nil {
			c.Close()
			return
		}
		if time.Now().After(deadline) {
			r.tb.Fatalf("redis-server does not answer on %s: %v", r.addr(), err)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// Stop kills the server (SIGKILL: no goodbye to its clients) and waits
// for it to exit.
func (r *RedisServer) Stop() {
	if r.cmd == nil {
		return
	}
	r.cmd.Process.Kill()
	r.cmd.Wait()
	r.cmd = nil
}
