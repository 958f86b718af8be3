-- Privacy (phase 4): GDPR consent settings, export and erasure requests, privacy audit log.

-- user_privacy_settings: GDPR consent flags per user
create table public.user_privacy_settings (
    id uuid primary key default gen_random_uuid(),
    user_id uuid not null unique,
    data_processing_consent boolean default false,
    marketing_consent boolean default false,
    analytics_consent boolean default false,
    third_party_consent boolean default false,
    data_retention_days integer default 730,
    right_to_be_deleted_requested boolean default false,
    created_at timestamptz default now(),
    updated_at timestamptz default now()
);
create index idx_user_privacy_settings_user_id on public.user_privacy_settings (user_id);

-- data_export_requests: GDPR data export requests
create table public.data_export_requests (
    id uuid primary key default gen_random_uuid(),
    request_id text unique,
    user_id uuid not null,
    status text default 'pending'::text,
    requested_at timestamptz default now(),
    completed_at timestamptz,
    download_url text,
    created_at timestamptz default now()
);

-- data_deletion_requests: GDPR erasure requests
create table public.data_deletion_requests (
    id uuid primary key default gen_random_uuid(),
    request_id text unique,
    user_id uuid not null,
    status text default 'pending'::text,
    requested_at timestamptz default now(),
    completed_at timestamptz,
    confirmation_required boolean default true,
    created_at timestamptz default now()
);

-- privacy_audit_log: audit of privacy events
create table public.privacy_audit_log (
    id uuid primary key default gen_random_uuid(),
    user_id uuid not null,
    event_type text not null,
    details jsonb default '{}'::jsonb,
    ip_address text,
    user_agent text,
    timestamp timestamptz default now(),
    created_at timestamptz default now()
);
create index idx_privacy_audit_log_user_id on public.privacy_audit_log (user_id);
create index idx_privacy_audit_log_timestamp on public.privacy_audit_log (timestamp);
