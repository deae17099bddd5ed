#!/usr/bin/env bash
# One-shot `simulator` service: sends a simulated sales team's history into Kafka with the
# SalesPulse CLI. Runs once per stack: a marker on the simulator-state volume stops a second
# `docker compose up` from sending another history on top (set SIMULATE_FORCE=1 to send anyway,
# e.g. `docker compose run --rm -e SIMULATE_FORCE=1 simulator`).
# The monitor job is already running (init submits it first): the history goes as an import session (the
# simulator's default), so the job decides it once when the session completes instead of taking three weeks of
# old cards for late uploads (alerts, then retractions).
set -euo pipefail

CLI_DIR=/opt/salespulse/cli
MARKER=/simulator-state/simulated
[ -f "$CLI_DIR/salespulse-cli.jar" ] \
  || { echo "simulator: $CLI_DIR/salespulse-cli.jar is missing: this is not the SalesPulse image (docker compose build)" >&2; exit 1; }

if [ -f "$MARKER" ] && [ "${SIMULATE_FORCE:-0}" != "1" ]; then
  echo "already simulated ($(cat "$MARKER")); set SIMULATE_FORCE=1 to send another history"
  exit 0
fi

java -Xmx512m -cp "$CLI_DIR/salespulse-cli.jar:$CLI_DIR/lib/*" io.salespulse.cli.SalesPulse simulate \
  --kafka-bootstrap "${SALESPULSE_KAFKA_BOOTSTRAP:-kafka:9092}" \
  --weeks "${SIMULATE_WEEKS:-3}" \
  --scenario "${SIMULATE_SCENARIO:-small-team}" \
  --seed "${SIMULATE_SEED:-42}" \
  --end now

echo "$(date -u +%Y-%m-%dT%H:%M:%SZ) scenario=${SIMULATE_SCENARIO:-small-team} weeks=${SIMULATE_WEEKS:-3} seed=${SIMULATE_SEED:-42}" > "$MARKER"
