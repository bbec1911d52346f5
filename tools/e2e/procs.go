package e2e

import (
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// Procs runs the suite's processes. Each logs to <dir>/logs/<name>.log; Stop ends them in the
// reverse order of Start, so the controllers stop before the apiserver and the apiserver before
// etcd (an apiserver stopping under live watches waits for them).
type Procs struct {
	dir   string
	procs []*proc
}

type proc struct {
	name string
	cmd  *exec.Cmd
	done chan struct{}
	err  error
	log  string
}

// NewProcs returns a process set whose logs go under dir/logs.
func NewProcs(dir string) (*Procs, error) {
	if err := os.MkdirAll(filepath.Join(dir, "logs"), 0o755); err != nil {
		return nil, err
	}
	return &Procs{dir: dir}, nil
}

// LogPath is where the named process logs.
func (p *Procs) LogPath(name string) string { return filepath.Join(p.dir, "logs", name+".log") }

// Start starts a process with the environment of the test plus env.
func (p *Procs) Start(name, path string, args []string, env ...string) error {
	f, err := os.Create(p.LogPath(name))
	if err != nil {
		return err
	}
	cmd := exec.Command(path, args...)
	cmd.Stdout, cmd.Stderr = f, f
	cmd.Env = append(os.Environ(), env...)
	// Pdeathsig: if the suite dies without stopping it (a test timeout, ^C), the kernel kills
	// it, so no apiserver or controller outlives the run. Setpgid: ^C in a terminal reaches
	// the suite only.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		f.Close()
		return fmt.Errorf("start %s: %w", name, err)
	}
	pr := &proc{name: name, cmd: cmd, done: make(chan struct{}), log: p.LogPath(name)}
	go func() {
		pr.err = cmd.Wait()
		f.Close()
		close(pr.done)
	}()
	p.procs = append(p.procs, pr)
	return nil
}

// Exited reports a process that has ended, with its error, or "" if all are running.
func (p *Procs) Exited() string {
	for _, pr := range p.procs {
		select {
		case <-pr.done:
			return fmt.Sprintf("%s exited (%v); log: %s", pr.name, pr.err, pr.log)
		default:
		}
	}
	return ""
}

// Stop ends every process, newest first: SIGTERM, then SIGKILL after 15 seconds.
func (p *Procs) Stop() error {
	var errs []error
	for _, pr := range slices.Backward(p.procs) {
		select {
		case <-pr.done:
			continue
		default:
		}
		_ = pr.cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-pr.done:
		case <-time.After(15 * time.Second):
			_ = pr.cmd.Process.Kill()
			<-pr.done
			errs = append(errs, fmt.Errorf("%s did not stop in 15s after SIGTERM; killed", pr.name))
		}
	}
	p.procs = nil
	return errors.Join(errs...)
}

// RSS returns the resident set size of each running process in bytes, and its peak (VmHWM).
func (p *Procs) RSS() map[string][2]int64 {
	m := map[string][2]int64{}
	for _, pr := range p.procs {
		select {
		case <-pr.done:
			continue
		default:
		}
		data, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pr.cmd.Process.Pid))
		if err != nil {
			continue
		}
		m[pr.name] = [2]int64{statusKB(data, "VmRSS:") * 1024, statusKB(data, "VmHWM:") * 1024}
	}
	return m
}

func statusKB(status []byte, field string) int64 {
	for _, line := range strings.Split(string(status), "\n") {
		if v, ok := strings.CutPrefix(line, field); ok {
			kb, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
			return kb
		}
	}
	return 0
}

// FreePort returns a TCP port on 127.0.0.1 that was free a moment ago.
func FreePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// FreeAddr is FreePort as host:port.
func FreeAddr() (string, error) {
	p, err := FreePort()
	if err != nil {
		return "", err
	}
	return net.JoinHostPort("127.0.0.1", strconv.Itoa(p)), nil
}
