-- Knowledge base: incremental indexing, embedding-model generations, hybrid search with access logging.
--
-- Vectors of the *active* model live where the operational schema puts them (knowledge_chunks.embedding,
-- conversation_messages.embedding, with embedding_model naming the model) as long as the model's
-- dimension is the column's. Vectors of any other model live in the per-model side tables below: a model
-- being built in the background while search keeps serving the active one, or an active model whose
-- dimension differs from the column's (served from there through a per-model partial HNSW index on
-- `embedding::vector(<dimension>)`, created by the pipeline when it activates such a model).
--
-- A model switch is one transaction that flips aip.embedding_models and (same dimension) copies the new
-- vectors into the columns, so every search sees either the old model everywhere or the new one everywhere.
-- Requires pgvector >= 0.8 (iterative index scans).

-- the model each stored vector was made by (nullable: rows the app embedded itself may not say)
alter table public.knowledge_chunks add column if not exists embedding_model text;
alter table public.conversation_messages add column if not exists embedding_model text;

-- embedding models: one active (serves search), at most one being built (filled in the background)
create table aip.embedding_models (
    model text primary key,
    dimension integer not null,
    status text not null default 'building',
    created_at timestamptz not null default now(),
    activated_at timestamptz,
    retired_at timestamptz,
    constraint embedding_models_dimension_check check (dimension between 1 and 16000),
    constraint embedding_models_status_check check (status in ('building', 'active', 'retired'))
);
create unique index embedding_models_one_active on aip.embedding_models (status) where status = 'active';
create unique index embedding_models_one_building on aip.embedding_models (status) where status = 'building';
comment on table aip.embedding_models is
'Embedding models known to the knowledge base: exactly one active (search uses it), at most one building.';

-- chunk vectors of models not served from knowledge_chunks.embedding
create table aip.knowledge_chunk_embeddings (
    model text not null references aip.embedding_models (model) on delete cascade,
    chunk_id uuid not null references public.knowledge_chunks (id) on delete cascade,
    content_hash text not null,
    embedding vector not null,
    primary key (model, chunk_id)
);
create index knowledge_chunk_embeddings_chunk_idx on aip.knowledge_chunk_embeddings (chunk_id);
create index knowledge_chunk_embeddings_hash_idx on aip.knowledge_chunk_embeddings (model, content_hash);

-- conversation message vectors of models not served from conversation_messages.embedding
create table aip.conversation_message_embeddings (
    model text not null references aip.embedding_models (model) on delete cascade,
    message_id uuid not null references public.conversation_messages (id) on delete cascade,
    embedding vector not null,
    primary key (model, message_id)
);
create index conversation_message_embeddings_message_idx on aip.conversation_message_embeddings (message_id);

-- what each document was indexed from, so an unchanged document is skipped without parsing it again
create table aip.knowledge_document_sources (
    document_id uuid primary key references public.knowledge_documents (id) on delete cascade,
    source_sha256 text not null,
    source_size bigint,
    source_mtime_ns bigint,
    chunker text not null,
    outcome text not null,
    indexed_updated_at timestamptz,
    indexed_at timestamptz not null default now(),
    constraint knowledge_document_sources_outcome_check check (outcome in ('ready', 'failed'))
);
comment on column aip.knowledge_document_sources.indexed_updated_at is
'knowledge_documents.updated_at right after the pipeline wrote the document: a later value means the app changed it';

-- vector reuse looks chunks up by (model, content hash)
create index if not exists knowledge_chunks_model_hash_idx on public.knowledge_chunks (embedding_model, content_hash);
-- hybrid search: full text of chunk content
create index if not exists knowledge_chunks_content_fts_idx
on public.knowledge_chunks using gin (to_tsvector('english'::regconfig, content));
-- messages still waiting for a vector
create index if not exists conversation_messages_unembedded_idx
on public.conversation_messages (timestamp) where embedding is null;

-- the active model and its dimension; with no model registered yet, the column's dimension and no name
create function aip.active_embedding_model(out model text, out dimension integer, out in_column boolean)
language sql
stable
security definer
set search_path = public, extensions, pg_temp
as $$
    with col as (
        select a.atttypmod as dimension
        from pg_catalog.pg_attribute as a
        where a.attrelid = 'public.knowledge_chunks'::regclass and a.attname = 'embedding' and not a.attisdropped
    ),

    active as (
        select m.model, m.dimension from aip.embedding_models as m where m.status = 'active'
    )

    select
        a.model,
        coalesce(a.dimension, c.dimension),
        coalesce(a.dimension = c.dimension, true)
    from col as c
    left join active as a on true
