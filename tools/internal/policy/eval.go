package policy

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/rego"

	"github.com/zavestudios/platform/tools/internal/finding"
	"github.com/zavestudios/platform/tools/internal/manifest"
)

// evaluate runs both queries. Each object is converted to an OPA value once, in parallel, and
// the same values make up input.objects for the cluster query, which then runs alongside the
// per-object workers.
func (e *Engine) evaluate(ctx context.Context, objs []manifest.Object) ([]finding.Finding, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()

	inputs := make([]*ast.Term, len(objs))
	err := e.parallel(ctx, len(objs), func(i int) error {
		v, err := toValue(objs[i])
		inputs[i] = ast.NewTerm(v)
		return err
	})
	if err != nil {
		return nil, err
	}

	var (
		cluster    []finding.Finding
		clusterErr error
		done       = make(chan struct{})
	)
	go func() {
		defer close(done)
		if cluster, clusterErr = e.evalCluster(ctx, objs, inputs); clusterErr != nil {
			cancel()
		}
	}()
	perObject := make([][]finding.Finding, len(objs))
	err = e.parallel(ctx, len(objs), func(i int) (err error) {
		perObject[i], err = e.evalObject(ctx, objs[i], inputs[i])
		return err
	})
	if err != nil {
		cancel()
	}
	<-done
	// The cluster error comes first when it caused the cancellation the workers then saw.
	if clusterErr != nil {
		return nil, clusterErr
	}
	if err != nil {
		return nil, err
	}
	all := cluster
	for _, fs := range perObject {
		all = append(all, fs...)
	}
	return all, nil
}

// parallel calls fn(0..n-1) on up to e.workers goroutines, stopping at the first error or when
// ctx is done. Workers take the next index from a shared counter, so a slow object (a big pod
// spec) does not leave the others idle the way fixed chunks would.
func (e *Engine) parallel(ctx context.Context, n int, fn func(int) error) error {
	var (
		next     atomic.Int64
		wg       sync.WaitGroup
		once     sync.Once
		firstErr error
	)
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	for range min(e.workers, n) {
		wg.Go(func() {
			for ctx.Err() == nil {
				i := int(next.Add(1)) - 1
				if i >= n {
					return
				}
				if err := fn(i); err != nil {
					once.Do(func() { firstErr = err; cancel() })
					return
				}
			}
		})
	}
	wg.Wait()
	if firstErr != nil {
		return firstErr
	}
	return context.Cause(ctx)
}

// toValue converts an object for OPA; a value OPA cannot represent is an error, not a panic.
func toValue(obj manifest.Object) (v ast.Value, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("policy input %s: %v", describe(obj), r)
		}
	}()
	if obj.Object == nil {
		return ast.NewObject(), nil
	}
	v, err = ast.InterfaceToValue(obj.Object)
	if err != nil {
		return nil, fmt.Errorf("policy input %s: %w", describe(obj), err)
	}
	return v, nil
}

func (e *Engine) evalObject(ctx context.Context, obj manifest.Object, input *ast.Term) ([]finding.Finding, error) {
	rs, err := eval(ctx, e.object, input)
	if err != nil {
		return nil, fmt.Errorf("policy %s: %w", describe(obj), err)
	}
	fs := make([]finding.Finding, 0, len(rs))
	for _, r := range rs {
		v, err := decode(r, false)
		if err != nil {
			return nil, fmt.Errorf("policy %s: %w", describe(obj), err)
		}
		fs = append(fs, v.finding(obj.ID(), obj.Origin))
	}
	return fs, nil
}

func (e *Engine) evalCluster(ctx context.Context, objs []manifest.Object, inputs []*ast.Term) ([]finding.Finding, error) {
	input := ast.ObjectTerm(ast.Item(ast.StringTerm("objects"), ast.ArrayTerm(inputs...)))
	rs, err := eval(ctx, e.cluster, input)
	if err != nil {
		return nil, fmt.Errorf("policy cluster rules: %w", err)
	}
	// The first object with an id is the one findings point at; input order is deterministic.
	origins := make(map[string]manifest.Origin, len(objs))
	for _, obj := range objs {
		if _, ok := origins[obj.ID()]; !ok {
			origins[obj.ID()] = obj.Origin
		}
	}
	fs := make([]finding.Finding, 0, len(rs))
	for _, r := range rs {
		v, err := decode(r, true)
		if err != nil {
			return nil, fmt.Errorf("policy cluster rules: %w", err)
		}
		fs = append(fs, v.finding(v.object, origins[v.object]))
	}
	return fs, nil
}

// eval recovers from a panic inside OPA so one odd object fails the run with an error instead of
// taking the process down from a worker goroutine.
func eval(ctx context.Context, pq rego.PreparedEvalQuery, input *ast.Term) (rs rego.ResultSet, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("evaluation panicked: %v", r)
		}
	}()
	return pq.Eval(ctx, rego.EvalParsedInput(input.Value))
}

func describe(obj manifest.Object) string {
	id := obj.ID()
	if loc := (finding.Finding{File: obj.Origin.File, Line: obj.Origin.Line}).Location(); loc != "" {
		return fmt.Sprintf("%s (%s)", id, loc)
	}
	return id
}
