package schemagen

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"time"
)

// Main is `go run ./tools/cmd/schemagen [-root DIR] [-sources FILE] [-q]`: regenerate the
// vendored schemas, report progress and a summary on stderr, and return the exit code (0 done,
// 2 failed, as platctl).
func Main() int {
	return run(os.Args[1:], os.Stderr)
}

func run(args []string, stderr io.Writer) int {
	flags := flag.NewFlagSet("schemagen", flag.ContinueOnError)
	flags.SetOutput(stderr)
	root := flags.String("root", ".", "repository root")
	sources := flags.String("sources", DefaultSources, "source list, relative to the root")
	quiet := flags.Bool("q", false, "print nothing but errors")
	if err := flags.Parse(args); err != nil {
		return 2
	}
	if flags.NArg() > 0 {
		fmt.Fprintf(stderr, "schemagen: unexpected arguments %q\n", flags.Args())
		return 2
	}
	progress := stderr
	if *quiet {
		progress = io.Discard
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	start := time.Now()
	res, err := Generate(ctx, Options{Root: *root, Sources: *sources, Progress: progress})
	if err != nil {
		fmt.Fprintf(stderr, "schemagen: %v\n", err)
		return 2
	}
	fmt.Fprintf(progress, "schemagen: %d files (%d kubernetes schemas, %d CRD schemas, %d CRDs), %.1f MiB; %d written, %d removed; %.1fs\n",
		res.Files(), res.KubernetesSchemas, res.CRDSchemas, res.CRDs, float64(res.Bytes)/(1<<20),
		res.Written, res.Removed, time.Since(start).Seconds())
	return 0
}
