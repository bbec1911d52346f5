//go:build unix

package policy_test

import (
	"syscall"
	"time"
)

// cpuTime is the user+system CPU time the process has used so far. Benchmarks report it next to
// wall time because the machines they run on are shared: CPU time is the work done, however busy
// the neighbours are.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
