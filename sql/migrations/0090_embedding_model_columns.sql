-- Deliberate addition to the spec: the embedding model recorded per row.
--
-- The embedding dimension follows the configured model (spec: embedding_columns), and changing the model
-- re-embeds incrementally. For that each embedded row records which model produced its vector; rows
-- embedded by another model than the configured one are the ones to re-embed. Null means "not embedded
-- yet" (or embedded before this column existed).

alter table public.knowledge_chunks add column embedding_model text;
alter table public.conversation_messages add column embedding_model text;

comment on column public.knowledge_chunks.embedding_model is
'name of the model that produced embedding (e.g. all-MiniLM-L6-v2); null when not embedded';
comment on column public.conversation_messages.embedding_model is
'name of the model that produced embedding (e.g. all-MiniLM-L6-v2); null when not embedded';
