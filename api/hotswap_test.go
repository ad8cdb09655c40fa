package api_test

import (
	"context"
	"maps"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// TestHotSwap keeps 8 clients busy while three full ingests publish new
// generations in the served data directory, each renaming one subscriber.
// No request may fail or break the spec, every client sees the generations
// in order, the answers follow the newest one, and replaced generations are
// closed, which is what lets the store remove them from disk.
func TestHotSwap(t *testing.T) {
	e := newEnv(t)
	names := []string{"Holder Generation One", "Holder Generation Two", "Holder Generation Three", "Holder Generation Four"}
	// linesFor is the export of generation g: Luis renamed, all else equal.
	linesFor := func(g int) []map[string]string {
		out := make([]map[string]string, len(testLines))
		for i, l := range testLines {
			out[i] = maps.Clone(l)
			if l["phoneNumber"] == lineLuis {
				out[i]["name"] = names[g]
			}
		}
		return out
	}
	first := e.ingest(t, linesFor(0))
	live := e.live(t)
	s := newServer(t, live, nil)

	// The server picks generations up by itself, as serve does.
	watchCtx, stopWatch := context.WithCancel(context.Background())
	watched := make(chan struct{})
	go func() { live.Watch(watchCtx, 10*time.Millisecond); close(watched) }()
	defer func() { stopWatch(); <-watched }()

	const workers = 8
	var requests, failures atomic.Int64
	// published is the newest generation that may be answering: it is
	// raised before each ingest starts.
	var published atomic.Int64
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			newest := 0 // the newest generation this client saw answering
			for i := w; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				g := i % len(names)
				v := versions[i%len(versions)]
				kv := []string{"name", names[g], "birthdate", "1985-11-02"}
				r, err := s.try(t, call{version: v, body: jsonBody(lineLuis, kv...)})
				requests.Add(1)
				if err != nil || r.status != http.StatusOK {
					failures.Add(1)
					t.Errorf("client %d: %v %d %s", w, err, r.status, r.body)
					continue
				}
				checkKeys(t, v, fieldsOf(kv...), r, map[string]string{"birthdate": "true"})
				if r.fields["nameMatch"] == "true" {
					if int64(g) > published.Load() {
						t.Errorf("client %d: name of generation %d matched before it was built", w, g+1)
					}
					if g < newest {
						t.Errorf("client %d: generation %d answered after generation %d", w, g+1, newest+1)
					}
					newest = g
				}
			}
		}()
	}

	for g := 1; g < len(names); g++ {
		published.Store(int64(g))
		sum := e.ingest(t, linesFor(g))
		waitFor(t, 5*time.Second, "switch to generation "+sum.Generation.ID, func() bool {
			info, ok := live.Info()
			return ok && info.ID == sum.Generation.ID
		})
		// Let the clients run on the new generation for a while, so that
		// the swap happens under load and the next ingest finds the
		// replaced generation closed.
		base := requests.Load()
		waitFor(t, 5*time.Second, "requests on the new generation", func() bool { return requests.Load() >= base+50 })
		now := s.do(t, call{version: "vwip", body: jsonBody(lineLuis, "name", names[g])})
		was := s.do(t, call{version: "v0.4", body: jsonBody(lineLuis, "name", names[g-1])})
		checkKeys(t, "vwip", fieldsOf("name", ""), now, map[string]string{"name": "true"})
		checkKeys(t, "v0.4", fieldsOf("name", ""), was, map[string]string{"name": "false"})
	}
	close(stop)
	wg.Wait()

	if failures.Load() > 0 || requests.Load() < 150 {
		t.Errorf("%d of %d requests failed; want none of at least 150", failures.Load(), requests.Load())
	}
	t.Logf("%d requests during 3 swaps", requests.Load())
	gens, err := filepath.Glob(filepath.Join(e.data, "gen-*"))
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(gens)
	// The store keeps the current generation and the one before; a replaced
	// generation that was still open would stay behind as well.
	if len(gens) > 3 {
		t.Errorf("data directory holds %d generations: %v", len(gens), gens)
	}
	if _, err := os.Stat(filepath.Join(e.data, "gen-"+first.Generation.ID)); !os.IsNotExist(err) {
		t.Errorf("the first generation is still on disk (still open?): %v", gens)
	}
}
