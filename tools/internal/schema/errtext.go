package schema

import (
	"regexp"
	"strconv"
	"strings"
)

// kubeconform's Result.ValidationErrors holds only the first level of the validator's error
// tree: an object with three mistakes under /spec yields one "at '/spec': validation failed".
// The whole tree survives only as text in Result.Err (santhosh-tekuri/jsonschema v6's format
// with newlines turned into spaces):
//
//	jsonschema validation failed with 'file:///…#' - at '/spec': validation failed   - at '/spec/replicas': got string, want integer
//
// Each entry is "- at 'POINTER': MESSAGE", indented two spaces per level, and the pointer is a
// proper RFC 6901 pointer. detailedErrors recovers the entries from that text.

// errEntry is one line of the error tree.
type errEntry struct {
	depth   int
	pointer string
	msg     string
}

var entryRE = regexp.MustCompile(` ( *)- at '((?:[^'\\]|\\.)*)': `)

// parseErrText splits the error text into entries; nil if it is not in the expected format.
func parseErrText(s string) []errEntry {
	locs := entryRE.FindAllStringSubmatchIndex(s, -1)
	var out []errEntry
	for i, l := range locs {
		end := len(s)
		if i+1 < len(locs) {
			end = locs[i+1][0]
		}
		ptr, ok := unquote(s[l[4]:l[5]])
		if !ok {
			return nil
		}
		out = append(out, errEntry{
			depth:   (l[3]-l[2])/2 + 1,
			pointer: ptr,
			msg:     strings.TrimSpace(s[l[1]:end]),
		})
	}
	return out
}

// detailedErrors reduces the tree to the errors worth reporting: the leaves, except that a
// failed oneOf/anyOf/not is reported once, with its alternatives' messages, rather than as
// one finding per alternative ("got boolean, want string" and "… want integer" for one field).
func detailedErrors(es []errEntry) []errEntry {
	var out []errEntry
	for i := 0; i < len(es); {
		j := i + 1
		for j < len(es) && es[j].depth > es[i].depth {
			j++
		}
		kids := es[i+1 : j]
		switch {
		case len(kids) == 0:
			out = append(out, es[i])
		case isAlternatives(es[i].msg):
			var msgs []string
			for _, k := range detailedErrors(kids) {
				msgs = append(msgs, k.msg)
			}
			e := es[i]
			e.msg += ": " + strings.Join(msgs, "; ")
			out = append(out, e)
		default: // "validation failed", "'allOf' failed": only a container for its causes
			out = append(out, detailedErrors(kids)...)
		}
		i = j
	}
	return out
}

func isAlternatives(msg string) bool {
	return strings.HasPrefix(msg, "'oneOf' failed") || msg == "'anyOf' failed" || msg == "'not' failed"
}

// unquote reverses the validator's quote(): Go %q with \" left bare and ' escaped.
func unquote(s string) (string, bool) {
	s = strings.ReplaceAll(s, `\'`, `'`)
	s = strings.ReplaceAll(s, `"`, `\"`)
	u, err := strconv.Unquote(`"` + s + `"`)
	return u, err == nil
}

// decodePointer splits an RFC 6901 pointer into its unescaped tokens.
func decodePointer(p string) []string {
	if p == "" {
		return nil
	}
	tokens := strings.Split(strings.TrimPrefix(p, "/"), "/")
	for i, t := range tokens {
		tokens[i] = strings.ReplaceAll(strings.ReplaceAll(t, "~1", "/"), "~0", "~")
	}
	return tokens
}
