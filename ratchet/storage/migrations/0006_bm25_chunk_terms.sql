-- BM25 over document chunks. Postgres ranks full-text matches with ts_rank/ts_rank_cd, which know nothing of how
-- rare a word is across the corpus: a long question's rare words (`nf_conntrack`) count no more than its common
-- ones. BM25 needs, per chunk, each term's frequency and the chunk's length, and per term how many chunks hold it;
-- `chunk_terms` is that inverted index, filled by a trigger whatever writes the chunks.
--
-- Terms are the English stems of the chunk's heading path and its document's path (counted HEADING_WEIGHT times:
-- a runbook titled or named after an alert outranks a page that merely mentions it) and of its text. Identifiers
-- also count as their words: `KubePodCrashLooping` as kube, pod, crash, loop; `nf_conntrack` as nf, conntrack;
-- `runbooks/postgres/replication-lag.md` as runbooks, postgres, replication, lag, md.

CREATE FUNCTION search_words(body text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT body || ' ' || coalesce((
        SELECT string_agg(
            regexp_replace(regexp_replace(m[1], '([a-z0-9])([A-Z])', '\1 \2', 'g'), '[_/.:\-]+', ' ', 'g'), ' '
        )
        FROM regexp_matches(body, '(\S*[a-z0-9][A-Z]\S*|\S+[_/.:\-]\S+)', 'g') AS m
    ), '')
$$;

CREATE FUNCTION search_terms(heading text, body text) RETURNS TABLE (lexeme text, tf real)
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT lexeme, sum(weight * cardinality(positions))::real
    FROM (
        SELECT t.lexeme, t.positions, 3 AS weight FROM unnest(to_tsvector('english', search_words(heading))) t
        UNION ALL
        SELECT t.lexeme, t.positions, 1 FROM unnest(to_tsvector('english', search_words(body))) t
    ) weighted
    GROUP BY lexeme
$$;

-- a posting per (term, chunk), carrying what BM25 reads so that scoring joins nothing: the chunk's document and
-- length in weighted terms
CREATE TABLE chunk_terms (
    lexeme      text NOT NULL,
    chunk_id    uuid NOT NULL REFERENCES document_chunks (id) ON DELETE CASCADE,
    document_id bigint NOT NULL,
    tf          real NOT NULL,
    terms       real NOT NULL,
    PRIMARY KEY (lexeme, chunk_id)
);
CREATE INDEX chunk_terms_chunk_idx ON chunk_terms (chunk_id);

-- lengths in weighted terms: a chunk's, and a document's (its chunks' sum), for BM25's length normalisation
ALTER TABLE document_chunks ADD COLUMN terms real NOT NULL DEFAULT 0;
CREATE INDEX document_chunks_terms_idx ON document_chunks (terms);  -- the corpus' average length, index only
ALTER TABLE documents ADD COLUMN terms real NOT NULL DEFAULT 0;

CREATE FUNCTION index_chunk_terms(chunk document_chunks) RETURNS real
LANGUAGE plpgsql AS $$
DECLARE
    length real;
BEGIN
    DELETE FROM chunk_terms WHERE chunk_id = chunk.id;
    WITH found AS (
        SELECT t.lexeme, t.tf
        FROM search_terms(
            chunk.heading || ' ' || coalesce((SELECT path FROM documents WHERE id = chunk.document_id), ''),
            chunk.content
        ) t
    )
    INSERT INTO chunk_terms (lexeme, chunk_id, document_id, tf, terms)
    SELECT lexeme, chunk.id, chunk.document_id, tf, sum(tf) OVER () FROM found;
    SELECT coalesce(max(terms), 0) INTO length FROM chunk_terms WHERE chunk_id = chunk.id;
    RETURN length;
END
$$;

CREATE FUNCTION chunk_terms_trigger() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    UPDATE document_chunks SET terms = index_chunk_terms(NEW) WHERE id = NEW.id;
    UPDATE documents SET terms = (SELECT coalesce(sum(terms), 0) FROM document_chunks WHERE document_id = NEW.document_id)
    WHERE id = NEW.document_id;
    RETURN NULL;
END
$$;

CREATE TRIGGER document_chunks_terms AFTER INSERT OR UPDATE OF heading, content ON document_chunks
FOR EACH ROW EXECUTE FUNCTION chunk_terms_trigger();

UPDATE document_chunks c SET terms = index_chunk_terms(c);  -- the chunks stored before this migration
UPDATE documents d SET terms = (SELECT coalesce(sum(terms), 0) FROM document_chunks WHERE document_id = d.id);

-- BM25's corpus figures, written after each refresh (`documents.record_corpus_statistics`): counting them at every search
-- would read the whole chunk table
CREATE TABLE search_corpus (
    only_row       boolean PRIMARY KEY DEFAULT true CHECK (only_row),
    chunks         real NOT NULL,
    chunk_terms    real NOT NULL,
    documents      real NOT NULL,
    document_terms real NOT NULL
);
INSERT INTO search_corpus (chunks, chunk_terms, documents, document_terms)
SELECT (SELECT count(*) FROM document_chunks), (SELECT coalesce(avg(terms), 0) FROM document_chunks),
       (SELECT count(*) FROM documents), (SELECT coalesce(avg(terms), 0) FROM documents);

-- The chunks nearest a query vector by the HNSW index. On a corpus of a few thousand chunks the planner prefers
-- reading the whole table and sorting, which costs more than the index (the rows are wide); inside this function
-- it may not, and the index searches wide enough for the usual 50 candidates.
CREATE FUNCTION nearest_chunks(query vector, candidates integer)
RETURNS TABLE (id uuid, document_id bigint, distance double precision)
LANGUAGE sql STABLE SET enable_seqscan = off SET hnsw.ef_search = 100 AS $$
    SELECT c.id, c.document_id, c.embedding <=> query FROM document_chunks c
    WHERE c.embedding IS NOT NULL ORDER BY c.embedding <=> query LIMIT candidates
$$;