$$;

-- vector (+ optional full-text) search over one user's chunks, ranked, logged in knowledge_access_logs.
--
-- Vector candidates come from the active model's HNSW index (iterative scan keeps filtered searches full);
-- with p_hybrid, full-text candidates (websearch_to_tsquery, ts_rank) join them and both lists are fused
-- by reciprocal rank fusion (k = 60). p_model, when given, must be the active model: a query embedded by
-- another model is rejected rather than compared with vectors of a different space.
create function aip.search_knowledge(
    p_user_id uuid,
    p_query_embedding vector,
    p_query_text text default null,
    p_bucket_type text default null,
    p_campaign_id uuid default null,
    p_limit integer default 10,
    p_similarity_threshold double precision default null,
    p_hybrid boolean default false,
    p_agent_type text default null,
    p_model text default null
)
returns table (
    chunk_id uuid,
    bucket_id uuid,
    document_id uuid,
    bucket_name text,
    document_title text,
    document_summary text,
    chunk_content text,
    chunk_index integer,
    similarity_score double precision,
    metadata jsonb,
    score double precision,
    matched_by text
)
language plpgsql
volatile
security definer
set search_path = public, extensions, pg_temp
set "hnsw.iterative_scan" = 'relaxed_order'
as $body$
#variable_conflict use_column
declare
    v_model text;
    v_dimension integer;
    v_in_column boolean;
    v_buckets uuid[];
    v_candidates integer;
    v_ids uuid[];
    v_distances double precision[];
    v_tsquery tsquery;
    v_plan_cache_mode text;
