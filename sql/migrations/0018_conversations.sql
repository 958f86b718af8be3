-- Conversation intelligence (phase 4): embedding-backed conversations, their turns, knowledge links and notes.

-- conversations: embedding-backed conversation threads
create table public.conversations (
    id uuid primary key default gen_random_uuid(),
    user_id uuid references auth.users (id) on delete cascade,
    created_at timestamptz default now()
);
create index idx_conversations_user_id on public.conversations (user_id);

-- conversation_messages: conversation turns with embeddings
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
        create table public.conversation_messages (
            id uuid primary key default gen_random_uuid(),
            conversation_id uuid references public.conversations (id) on delete cascade,
            role text,
            content text not null,
            embedding vector(%s),
            timestamp timestamptz default now(),
            constraint conversation_messages_role_check check (role in ('user', 'assistant'))
        )
    $ddl$, dimension);
end
$$;
create index idx_conversation_messages_conversation on public.conversation_messages (conversation_id);
create index idx_conversation_messages_time on public.conversation_messages (timestamp desc);
create index idx_conversation_messages_embedding on public.conversation_messages using hnsw (embedding vector_cosine_ops);

-- conversation_knowledge_refs: conversation -> knowledge chunk links
create table public.conversation_knowledge_refs (
    id uuid primary key default gen_random_uuid(),
    conversation_id uuid references public.conversations (id) on delete cascade,
    chunk_id uuid references public.knowledge_chunks (id) on delete cascade,
    created_at timestamptz default now()
);
create index idx_conversation_knowledge_conversation on public.conversation_knowledge_refs (conversation_id);
create index idx_conversation_knowledge_chunk on public.conversation_knowledge_refs (chunk_id);

-- research_notes: saved AI answers
create table public.research_notes (
    id uuid primary key default gen_random_uuid(),
    conversation_id uuid references public.conversations (id) on delete cascade,
    content text not null,
    source_refs text,
    created_at timestamptz default now()
);
create index idx_research_notes_conversation on public.research_notes (conversation_id);
