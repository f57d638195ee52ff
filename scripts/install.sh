#!/usr/bin/env bash
# Installs the npm dependencies when package-lock.json changed since the last install, and builds.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "install: npm ci (aws-lambda-ric compiles natively; about a minute)" >&2
  npm ci --no-audit --no-fund --loglevel=error
fi
npm run --silent build
