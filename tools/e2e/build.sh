#!/usr/bin/env bash
# build.sh builds the binaries the end-to-end suite runs: etcd, kube-apiserver and the Flux
# source-, kustomize- and helm-controller, each from its wrapper module under wrappers/ (their
# upstream go.mod files have replace directives, so `go install pkg@version` refuses them).
#
# They go to $E2E_CACHE/<key>/bin (default ~/.cache/zavestudios-platform/e2e), where <key> hashes
# everything that decides their bytes: the wrapper modules (versions and go.sum), the build flags
# and the Go version. A binary already there is not rebuilt, so a warm machine takes seconds and a
# cold one about 12 minutes and 10 GB (module and build caches) on 2 cores. The builds run one at
# a time under `nice -n 19`: they peak at about 2 GB each and share the machine.
#
# stdout: the bin directory, and nothing else. Progress goes to stderr.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
# Outside the checkout by default, like Go's own build cache, so every clone on a machine (CI's
# fresh clones included) shares one build per set of pinned versions.
cache=${E2E_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/zavestudios-platform/e2e}

export GOTOOLCHAIN=local GOWORK=off GOFLAGS=-buildvcs=false
go=${GO:-go}

# The Kubernetes version the apiserver reports; without these it says v0.0.0-master, which fails
# charts with a kubeVersion constraint.
kube_version=v1.34.4
kube_ldflags="-X k8s.io/component-base/version.gitVersion=$kube_version \
-X k8s.io/component-base/version.gitMajor=1 -X k8s.io/component-base/version.gitMinor=34 \
-X k8s.io/component-base/version.gitTreeState=clean \
-X k8s.io/client-go/pkg/version.gitVersion=$kube_version"
common_flags="-mod=readonly -trimpath"

# name | wrapper | main package | extra ldflags
targets=(
	"etcd|etcd|go.etcd.io/etcd/server/v3|"
	"kube-apiserver|kube-apiserver|k8s.io/kubernetes/cmd/kube-apiserver|$kube_ldflags"
	"source-controller|source-controller|github.com/fluxcd/source-controller|"
	"kustomize-controller|kustomize-controller|github.com/fluxcd/kustomize-controller|"
	"helm-controller|helm-controller|github.com/fluxcd/helm-controller|"
)

key=$(
	{
		"$go" version
		echo "$common_flags" "${targets[@]}"
		cd "$here/wrappers"
		find . -type f \( -name go.mod -o -name go.sum -o -name '*.go' \) | LC_ALL=C sort | xargs sha256sum
	} | sha256sum | cut -c1-16
)
bin=$cache/$key/bin
mkdir -p "$bin"

start=$SECONDS
built=0
for t in "${targets[@]}"; do
	IFS='|' read -r name wrapper pkg ldflags <<<"$t"
	if [[ -x $bin/$name ]]; then
		continue
	fi
	echo "e2e build: $name ($pkg, wrappers/$wrapper) ..." >&2
	t0=$SECONDS
	# shellcheck disable=SC2086 # the flags are word lists
	(cd "$here/wrappers/$wrapper" &&
		nice -n 19 "$go" build $common_flags -ldflags="-s -w $ldflags" -o "$bin/$name.tmp" "$pkg")
	mv "$bin/$name.tmp" "$bin/$name"
	echo "e2e build: $name done in $((SECONDS - t0))s" >&2
	built=$((built + 1))
done
if ((built > 0)); then
	echo "e2e build: $built binaries built in $((SECONDS - start))s into $bin" >&2
else
	echo "e2e build: binaries up to date in $bin" >&2
fi
echo "$bin"
