#!/usr/bin/env bash
# Checks the deploy files offline; CI runs it after `mvn -B verify` (it needs grid-node/target/stockgrid-node.jar).
#   1. yamllint -s over deploy/ (config: deploy/.yamllint)
#   2. shellcheck over the deploy scripts
#   3. deploy/validate/check.js: every Kubernetes manifest against the API schema (kubernetes-models) with unknown
#      fields rejected (@kubernetes/client-node's models), plus cross-checks (headless Service, discovery DNS,
#      probes, grace period vs drain timeout, quorum vs replicas, selectors); the compose file against the Compose
#      specification schema plus cross-checks; the Dockerfile (jar it copies exists, ENTRYPOINT runs that jar,
#      non-root, volume, ports, healthcheck); every STOCKGRID_* name in deploy/ is a real setting (README table
#      and the node's --help)
#   4. the same checks on copies broken on purpose must fail (so the checks cannot pass vacuously)
# Installs what is missing: yamllint, shellcheck (and node/npm) with apt-get, the pinned npm packages of
# deploy/validate/package-lock.json into $STOCKGRID_VALIDATE_CACHE (default deploy/.validate). Every step is time-bounded.
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
cache="${STOCKGRID_VALIDATE_CACHE:-$root/deploy/.validate}"
jar="grid-node/target/stockgrid-node.jar"
# Read as text only (the attribute maps of the generated API models, Kubernetes 1.33); pinned by integrity.
client_node_version="1.3.0"
client_node_integrity="sha512-IE0yrIpOT97YS5fg2QpzmPzm8Wmcdf4ueWMn+FiJSI3jgTTQT1u+LUhoYpdfhdHAVxdrNsaBg2C0UXSnOgMoCQ=="
failures=()

step() { printf '\n== %s  (%ss)\n' "$*" "$SECONDS"; }
fail() { echo "validate: FAILED: $*" >&2; failures+=("$*"); }
die() { echo "validate: $*" >&2; exit 1; }

step "tools"
missing=()
command -v yamllint > /dev/null || missing+=(yamllint)
command -v shellcheck > /dev/null || missing+=(shellcheck)
command -v node > /dev/null || missing+=(nodejs)
command -v npm > /dev/null || missing+=(npm)
if [ "${#missing[@]}" -gt 0 ]; then
  [ "$(id -u)" = 0 ] || die "missing ${missing[*]}; install them (apt-get install ${missing[*]}) or run as root"
  echo "installing with apt-get: ${missing[*]}"
  apt_log="$(mktemp)"
  export DEBIAN_FRONTEND=noninteractive
  # Wait (bounded) for another apt run to finish rather than failing on its lock.
  apt_lock=(-o DPkg::Lock::Timeout=120)
  # The package lists may be missing or stale on a fresh machine: update once if the first try fails.
  if ! timeout 300 apt-get "${apt_lock[@]}" install -y -qq --no-install-recommends "${missing[@]}" > "$apt_log" 2>&1; then
    if ! { timeout 300 apt-get "${apt_lock[@]}" update -qq \
      && timeout 300 apt-get "${apt_lock[@]}" install -y -qq --no-install-recommends \
      "${missing[@]}"; } >> "$apt_log" 2>&1; then
      tail -n 20 "$apt_log" >&2
      die "apt-get install ${missing[*]} failed"
    fi
  fi
  rm -f "$apt_log"
fi
node_major="$(node -p 'process.versions.node.split(".")[0]')"
[ "$node_major" -ge 14 ] || die "node $(node --version) is too old (14 or later needed)"
echo "yamllint $(yamllint --version | sed 's/^yamllint //'), shellcheck $(shellcheck --version | sed -n 's/^version: //p')," \
  "node $(node --version), npm $(npm --version)"

step "npm packages (pinned by deploy/validate/package-lock.json) in $cache"
want="$(cat deploy/validate/package.json deploy/validate/package-lock.json | sha256sum | cut -c1-16)"
want="$want client-node@$client_node_version"
if [ "$(cat "$cache/.installed" 2> /dev/null || true)" = "$want" ]; then
  echo "up to date"
else
  rm -rf "$cache"
  mkdir -p "$cache/client-node"
  cp deploy/validate/package.json deploy/validate/package-lock.json "$cache/"
  (cd "$cache" && timeout 300 npm ci --ignore-scripts --no-audit --no-fund --loglevel=error) \
    || die "npm ci in $cache failed"
  pack_json="$(cd "$cache" && timeout 120 npm pack "@kubernetes/client-node@$client_node_version" --json \
    --loglevel=error)" || die "npm pack @kubernetes/client-node@$client_node_version failed"
  grep -qF "\"integrity\": \"$client_node_integrity\"" <<< "$pack_json" \
    || die "@kubernetes/client-node@$client_node_version: integrity differs from the pinned one"
  tar -xzf "$cache/kubernetes-client-node-$client_node_version.tgz" -C "$cache/client-node" package/dist/gen/models
  rm -f "$cache/kubernetes-client-node-$client_node_version.tgz"
  echo "$want" > "$cache/.installed"
  echo "installed"
fi

step "yamllint -s over deploy/"
if timeout 60 yamllint -s -c deploy/.yamllint deploy; then echo "ok"; else fail "yamllint"; fi

step "shellcheck over the deploy scripts"
if timeout 60 shellcheck deploy/validate.sh deploy/local/*.sh; then echo "ok"; else fail "shellcheck"; fi

step "manifests, compose file, Dockerfile, setting names (deploy/validate/check.js)"
if [ ! -f "$jar" ]; then
  fail "$jar is missing: build it first (mvn -B -q -DskipTests package; CI runs this after mvn -B verify)"
elif timeout 120 node deploy/validate/check.js all "$root" "$cache"; then
  :
else
  fail "deploy/validate/check.js all"
fi

step "the checks reject files broken on purpose"
if [ -f "$jar" ]; then
  timeout 120 node deploy/validate/check.js selftest "$root" "$cache" || fail "deploy/validate/check.js selftest"
fi

echo
if [ "${#failures[@]}" -gt 0 ]; then
  echo "deploy/validate.sh: FAILED in ${SECONDS}s: ${failures[*]}"
  exit 1
fi
echo "deploy/validate.sh: all checks passed in ${SECONDS}s"
