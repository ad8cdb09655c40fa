//go:build unix

package ingest_test

import (
	"syscall"
	"time"
)

// cpuTime is the CPU the process has used, user and system: on a shared
// machine it measures a benchmark's work where wall time measures its
// neighbours too.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
