#!/usr/bin/env bash
# Finishes the workspace image after finish.sh (scripts/build-images runs
# runner/images/<family>.finish.sh when there is one; it is part of that
# family's recipe hash only):
# - Node and npm from the machine that builds the image, in /usr/local (ahead
#   of /usr/bin on PATH): Debian's Node 18 is too old for current Vite, and
#   Debian's npm pulls in hundreds of packages. TANDEM_IMAGE_NODE names
#   another node binary; its npm must sit beside it (../lib/node_modules/npm).
# - An npm cache of the web templates' dependencies (workspace.npm.json),
#   filled from the registry the building machine's npm uses, so those
#   templates install with no registry at all. npm wants its cache writable
#   and the root filesystem is read-only, so `npm` copies it into $HOME (a
#   tmpfs) the first time it runs in a workspace.
set -euo pipefail
root="${1:?usage: workspace.finish.sh ROOTFS}"
here="$(cd "$(dirname "$0")" && pwd)"
node="$(readlink -f "${TANDEM_IMAGE_NODE:-$(command -v node)}")"
npm_dir="$(dirname "$(dirname "$node")")/lib/node_modules/npm"
[[ -x "$node" && -f "$npm_dir/bin/npm-cli.js" ]] || {
  echo "workspace.finish.sh: no node with npm beside it at $node (set TANDEM_IMAGE_NODE)" >&2
  exit 1
}

install -D -m 0755 "$node" "$root/usr/local/bin/node"
mkdir -p "$root/usr/local/lib/node_modules" "$root/usr/local/etc" "$root/opt/tandem"
rm -rf "$root/usr/local/lib/node_modules/npm"
cp -a "$npm_dir" "$root/usr/local/lib/node_modules/npm"
"$node" --version >"$root/opt/tandem/node-version"

cat >"$root/usr/local/bin/npm" <<'SCRIPT'
#!/bin/sh
# npm, with the image's package cache copied into the writable home on first use.
cache="${npm_config_cache:-$HOME/.npm}"
if [ ! -d "$cache/_cacache" ] && [ -d /opt/tandem/npm-cache/_cacache ]; then
  mkdir -p "$cache" && cp -R /opt/tandem/npm-cache/_cacache "$cache/" 2>/dev/null || true
fi
exec /usr/local/bin/node /usr/local/lib/node_modules/npm/bin/npm-cli.js "$@"
SCRIPT
cat >"$root/usr/local/bin/npx" <<'SCRIPT'
#!/bin/sh
exec /usr/local/bin/npm exec -- "$@"
SCRIPT
chmod 0755 "$root/usr/local/bin/npm" "$root/usr/local/bin/npx"

# npm's global configuration for a node in /usr/local.
cat >"$root/usr/local/etc/npmrc" <<'CONF'
update-notifier=false
fund=false
audit=false
prefer-offline=true
CONF

# npm keys its cache by URL: fill it through http://127.0.0.1:4873/, the
# registry URL npm uses in a workspace (workspace.registry.mjs forwards to the
# building machine's registry), with tarball URLs rewritten to it too.
work="$(mktemp -d)"
forwarder=""
trap 'rm -rf "$work"; [[ -z "$forwarder" ]] || kill "$forwarder" 2>/dev/null || true' EXIT
upstream="$("$node" "$npm_dir/bin/npm-cli.js" config get registry)"
"$node" "$here/workspace.registry.mjs" "$upstream" >"$work/forwarder.log" 2>&1 &
forwarder=$!
for _ in $(seq 50); do grep -q ready "$work/forwarder.log" && break; sleep 0.1; done
grep -q ready "$work/forwarder.log" || {
  echo "workspace.finish.sh: could not listen on 127.0.0.1:4873: $(cat "$work/forwarder.log")" >&2
  exit 1
}
mkdir -p "$work/project"
cp "$here/workspace.npm.json" "$work/project/package.json"
(cd "$work/project" && "$node" "$npm_dir/bin/npm-cli.js" install --cache "$root/opt/tandem/npm-cache" \
  --registry http://127.0.0.1:4873/ --replace-registry-host=always \
  --ignore-scripts --no-audit --no-fund --package-lock=false --loglevel=warn)
rm -rf "$root/opt/tandem/npm-cache/_logs" "$root/opt/tandem/npm-cache/_update-notifier-last-checked"
chmod -R a+rX "$root/opt/tandem"
