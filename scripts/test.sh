#!/usr/bin/env bash
# The whole test suite, from a fresh machine: installs what it needs, then lint, types, tests.
# Usage: bash scripts/test.sh [pytest args...]
set -euo pipefail
cd "$(dirname "$0")/.."

python -m pip install --quiet --disable-pip-version-check -e ".[dev]"

echo "== ruff"
python -m ruff check .
python -m ruff format --check .
echo "== mypy"
python -m mypy
echo "== pytest"
python -m pytest "$@"
