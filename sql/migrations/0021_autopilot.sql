-- Autopilot system (phase 5): per-user config, weekly reports, activity log, lead inbox, campaign tasks.

-- marketing_autopilot_config: one autopilot config per user
create table public.marketing_autopilot_config (
    id uuid primary key default gen_random_uuid(),
    user_id uuid unique references auth.users (id) on delete cascade,
    business_description text not null,
    target_audience jsonb default '{}'::jsonb,
    monthly_budget numeric not null,
    goals jsonb default '[]'::jsonb,
    ai_strategy jsonb default '{}'::jsonb,
    is_active boolean default true,
    last_optimized_at timestamptz,
    created_at timestamptz default now(),
    updated_at timestamptz default now()
);
create index idx_autopilot_config_user_id on public.marketing_autopilot_config (user_id);
create index idx_autopilot_config_active on public.marketing_autopilot_config (user_id, is_active);

-- autopilot_weekly_reports: weekly autopilot summaries
create table public.autopilot_weekly_reports (
    id uuid primary key default gen_random_uuid(),
    user_id uuid references auth.users (id) on delete cascade,
    autopilot_config_id uuid references public.marketing_autopilot_config (id) on delete cascade,
    week_start_date date not null,
    week_end_date date not null,
    total_leads_generated integer default 0,
    total_spend numeric default 0,
    roi numeric default 0,
    top_performing_channel text,
    summary jsonb default '{}'::jsonb,
    ai_insights jsonb default '{}'::jsonb,
    created_at timestamptz default now(),
    constraint autopilot_weekly_reports_user_id_week_start_date_key unique (user_id, week_start_date)
);
create index idx_autopilot_reports_user_date on public.autopilot_weekly_reports (user_id, week_start_date desc);

-- autopilot_activity_log: audit of autopilot actions
create table public.autopilot_activity_log (
    id uuid primary key default gen_random_uuid(),
    user_id uuid references auth.users (id) on delete cascade,
    autopilot_config_id uuid references public.marketing_autopilot_config (id) on delete cascade,
    activity_type text not null,
    activity_description text not null,
    entity_type text,
    entity_id uuid,
    metadata jsonb default '{}'::jsonb,
    impact_metrics jsonb default '{}'::jsonb,
    created_at timestamptz default now()
);
create index idx_autopilot_activity_user_date on public.autopilot_activity_log (user_id, created_at desc);

-- autopilot_lead_inbox: simplified lead list for autopilot mode
create table public.autopilot_lead_inbox (
    id uuid primary key default gen_random_uuid(),
    user_id uuid references auth.users (id) on delete cascade,
    lead_id uuid references public.leads (id) on delete cascade,
    full_name text,
    company_name text,
    email text,
    phone text,
    source text,
    score integer,
    status text default 'new'::text,
    notes text,
    received_at timestamptz default now(),
    created_at timestamptz default now(),
    constraint autopilot_lead_inbox_user_id_lead_id_key unique (user_id, lead_id)
);

-- campaign_tasks: tasks within a campaign
create table public.campaign_tasks (
    id uuid primary key default gen_random_uuid(),
    campaign_id uuid references public.campaigns (id) on delete cascade,
    created_by uuid references auth.users (id) on delete cascade,
    title text not null,
    description text,
    status text default 'pending'::text,
    priority text default 'medium'::text,
    due_date timestamptz,
    completed_at timestamptz,
    created_at timestamptz default now(),
    updated_at timestamptz default now()
);
create index idx_campaign_tasks_campaign on public.campaign_tasks (campaign_id, status);
create index idx_campaign_tasks_user_due on public.campaign_tasks (created_by, due_date) where status <> 'completed';
-- phase 5 added the simple/advanced interface switch to the user's preferences
alter table public.user_preferences add column interface_mode text default 'simple'::text;
