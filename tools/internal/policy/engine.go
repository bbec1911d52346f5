// Package policy is the policy stage: it evaluates the Rego baseline in policies/ against the
// objects an environment builds to, one query per object and one over all objects, and returns
// the violations as findings.
//
// Rule conventions the engine relies on (see policies/lib/kubernetes.rego):
//
//	package platform.policies.<family>
//	deny contains {"rule": "<family>/<id>", "msg": "...", "field": "<JSON pointer>"}  # input: one object
//	deny_cluster contains {..., "object": "<apiVersion>/<Kind>/<ns>/<name>"}          # input.objects: all
//
// Environment facts are data.platform.env.
package policy

import (
	"context"
	"fmt"
	"runtime"
	"time"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/rego"
	"github.com/open-policy-agent/opa/v1/storage"
	"github.com/open-policy-agent/opa/v1/storage/inmem"

	"github.com/zavestudios/platform/tools/internal/finding"
	"github.com/zavestudios/platform/tools/internal/manifest"
)

// Stage is the Finding.Stage of every finding this package returns.
const Stage = "policy"

// Rule ids of the findings the engine itself raises about exceptions.
const (
	RuleExceptionExpired = "policy/exception-expired"
	RuleExceptionUnused  = "policy/exception-unused"
)

const (
	objectQuery  = "data.platform.policies[family].deny[violation]"
	clusterQuery = "data.platform.policies[family].deny_cluster[violation]"
)

// Exception waives one rule (or a family) for the objects a glob matches, until it expires.
type Exception struct {
	// Rule is an exact rule id (podsecurity/privileged) or a family wildcard (podsecurity/*).
	Rule string
	// Object is a path.Match glob on the object id: apps/v1/Deployment/web/* matches every
	// Deployment in web; "*" does not cross "/", so one segment is matched per "*".
	Object  string
	Reason  string
	Expires time.Time // expired once before Options.Now; zero never expires
	// File and Line are where the exception is declared, for findings about the exception.
	File string
	Line int
}

// Options configure an Engine.
type Options struct {
	Dir string // policies directory; modules are named relative to its parent
	// Rules, when set, are Dir's policies compiled already (Compile), shared by the engines of
	// several environments; Dir is then not read again.
	Rules      *Rules
	Env        map[string]any // data.platform.env
	Exceptions []Exception
	Now        time.Time // the time exceptions expire against; zero means time.Now()
	Workers    int       // parallel per-object evaluations; zero means GOMAXPROCS
}

// Engine holds the compiled policies; it is safe for concurrent use.
type Engine struct {
	object     rego.PreparedEvalQuery
	cluster    rego.PreparedEvalQuery
	exceptions []Exception
	now        time.Time
	workers    int
}

// Rules are the compiled policies of a directory. Compiling is most of New's time, and the
// environments of a run differ only in their data, so they can share one compilation.
type Rules struct{ compiler *ast.Compiler }

// Compile loads and compiles every non-test .rego file under dir. A file that does not parse or
// compile gives an error naming file:line:col.
func Compile(dir string) (*Rules, error) {
	modules, err := loadModules(dir, false)
	if err != nil {
		return nil, err
	}
	compiler, err := compile(modules)
	if err != nil {
		return nil, err
	}
	return &Rules{compiler: compiler}, nil
}

// New loads and compiles every non-test .rego file under opts.Dir once (or takes opts.Rules),
// and prepares the queries over opts.Env. A file that does not parse or compile gives an error
// naming file:line:col.
func New(ctx context.Context, opts Options) (*Engine, error) {
	if err := checkExceptions(opts.Exceptions); err != nil {
		return nil, err
	}
	rules := opts.Rules
	if rules == nil {
		var err error
		if rules, err = Compile(opts.Dir); err != nil {
			return nil, err
		}
	}
	store := envStore(opts.Env)
	prepare := func(query string) (rego.PreparedEvalQuery, error) {
		pq, err := rego.New(rego.Query(query), rego.Compiler(rules.compiler), rego.Store(store)).PrepareForEval(ctx)
		if err != nil {
			return pq, fmt.Errorf("prepare %s: %w", query, err)
		}
		return pq, nil
	}
	e := &Engine{exceptions: opts.Exceptions, now: opts.Now, workers: opts.Workers}
	var err error
	if e.object, err = prepare(objectQuery); err != nil {
		return nil, err
	}
	if e.cluster, err = prepare(clusterQuery); err != nil {
		return nil, err
	}
	if e.now.IsZero() {
		e.now = time.Now()
	}
	if e.workers <= 0 {
		e.workers = runtime.GOMAXPROCS(0)
	}
	return e, nil
}

// envStore holds data.platform.env. Round-tripping on write turns whatever Go values env holds into
// plain JSON data once, instead of on every read during evaluation.
func envStore(env map[string]any) storage.Store {
	if env == nil {
		env = map[string]any{}
	}
	return inmem.NewFromObjectWithOpts(map[string]any{"platform": map[string]any{"env": env}},
		inmem.OptRoundTripOnWrite(true))
}

// Run evaluates the per-object rules on every object in parallel and the cross-object rules once
// over all of them, applies the exceptions, and returns the findings sorted.
func (e *Engine) Run(ctx context.Context, objs []manifest.Object) ([]finding.Finding, error) {
	fs, err := e.evaluate(ctx, objs)
	if err != nil {
		return nil, err
	}
	fs = applyExceptions(fs, e.exceptions, e.now)
	finding.Sort(fs)
	return fs, nil
}
