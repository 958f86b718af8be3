-- knowledge_access_logs references the chunk and the document each logged search returned, with ON DELETE
-- CASCADE, but the spec indexes neither column. Deleting a chunk then scans the whole access log for its
-- rows, once per chunk: re-ingesting an edited document (its changed chunks go) or deleting one took
-- ~30 ms a chunk with 480 k log rows, growing with every search ever logged; with these indexes, under
-- 1 ms. Each search writes one more index entry per logged chunk (10 a search) for it. A deliberate
-- addition to the spec's indexes (sql/README.md, deviation 7).

create index if not exists idx_knowledge_access_logs_chunk on public.knowledge_access_logs (chunk_id);
create index if not exists idx_knowledge_access_logs_document on public.knowledge_access_logs (document_id);
