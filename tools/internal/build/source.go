package build

import (
	"fmt"
	"net/url"
	"path/filepath"
	"strings"

	"github.com/zavestudios/platform/tools/internal/finding"
	"github.com/zavestudios/platform/tools/internal/manifest"
)

const (
	sourceGroup    = "source.toolkit.fluxcd.io"
	extensionGroup = "source.extensions.fluxcd.io"
)

// source is a Flux source as a directory on disk, or the reason it is not one.
type source struct {
	ref string // Kind/namespace/name
	// dir is the source's root on disk; empty when the source is remote or missing.
	dir string
	url string
	// remote is set for sources that live elsewhere (a Git server, a registry, a bucket).
	remote bool
	// missing says why a source could not be resolved at all.
	missing string
	// files maps files staged for an ExternalArtifact back to the files they were copied from,
	// so objects built from the artifact still point at the repository.
	files map[string]string
}

// original returns the file a staged artifact file was copied from.
func (s *source) original(path string) string {
	if f, ok := s.files[path]; ok {
		return f
	}
	return path
}

// resolveSource finds the directory a sourceRef reads: this working tree for the repository's
// own GitRepository, a directory from Options.Sources, an ExternalArtifact staged from its
// ArtifactGenerator's local sources, or nothing for a remote source.
func (b *Builder) resolveSource(kind, ns, name string) *source {
	ref := kind + "/" + ns + "/" + name
	if s, ok := b.sources[ref]; ok {
		return s
	}
	s := b.lookupSource(kind, ns, name)
	if s.missing == "" {
		b.sources[ref] = s // a missing source may still be produced by a later unit
	}
	return s
}

func (b *Builder) lookupSource(kind, ns, name string) *source {
	ref := kind + "/" + ns + "/" + name
	s := &source{ref: ref}
	if dir, ok := b.opts.Sources[ref]; ok {
		abs, err := filepath.Abs(dir)
		if err != nil {
			s.missing = fmt.Sprintf("%s: %v", dir, err)
			return s
		}
		s.dir = abs
		return s
	}
	group := sourceGroup
	obj, found := b.st.get(group, kind, ns, name)
	if found {
		s.url = strAt(obj.Object, "spec", "url")
	}
	switch kind {
	case "GitRepository":
		switch {
		case b.ownRepos[ns+"/"+name]:
			s.dir = b.opts.Root
		case !found && b.bootstrap == "" && ns == "flux-system" && name == "flux-system":
			// flux bootstrap creates this GitRepository for the repository it writes to; trees
			// that do not commit the bootstrap manifests still mean this working tree.
			s.dir = b.opts.Root
		case !found:
			s.missing = ref + " not found in the tree"
		case b.isOwnURL(s.url):
			s.dir = b.opts.Root
		default:
			s.remote = true
		}
	case "OCIRepository", "Bucket", "HelmRepository":
		if !found {
			s.missing = ref + " not found in the tree"
			break
		}
		if kind == "Bucket" {
			s.url = strAt(obj.Object, "spec", "endpoint") + "/" + strAt(obj.Object, "spec", "bucketName")
		}
		s.remote = true
	case "ExternalArtifact":
		b.stageArtifact(s, ns, name)
	case "":
		s.missing = "the source kind is not set"
	default:
		s.missing = fmt.Sprintf("source kind %q not supported", kind)
	}
	return s
}

// isOwnURL reports whether a Git URL is this repository: one of Options.RepoURLs or the URL of
// the GitRepository flux bootstrap syncs the entry from.
func (b *Builder) isOwnURL(u string) bool {
	if u == "" {
		return false
	}
	n := normalizeURL(u)
	for _, r := range b.opts.RepoURLs {
		if normalizeURL(r) == n {
			return true
		}
	}
	for nn := range b.ownRepos {
		ns, name, _ := strings.Cut(nn, "/")
		if o, ok := b.st.get(sourceGroup, "GitRepository", ns, name); ok {
			if own := strAt(o.Object, "spec", "url"); own != "" && normalizeURL(own) == n {
				return true
			}
		}
	}
	return false
}

// normalizeURL reduces the spellings of one Git repository to host/path: https and ssh forms,
// scp-like git@host:org/repo, with or without .git and a trailing slash.
func normalizeURL(u string) string {
	u = strings.TrimSpace(u)
	if !strings.Contains(u, "://") {
		if at := strings.Index(u, "@"); at >= 0 {
			if host, path, ok := strings.Cut(u[at+1:], ":"); ok {
				u = "ssh://" + host + "/" + path
			}
		}
	}
	host, path := u, ""
	if p, err := url.Parse(u); err == nil && p.Host != "" {
		host, path = p.Hostname(), p.Path
	}
	path = strings.TrimSuffix(strings.TrimSuffix(path, "/"), ".git")
	return strings.ToLower(host) + path
}

// urlKey is a URL without scheme, credentials and port: the chart cache's name for a repository.
func urlKey(u string) string {
	if u == "" {
		return ""
	}
	return strings.Trim(normalizeURL(u), "/")
}

// noteRemote records that a unit needs a remote source; the first use is reported.
func (b *Builder) noteRemote(s *source, usedBy string, at manifest.Origin, id string) {
	rs, seen := b.remote[s.ref]
	if !seen {
		rs = &RemoteSource{Ref: s.ref, URL: s.url}
		b.remote[s.ref] = rs
		msg := "remote source, not built: " + s.ref
		if s.url != "" && s.url != s.ref {
			msg += " (" + s.url + ")"
		}
		b.report(finding.Warning, at, id, "remote-source", "%s; map it to a local directory to build it", msg)
	}
	rs.UsedBy = append(rs.UsedBy, usedBy)
}
