#!/usr/bin/env bash
# Side by side, on the same generated trees of N, 2N and 4N applications in two environments:
#   (a)  platctl validate --root …       build as Flux would, then schemas and policies, one process
#   (a') platctl validate --input …      schemas and policies on the already built objects
#   (b)  kubeconform -strict             schemas only, on the same built objects
#   (c)  kustomize build | kubeconform   per Flux path, then conftest with our policies: the
#        pipeline the Flux example repositories ship in their validate.sh
# Prints the median wall time of RUNS runs, the peak RSS, and the ratios. The peers are installed
# with `go install` at pinned versions (newer ones need Go 1.27) into .cache/bench/bin.
set -euo pipefail
N=${N:-400}
RUNS=${RUNS:-3}
root=$(git -C "$(dirname "$0")" rev-parse --show-toplevel)
bin=$root/.cache/bench/bin
mkdir -p "$bin"
export PATH=$bin:$PATH GOFLAGS=-buildvcs=false GOTOOLCHAIN=local

install() { # name module@version
	[ -x "$bin/$1" ] || { echo "installing $2" >&2; GOBIN=$bin go install "$2"; }
}
install kubeconform github.com/yannh/kubeconform/cmd/kubeconform@v0.8.0
install kustomize sigs.k8s.io/kustomize/kustomize/v5@v5.8.2
install conftest github.com/open-policy-agent/conftest@v0.71.1
command -v /usr/bin/time >/dev/null || { echo "needs /usr/bin/time (apt-get install time)" >&2; exit 2; }
(cd "$root" && go build -o "$bin/platctl" ./tools/cmd/platctl)

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
schemas=$root/schemas/jsonschema
kc_args=(-strict -summary -kubernetes-version 1.34.4
	-schema-location "$schemas/kubernetes/{{ .NormalizedKubernetesVersion }}-standalone{{ .StrictSuffix }}/{{ .ResourceKind }}{{ .KindSuffix }}.json"
	-schema-location "$schemas/crds/{{ .Group }}/{{ .ResourceKind }}_{{ .ResourceAPIVersion }}.json")
mkdir -p "$work/data"
echo '{"platform":{"env":{"name":"bench","registries":["registry.bench.local"],"allowLoadBalancer":false}}}' >"$work/data/env.json"

# measure LABEL CMD…: runs CMD RUNS times, prints "median_seconds peak_kb"
measure() {
	local times=() peak=0
	for _ in $(seq "$RUNS"); do
		/usr/bin/time -f "%e %M" -o "$work/time" "$@" >/dev/null 2>"$work/stderr" || {
			rc=$?; [ $rc -eq 1 ] || { cat "$work/stderr" >&2; exit $rc; }; }
		read -r t kb <"$work/time"
		times+=("$t")
		((kb > peak)) && peak=$kb
	done
	printf '%s %s\n' "$(printf '%s\n' "${times[@]}" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')" "$peak"
}

# the Flux example repositories' validate.sh, written out so `measure` can time it as one command
cat >"$work/pipeline.sh" <<PIPE
#!/usr/bin/env bash
set -euo pipefail
out=$work/pipeline.yaml
: >"\$out"
for p in "\$1"/apps/base/*/; do
	kustomize build "\$p" | tee -a "\$out" | kubeconform -strict -summary -kubernetes-version 1.34.4 \\
		-schema-location '$schemas/kubernetes/{{ .NormalizedKubernetesVersion }}-standalone{{ .StrictSuffix }}/{{ .ResourceKind }}{{ .KindSuffix }}.json' \\
		-schema-location '$schemas/crds/{{ .Group }}/{{ .ResourceKind }}_{{ .ResourceAPIVersion }}.json' - >/dev/null
	echo '---' >>"\$out"
done
conftest test "\$out" --policy '$root/policies' --data '$work/data' --all-namespaces --no-color >/dev/null
PIPE
chmod +x "$work/pipeline.sh"

printf '%-6s %8s | %9s %9s %9s %9s | %7s %7s | %9s %9s\n' apps objects "(a) full" "(a') val" "(b) kc" "(c) pipe" "a'/b" "c/a" "RSS a MB" "RSS b MB"
for n in "$N" $((2 * N)) $((4 * N)); do
	tree=$work/tree-$n
	platctl bench gen --apps "$n" --envs 2 "$tree" >/dev/null
	(cd "$tree" && platctl build --root clusters/env-1 -o yaml -q >"$work/built.yaml" && echo --- >>"$work/built.yaml" && platctl build --root clusters/env-2 -o yaml -q >>"$work/built.yaml")
	objects=$(grep -c '^kind:' "$work/built.yaml")
	read -r a a_kb < <(measure platctl validate -q --repo "$tree" --root clusters/env-1 --root clusters/env-2 --registry registry.bench.local --rules "$root")
	read -r av av_kb < <(measure platctl validate -q --input "$work/built.yaml" --registry registry.bench.local --rules "$root")
	read -r b b_kb < <(measure kubeconform "${kc_args[@]}" "$work/built.yaml")
	read -r c _ < <(measure "$work/pipeline.sh" "$tree")
	printf '%-6s %8s | %8ss %8ss %8ss %8ss | %7.2f %7.2f | %9d %9d\n' "$n" "$objects" "$a" "$av" "$b" "$c" \
		"$(awk "BEGIN {print $av / $b}")" "$(awk "BEGIN {print $c / $a}")" $((a_kb / 1024)) $((b_kb / 1024))
done
