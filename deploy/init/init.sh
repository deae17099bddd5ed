#!/usr/bin/env bash
# One-shot `init` service (runs in the Flink image: Java 17 + the flink CLI).
#   1. applies the ClickHouse migrations with the SalesPulse CLI as the admin user (a no-op when
#      up to date; roles and users come from the `access` service before this runs);
#   2. submits the monitor job to the cluster, unless it is already running, writing to ClickHouse
#      as the insert-only writer user.
# On a restart of the stack (no Flink HA here) the job is restored from the newest savepoint or
# retained checkpoint on the shared volume, so alerts and customer state survive `docker compose down`.
# SALESPULSE_RESTORE_FROM: `latest` (default), `none` (fresh state), or a savepoint/checkpoint path.
#
# Settings reach both programs as SALESPULSE_* environment variables (see Setting.java): the
# password never appears in a command line or in the Flink web UI's program arguments.
set -euo pipefail

CLI_DIR=/opt/salespulse/cli
JOB_DIR=/opt/salespulse/pipeline
JM="${FLINK_JOBMANAGER:-jobmanager:8081}"
JOB_NAME=salespulse-monitor   # MonitorJob.NAME
MAIN_CLASS=io.salespulse.pipeline.monitor.MonitorJob

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

echo "== monitor job"
if flink list -m "$JM" 2>/dev/null | grep -q " : ${JOB_NAME} ("; then
  echo "job ${JOB_NAME} is already running or scheduled on ${JM}: nothing to submit"
  flink list -m "$JM" 2>/dev/null | grep " : ${JOB_NAME} (" || true
  exit 0
fi

restore_args=()
case "${SALESPULSE_RESTORE_FROM:-latest}" in
  none) ;;
  latest)
    # Newest savepoint or completed checkpoint (a chk-N without _metadata is incomplete).
    latest=""
    while IFS= read -r dir; do
      if [ -f "$dir/_metadata" ]; then latest="$dir"; break; fi
    done < <(ls -1dt /flink-data/savepoints/savepoint-* /flink-data/checkpoints/*/chk-* 2>/dev/null || true)
    if [ -n "$latest" ]; then
      echo "restoring from $latest"
      restore_args=(-s "file://$latest")
    else
      echo "no savepoint or checkpoint yet: starting with empty state (Kafka from the earliest offsets)"
    fi
    ;;
  *) restore_args=(-s "$SALESPULSE_RESTORE_FROM") ;;
esac

echo "submitting $(basename "$JOB_JAR") to $JM"
# The job writes as the insert-only user (sql/access/015) when one is configured; migrations above
# ran as the admin user. flink run builds the job here, so this environment is what the sinks use.
if [ -n "${CLICKHOUSE_WRITER_USER:-}" ]; then
  export SALESPULSE_CLICKHOUSE_USER="$CLICKHOUSE_WRITER_USER"
  export SALESPULSE_CLICKHOUSE_PASSWORD="${CLICKHOUSE_WRITER_PASSWORD:?set CLICKHOUSE_WRITER_PASSWORD}"
fi
flink run -d -m "$JM" "${restore_args[@]}" -c "$MAIN_CLASS" "$JOB_JAR" \
  --kafka-bootstrap "${SALESPULSE_KAFKA_BOOTSTRAP:-kafka:9092}" \
  --clickhouse-url "${SALESPULSE_CLICKHOUSE_URL}" \
  --checkpoint-dir "${SALESPULSE_CHECKPOINT_DIR:-file:///flink-data/checkpoints}" \
  --parallelism "${SALESPULSE_PARALLELISM:-2}"
