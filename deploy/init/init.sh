#!/usr/bin/env bash
# One-shot `init` service (runs in the Flink image: Java 17 + the flink CLI).
#   1. applies the ClickHouse migrations with the SalesPulse CLI as the admin user (a no-op when
#      up to date; roles and users come from the `access` service before this runs);
#   2. submits the monitor job and the funnel job to the cluster, each unless it is already running,
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
JM="${FLINK_JOBMANAGER:-jobmanager:8081}"
FLINK_DATA="${FLINK_DATA:-/flink-data}"
# shellcheck source=restore-point.sh
. "$(dirname "${BASH_SOURCE[0]}")/restore-point.sh"

fail() { echo "init: $*" >&2; exit 1; }

[ -f "$CLI_DIR/salespulse-cli.jar" ] && [ -d "$CLI_DIR/lib" ] \
  || fail "cli/target/salespulse-cli.jar or cli/target/lib is missing: run 'mvn -B -DskipTests package' on the host first"
shopt -s nullglob
jars=("$JOB_DIR"/salespulse-pipeline-*-job.jar)
shopt -u nullglob
[ "${#jars[@]}" -eq 1 ] \
  || fail "expected exactly one pipeline/target/salespulse-pipeline-*-job.jar, found ${#jars[@]}: run 'mvn -B -DskipTests package' on the host first"
JOB_JAR="${jars[0]}"

echo "== applying ClickHouse migrations"
java -Xmx256m -cp "$CLI_DIR/salespulse-cli.jar:$CLI_DIR/lib/*" io.salespulse.cli.SalesPulse migrate

# submit JOB NAME MAIN_CLASS RESTORE_SETTING: flink run -d of the job jar, unless a job named NAME runs already.
submit() {
  local job="$1" name="$2" main="$3" setting="$4" from
  echo "== $job job ($name)"
  if flink list -m "$JM" 2>/dev/null | grep -q " : ${name} ("; then
    echo "job ${name} is already running or scheduled on ${JM}: nothing to submit"
    flink list -m "$JM" 2>/dev/null | grep " : ${name} (" || true
    return 0
  fi
  local restore_args=()
  from="$(restore_from "$job" "$setting")"
  if [ -n "$from" ]; then
    echo "restoring $job from $from"
    restore_args=(-s "$from")
  else
    [ "$setting" = none ] || echo "no savepoint or checkpoint of $job yet: starting with empty state (Kafka from the earliest offsets)"
  fi
  echo "submitting $(basename "$JOB_JAR") -c $main to $JM"
  # Savepoints of this job: flink stop --savepointPath /flink-data/savepoints/<job> (a -D savepoint-dir on
  # flink run does not reach a stop without a path on a session cluster: that goes to the cluster's default).
  flink run -d -m "$JM" "${restore_args[@]}" -c "$main" "$JOB_JAR" \
    --kafka-bootstrap "${SALESPULSE_KAFKA_BOOTSTRAP:-kafka:9092}" \
    --clickhouse-url "${SALESPULSE_CLICKHOUSE_URL}" \
    --checkpoint-dir "file://$FLINK_DATA/checkpoints/$job" \
    --parallelism "${SALESPULSE_PARALLELISM:-2}"
}

# The job writes as the insert-only user (sql/access/015) when one is configured; migrations above
# ran as the admin user. flink run builds the job here, so this environment is what the sinks use.
if [ -n "${CLICKHOUSE_WRITER_USER:-}" ]; then
  export SALESPULSE_CLICKHOUSE_USER="$CLICKHOUSE_WRITER_USER"
  export SALESPULSE_CLICKHOUSE_PASSWORD="${CLICKHOUSE_WRITER_PASSWORD:?set CLICKHOUSE_WRITER_PASSWORD}"
fi

all="${SALESPULSE_RESTORE_FROM:-latest}"
funnel_default=latest
case "$all" in latest|none) funnel_default="$all" ;; esac   # a path names a monitor savepoint
submit monitor salespulse-monitor io.salespulse.pipeline.monitor.MonitorJob "${SALESPULSE_RESTORE_FROM_MONITOR:-$all}"
submit funnel salespulse-funnel io.salespulse.pipeline.funnel.FunnelJob "${SALESPULSE_RESTORE_FROM_FUNNEL:-$funnel_default}"
