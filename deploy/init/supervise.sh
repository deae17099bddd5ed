#!/usr/bin/env bash
# Keeps the monitor job and the funnel job running on a Flink session cluster: the compose `supervisor` service
# runs it in a loop; init.sh runs one round (--once) after the migrations; ClusterFaultTest runs this very script
# against a local cluster whose JobManager it kills.
#
# Every SALESPULSE_SUPERVISE_INTERVAL seconds, for each job: when the JobManager knows no job of that name that is
# running, restarting or being scheduled, the job is submitted with `flink run -d`, restored from ITS OWN newest
# savepoint or retained checkpoint on the shared volume (restore-point.sh). That covers a JobManager restarted
# without HA (it comes back with no jobs), a host reboot, and a job FAILED after its restart attempts. A
# JobManager that does not answer is waited for: it never counts as "no job running".
#
#   supervise.sh            loop until stopped
#   supervise.sh --once     one round; exit 1 when the JobManager does not answer or a submission fails
#
# Environment:
#   FLINK_JOBMANAGER                 REST address host:port (default jobmanager:8081)
#   FLINK_DATA                       the shared volume with checkpoints/<job> and savepoints/<job> (default /flink-data)
#   FLINK_CLI                        Flink's client, a command split on spaces (default flink; "bin/salespulse flink")
#   SALESPULSE_JOB_JAR               the job jar (default: the one jar /opt/salespulse/pipeline/salespulse-pipeline-*-job.jar)
#   SALESPULSE_SUPERVISE_INTERVAL    seconds between rounds, a whole number >= 1 (default 15)
#   SALESPULSE_RESTORE_FROM, SALESPULSE_RESTORE_FROM_MONITOR, SALESPULSE_RESTORE_FROM_FUNNEL
#                                    latest (default), none, or a path (see init.sh). A path or `none` applies to the
#                                    first submission this process makes of that job; every later one takes `latest`,
#                                    so a resubmission after a crash never goes back to an old savepoint.
#   SALESPULSE_* job settings        reach the job through `flink run`'s environment (Setting.java), e.g.
#                                    SALESPULSE_KAFKA_BOOTSTRAP, SALESPULSE_CLICKHOUSE_URL, SALESPULSE_PARALLELISM.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=restore-point.sh
. "$HERE/restore-point.sh"

JM="${FLINK_JOBMANAGER:-jobmanager:8081}"
FLINK_DATA="${FLINK_DATA:-/flink-data}"
# A command, split on spaces: `flink`, or "bin/salespulse flink" for the local cluster.
read -ra FLINK_CMD <<< "${FLINK_CLI:-flink}"
INTERVAL="${SALESPULSE_SUPERVISE_INTERVAL:-15}"

log() { echo "$(date -u '+%Y-%m-%dT%H:%M:%SZ') supervisor: $*"; }
fail() { echo "supervisor: $*" >&2; exit 2; }

[[ "$INTERVAL" =~ ^[1-9][0-9]*$ ]] \
  || fail "SALESPULSE_SUPERVISE_INTERVAL must be a whole number of seconds, at least 1 (got '$INTERVAL')"

job_jar() {
  if [ -n "${SALESPULSE_JOB_JAR:-}" ]; then
    [ -f "$SALESPULSE_JOB_JAR" ] || fail "SALESPULSE_JOB_JAR: no such file: $SALESPULSE_JOB_JAR"
    echo "$SALESPULSE_JOB_JAR"
    return
  fi
  local jars
  shopt -s nullglob
  jars=(/opt/salespulse/pipeline/salespulse-pipeline-*-job.jar)
  shopt -u nullglob
  [ "${#jars[@]}" -eq 1 ] \
    || fail "expected exactly one /opt/salespulse/pipeline/salespulse-pipeline-*-job.jar, found ${#jars[@]} (or set SALESPULSE_JOB_JAR)"
  echo "${jars[0]}"
}
JOB_JAR="$(job_jar)"

http_get() {
  if command -v curl >/dev/null 2>&1; then
    curl -fsS --max-time 10 "$1"
  else
    wget -q -T 10 -O - "$1"
  fi
}

