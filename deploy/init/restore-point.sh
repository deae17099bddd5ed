# Sourced by init.sh (and by DeployInitTest): which savepoint or checkpoint a job restores from.
# Layout on the flink-data volume (FLINK_DATA, default /flink-data), one directory per job:
#   checkpoints/<job>/<job id>/chk-<N>   (the job's --checkpoint-dir is file://$FLINK_DATA/checkpoints/<job>)
#   savepoints/<job>/savepoint-...       (flink stop --savepointPath file://$FLINK_DATA/savepoints/<job>)
# Before both jobs ran here only the monitor job did, straight under checkpoints/<job id>/ and savepoints/:
# those count as the monitor's, so a stack upgraded in place keeps its state.

# newest_restore_point JOB: prints the newest savepoint or completed checkpoint (one with _metadata) of JOB
# (monitor or funnel) and never one of another job; prints nothing when there is none.
newest_restore_point() {
  local job="$1" base="${FLINK_DATA:-/flink-data}" dir candidates
  candidates=("$base/savepoints/$job"/savepoint-* "$base/checkpoints/$job"/*/chk-*)
  if [ "$job" = monitor ]; then
    candidates+=("$base"/savepoints/savepoint-* "$base"/checkpoints/*/chk-*)
  fi
  while IFS= read -r dir; do
    case "$dir" in
      "$base"/checkpoints/*/chk-*)
        # A legacy checkpoint sits in a 32-hex job id directory; checkpoints/<job>/... are matched above.
        local rel="${dir#"$base"/checkpoints/}"
        if [[ "$rel" != "$job"/* ]] && ! [[ "$rel" =~ ^[0-9a-f]{32}/chk-[0-9]+$ ]]; then continue; fi ;;
    esac
    if [ -f "$dir/_metadata" ]; then echo "$dir"; return 0; fi
  done < <(ls -1dt "${candidates[@]}" 2>/dev/null || true)
}

# restore_from JOB SETTING: the value for `flink run -s` (empty: start with empty state). SETTING is `latest`
# (the newest of that job), `none`, or a savepoint/checkpoint path.
restore_from() {
  local job="$1" setting="$2" latest
  case "$setting" in
    none) ;;
    latest)
      latest="$(newest_restore_point "$job")"
      if [ -n "$latest" ]; then echo "file://$latest"; fi ;;
    *) echo "$setting" ;;
  esac
}
