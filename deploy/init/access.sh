#!/usr/bin/env bash
# One-shot `access` service (runs in the ClickHouse server image, for `clickhouse client`):
#   1. applies sql/access/*.sql as the admin user: roles, grants, the tenant row policy;
#   2. creates or updates the pipeline's writer user, the notifier's user (role salespulse_notifier: its ledger,
#      acks, escalations, dead letters and nothing else) and Grafana's read-only user with the passwords from .env
#      (re-running sets the passwords again, so rotating one is a re-run).
# The Migrator cannot apply these statements (the test engine has no access storage), hence this
# script; it is idempotent. The new users' passwords reach clickhouse client on stdin (not on a
# command line) and are never printed.
set -euo pipefail

: "${CLICKHOUSE_USER:?}" "${CLICKHOUSE_PASSWORD:?}"
: "${CLICKHOUSE_WRITER_USER:?}" "${CLICKHOUSE_WRITER_PASSWORD:?}"
: "${CLICKHOUSE_GRAFANA_USER:?}" "${CLICKHOUSE_GRAFANA_PASSWORD:?}"
: "${CLICKHOUSE_NOTIFIER_USER:?}" "${CLICKHOUSE_NOTIFIER_PASSWORD:?}"
SQL_DIR=/opt/salespulse/sql/access

fail() { echo "access: $*" >&2; exit 1; }
for u in "$CLICKHOUSE_WRITER_USER" "$CLICKHOUSE_GRAFANA_USER" "$CLICKHOUSE_NOTIFIER_USER"; do
  [ "$u" != "$CLICKHOUSE_USER" ] || fail "CLICKHOUSE_WRITER_USER, CLICKHOUSE_GRAFANA_USER and CLICKHOUSE_NOTIFIER_USER must differ from the admin CLICKHOUSE_USER ($CLICKHOUSE_USER)"
  [[ "$u" =~ ^[A-Za-z0-9_]+$ ]] || fail "user name '$u' may hold letters, digits and _ only"
done

ch() { clickhouse client --host "${CLICKHOUSE_HOST:-clickhouse}" --user "$CLICKHOUSE_USER" --password "$CLICKHOUSE_PASSWORD" "$@"; }
# A value as the body of a single-quoted SQL string.
quoted() { printf '%s' "$1" | sed -e 's/\\/\\\\/g' -e "s/'/\\\\'/g"; }

shopt -s nullglob
files=("$SQL_DIR"/*.sql)
[ "${#files[@]}" -gt 0 ] || fail "no access SQL in $SQL_DIR"
for f in "${files[@]}"; do
  echo "applying $(basename "$f")"
  ch --queries-file "$f"
done

# user, password, role, extra settings
create_user() {
  local pw
  pw="$(quoted "$2")"
  echo "user $1: role $3"
  ch --multiquery <<SQL
CREATE USER IF NOT EXISTS $1 IDENTIFIED WITH sha256_password BY '$pw' $4;
ALTER USER $1 IDENTIFIED WITH sha256_password BY '$pw' $4;
GRANT $3 TO $1;
SQL
}
create_user "$CLICKHOUSE_WRITER_USER" "$CLICKHOUSE_WRITER_PASSWORD" salespulse_writer ""
create_user "$CLICKHOUSE_NOTIFIER_USER" "$CLICKHOUSE_NOTIFIER_PASSWORD" salespulse_notifier ""
# readonly = 2: no writes or DDL whatever the grants; the plugin may still set query settings.
create_user "$CLICKHOUSE_GRAFANA_USER" "$CLICKHOUSE_GRAFANA_PASSWORD" salespulse_reader "SETTINGS readonly = 2"
echo "access control is up to date"
