-- Leads, their activity history and the shared lead-scoring rules.

-- leads: leads/prospects per user
create table public.leads (
    id uuid primary key default gen_random_uuid(),
    first_name text,
    last_name text,
    email text,
    company text,
    job_title text,
    phone text,
    industry text,
    company_size text,
    source text not null,
    status text default 'new'::text,
    lead_score integer default 0,
    tags text[] default '{}'::text[],
    enriched_data jsonb default '{}'::jsonb,
    created_by uuid references auth.users (id) on delete cascade,
    created_at timestamptz default now(),
    updated_at timestamptz default now(),
    constraint leads_lead_score_check check (lead_score >= 0 and lead_score <= 100),
    constraint leads_email_check check (email ~* '^[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}$')
);
create index idx_leads_created_by on public.leads (created_by);
create index idx_leads_status on public.leads (status);
create index idx_leads_source on public.leads (source);
create index idx_leads_created_at on public.leads (created_at desc);
create index idx_leads_lead_score on public.leads (lead_score desc);
create index idx_leads_email on public.leads (email);
create index idx_leads_company on public.leads (company);
create unique index idx_leads_email_user_unique on public.leads (created_by, email) where email is not null;

-- lead_activities: interaction history per lead
create table public.lead_activities (
    id uuid primary key default gen_random_uuid(),
    lead_id uuid references public.leads (id) on delete cascade,
    activity_type text not null,
    activity_data jsonb default '{}'::jsonb not null,
    occurred_at timestamptz not null,
    created_by uuid references auth.users (id) on delete cascade,
    created_at timestamptz default now()
);
create index idx_lead_activities_lead_id on public.lead_activities (lead_id);
create index idx_lead_activities_occurred_at on public.lead_activities (occurred_at desc);
create index idx_lead_activities_activity_type on public.lead_activities (activity_type);
create index idx_lead_activities_created_by on public.lead_activities (created_by);

-- lead_scoring_rules: global lead scoring rules
create table public.lead_scoring_rules (
    id uuid primary key default gen_random_uuid(),
    rule_name text not null,
    conditions jsonb not null,
    score_weight integer default 0,
    is_active boolean default true,
    created_at timestamptz default now(),
    updated_at timestamptz default now()
);
