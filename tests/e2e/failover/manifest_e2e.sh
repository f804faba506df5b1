#!/usr/bin/env bash
# `kubectl harborrobot failover manifest` through the real kubectl's plugin
# mechanism: the plugin binary on PATH, a fresh kubectl cache, no cluster.
set -euo pipefail
bin_dir=$1
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
printf 'set -euo pipefail\necho start\n' > "$work/check.sh"
printf 'echo starting\n' > "$work/start.sh"
printf 'echo stopping\n' > "$work/stop.sh"
printf 'echo started\n' > "$work/status.sh"
export PATH="$bin_dir:$PATH" HOME="$work" KUBECACHEDIR="$work/cache"
unset KUBECONFIG

out=$(kubectl harborrobot failover manifest --condition-script "$work/check.sh" \
  --start-script "$work/start.sh" --stop-script "$work/stop.sh" --status-script "$work/status.sh" \
  --namespace harbor-dr --image registry.example.com/harborrobot/agent:test)
kinds=$(grep -E '^kind: ' <<<"$out" | tr '\n' ' ')
expected="kind: ServiceAccount kind: ClusterRole kind: ClusterRoleBinding kind: ConfigMap kind: Deployment "
if [[ $kinds != "$expected" ]]; then
  echo "unexpected kinds: $kinds" >&2
  exit 1
fi
grep -q '^    echo start$' <<<"$out" || { echo "check.sh was not embedded" >&2; exit 1; }

set +e
err=$(kubectl harborrobot failover manifest --condition-script "$work/missing.sh" \
  --start-script "$work/start.sh" --stop-script "$work/stop.sh" --status-script "$work/status.sh" 2>&1)
rc=$?
set -e
if [[ $rc -ne 1 || $err != "error: --condition-script: \"$work/missing.sh\" cannot be read (expected a readable script file)" ]]; then
  echo "missing script: rc=$rc err=$err" >&2
  exit 1
fi
echo "manifest e2e: ok"
