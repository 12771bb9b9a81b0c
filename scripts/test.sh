#!/usr/bin/env bash
# Runs every test suite from a fresh checkout: installs what the tests need, then `npm test`.
#  - Debian packages listed in scripts/test-deps.txt (interop peers), with apt-get (as root, or through sudo);
#  - npm dependencies with `npm ci` when node_modules is missing or older than package-lock.json.
# Suites whose peer is missing report themselves skipped, except under CI=1, where a missing peer fails.
set -euo pipefail
cd "$(dirname "$0")/.."

missing=()
while read -r pkg; do
  [[ -z "$pkg" || "$pkg" == \#* ]] && continue
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || missing+=("$pkg")
done < scripts/test-deps.txt

if ((${#missing[@]})); then
  if ! command -v apt-get >/dev/null 2>&1; then
    echo "test.sh: not a Debian system; cannot install: ${missing[*]} (suites that need them will be skipped)" >&2
  else
    sudo=()
    if [[ $(id -u) -ne 0 ]]; then
      if command -v sudo >/dev/null 2>&1; then sudo=(sudo); else
        echo "test.sh: need root (or sudo) to install: ${missing[*]}" >&2
        sudo=(false)
      fi
    fi
    echo "test.sh: installing Debian packages: ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    # debconf answers listed in test-deps.txt (tshark's setuid question), so nothing prompts.
    sed -n 's/^#debconf: //p' scripts/test-deps.txt | "${sudo[@]}" debconf-set-selections || true
    "${sudo[@]}" apt-get update -qq && "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" \
      || echo "test.sh: could not install ${missing[*]} (suites that need them will be skipped, or fail under CI)" >&2
  fi
fi

if [[ ! -d node_modules || package-lock.json -nt node_modules/.package-lock.json ]]; then
  npm ci --no-audit --no-fund
fi

exec npm test
