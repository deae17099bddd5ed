-- The alert page shows the customer's recent stage cards; follow-up checks for the next card.
GRANT SELECT ON salespulse.stage_events TO salespulse_notifier
