-- Acks that do not parse go to the dead letters, as the jobs' rejected input does.
GRANT INSERT ON salespulse.dead_letters TO salespulse_notifier
