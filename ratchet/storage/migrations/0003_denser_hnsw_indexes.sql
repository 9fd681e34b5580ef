-- Denser HNSW graphs (m 24, ef_construction 128; pgvector's defaults are 16 and 64), searched with ef_search 400
-- (storage/database.py): recall@10 against exact search 0.98 at a million vectors, 0.94 at ef_search 200
-- (bench/vector_search.py). Rebuilding takes a while on a big table: about 20 minutes per million rows on 2 cores.
-- vectors.HNSW_M / HNSW_EF_CONSTRUCTION hold the same numbers for indexes rebuilt by `ratchet db reembed`.
DROP INDEX IF EXISTS messages_embedding_idx;
CREATE INDEX messages_embedding_idx ON messages USING hnsw (embedding vector_cosine_ops)
    WITH (m = 24, ef_construction = 128);
DROP INDEX IF EXISTS document_chunks_embedding_idx;
CREATE INDEX document_chunks_embedding_idx ON document_chunks USING hnsw (embedding vector_cosine_ops)
    WITH (m = 24, ef_construction = 128);
