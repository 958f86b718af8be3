-- AI model management (phase 9): the model catalog and the history of discovery runs.

-- ai_model_configs: catalog of AI models (global)
create table public.ai_model_configs (
    id uuid primary key default gen_random_uuid(),
    provider text,
    model_name text not null,
    model_type text,
    is_active boolean default true,
    is_default boolean default false,
    capabilities jsonb default '{}'::jsonb,
    pricing jsonb default '{}'::jsonb,
    max_tokens integer,
    context_window integer,
    metadata jsonb default '{}'::jsonb,
    discovered_at timestamptz default now(),
    last_validated_at timestamptz,
    created_at timestamptz default now(),
    updated_at timestamptz default now(),
    constraint ai_model_configs_provider_check check (provider in ('openai', 'anthropic', 'google', 'mistral')),
    constraint ai_model_configs_model_type_check check (model_type in ('flagship', 'fast', 'legacy')),
    constraint ai_model_configs_provider_model_name_key unique (provider, model_name)
);
create index idx_ai_model_configs_provider on public.ai_model_configs (provider);
create index idx_ai_model_configs_type on public.ai_model_configs (model_type);
create index idx_ai_model_configs_active on public.ai_model_configs (is_active);
create index idx_ai_model_configs_default on public.ai_model_configs (is_default);

-- ai_model_update_logs: model discovery run history
create table public.ai_model_update_logs (
    id uuid primary key default gen_random_uuid(),
    run_date timestamptz default now(),
    models_discovered integer default 0,
    models_added integer default 0,
    models_deprecated integer default 0,
    providers_checked text[] default '{}'::text[],
    errors jsonb default '[]'::jsonb,
    execution_time_ms integer,
    status text,
    created_at timestamptz default now(),
    constraint ai_model_update_logs_status_check check (status in ('success', 'partial', 'failed'))
);
create index idx_ai_model_update_logs_run_date on public.ai_model_update_logs (run_date desc);
