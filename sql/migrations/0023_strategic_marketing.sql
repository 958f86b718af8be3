-- Strategic marketing (phase 7): positioning, funnels, competitive gaps, KPI frameworks.

-- brand_positioning_analyses: 3Cs positioning results
create table public.brand_positioning_analyses (
    id uuid primary key default gen_random_uuid(),
    user_id uuid references auth.users (id) on delete cascade,
    positioning_statement text not null,
    differentiators jsonb default '[]'::jsonb,
    brand_tone jsonb default '{}'::jsonb,
    three_cs_analysis jsonb default '{}'::jsonb,
    recommendations jsonb default '[]'::jsonb,
    input_data jsonb default '{}'::jsonb,
    created_at timestamptz default now(),
    updated_at timestamptz default now()
);
create index idx_brand_positioning_analyses_user_id on public.brand_positioning_analyses (user_id, created_at desc);

-- funnel_designs: sales funnel designs
create table public.funnel_designs (
    id uuid primary key default gen_random_uuid(),
    user_id uuid references auth.users (id) on delete cascade,
    business_type text not null,
    funnel_structure jsonb default '{}'::jsonb,
    input_data jsonb default '{}'::jsonb,
    created_at timestamptz default now(),
    updated_at timestamptz default now()
);
create index idx_funnel_designs_user_id on public.funnel_designs (user_id, created_at desc);
create index idx_funnel_designs_business_type on public.funnel_designs (business_type);

-- competitive_gap_analyses: competitor gap results
create table public.competitive_gap_analyses (
    id uuid primary key default gen_random_uuid(),
    user_id uuid references auth.users (id) on delete cascade,
    our_brand text not null,
    competitors text[] not null,
    gap_analysis jsonb default '{}'::jsonb,
    ownable_differentiator jsonb default '{}'::jsonb,
    input_data jsonb default '{}'::jsonb,
    created_at timestamptz default now(),
    updated_at timestamptz default now()
);
create index idx_competitive_gap_analyses_user_id on public.competitive_gap_analyses (user_id, created_at desc);

-- performance_tracking_frameworks: KPI tracking frameworks
create table public.performance_tracking_frameworks (
    id uuid primary key default gen_random_uuid(),
    user_id uuid references auth.users (id) on delete cascade,
    campaign_name text not null,
    channels text[] not null,
    tracking_framework jsonb default '{}'::jsonb,
    input_data jsonb default '{}'::jsonb,
    is_active boolean default true,
    created_at timestamptz default now(),
    updated_at timestamptz default now()
);
create index idx_performance_tracking_frameworks_user_id on public.performance_tracking_frameworks (user_id, created_at desc);
create index idx_performance_tracking_frameworks_active on public.performance_tracking_frameworks (user_id, is_active, created_at desc);
