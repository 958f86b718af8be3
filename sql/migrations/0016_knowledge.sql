-- Knowledge base: buckets, documents, embedded chunks, retrieval audit.

-- knowledge_buckets: groups of knowledge documents
create table public.knowledge_buckets (
    id uuid primary key default gen_random_uuid(),
    created_by uuid references auth.users (id) on delete cascade,
    name text not null,
    bucket_type text,
    campaign_id uuid references public.campaigns (id) on delete cascade,
    description text,
    metadata jsonb default '{}'::jsonb,
    created_at timestamptz default now(),
    updated_at timestamptz default now(),
    constraint knowledge_buckets_bucket_type_check check (bucket_type in ('campaign', 'general')),
    constraint knowledge_buckets_created_by_name_key unique (created_by, name),
    constraint knowledge_buckets_scope_check check ((bucket_type = 'campaign' and campaign_id is not null) or (bucket_type = 'general' and campaign_id is null))
);
create index idx_knowledge_buckets_user_type on public.knowledge_buckets (created_by, bucket_type);
create index idx_knowledge_buckets_campaign on public.knowledge_buckets (campaign_id) where campaign_id is not null;

-- knowledge_documents: documents in a bucket
create table public.knowledge_documents (
    id uuid primary key default gen_random_uuid(),
    bucket_id uuid references public.knowledge_buckets (id) on delete cascade,
    created_by uuid references auth.users (id) on delete cascade,
    title text not null,
    content text not null,
    summary text,
    file_name text,
    file_type text,
    file_size bigint,
    upload_path text,
    status text default 'processing'::text,
    processing_error text,
    metadata jsonb default '{}'::jsonb,
    created_at timestamptz default now(),
    updated_at timestamptz default now()
);
create index idx_knowledge_documents_bucket on public.knowledge_documents (bucket_id);
create index idx_knowledge_documents_status on public.knowledge_documents (status);

-- knowledge_chunks: embedded document chunks
-- the embedding's dimension is the configured model's (setting aip.embedding_dimension, 384 when unset,
-- e.g. on Supabase), so the table is created with dynamic SQL
do $$
declare
    setting text := coalesce(nullif(current_setting('aip.embedding_dimension', true), ''), '384');
    dimension integer;
begin
    dimension := case when setting ~ '^[0-9]{1,5}$' then setting::integer end;
    if dimension is null or dimension not between 1 and 2000 then
        raise exception 'aip.embedding_dimension is "%", not a dimension from 1 to 2000 (the HNSW limit of pgvector)',
            setting
            using hint = 'Set AIP_EMBEDDING_DIMENSION to the output dimension of the embedding model '
                '(384 for all-MiniLM-L6-v2).';
    end if;
    execute format($ddl$
        create table public.knowledge_chunks (
            id uuid primary key default gen_random_uuid(),
            document_id uuid references public.knowledge_documents (id) on delete cascade,
            bucket_id uuid references public.knowledge_buckets (id) on delete cascade,
            chunk_index integer not null,
            content text not null,
            content_hash text not null,
            token_count integer,
            embedding vector(%s),
            metadata jsonb default '{}'::jsonb,
            created_at timestamptz default now(),
            constraint knowledge_chunks_document_id_chunk_index_key unique (document_id, chunk_index)
        )
    $ddl$, dimension);
end
$$;
create index idx_knowledge_chunks_document on public.knowledge_chunks (document_id);
create index idx_knowledge_chunks_bucket on public.knowledge_chunks (bucket_id);
create index idx_knowledge_chunks_embedding on public.knowledge_chunks using hnsw (embedding vector_cosine_ops);

-- knowledge_access_logs: knowledge retrieval audit
create table public.knowledge_access_logs (
    id uuid primary key default gen_random_uuid(),
    bucket_id uuid references public.knowledge_buckets (id) on delete cascade,
    document_id uuid references public.knowledge_documents (id) on delete cascade,
    chunk_id uuid references public.knowledge_chunks (id) on delete cascade,
    agent_type text,
    query_text text,
    similarity_score double precision,
    used_in_response boolean default false,
    user_id uuid references auth.users (id) on delete cascade,
    created_at timestamptz default now()
);
create index idx_knowledge_access_logs_bucket on public.knowledge_access_logs (bucket_id);
create index idx_knowledge_access_logs_user_time on public.knowledge_access_logs (user_id, created_at);
