-- ratchet schema, version 1.
-- {{embedding_dim}} is replaced by the configured embedding model's dimension when the migration is applied;
-- `ratchet_meta` remembers which model that was, so a later mismatch is caught (see ratchet/storage/vectors.py).
-- Open-ended attributes go to jsonb `attrs`; real columns are kept for what is queried.

CREATE EXTENSION IF NOT EXISTS vector;

CREATE TABLE ratchet_meta (
    key        text PRIMARY KEY,
    value      text NOT NULL,
    updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE channels (
    channel_id   text PRIMARY KEY,
    team_id      text,
    name         text,
    is_private   boolean NOT NULL DEFAULT false,
    is_archived  boolean NOT NULL DEFAULT false,
    onboarded_at timestamptz,
    attrs        jsonb NOT NULL DEFAULT '{}',
    created_at   timestamptz NOT NULL DEFAULT now(),
    updated_at   timestamptz NOT NULL DEFAULT now()
);

-- Every message the bot can see. `ts` stays text: it is Slack's identity for a message and must round-trip exactly.
CREATE TABLE messages (
    channel_id  text NOT NULL REFERENCES channels (channel_id),
    ts          text NOT NULL,
    thread_ts   text,
    posted_at   timestamptz GENERATED ALWAYS AS (to_timestamp(ts::double precision)) STORED,
    user_id     text,
    bot_id      text,
    subtype     text,
    text        text NOT NULL DEFAULT '',
    origin      text NOT NULL DEFAULT 'live' CHECK (origin IN ('live', 'backfill', 'import')),
    is_deleted  boolean NOT NULL DEFAULT false,
    edited_at   timestamptz,
    attrs       jsonb NOT NULL DEFAULT '{}',
    embedding   vector({{embedding_dim}}),
    tsv         tsvector GENERATED ALWAYS AS (to_tsvector('english', text)) STORED,
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (channel_id, ts)
);
CREATE INDEX messages_thread_idx ON messages (channel_id, thread_ts) WHERE thread_ts IS NOT NULL;
CREATE INDEX messages_posted_at_idx ON messages (posted_at);
CREATE INDEX messages_embedding_idx ON messages USING hnsw (embedding vector_cosine_ops);
CREATE INDEX messages_tsv_idx ON messages USING gin (tsv);

-- An alert's life in a channel: opened by a firing message, re-fired, closed by the matching resolved message.
CREATE TABLE incidents (
    id                bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    channel_id        text NOT NULL,
    fingerprint       text NOT NULL,
    alert             text NOT NULL,
    service           text,
    severity          text,
    source            text,
    status            text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'resolved')),
    opened_ts         text NOT NULL,
    resolved_ts       text,
    opened_at         timestamptz NOT NULL,
    resolved_at       timestamptz,
    duration          interval GENERATED ALWAYS AS (resolved_at - opened_at) STORED,
    fire_count        integer NOT NULL DEFAULT 1,
    first_response_at timestamptz,
    responders        text[] NOT NULL DEFAULT '{}',
    attrs             jsonb NOT NULL DEFAULT '{}',
    FOREIGN KEY (channel_id, opened_ts) REFERENCES messages (channel_id, ts)
);
CREATE UNIQUE INDEX incidents_one_open_idx ON incidents (channel_id, fingerprint) WHERE status = 'open';
CREATE INDEX incidents_fingerprint_idx ON incidents (fingerprint, opened_at DESC);
CREATE INDEX incidents_alert_idx ON incidents (alert, opened_at DESC);

