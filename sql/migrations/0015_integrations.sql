-- Integrations: social and third-party connections, OAuth tokens and CSRF state, webhooks, public social data.

-- social_platform_connections: social platform links (legacy)
create table public.social_platform_connections (
    id uuid primary key default gen_random_uuid(),
    user_id uuid references auth.users (id) on delete cascade,
    platform_name text not null,
    connection_status text default 'disconnected'::text,
    access_token_encrypted text,
    refresh_token_encrypted text,
    token_expires_at timestamptz,
    platform_user_id text,
    platform_username text,
    connection_metadata jsonb default '{}'::jsonb,
    created_at timestamptz default now(),
    updated_at timestamptz default now(),
    constraint social_platform_connections_user_id_platform_name_key unique (user_id, platform_name)
);
create index idx_social_connections_user_platform on public.social_platform_connections (user_id, platform_name);

-- webhooks: outgoing event webhooks
create table public.webhooks (
    id uuid primary key default gen_random_uuid(),
    user_id uuid references auth.users (id) on delete cascade,
    name text not null,
    url text not null,
    events text[] default '{}'::text[],
    is_active boolean default true,
    secret_token text,
    last_triggered_at timestamptz,
    last_response_code integer,
    retry_count integer default 0,
    created_at timestamptz default now(),
    updated_at timestamptz default now()
);

-- integration_connections: third-party service links
create table public.integration_connections (
    id uuid primary key default gen_random_uuid(),
    user_id uuid references auth.users (id) on delete cascade,
    service_name text not null,
    connection_status text default 'disconnected'::text,
    last_sync_at timestamptz,
    sync_status text default 'idle'::text,
    configuration jsonb default '{}'::jsonb,
    error_message text,
    created_at timestamptz default now(),
    updated_at timestamptz default now(),
    constraint integration_connections_user_id_service_name_key unique (user_id, service_name)
);
create index idx_integration_connections_user_id on public.integration_connections (user_id);
create index idx_integration_connections_service_name on public.integration_connections (service_name);
create index idx_integration_connections_connection_status on public.integration_connections (connection_status);

-- oauth_connections: OAuth tokens per platform
create table public.oauth_connections (
    id uuid primary key default gen_random_uuid(),
    user_id uuid references auth.users (id) on delete cascade,
    platform_name text not null,
    platform_user_id text,
    platform_username text,
    access_token_encrypted text not null,
    refresh_token_encrypted text,
    token_expires_at timestamptz,
    connection_status text default 'connected'::text,
    connection_metadata jsonb default '{}'::jsonb,
    created_at timestamptz default now(),
    updated_at timestamptz default now()
);
create index idx_oauth_connections_user_id on public.oauth_connections (user_id);
create index idx_oauth_connections_platform_name on public.oauth_connections (platform_name);
create unique index idx_oauth_connections_user_platform_unique on public.oauth_connections (user_id, platform_name);

-- oauth_states: short-lived OAuth CSRF state
create table public.oauth_states (
    id uuid primary key default gen_random_uuid(),
    user_id uuid references auth.users (id) on delete cascade,
    state_token text not null unique,
    platform_name text not null,
    redirect_uri text not null,
    created_at timestamptz default now(),
    expires_at timestamptz default (now() + '00:10:00'::interval)
);
create index idx_oauth_states_token on public.oauth_states (state_token);
create index idx_oauth_states_expires on public.oauth_states (expires_at);

-- social_engagement: public social engagement counters
create table public.social_engagement (
    id uuid primary key default gen_random_uuid(),
    post_id text not null,
    platform text not null,
    engagement_type text not null,
    engagement_count integer not null,
    recorded_at timestamptz default now()
);

-- generated_content: generated social posts (public)
create table public.generated_content (
    id uuid primary key default gen_random_uuid(),
    content text not null,
    platform text not null,
    status text default 'draft'::text,
    metadata jsonb default '{}'::jsonb,
    created_at timestamptz default now()
);