begin
    if p_user_id is null then
        raise exception 'search_knowledge: p_user_id is null'
            using errcode = '22004', hint = 'Pass the id of the user whose knowledge to search.';
    end if;
    if auth.uid() is not null and p_user_id <> auth.uid() then
        raise exception 'search_knowledge: user % may not search the knowledge of user %', auth.uid(), p_user_id
            using errcode = '42501', hint = 'Pass p_user_id => auth.uid().';
    end if;
    if p_query_embedding is null then
        raise exception 'search_knowledge: p_query_embedding is null'
            using errcode = '22004', hint = 'Pass the embedding of the query text.';
    end if;
    if p_bucket_type is not null and p_bucket_type not in ('campaign', 'general') then
        raise exception 'search_knowledge: unknown bucket type "%"', p_bucket_type
            using errcode = '22023', hint = 'Pass ''campaign'', ''general'' or null (all buckets).';
    end if;
    if p_limit is null or p_limit < 1 then
        raise exception 'search_knowledge: p_limit is %, it must be at least 1', coalesce(p_limit::text, 'null')
            using errcode = '22023';
    end if;

    select a.model, a.dimension, a.in_column into v_model, v_dimension, v_in_column
    from aip.active_embedding_model() as a;
    if p_model is not null and p_model is distinct from v_model then
        raise exception 'query embedded with model "%", but the knowledge base is served by model "%"',
            p_model, coalesce(v_model, 'none')
            using errcode = '22000', hint = 'Embed the query again with the active model and retry.';
    end if;
    if vector_dims(p_query_embedding) <> v_dimension then
        raise exception 'query embedding has % dimensions, the knowledge base stores %',
            vector_dims(p_query_embedding), v_dimension
            using errcode = '22000',
                hint = format('Embed the query with the active model (%s).', coalesce(v_model, 'AIP_EMBEDDING_MODEL'));
    end if;

    -- the buckets the user owns first: a plain filter on the index scan instead of a join inside it
    select coalesce(array_agg(b.id), '{}') into v_buckets
    from public.knowledge_buckets as b
    where
        b.created_by = p_user_id
        and (p_bucket_type is null or b.bucket_type = p_bucket_type)
        and (p_campaign_id is null or b.campaign_id = p_campaign_id);

    -- the access log is audit data: when it is all this transaction writes, do not wait for the WAL flush
    -- (a crash may lose the last fraction of a second of log rows, nothing else; and it halves the cost)
    if pg_current_xact_id_if_assigned() is null then
        perform set_config('synchronous_commit', 'off', true);
    end if;

    if v_in_column and not coalesce(p_hybrid, false) and cardinality(v_buckets) > 0 then
        -- the common case. First the nearest ids from the HNSW index, under a plan made once per session:
        -- re-planning this query on every call (what plpgsql does when a generic LIMIT looks dear) cost
        -- ~0.15 ms a search, a fifth of the search itself.
        v_plan_cache_mode := current_setting('plan_cache_mode');
        perform set_config('plan_cache_mode', 'force_generic_plan', true);
        select array_agg(n.id order by n.distance, n.id), array_agg(n.distance order by n.distance, n.id)
        into v_ids, v_distances
        from (
            select kc.id, kc.embedding <=> p_query_embedding as distance
            from public.knowledge_chunks as kc
            where
                kc.bucket_id = any(v_buckets)
                and kc.embedding is not null
                and (v_model is null or kc.embedding_model = v_model)
            order by kc.embedding <=> p_query_embedding
            limit p_limit
        ) as n;
        perform set_config('plan_cache_mode', v_plan_cache_mode, true);

        -- fewer than asked for: the user has fewer chunks, or so few among many that the iterative
        -- scan gave up (hnsw.max_scan_tuples). Either way their chunks are few: rank them all exactly.
        if coalesce(cardinality(v_ids), 0) < p_limit then
            with mine as materialized (
                select kc.id, kc.embedding <=> p_query_embedding as distance
                from public.knowledge_chunks as kc
                where
                    kc.bucket_id = any(v_buckets)
                    and kc.embedding is not null
                    and (v_model is null or kc.embedding_model = v_model)
            )

            select array_agg(n.id order by n.distance, n.id), array_agg(n.distance order by n.distance, n.id)
            into v_ids, v_distances
            from (select m.id, m.distance from mine as m order by m.distance, m.id limit p_limit) as n;
        end if;

        -- then one statement that assembles the hits (primary-key lookups driven by at most p_limit ids),
        -- logs them in one multi-row insert and returns them
        return query
        with hits as materialized (
            select
                kc.id,
                kc.bucket_id,
                kc.document_id,
                kc.content,
                kc.chunk_index,
                kc.metadata,
                (1 - u.distance)::double precision as similarity,
                u.rank
            from unnest(v_ids, v_distances) with ordinality as u (id, distance, rank)
            inner join public.knowledge_chunks as kc on u.id = kc.id
            where p_similarity_threshold is null or 1 - u.distance >= p_similarity_threshold
        ),

        logged as (
            insert into public.knowledge_access_logs (
                bucket_id, document_id, chunk_id, agent_type, query_text, similarity_score, user_id
            )
            select h.bucket_id, h.document_id, h.id, p_agent_type, p_query_text, h.similarity, p_user_id
            from hits as h
            union all
            -- a search that found nothing is still a search: one row without a chunk records it
            select null, null, null, p_agent_type, p_query_text, null, p_user_id
            where not exists (select 1 from hits)
        )

        select
            h.id,
            h.bucket_id,
            h.document_id,
            (select b.name from public.knowledge_buckets as b where b.id = h.bucket_id),
            d.title,
            d.summary,
            h.content,
            h.chunk_index,
            h.similarity,
            h.metadata,
            h.similarity,
            'vector'::text
        from hits as h
        -- lookups, not joins (limit 1 keeps the subquery from being flattened into one): a join could
        -- be planned as a scan of the whole table
        left join lateral (
            select kd.title, kd.summary from public.knowledge_documents as kd where kd.id = h.document_id limit 1
        ) as d on true
        order by h.rank;
        return;
    end if;

    v_candidates := case when coalesce(p_hybrid, false) then greatest(p_limit * 4, 40) else p_limit end;
    if cardinality(v_buckets) > 0 and v_in_column then
        select array_agg(n.id order by n.distance, n.id), array_agg(n.distance order by n.distance, n.id)
        into v_ids, v_distances
        from (
            select kc.id, kc.embedding <=> p_query_embedding as distance
            from public.knowledge_chunks as kc
            where
                kc.bucket_id = any(v_buckets)
                and kc.embedding is not null
                and (v_model is null or kc.embedding_model = v_model)
            order by kc.embedding <=> p_query_embedding
            limit v_candidates
        ) as n;
    elsif cardinality(v_buckets) > 0 then
        -- the dimension is part of the expression the model's partial index was built on
        execute format(
            $q$
            select array_agg(n.id order by n.distance, n.id), array_agg(n.distance order by n.distance, n.id)
            from (
                select e.chunk_id as id, e.embedding::vector(%1$s) <=> $1::vector(%1$s) as distance
                from aip.knowledge_chunk_embeddings as e
                inner join public.knowledge_chunks as kc on e.chunk_id = kc.id
                where e.model = %2$L and kc.bucket_id = any($2)
                order by e.embedding::vector(%1$s) <=> $1::vector(%1$s)
                limit $3
            ) as n
            $q$, v_dimension, v_model
        )
        into v_ids, v_distances
        using p_query_embedding, v_buckets, v_candidates;
    end if;

    if coalesce(p_hybrid, false) and nullif(trim(p_query_text), '') is not null then
        v_tsquery := websearch_to_tsquery('english', p_query_text);
    end if;

    return query
    with vec as (
        select u.id, u.distance, u.rank
        from unnest(coalesce(v_ids, '{}'), coalesce(v_distances, '{}')) with ordinality as u (id, distance, rank)
        where p_similarity_threshold is null or coalesce(p_hybrid, false) or 1 - u.distance >= p_similarity_threshold
    ),

    txt as (
        select t.id, row_number() over (order by t.rank desc, t.id) as rank
        from (
            select kc.id, ts_rank(to_tsvector('english'::regconfig, kc.content), v_tsquery) as rank
            from public.knowledge_chunks as kc
            where
                v_tsquery is not null
                and kc.bucket_id = any(v_buckets)
                and to_tsvector('english'::regconfig, kc.content) @@ v_tsquery
            order by rank desc, kc.id
            limit v_candidates
        ) as t
    ),

    fused as (
        select
            coalesce(v.id, t.id) as id,
            v.distance,
            case
                when not coalesce(p_hybrid, false) then 1 - v.distance
                else coalesce(1.0 / (60 + v.rank), 0) + coalesce(1.0 / (60 + t.rank), 0)
            end::double precision as score,
            case
                when v.id is not null and t.id is not null then 'both'
                when v.id is not null then 'vector'
                else 'text'
            end as matched_by
        from vec as v
        full join txt as t on v.id = t.id
        order by score desc, id
        limit p_limit
    ),

    hits as (
        select
            f.id,
            kc.bucket_id,
            kc.document_id,
            b.name as bucket_name,
            d.title,
            d.summary,
            kc.content,
            kc.chunk_index,
            (1 - coalesce(
                f.distance,
                case
                    when v_in_column and kc.embedding_model is not distinct from v_model
                        then kc.embedding <=> p_query_embedding
                    when not v_in_column
                        then (
                            select e.embedding <=> p_query_embedding
                            from aip.knowledge_chunk_embeddings as e
                            where e.model = v_model and e.chunk_id = kc.id
                        )
                end
            ))::double precision as similarity,
            kc.metadata,
            f.score,
            f.matched_by
        from fused as f
        inner join public.knowledge_chunks as kc on f.id = kc.id
        inner join public.knowledge_buckets as b on kc.bucket_id = b.id
        left join public.knowledge_documents as d on kc.document_id = d.id
    ),

    logged as (
        insert into public.knowledge_access_logs (
            bucket_id, document_id, chunk_id, agent_type, query_text, similarity_score, user_id
        )
        select h.bucket_id, h.document_id, h.id, p_agent_type, p_query_text, h.similarity, p_user_id
        from hits as h
        union all
        -- a search that found nothing is still a search: one row without a chunk records it
        select null, null, null, p_agent_type, p_query_text, null, p_user_id
        where not exists (select 1 from hits)
        returning 1
    )

    select
        h.id,
        h.bucket_id,
        h.document_id,
        h.bucket_name,
        h.title,
        h.summary,
        h.content,
        h.chunk_index,
        h.similarity,
        h.metadata,
        h.score,
        h.matched_by
    from hits as h
    order by h.score desc, h.id;
