#!/usr/bin/env bash
# System packages the tests need, from Debian: Chromium (browser tests), hledger (checks our
# ledger export), pg_dump and pg_restore (backups), Prometheus (its promtool checks
# docs/ops/prometheus-alerts.yml), Pango (WeasyPrint renders receipt PDFs with it). Installed when
# missing and running as root; otherwise this says what to install. `--runtime`: only what the
# app itself needs to serve (Pango), for `make run`.
set -euo pipefail
need=()
if [ "${1:-}" != "--runtime" ]; then
  [ -x "${CHROMIUM_PATH:-/usr/bin/chromium}" ] || need+=(chromium)
  command -v hledger >/dev/null || need+=(hledger)
  command -v pg_dump >/dev/null || need+=(postgresql-client)
  command -v promtool >/dev/null || need+=(prometheus)
fi
libs=$(ldconfig -p 2>/dev/null || true)
case "$libs" in *libpangoft2-1.0*) ;; *) need+=(libpango-1.0-0 libpangoft2-1.0-0) ;; esac
[ ${#need[@]} -eq 0 ] && exit 0
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null; then
  echo "Installing ${need[*]} (apt-get) ..."
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
  exit 0
fi
echo "Missing system packages: ${need[*]}. Install them (sudo apt-get install ${need[*]})." >&2
exit 1
