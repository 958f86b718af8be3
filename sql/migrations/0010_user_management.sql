-- User management: per-user preferences, encrypted API keys and their audit trail.

-- user_preferences: per-user settings by category
create table public.user_preferences (
    id uuid primary key default gen_random_uuid(),
    user_id uuid references auth.users (id) on delete cascade,
    preference_category text,
    preference_data jsonb default '{}'::jsonb,
    created_at timestamptz default now(),
    updated_at timestamptz default now(),
    constraint user_preferences_user_id_preference_category_key unique (user_id, preference_category)
);
create index idx_user_preferences_user_category on public.user_preferences (user_id, preference_category);

-- user_secrets: encrypted per-user API keys
create table public.user_secrets (
    id uuid primary key default gen_random_uuid(),
    user_id uuid references auth.users (id) on delete cascade,
    service_name text,
    encrypted_value text not null,
    initialization_vector text not null,
    is_active boolean default true,
    last_used_at timestamptz,
    metadata jsonb default '{}'::jsonb,
    created_at timestamptz default now(),
    updated_at timestamptz default now(),
    constraint user_secrets_user_id_service_name_key unique (user_id, service_name)
);

-- secret_audit_logs: audit of secret operations
create table public.secret_audit_logs (
    id uuid primary key default gen_random_uuid(),
    user_id uuid references auth.users (id) on delete cascade,
    service_name text not null,
    operation text,
    ip_address inet,
    user_agent text,
    success boolean not null,
    error_message text,
    created_at timestamptz default now(),
    constraint secret_audit_logs_operation_check check (operation in ('create', 'read', 'update', 'delete'))
);
