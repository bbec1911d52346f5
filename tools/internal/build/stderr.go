package build

import (
	"bufio"
	"io"
	"os"
	"strings"
	"sync"

	"github.com/zavestudios/platform/tools/internal/finding"
	"github.com/zavestudios/platform/tools/internal/manifest"
)

// stderrMu serialises captureStderr: os.Stderr is process-wide.
var stderrMu sync.Mutex

// captureStderr runs fn with os.Stderr redirected and returns the lines fn wrote. Kustomize
// writes its deprecation warnings straight to os.Stderr; a stage must not print, so build
// collects them and reports them as findings instead.
func captureStderr(fn func()) []string {
	stderrMu.Lock()
	defer stderrMu.Unlock()
	r, w, err := os.Pipe()
	if err != nil {
		fn()
		return nil
	}
	var lines []string
	done := make(chan struct{})
	go func() {
		defer close(done)
		sc := bufio.NewScanner(r)
		for sc.Scan() {
			if l := strings.TrimSpace(sc.Text()); l != "" {
				lines = append(lines, l)
			}
		}
		_, _ = io.Copy(io.Discard, r)
	}()
	saved := os.Stderr
	func() {
		os.Stderr = w
		defer func() { os.Stderr = saved }()
		fn()
	}()
	_ = w.Close()
	<-done
	_ = r.Close()
	return lines
}

// reportWarnings turns kustomize's warnings into info findings at the unit that built.
func (b *Builder) reportWarnings(lines []string, at manifest.Origin, id string) {
	for _, l := range lines {
		msg := strings.TrimSpace(strings.TrimPrefix(l, "# Warning:"))
		b.report(finding.Info, at, id, "kustomize-warning", "kustomize: %s", msg)
	}
}
