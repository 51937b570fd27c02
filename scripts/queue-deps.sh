#!/usr/bin/env bash
# Before `npm run test:queue`: the queue suite runs a throwaway Postgres and Redis of its own
# (test/queue/lib), from Debian's postgresql and redis-server packages. When they are missing:
# installed with apt-get when we may (root, apt-get present: CI and fresh machines, as .ci/run
# needs), else the exact command to run is printed and the suite does not start.
set -euo pipefail

missing=()
ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1 && command -v psql >/dev/null || missing+=(postgresql)
command -v redis-server >/dev/null || missing+=(redis-server)
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  echo "[test:queue] installing ${missing[*]} (apt-get) …" >&2
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" </dev/null >/dev/null
  exit 0
fi

{
  echo "[test:queue] the queue suite needs Postgres and Redis (it starts its own, on free ports); missing: ${missing[*]}"
  if command -v apt-get >/dev/null; then
    echo "  install them:  sudo apt-get install -y ${missing[*]}"
  else
    echo "  install Debian's/Ubuntu's postgresql and redis-server packages (the suite looks for /usr/lib/postgresql/<major>/bin/postgres, psql and redis-server)"
  fi
  echo "  then run npm run test:queue again"
} >&2
exit 1
