package main

import (
	"bytes"
	"fmt"
	"strings"
	"sync"
	"testing"
)

// TestLogSink writes from many goroutines, more than one buffer's worth:
// every line comes out whole, once, and each writer's lines in order.
func TestLogSink(t *testing.T) {
	var out bytes.Buffer // written only under the sink's wmu
	s := newLogSink(&out)
	const writers, lines = 8, 5000
	var wg sync.WaitGroup
	for w := range writers {
		wg.Go(func() {
			for i := range lines {
				fmt.Fprintf(s, "{\"writer\":%d,\"line\":%d,\"pad\":%q}\n", w, i, strings.Repeat("x", 20+i%50))
			}
		})
	}
	wg.Wait()
	s.Close()
	next := make([]int, writers)
	n := 0
	for l := range strings.Lines(out.String()) {
		var w, i int
		if _, err := fmt.Sscanf(l, "{\"writer\":%d,\"line\":%d,", &w, &i); err != nil {
			t.Fatalf("line %d mangled: %q", n, l)
		}
		if i != next[w] {
			t.Fatalf("writer %d: line %d after %d", w, i, next[w]-1)
		}
		next[w]++
		n++
	}
	if n != writers*lines {
		t.Errorf("%d lines out, want %d", n, writers*lines)
	}
}
