package schemagen

import (
	"context"
	"strings"
	"testing"
)

// GoModDownload runs the real go command, offline: GOPROXY=off serves only the module cache,
// which holds go-cmp because this test imports it.
func TestGoModDownloadOffline(t *testing.T) {
	t.Setenv("GOPROXY", "off")

	d, err := GoModDownload(context.Background(), "github.com/google/go-cmp", "v0.7.0")
	if err != nil {
		t.Fatal(err)
	}
	if want := "h1:wk8382ETsv4JYUZwIsn6YpYiWiBsYLSJiTsyBybVuN8="; d.Sum != want { // as in go.sum
		t.Errorf("sum %s, want %s", d.Sum, want)
	}
	z, err := openModuleZip(d.Zip, Module{Module: "github.com/google/go-cmp", Version: "v0.7.0"})
	if err != nil {
		t.Fatal(err)
	}
	defer z.Close()
	if data, err := z.read("LICENSE"); err != nil || !strings.Contains(string(data), "Copyright") {
		t.Errorf("read LICENSE from the zip: %v", err)
	}

	_, err = GoModDownload(context.Background(), "github.com/google/go-cmp", "v0.0.1-notthere")
	if err == nil || !strings.Contains(err.Error(), "GOPROXY=off") {
		t.Errorf("download of an uncached version with GOPROXY=off: got %v", err)
	}
}
