package io.salespulse.notifier.hold;

import io.salespulse.contract.policy.Policy;
import io.salespulse.contract.policy.PolicySilence;
import io.salespulse.notifier.delivery.DeliveryLedger;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps {@code alert_silences} in step with the silences the run-time policies declare ({@link PolicySilence}): each
 * becomes a row {@code policy:<scope>:<id>} ({@code source = policy}, matchers the scope's tenant / region / team plus
 * its own, author the policy's {@code updated_by}, created at the policy's {@code updated_at}); a changed one is written
 * again; one a later version no longer declares, or whose scope was removed, ends now (its row is written again with
 * {@code ends_at} = now, so the audit keeps it). Idempotent: run at start and whenever policies were read.
 */
public final class PolicySilences {
    private static final Logger LOG = LoggerFactory.getLogger(PolicySilences.class);
    public static final String SOURCE = "policy";

    private PolicySilences() {}

    public static void sync(Map<String, Policy> policies, DeliveryLedger ledger, Instant now) throws SQLException {
        Map<String, DeliveryLedger.SilenceRow> want = new LinkedHashMap<>();
        policies.forEach((scope, p) -> {
            String[] parts = scope.split("/", -1);
            for (PolicySilence s : PolicySilence.of(p)) {
                String id = "policy:" + scope + ":" + s.id();
                want.put(id, new DeliveryLedger.SilenceRow(id, parts[0], parts.length > 1 ? parts[1] : "",
                        parts.length > 2 ? parts[2] : "", s.repId(), s.customerId(), s.type(), s.startsAt(), s.endsAt(),
                        p.updatedBy(), s.reason(), SOURCE, Instant.ofEpochMilli(p.updatedAt())));
            }
        });
        Map<String, DeliveryLedger.SilenceRow> have = ledger.policySilences();
        List<DeliveryLedger.SilenceRow> write = new ArrayList<>();
        want.forEach((id, row) -> {
            if (!row.equals(have.get(id))) {
                write.add(row);
            }
        });
        int ended = 0;
        for (DeliveryLedger.SilenceRow row : have.values()) {
            if (!want.containsKey(row.id()) && row.endsAt().isAfter(now)) {
                Instant end = row.startsAt().isAfter(now) ? row.startsAt() : now;
                write.add(new DeliveryLedger.SilenceRow(row.id(), row.tenant(), row.region(), row.team(), row.repId(),
                        row.customerId(), row.type(), row.startsAt(), end, row.author(), row.reason(), row.source(),
                        row.createdAt()));
                ended++;
            }
        }
        ledger.writeSilences(write);
        if (!write.isEmpty()) {
            LOG.info("Silences from policies: {} written, {} of them ended because their policy no longer has them",
                    write.size(), ended);
        }
    }
}
