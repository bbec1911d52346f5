package parity

import (
	"path"
	"regexp"
	"strings"

	"github.com/zavestudios/platform/tools/internal/diff"
)

func splitPointer(p string) []string { return diff.SplitPointer(p) }

// matchPath matches pointer segments against a glob: * is one segment (or part of one), ** any
// number of segments. Segments stay escaped on both sides, so `eks.amazonaws.com~1role-arn`
// matches the key eks.amazonaws.com/role-arn.
func matchPath(glob, segs []string) bool {
	if len(glob) == 0 {
		return len(segs) == 0
	}
	if glob[0] == "**" {
		for i := 0; i <= len(segs); i++ {
			if matchPath(glob[1:], segs[i:]) {
				return true
			}
		}
		return false
	}
	if len(segs) == 0 {
		return false
	}
	return globMatch(glob[0], segs[0]) && matchPath(glob[1:], segs[1:])
}

func globMatch(pattern, s string) bool {
	ok, err := path.Match(pattern, s)
	return err == nil && ok
}

var sopsValue = regexp.MustCompile(`^ENC\[AES256_GCM,.*\]$`)

// normalize removes what legitimately differs between any two renders and is not a property of
// the environment: SOPS ciphertext (re-encrypted per file) and the environment's own folder name.
func normalize(obj map[string]any, env string) map[string]any {
	out := deepCopy(obj, env).(map[string]any)
	delete(out, "sops")
	return out
}

func deepCopy(v any, env string) any {
	switch x := v.(type) {
	case map[string]any:
		m := make(map[string]any, len(x))
		for k, val := range x {
			m[k] = deepCopy(val, env)
		}
		return m
	case []any:
		l := make([]any, len(x))
		for i, val := range x {
			l[i] = deepCopy(val, env)
		}
		return l
	case string:
		if sopsValue.MatchString(x) {
			return "ENC[...]"
		}
		return replaceEnvFolder(x, env)
	}
	return v
}

// replaceEnvFolder turns clusters/<env> into clusters/${env}: each environment syncs its own folder.
func replaceEnvFolder(s, env string) string {
	for _, prefix := range []string{"./clusters/", "clusters/"} {
		if strings.HasPrefix(s, prefix+env) {
			rest := s[len(prefix+env):]
			if rest == "" || rest[0] == '/' {
				return prefix + "${env}" + rest
			}
		}
	}
	return s
}
