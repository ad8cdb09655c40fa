package main

import (
	"io"
	"sync"
	"time"
)

// logSink buffers log output and writes it out every flushEvery, or when
// the buffer fills. One write system call per audit line would cost the
// server a tenth of its requests per second; a crash loses at most the
// last flushEvery of log lines, and a clean shutdown loses none.
//
// A request only ever holds mu for a copy into memory: the write system
// call happens after the full buffer has been swapped for an empty one, so
// a slow log destination (a pipe nobody reads quickly, a disk under
// writeback) delays the flusher, not every request logging meanwhile.
type logSink struct {
	mu  sync.Mutex // guards buf
	buf []byte

	wmu   sync.Mutex // serialises writes to w, so lines keep their order
	w     io.Writer
	spare []byte // guarded by wmu: the buffer written last, reused

	stop chan struct{}
	done chan struct{}
}

const (
	flushEvery = 200 * time.Millisecond
	// sinkBuffer is the buffered output that triggers a write before the
	// next tick: about a second of audit lines at 5 000 requests a second.
	sinkBuffer = 1 << 20
)

func newLogSink(w io.Writer) *logSink {
	s := &logSink{w: w, buf: make([]byte, 0, sinkBuffer), spare: make([]byte, 0, sinkBuffer),
		stop: make(chan struct{}), done: make(chan struct{})}
	go s.flusher()
	return s
}

func (s *logSink) Write(p []byte) (int, error) {
	s.mu.Lock()
	if len(s.buf) > 0 && len(s.buf)+len(p) > sinkBuffer {
		s.mu.Unlock()
		s.flush()
		s.mu.Lock()
	}
	s.buf = append(s.buf, p...)
	s.mu.Unlock()
	return len(p), nil
}

func (s *logSink) flusher() {
	defer close(s.done)
	t := time.NewTicker(flushEvery)
	defer t.Stop()
	for {
		select {
		case <-s.stop:
			s.flush()
			return
		case <-t.C:
			s.flush()
		}
	}
}

// flush writes out what is buffered. Holding wmu while swapping keeps the
// buffers' order on the way out.
func (s *logSink) flush() {
	s.wmu.Lock()
	defer s.wmu.Unlock()
	s.mu.Lock()
	out := s.buf
	s.buf = s.spare[:0]
	s.mu.Unlock()
	if len(out) > 0 {
		// Nowhere to report a failed log write but the log itself.
		_, _ = s.w.Write(out)
	}
	s.spare = out
}

// Close writes out what is buffered and stops the flusher.
func (s *logSink) Close() error {
	close(s.stop)
	<-s.done
	return nil
}