# job_states NAME: the state of every job called NAME that the JobManager knows, one a line (REST /jobs/overview);
# status 1 when the JobManager does not answer.
job_states() {
  local body
  body="$(http_get "http://$JM/jobs/overview" 2>/dev/null)" || return 1
  case "$body" in *'"jobs"'*) ;; *) return 1 ;; esac
  # Each job is a flat object up to its "tasks" object: name, times, then state.
  { printf '%s' "$body" | grep -o "\"name\":\"$1\"[^{}]*\"state\":\"[A-Z_]*\"" || true; } \
    | sed 's/.*"state":"\([A-Z_]*\)"$/\1/'
}

# Not globally terminal: the job is (or will be) running; submitting it again would run it twice.
ACTIVE='^(INITIALIZING|CREATED|RUNNING|RESTARTING|FAILING|CANCELLING|RECONCILING)$'

declare -A FIRST_DONE=()

known() { if [ -n "$1" ]; then printf '%s' "$1" | tr '\n' ' ' | sed 's/ $//'; else printf 'none'; fi; }

# ensure_running JOB NAME MAIN_CLASS SETTING: submits the job unless it is active; status 1 when the JobManager does not
# answer or the submission failed.
ensure_running() {
  local job="$1" name="$2" main="$3" setting="$4" states from
  if ! states="$(job_states "$name")"; then
    log "JobManager $JM does not answer: $job not checked"
    return 1
  fi
  if printf '%s\n' "$states" | grep -qE "$ACTIVE"; then
    return 0
  fi
  [ -n "${FIRST_DONE[$job]:-}" ] && setting=latest
  local restore_args=()
  from="$(restore_from "$job" "$setting")"
  if [ -n "$from" ]; then
    restore_args=(-s "$from")
    log "$name is not running (known: $(known "$states")): submitting, restored from $from"
  else
    [ "$setting" = none ] || log "no savepoint or checkpoint of $job yet: starting with empty state (Kafka from the earliest offsets)"
    log "$name is not running (known: $(known "$states")): submitting with empty state"
  fi
  # Checkpoints of this job in its own directory; savepoints: flink stop --savepointPath $FLINK_DATA/savepoints/<job>.
  if "${FLINK_CMD[@]}" run -d -m "$JM" "${restore_args[@]}" -c "$main" "$JOB_JAR" \
      --checkpoint-dir "file://$FLINK_DATA/checkpoints/$job"; then
    FIRST_DONE[$job]=1
    log "$name submitted"
  else
    log "submitting $name failed (exit $?)"
    return 1
  fi
}

round() {
  local all="${SALESPULSE_RESTORE_FROM:-latest}" funnel_default=latest ok=0
  case "$all" in latest|none) funnel_default="$all" ;; esac   # a path names a monitor savepoint
  ensure_running monitor salespulse-monitor io.salespulse.pipeline.monitor.MonitorJob \
    "${SALESPULSE_RESTORE_FROM_MONITOR:-$all}" || ok=1
  ensure_running funnel salespulse-funnel io.salespulse.pipeline.funnel.FunnelJob \
    "${SALESPULSE_RESTORE_FROM_FUNNEL:-$funnel_default}" || ok=1
  return "$ok"
}

# One round at a time across processes (init and the supervisor share the volume): never two submissions of a job.
# flock on a descriptor of this shell (not a subshell), so FIRST_DONE survives the round.
locked_round() {
  local rc=0
  if [ -n "$LOCKED" ]; then flock 9; fi
  round || rc=$?
  if [ -n "$LOCKED" ]; then flock -u 9; fi
  return "$rc"
}
LOCKED=
mkdir -p "$FLINK_DATA"
if command -v flock >/dev/null 2>&1 && exec 9>>"$FLINK_DATA/.supervisor.lock"; then
  LOCKED=1
fi

if [ "${1:-}" = --once ]; then
  locked_round
  exit $?
fi

log "watching salespulse-monitor and salespulse-funnel on $JM every ${INTERVAL}s (job jar $(basename "$JOB_JAR"))"
trap 'log "stopped"; exit 0' TERM INT
while true; do
  locked_round || true
  sleep "$INTERVAL" &
  wait $!
done
