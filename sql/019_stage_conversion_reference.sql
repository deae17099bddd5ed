-- The stage-conversion measure of the funnel job, as SQL over stage_events (README, "Funnel windows,
-- drops and coaching"): the reference the job is tested against, and a way to recompute any window by
-- hand. Parameters: window_ms and slide_ms (funnel.window, funnel.slide in ms), baseline_weeks.
--   SELECT * FROM salespulse.stage_conversion_reference(window_ms = 604800000, slide_ms = 3600000,
--                                                       baseline_weeks = 4)
-- Each entry is expanded once per window it falls in (window/slide times, x (baseline_weeks + 1),
-- x 2 for the region row): fine for checks on a tenant's history, not a production path.
CREATE VIEW IF NOT EXISTS salespulse.stage_conversion_reference AS
WITH
    cards AS
    (
        SELECT
            tenant,
            customer_id,
            event_id,
            region,
            team,
            stage,
            outcome,
            toUnixTimestamp64Milli(occurred_at) AS at,
            indexOf(['contact', 'needs', 'proposal', 'objection', 'closing'], stage) AS stage_rank,
            stage = 'closing' AND outcome IN ('won', 'lost') AS closes
        FROM salespulse.stage_events FINAL
    ),
    ordered AS
    (
        SELECT
            *,
            -- opportunity number: won/lost closing cards strictly before this card
            ifNull(sum(toUInt32(closes)) OVER (PARTITION BY tenant, customer_id ORDER BY at, event_id
                ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0) AS opportunity,
            row_number() OVER (PARTITION BY tenant, customer_id ORDER BY at, event_id) AS seq
        FROM cards
    ),
    entries AS
    (
        SELECT
            tenant,
            customer_id,
            opportunity,
            stage,
            any(stage_rank) AS entry_rank,
            min(seq) AS entry_seq,
            argMin(at, seq) AS entry_at,
            argMin(region, seq) AS entry_region,
            argMin(team, seq) AS entry_team
        FROM ordered
        GROUP BY tenant, customer_id, opportunity, stage
    ),
    advanced AS
    (
        SELECT
            e.tenant AS tenant,
            e.entry_region AS region,
            e.entry_team AS team,
            e.stage AS stage,
            e.entry_at AS entry_at,
            -- advanced at the first later card of a higher stage; from closing: the first won closing card
            if(countIf(if(e.stage = 'closing', o.seq >= e.entry_seq AND o.outcome = 'won',
                    o.seq > e.entry_seq AND o.stage_rank > e.entry_rank)) > 0,
               minIf(o.at, if(e.stage = 'closing', o.seq >= e.entry_seq AND o.outcome = 'won',
                    o.seq > e.entry_seq AND o.stage_rank > e.entry_rank)),
               9223372036854775807) AS advanced_at
        FROM entries AS e
        INNER JOIN ordered AS o
            ON o.tenant = e.tenant AND o.customer_id = e.customer_id AND o.opportunity = e.opportunity
        GROUP BY e.tenant, e.customer_id, e.opportunity, e.stage, e.entry_region, e.entry_team, e.entry_at
    ),
    expanded AS
    (
        SELECT
            tenant,
            region,
            stage,
            advanced_at,
            arrayJoin([team, '*']) AS row_team,
            intDiv(entry_at, {slide_ms:Int64}) * {slide_ms:Int64}
                + arrayJoin(range(1, toUInt64(intDiv({window_ms:Int64}, {slide_ms:Int64})) + 1)) * {slide_ms:Int64}
                AS own_end,
            arrayJoin(range(0, toUInt64({baseline_weeks:UInt8}) + 1)) AS weeks_before,
            own_end + weeks_before * 604800000 AS end_ms
        FROM advanced
    ),
    counts AS
    (
        SELECT
            tenant,
            region,
            row_team AS team,
            stage AS from_stage,
            end_ms,
            countIf(weeks_before = 0) AS entered,
            countIf(weeks_before = 0 AND advanced_at < own_end) AS advanced,
            countIf(weeks_before > 0) AS baseline_entered,
            countIf(weeks_before > 0 AND advanced_at < own_end) AS baseline_advanced
        FROM expanded
        GROUP BY tenant, region, row_team, stage, end_ms
        HAVING entered > 0
    )
SELECT
    tenant,
    region,
    team,
    from_stage,
    fromUnixTimestamp64Milli(end_ms - {window_ms:Int64}, 'UTC') AS window_start,
    fromUnixTimestamp64Milli(end_ms, 'UTC') AS window_end,
    entered,
    advanced,
    advanced / entered AS rate,
    if(baseline_entered > 0, baseline_advanced / baseline_entered, NULL) AS baseline_rate,
    if(baseline_advanced > 0, (rate - baseline_rate) / baseline_rate * 100, NULL) AS change_pct
FROM counts
