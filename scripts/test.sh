#!/usr/bin/env bash
# The whole test suite, from a fresh machine: installs what it needs (Debian's Chromium for the
# browser test, the Python packages), then lint, types, tests. Fails loudly.
# Usage: bash scripts/test.sh [pytest args...]
set -euo pipefail
cd "$(dirname "$0")/.."

# The end-to-end test drives Debian's Chromium with Playwright's Python API. Playwright's own
# browser download (`playwright install`) is never used: it fetches from a CDN.
if [ ! -x /usr/bin/chromium ]; then
    sudo=""
    if [ "$(id -u)" != 0 ]; then sudo="sudo"; fi
    export DEBIAN_FRONTEND=noninteractive
    $sudo apt-get update
    $sudo apt-get install -y --no-install-recommends chromium
fi
/usr/bin/chromium --version

python -m pip install --quiet --disable-pip-version-check -e ".[dev,spark]"

echo "== ruff"
python -m ruff check .
python -m ruff format --check .
echo "== mypy"
python -m mypy
echo "== pytest"
# Two workers (pytest-xdist), a test file per worker at a time: the suite waits on processes
# (the CLI, Streamlit, Chromium, Spark's JVM) as much as it computes. EXPOSURE_TEST_WORKERS=0
# runs it in this process.
python -m pytest -n "${EXPOSURE_TEST_WORKERS:-2}" --dist loadfile "$@"