end
$body$;

-- the operational schema's search function, now served by the active model and logging each search
create or replace function public.search_knowledge_chunks(
    p_user_id uuid,
    p_query_embedding vector,
    p_bucket_type text default null,
    p_campaign_id uuid default null,
    p_limit integer default 10,
    p_similarity_threshold double precision default 0.7
)
returns table (
    chunk_id uuid,
    bucket_id uuid,
    document_id uuid,
    bucket_name text,
    document_title text,
    document_summary text,
    chunk_content text,
    chunk_index integer,
    similarity_score double precision,
    metadata jsonb
)
language sql
volatile
security definer
set search_path = public, extensions, pg_temp
as $$
    select
        s.chunk_id,
        s.bucket_id,
        s.document_id,
        s.bucket_name,
        s.document_title,
        s.document_summary,
        s.chunk_content,
        s.chunk_index,
        s.similarity_score,
        s.metadata
    from aip.search_knowledge(
        p_user_id => p_user_id,
        p_query_embedding => p_query_embedding,
        p_bucket_type => p_bucket_type,
        p_campaign_id => p_campaign_id,
        p_limit => p_limit,
        p_similarity_threshold => p_similarity_threshold
    ) as s
$$;

-- nearest earlier conversation messages of one user (conversation memory), by the active model
create function aip.search_conversation_messages(
    p_user_id uuid,
    p_query_embedding vector,
    p_limit integer default 10,
    p_conversation_id uuid default null,
    p_model text default null
)
returns table (
    message_id uuid,
    conversation_id uuid,
    role text,
    content text,
    message_timestamp timestamptz,
    similarity_score double precision
)
language plpgsql
stable
security definer
set search_path = public, extensions, pg_temp
set "hnsw.iterative_scan" = 'relaxed_order'
as $body$
#variable_conflict use_column
declare
    v_model text;
    v_dimension integer;
    v_in_column boolean;
    v_conversations uuid[];
