-- Content and assets: publishing calendar, uploaded media, brand kit, content and proposal templates.

-- content_calendar: content publishing schedule
create table public.content_calendar (
    id uuid primary key default gen_random_uuid(),
    created_by uuid references auth.users (id) on delete cascade,
    title text not null,
    description text,
    content_type text not null,
    platform text,
    scheduled_date timestamptz not null,
    status text default 'draft'::text,
    content_data jsonb default '{}'::jsonb,
    metadata jsonb default '{}'::jsonb,
    created_at timestamptz default now(),
    updated_at timestamptz default now()
);
create index idx_content_calendar_created_by on public.content_calendar (created_by);
create index idx_content_calendar_scheduled_date on public.content_calendar (scheduled_date);
create index idx_content_calendar_status on public.content_calendar (status);

-- digital_assets: uploaded media files
create table public.digital_assets (
    id uuid primary key default gen_random_uuid(),
    uploaded_by uuid references auth.users (id) on delete cascade,
    file_name text not null,
    file_size bigint,
    asset_type text not null,
    mime_type text,
    storage_path text not null,
    access_url text,
    metadata jsonb default '{}'::jsonb,
    tags text[] default '{}'::text[],
    created_at timestamptz default now(),
    updated_at timestamptz default now()
);
create index idx_digital_assets_uploaded_by on public.digital_assets (uploaded_by);
create index idx_digital_assets_asset_type on public.digital_assets (asset_type);
create index idx_digital_assets_created_at on public.digital_assets (created_at desc);

-- brand_assets: brand identity items
create table public.brand_assets (
    id uuid primary key default gen_random_uuid(),
    created_by uuid references auth.users (id) on delete cascade,
    asset_name text not null,
    asset_type text not null,
    asset_data jsonb not null,
    metadata jsonb default '{}'::jsonb,
    created_at timestamptz default now(),
    updated_at timestamptz default now()
);
create index idx_brand_assets_created_by on public.brand_assets (created_by);

-- content_templates: user or shared text templates
create table public.content_templates (
    id uuid primary key default gen_random_uuid(),
    created_by uuid references auth.users (id) on delete cascade,
    name text not null,
    template_type text not null,
    content text not null,
    variables jsonb default '{}'::jsonb,
    is_public boolean default false,
    metadata jsonb default '{}'::jsonb,
    created_at timestamptz default now(),
    updated_at timestamptz default now()
);
create index idx_content_templates_created_by on public.content_templates (created_by);

-- proposal_templates: proposal/pitch templates
create table public.proposal_templates (
    id uuid primary key default gen_random_uuid(),
    user_id uuid references auth.users (id) on delete cascade,
    name text not null,
    content text not null,
    sections jsonb default '[]'::jsonb,
    metadata jsonb default '{}'::jsonb,
    created_at timestamptz default now(),
    updated_at timestamptz default now()
);
create index idx_proposal_templates_user_id on public.proposal_templates (user_id);
