#!/usr/bin/env bash
# Creates the contract's Kafka topics (docs/contract.md). Runs in the apache/kafka image as the
# one-shot `topics` service; safe to run again (--if-not-exists).
set -euo pipefail

BOOTSTRAP="${KAFKA_BOOTSTRAP:-kafka:9092}"
PARTITIONS="${SALESPULSE_TOPIC_PARTITIONS:-3}"
TOPICS_SH=/opt/kafka/bin/kafka-topics.sh

create() {
  local topic="$1"; shift
  "$TOPICS_SH" --bootstrap-server "$BOOTSTRAP" --create --if-not-exists \
    --topic "$topic" --partitions "$PARTITIONS" --replication-factor 1 "$@"
}

# Inputs, keyed by customer_id / alert_id / contract_id. Parallelism of the job must stay <= their partitions.
# Records carry the event's own time as their timestamp (the simulator's history, devices uploading
# late), and retention deletes by record time: keep 90 days so a history or a replay is not deleted
# before the jobs have read it.
create sales.stages --config retention.ms=7776000000
create sales.visits --config retention.ms=7776000000
create sales.acks --config retention.ms=7776000000
# Lead to cash (contracts, invoices, payments), keyed by contract_id; the monitor job reads it too.
create sales.cash --config retention.ms=7776000000
# Policies are state (latest policy per scope key), so the topic is compacted.
create sales.policies --config cleanup.policy=compact
# History-import sessions are state too (latest status per tenant/import_id): compacted.
create sales.imports --config cleanup.policy=compact
# Outputs of the pipeline.
create sales.alerts
create sales.dlq --config retention.ms=2592000000   # 30 days: time to look at rejected input

"$TOPICS_SH" --bootstrap-server "$BOOTSTRAP" --describe \
  --topic 'sales\..*' | grep -E '^Topic:' || true
echo "topics ready"
