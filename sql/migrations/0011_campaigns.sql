-- Campaigns (the hub every campaign-scoped table hangs off) and their metric history.

-- campaigns: marketing campaigns (hub)
create table public.campaigns (
    id uuid primary key default gen_random_uuid(),
    created_by uuid not null references auth.users (id) on delete cascade,
    name text not null,
    description text,
    type text,
    channel text,
    status text,
    total_budget numeric default 0,
    budget_allocated numeric default 0,
    budget_spent numeric default 0,
    start_date timestamptz,
    end_date timestamptz,
    primary_objective text,
    target_audience text,
    channels jsonb default '[]'::jsonb,
    demographics jsonb default '{}'::jsonb,
    kpi_targets jsonb default '{}'::jsonb,
    content jsonb default '{}'::jsonb,
    settings jsonb default '{}'::jsonb,
    metrics jsonb default '{}'::jsonb,
    auto_managed boolean default false,
    metadata jsonb default '{}'::jsonb,
    created_at timestamptz default now(),
    updated_at timestamptz default now(),
    constraint campaigns_type_check check (type in ('lead_generation', 'brand_awareness', 'product_launch', 'email', 'social_media', 'custom')),
    constraint campaigns_status_check check (status in ('draft', 'active', 'paused', 'completed')),
    constraint campaigns_date_order_check check (start_date <= end_date),
    constraint campaigns_total_budget_check check (total_budget >= 0),
    constraint campaigns_budget_allocated_check check (budget_allocated >= 0),
    constraint campaigns_budget_spent_check check (budget_spent >= 0)
);
create index idx_campaigns_created_by on public.campaigns (created_by);
create index idx_campaigns_status on public.campaigns (status);
create index idx_campaigns_type on public.campaigns (type);
create index idx_campaigns_created_at on public.campaigns (created_at desc);
create index idx_campaigns_start_date on public.campaigns (start_date);
create index idx_campaigns_end_date on public.campaigns (end_date);
create index idx_campaigns_auto_managed on public.campaigns (created_by, auto_managed, status);
create unique index idx_campaigns_name_user_unique on public.campaigns (created_by, name);

-- campaign_metrics: daily campaign metric history
create table public.campaign_metrics (
    id uuid primary key default gen_random_uuid(),
    campaign_id uuid references public.campaigns (id) on delete cascade,
    metric_type text not null,
    metric_value numeric not null,
    metric_date date not null,
    additional_data jsonb default '{}'::jsonb,
    created_at timestamptz default now()
);
create index idx_campaign_metrics_campaign_id on public.campaign_metrics (campaign_id);
create index idx_campaign_metrics_metric_date on public.campaign_metrics (metric_date desc);
create index idx_campaign_metrics_metric_type on public.campaign_metrics (metric_type);

-- campaign_performance_metrics: named campaign metric samples
create table public.campaign_performance_metrics (
    id uuid primary key default gen_random_uuid(),
    campaign_id uuid references public.campaigns (id) on delete cascade,
    metric_name text not null,
    metric_value numeric not null,
    recorded_at timestamptz default now(),
    created_at timestamptz default now()
);
create index idx_campaign_performance_campaign_id on public.campaign_performance_metrics (campaign_id);
create index idx_campaign_performance_recorded_at on public.campaign_performance_metrics (recorded_at);
