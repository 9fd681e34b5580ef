-- `ratchet backfill`: where a channel's history walk stands, so a killed run resumes from its last stored page.
-- The request (`days`, `max_messages`) and the window it fixed (`oldest`, a Slack ts) are kept with the cursor:
-- a resumed run reads the same window, and another request starts afresh.
CREATE TABLE backfill_cursors (
    channel_id   text PRIMARY KEY REFERENCES channels (channel_id),
    days         integer,
    max_messages integer,
    oldest       text,
    cursor       text,
    pages        integer NOT NULL DEFAULT 0,
    fetched      integer NOT NULL DEFAULT 0,
    stored       integer NOT NULL DEFAULT 0,
    started_at   timestamptz NOT NULL DEFAULT now(),
    updated_at   timestamptz NOT NULL DEFAULT now(),
    finished_at  timestamptz
);
