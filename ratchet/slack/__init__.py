"""Everything that speaks Slack: the bolt app, events -> messages, text, rendering, idempotent posting, the client."""
