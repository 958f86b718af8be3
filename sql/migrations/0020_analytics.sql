-- Analytics: per-user snapshots, shared reports, live metrics and AI insights.

-- performance_analytics: per-user analytics snapshots
create table public.performance_analytics (
    id uuid primary key default gen_random_uuid(),
    created_by uuid references auth.users (id) on delete cascade,
    metric_type text not null,
    metric_data jsonb not null,
    time_period timestamptz not null,
    metadata jsonb default '{}'::jsonb,
    created_at timestamptz default now()
);

-- analytics_reports: generated reports (shared)
create table public.analytics_reports (
    id uuid primary key default gen_random_uuid(),
    report_type text not null,
    report_data jsonb not null,
    generated_at timestamptz default now()
);

-- real_time_metrics: live metric values per entity
create table public.real_time_metrics (
    id uuid primary key default gen_random_uuid(),
    entity_type text not null,
    entity_id uuid not null,
    metric_type text not null,
    current_value numeric not null,
    previous_value numeric default 0,
    change_percentage numeric default 0,
    recorded_at timestamptz default now()
);
create index idx_real_time_metrics_entity on public.real_time_metrics (entity_type, entity_id);
create index idx_real_time_metrics_recorded_at on public.real_time_metrics (recorded_at);

-- ai_insights: AI recommendations (shared)
create table public.ai_insights (
    id uuid primary key default gen_random_uuid(),
    insight_type text not null,
    insight_data jsonb not null,
    confidence_score real,
    generated_at timestamptz default now()
);
