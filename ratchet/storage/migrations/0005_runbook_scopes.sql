-- A runbook written from past threads quotes people's replies in those threads, so it is cached per the set of
-- channels whose threads it read (`scope`: their ids, sorted and comma-separated; '*' for every channel, as the
-- `ratchet runbook` command reads): an alert in #ops never gets a runbook written from a private channel's threads.
ALTER TABLE runbooks ADD COLUMN scope text NOT NULL DEFAULT '*';
ALTER TABLE runbooks DROP CONSTRAINT runbooks_alert_service_key;
ALTER TABLE runbooks ADD CONSTRAINT runbooks_alert_service_scope_key UNIQUE (alert, service, scope);
