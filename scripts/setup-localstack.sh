#!/usr/bin/env bash
# Idempotent install of LocalStack, the second AWS emulator, into its own venv `.venv-localstack`
# (pinned in local/localstack-requirements.txt; run by scripts/test-localstack.sh). Quick and
# silent when the venv's stamp matches the pins and the Python it was made with.
# LocalStack 2026.3.0 needs Python >= 3.13 (it imports warnings.deprecated); the machines' own
# python3 is older, so it comes from pyenv's versions or a python3.1x on PATH.
set -euo pipefail
cd "$(dirname "$0")/.."

VENV=.venv-localstack
REQUIREMENTS=local/localstack-requirements.txt

say() { printf '[setup-localstack] %s\n' "$*" >&2; }

# The first Python >= 3.13 found: pyenv's own builds (by path, so no shim or .python-version
# decides), then python3.13 and newer on PATH.
find_python() {
  local candidate
  for candidate in "${PYENV_ROOT:-$HOME/.pyenv}"/versions/3.1[3-9]*/bin/python3 \
      "$(command -v python3.13 || true)" "$(command -v python3.14 || true)" "$(command -v python3 || true)"; do
    [[ -n $candidate && -x $candidate ]] || continue
    if "$candidate" -c 'import sys; sys.exit(sys.version_info < (3, 13))' 2>/dev/null; then
      printf '%s\n' "$candidate"
      return 0
    fi
  done
  return 1
}

stamp="$(sha256sum "$REQUIREMENTS" | cut -c1-16)"
if [[ -x $VENV/bin/python && "$(cat "$VENV/.setup-stamp" 2>/dev/null)" == "$stamp $("$VENV/bin/python" -V 2>&1)" ]]; then
  exit 0
fi

if ! python="$(find_python)"; then
  say "LocalStack needs Python 3.13 or newer, and none was found (looked in ${PYENV_ROOT:-$HOME/.pyenv}/versions and for python3.13 on PATH)"
  exit 1
fi
say "creating $VENV with $("$python" -V 2>&1) and $REQUIREMENTS"
rm -rf "$VENV"
"$python" -m venv "$VENV"
"$VENV/bin/python" -m pip install --quiet --disable-pip-version-check --no-input -r "$REQUIREMENTS"
echo "$stamp $("$VENV/bin/python" -V 2>&1)" > "$VENV/.setup-stamp"