begin
    if p_user_id is null or p_query_embedding is null then
        raise exception 'search_conversation_messages: p_user_id and p_query_embedding are required'
            using errcode = '22004';
    end if;
    if auth.uid() is not null and p_user_id <> auth.uid() then
        raise exception 'search_conversation_messages: user % may not search the conversations of user %',
            auth.uid(), p_user_id
            using errcode = '42501', hint = 'Pass p_user_id => auth.uid().';
    end if;
    select a.model, a.dimension, a.in_column into v_model, v_dimension, v_in_column
    from aip.active_embedding_model() as a;
    if p_model is not null and p_model is distinct from v_model then
        raise exception 'query embedded with model "%", but conversations are served by model "%"',
            p_model, coalesce(v_model, 'none')
            using errcode = '22000', hint = 'Embed the query again with the active model and retry.';
    end if;
    if vector_dims(p_query_embedding) <> v_dimension then
        raise exception 'query embedding has % dimensions, conversation memory stores %',
            vector_dims(p_query_embedding), v_dimension
            using errcode = '22000';
    end if;
    select coalesce(array_agg(c.id), '{}') into v_conversations
    from public.conversations as c
    where c.user_id = p_user_id and (p_conversation_id is null or c.id = p_conversation_id);
    if cardinality(v_conversations) = 0 then
        return;
    end if;
    if v_in_column then
        return query
        select n.id, n.conversation_id, n.role, n.content, n.timestamp, (1 - n.distance)::double precision
        from (
            select m.id, m.conversation_id, m.role, m.content, m.timestamp, m.embedding <=> p_query_embedding as distance
            from public.conversation_messages as m
            where
                m.conversation_id = any(v_conversations)
                and m.embedding is not null
                and (v_model is null or m.embedding_model = v_model)
            order by m.embedding <=> p_query_embedding
            limit p_limit
        ) as n
        order by n.distance, n.id;
    else
        return query
        select n.id, n.conversation_id, n.role, n.content, n.timestamp, (1 - n.distance)::double precision
        from (
            select m.id, m.conversation_id, m.role, m.content, m.timestamp, e.embedding <=> p_query_embedding as distance
            from aip.conversation_message_embeddings as e
            inner join public.conversation_messages as m on e.message_id = m.id
            where e.model = v_model and m.conversation_id = any(v_conversations)
            order by e.embedding <=> p_query_embedding
            limit p_limit
        ) as n
        order by n.distance, n.id;
    end if;
end
$body$;

-- who may call what: the search functions check that a signed-in user searches only their own data
grant usage on schema aip to authenticated, service_role;
revoke all on function aip.active_embedding_model() from public;
revoke all on function aip.search_knowledge(uuid, vector, text, text, uuid, integer, double precision, boolean, text, text)
from public;
revoke all on function aip.search_conversation_messages(uuid, vector, integer, uuid, text) from public;
grant execute on function aip.active_embedding_model() to authenticated, service_role;
grant execute on function aip.search_knowledge(uuid, vector, text, text, uuid, integer, double precision, boolean, text, text)
to authenticated, service_role;
grant execute on function aip.search_conversation_messages(uuid, vector, integer, uuid, text)
to authenticated, service_role;
grant select, insert, update, delete on table aip.embedding_models to service_role;
grant select, insert, update, delete on table aip.knowledge_chunk_embeddings to service_role;
grant select, insert, update, delete on table aip.conversation_message_embeddings to service_role;
grant select, insert, update, delete on table aip.knowledge_document_sources to service_role;
