-- Acks from the ack link, read back so that a second tap on the link is answered as already acknowledged.
GRANT SELECT, INSERT ON salespulse.alert_acks TO salespulse_notifier
