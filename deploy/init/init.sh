#!/usr/bin/env bash
# One-shot `init` service (runs in the SalesPulse image: Flink's, with Java 17 and the flink CLI, plus the jars).
#   1. applies the ClickHouse migrations with the SalesPulse CLI as the admin user (a no-op when
#      up to date; roles and users come from the `access` service before this runs);
#   2. one round of supervise.sh: submits the monitor job and the funnel job, each unless it is already running,
#      writing to ClickHouse as the insert-only writer user. Each job has its own checkpoint directory
#      (/flink-data/checkpoints/<monitor|funnel>) and savepoint directory (/flink-data/savepoints/<job>).
# On a restart of the stack (no Flink HA here) each job is restored from ITS newest savepoint or
# retained checkpoint on the shared volume, so alerts and customer state survive `docker compose down`.
# SALESPULSE_RESTORE_FROM: `latest` (default), `none` (fresh state), or a savepoint/checkpoint path of the
# monitor job; SALESPULSE_RESTORE_FROM_MONITOR / SALESPULSE_RESTORE_FROM_FUNNEL set one job's choice
# (a path given for one job is never used for the other).
#
# Settings reach both programs as SALESPULSE_* environment variables (see Setting.java): the
# password never appears in a command line or in the Flink web UI's program arguments.
set -euo pipefail

CLI_DIR=/opt/salespulse/cli
JOB_DIR=/opt/salespulse/pipeline

fail() { echo "init: $*" >&2; exit 1; }

[ -f "$CLI_DIR/salespulse-cli.jar" ] && [ -d "$CLI_DIR/lib" ] \
  || fail "$CLI_DIR/salespulse-cli.jar or $CLI_DIR/lib is missing: this is not the SalesPulse image (docker compose build)"
shopt -s nullglob
jars=("$JOB_DIR"/salespulse-pipeline-*-job.jar)
shopt -u nullglob
[ "${#jars[@]}" -eq 1 ] \
  || fail "expected exactly one $JOB_DIR/salespulse-pipeline-*-job.jar, found ${#jars[@]}: rebuild the image (docker compose build)"
JOB_JAR="${jars[0]}"

echo "== applying ClickHouse migrations"
java -Xmx256m -cp "$CLI_DIR/salespulse-cli.jar:$CLI_DIR/lib/*" io.salespulse.cli.SalesPulse migrate

# The jobs write as the insert-only user (sql/access/015) when one is configured; migrations above ran as the
# admin user. flink run builds the job here, so this environment is what the sinks use.
if [ -n "${CLICKHOUSE_WRITER_USER:-}" ]; then
  export SALESPULSE_CLICKHOUSE_USER="$CLICKHOUSE_WRITER_USER"
  export SALESPULSE_CLICKHOUSE_PASSWORD="${CLICKHOUSE_WRITER_PASSWORD:?set CLICKHOUSE_WRITER_PASSWORD}"
fi
export SALESPULSE_JOB_JAR="$JOB_JAR"

# One round of the supervisor: each job submitted unless it runs, restored from its own newest point. The
# `supervisor` service then keeps them running (a JobManager restart, a host reboot, a job FAILED for good).
exec bash "$(dirname "${BASH_SOURCE[0]}")/supervise.sh" --once
