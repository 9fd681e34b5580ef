-- Jobs of one Slack thread run one at a time, in order, without a worker waiting for another: a job carries its
-- thread's key (storage/jobs.py `thread_key`) and `claim` passes over a queued job while its thread has a job
-- running or an earlier one queued. The unique index is what makes that hold under concurrent claims: two workers
-- that each picked a different job of one thread cannot both mark it running; the later one gets a unique
-- violation and claims again. A running job whose worker died keeps its thread until it is claimed again.
ALTER TABLE jobs ADD COLUMN thread_key text;
CREATE UNIQUE INDEX jobs_one_running_per_thread_idx ON jobs (thread_key) WHERE status = 'running';
CREATE INDEX jobs_thread_active_idx ON jobs (thread_key, id) WHERE status IN ('queued', 'running');
-- message jobs queued before this migration join their thread (running ones are left alone: under the old code
-- two of one thread may be running, each waiting for the other's advisory lock)
UPDATE jobs SET thread_key = (payload ->> 'channel_id') || ':' || (payload ->> 'thread_ts')
WHERE kind = 'message' AND status = 'queued' AND payload ? 'channel_id' AND payload ? 'thread_ts';
