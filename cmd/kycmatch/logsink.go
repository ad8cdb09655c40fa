package main

import (
	"bufio"
	"io"
	"sync"
	"time"
)

// logSink buffers log output and writes it out every flushEvery, or when
// the buffer fills. One write system call per audit line would cost the
// server a tenth of its requests per second; a crash loses at most the
// last flushEvery of log lines, and a clean shutdown loses none.
type logSink struct {
	mu   sync.Mutex
	w    *bufio.Writer
	stop chan struct{}
	done chan struct{}
}

const flushEvery = 200 * time.Millisecond

func newLogSink(w io.Writer) *logSink {
	s := &logSink{w: bufio.NewWriterSize(w, 256<<10), stop: make(chan struct{}), done: make(chan struct{})}
	go s.flusher()
	return s
}

func (s *logSink) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.w.Write(p)
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

func (s *logSink) flush() {
	s.mu.Lock()
	s.w.Flush()
	s.mu.Unlock()
}

// Close writes out what is buffered and stops the flusher.
func (s *logSink) Close() error {
	close(s.stop)
	<-s.done
	return nil
}