-- Documentation: a source (local dir, git repo, GitHub repo), its documents, and their chunks.
CREATE TABLE doc_sources (
    name              text PRIMARY KEY,
    kind              text NOT NULL CHECK (kind IN ('local', 'git', 'github')),
    location          text NOT NULL,
    config            jsonb NOT NULL DEFAULT '{}',
    last_refreshed_at timestamptz,
    last_error        text,
    created_at        timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE documents (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    source       text NOT NULL REFERENCES doc_sources (name) ON DELETE CASCADE,
    path         text NOT NULL,
    url          text,
    title        text,
    content_hash text NOT NULL,
    content      text NOT NULL,
    metadata     jsonb NOT NULL DEFAULT '{}',
    updated_at   timestamptz NOT NULL DEFAULT now(),
    UNIQUE (source, path)
);

-- Chunk ids are uuids and metadata is one jsonb column so langchain-postgres' PGVectorStore can use this table.
CREATE TABLE document_chunks (
    id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    document_id bigint NOT NULL REFERENCES documents (id) ON DELETE CASCADE,
    chunk_index integer NOT NULL,
    heading     text NOT NULL DEFAULT '',
    content     text NOT NULL,
    metadata    jsonb NOT NULL DEFAULT '{}',
    embedding   vector({{embedding_dim}}),
    tsv         tsvector GENERATED ALWAYS AS (to_tsvector('english', heading || ' ' || content)) STORED,
    UNIQUE (document_id, chunk_index)
);
CREATE INDEX document_chunks_embedding_idx ON document_chunks USING hnsw (embedding vector_cosine_ops);
CREATE INDEX document_chunks_tsv_idx ON document_chunks USING gin (tsv);

-- Synthesized runbooks, cached per alert (and service), rebuilt when new threads for the alert arrive.
CREATE TABLE runbooks (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    alert           text NOT NULL,
    service         text NOT NULL DEFAULT '',
    content         jsonb NOT NULL,
    citations       jsonb NOT NULL DEFAULT '[]',
    source_threads  integer NOT NULL DEFAULT 0,
    latest_source_ts text,
    model           text,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    UNIQUE (alert, service)
);

-- The durable work ledger. (kind, key) is unique so an event delivered twice enqueues one job.
CREATE TABLE jobs (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    kind         text NOT NULL,
    key          text NOT NULL,
    payload      jsonb NOT NULL DEFAULT '{}',
    status       text NOT NULL DEFAULT 'queued'
                 CHECK (status IN ('queued', 'running', 'done', 'failed', 'cancelled')),
    priority     smallint NOT NULL DEFAULT 0,
    attempts     integer NOT NULL DEFAULT 0,
    max_attempts integer NOT NULL DEFAULT 5,
    run_after    timestamptz NOT NULL DEFAULT now(),
    locked_at    timestamptz,
    locked_by    text,
    last_error   text,
    created_at   timestamptz NOT NULL DEFAULT now(),
    updated_at   timestamptz NOT NULL DEFAULT now(),
    finished_at  timestamptz,
    UNIQUE (kind, key)
);
CREATE INDEX jobs_queued_idx ON jobs (priority DESC, run_after) WHERE status = 'queued';
CREATE INDEX jobs_running_idx ON jobs (locked_at) WHERE status = 'running';

CREATE FUNCTION jobs_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('ratchet_jobs', NEW.kind);
    RETURN NEW;
END
$$;
CREATE TRIGGER jobs_notify_insert AFTER INSERT ON jobs FOR EACH ROW EXECUTE FUNCTION jobs_notify();

-- What the bot posted. The row is written (pending) before the Slack call and confirmed after it, keyed by an
-- idempotency key, so a crash between the two cannot post twice.
CREATE TABLE bot_posts (
    idempotency_key text PRIMARY KEY,
    channel_id      text NOT NULL,
    thread_ts       text,
    ts              text,
    module          text NOT NULL,
    job_id          bigint REFERENCES jobs (id) ON DELETE SET NULL,
    status          text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'posted', 'failed')),
    text            text NOT NULL DEFAULT '',
    blocks          jsonb,
    attrs           jsonb NOT NULL DEFAULT '{}',
    created_at      timestamptz NOT NULL DEFAULT now(),
    posted_at       timestamptz
);
CREATE INDEX bot_posts_message_idx ON bot_posts (channel_id, ts);
CREATE INDEX bot_posts_module_idx ON bot_posts (module, created_at);

-- Reactions people put on messages (👍/👎 on the bot's posts are its feedback). Keyed so redelivery is harmless.
CREATE TABLE reactions (
    channel_id text NOT NULL,
    message_ts text NOT NULL,
    user_id    text NOT NULL,
    reaction   text NOT NULL,
    module     text,
    event_ts   text,
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (channel_id, message_ts, user_id, reaction)
);
CREATE INDEX reactions_module_idx ON reactions (module, created_at) WHERE module IS NOT NULL;

-- Every chat and embedding call made to a model.
CREATE TABLE llm_calls (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    module        text NOT NULL DEFAULT 'unknown',
    model         text NOT NULL,
    kind          text NOT NULL DEFAULT 'chat' CHECK (kind IN ('chat', 'embedding')),
    input_tokens  integer,
    output_tokens integer,
    latency_ms    integer,
    error         text,
    run_id        text,
    attrs         jsonb NOT NULL DEFAULT '{}',
    created_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX llm_calls_created_idx ON llm_calls (created_at);
