# syntax=docker/dockerfile:1
# The SalesPulse image: the job jar (monitor and funnel), the CLI with the gateway, the notifier, the WeCom
# stand-in and the simulator, the deploy scripts, on Flink's own image (Java 17 and the `flink` client), so the same
# image runs the JobManager and TaskManagers (with Flink's Prometheus reporter from Maven Central), the one-shot
# services, the supervisor and the Java services. docker-compose.yml builds it: `docker compose build`.
#
#   docker build -t salespulse:0.1.0 .
#
# Stage 1 builds with Maven (tests run in CI, not here); stage 2 copies what runs.

FROM maven:3.9.11-eclipse-temurin-17 AS build
WORKDIR /src
COPY pom.xml ./
COPY contract/ contract/
COPY local-stack/ local-stack/
COPY producers/ producers/
COPY pipeline/ pipeline/
COPY notifier/ notifier/
COPY cluster/ cluster/
COPY cli/ cli/
COPY faults/pom.xml faults/pom.xml
COPY bench/pom.xml bench/pom.xml
COPY sql/ sql/
# -DskipTests still compiles the tests: modules use each other's test jars.
RUN --mount=type=cache,target=/root/.m2 \
    mvn -B -q -DskipTests -pl cli,pipeline,cluster -am package \
 && mkdir -p /out/pipeline /out/cli /out/prometheus \
 && cp pipeline/target/salespulse-pipeline-*-job.jar /out/pipeline/ \
 && cp -r cli/target/salespulse-cli.jar cli/target/lib /out/cli/ \
 && cp cluster/target/lib/flink-metrics-prometheus-*.jar /out/prometheus/

FROM flink:2.2.1-scala_2.12-java17
# Flink's Prometheus reporter as a plugin (one jar per plugin directory: the one Maven resolved replaces any other).
RUN rm -rf /opt/flink/plugins/metrics-prometheus && mkdir -p /opt/flink/plugins/metrics-prometheus
COPY --from=build /out/prometheus/ /opt/flink/plugins/metrics-prometheus/
COPY --from=build /out/pipeline/ /opt/salespulse/pipeline/
COPY --from=build /out/cli/ /opt/salespulse/cli/
COPY deploy/init/ /opt/salespulse/deploy/
COPY deploy/notifier/routes.yaml /opt/salespulse/notifier/routes.yaml
COPY sql/ /opt/salespulse/sql/
RUN chmod 0755 /opt/salespulse/deploy/*.sh && chown -R flink:flink /opt/salespulse
# `salespulse <command>` anywhere in the container (migrate, simulate, gateway, policy, import, query ...).
RUN printf '#!/bin/sh\nexec java ${SALESPULSE_JAVA_OPTS:--Xmx512m} -cp "/opt/salespulse/cli/salespulse-cli.jar:/opt/salespulse/cli/lib/*" io.salespulse.cli.SalesPulse "$@"\n' \
      > /usr/local/bin/salespulse && chmod 0755 /usr/local/bin/salespulse
