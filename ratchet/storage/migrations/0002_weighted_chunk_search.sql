-- Full-text search over document chunks weighs the heading path (document title > section) above the body:
-- a runbook titled after an alert should outrank a page that merely mentions it.
ALTER TABLE document_chunks DROP COLUMN tsv;
ALTER TABLE document_chunks ADD COLUMN tsv tsvector GENERATED ALWAYS AS (
    setweight(to_tsvector('english', heading), 'A') || setweight(to_tsvector('english', content), 'B')
) STORED;
CREATE INDEX document_chunks_tsv_idx ON document_chunks USING gin (tsv);
