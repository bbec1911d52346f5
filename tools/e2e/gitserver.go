package e2e

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/http/cgi"
	"os/exec"
	"path/filepath"
	"strings"
	"time"
)

// GitServer serves the bare repositories under Root over Git smart HTTP on 127.0.0.1: git's own
// git-http-backend behind net/http/cgi, so source-controller clones exactly as it would from a
// forge. The URL of <Root>/<name>.git is URL + "/<name>.git".
type GitServer struct {
	Root string
	URL  string
	srv  *http.Server
}

// StartGitServer serves root until Stop.
func StartGitServer(root string) (*GitServer, error) {
	out, err := exec.Command("git", "--exec-path").Output()
	if err != nil {
		return nil, fmt.Errorf("git --exec-path: %w", err)
	}
	backend := filepath.Join(strings.TrimSpace(string(out)), "git-http-backend")
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	g := &GitServer{Root: root, URL: "http://" + l.Addr().String()}
	h := &cgi.Handler{Path: backend, Env: []string{"GIT_PROJECT_ROOT=" + root, "GIT_HTTP_EXPORT_ALL=1"}}
	g.srv = &http.Server{
		Handler:           h,
		ReadHeaderTimeout: 10 * time.Second,
	}
	go func() { _ = g.srv.Serve(l) }()
	return g, nil
}

// Stop closes the listener and waits up to 5 seconds for requests in flight.
func (g *GitServer) Stop() error {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	return g.srv.Shutdown(ctx)
}
