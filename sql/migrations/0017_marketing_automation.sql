-- Marketing automation (phase 4): AI feedback and learning, copilot sessions, campaign monitoring and
-- predictions, generated content, keyword research, UI events.

-- ai_interaction_feedback: user feedback on AI output
create table public.ai_interaction_feedback (
    id uuid primary key default gen_random_uuid(),
    user_id uuid not null,
    session_id uuid,
    interaction_type text not null,
    original_suggestion jsonb not null,
    user_modification jsonb,
    context_data jsonb not null,
    feedback_score integer,
    timestamp timestamptz default now(),
    created_at timestamptz default now()
);
create index idx_ai_feedback_user_id on public.ai_interaction_feedback (user_id);
create index idx_ai_feedback_interaction_type on public.ai_interaction_feedback (interaction_type);
create index idx_ai_feedback_timestamp on public.ai_interaction_feedback (timestamp);

-- agent_learning_data: learned agent patterns (system)
create table public.agent_learning_data (
    id uuid primary key default gen_random_uuid(),
    agent_type text not null,
    pattern_data jsonb not null,
    confidence_score real default 0.5,
    usage_count integer default 0,
    success_rate real default 0.5,
    last_updated timestamptz default now(),
    created_at timestamptz default now()
);

-- campaign_copilot_sessions: AI campaign design sessions
create table public.campaign_copilot_sessions (
    id uuid primary key default gen_random_uuid(),
    user_id uuid references auth.users (id) on delete cascade,
    brief_data jsonb not null,
    generated_campaign jsonb,
    interaction_history jsonb default '[]'::jsonb,
    status text default 'active'::text,
    created_at timestamptz default now(),
    updated_at timestamptz default now()
);

-- campaign_performance_monitor: autopilot per-channel performance snapshots
create table public.campaign_performance_monitor (
    id uuid primary key default gen_random_uuid(),
    campaign_id uuid references public.campaigns (id) on delete cascade,
    channel text not null,
    metrics jsonb not null,
    benchmark_metrics jsonb,
    performance_score real default 0,
    optimization_suggestions jsonb default '[]'::jsonb,
    auto_actions_taken jsonb default '[]'::jsonb,
    measured_at timestamptz default now(),
    created_at timestamptz default now()
);

-- campaign_predictions: AI forecasts per campaign
create table public.campaign_predictions (
    id uuid primary key default gen_random_uuid(),
    campaign_id uuid references public.campaigns (id) on delete cascade,
    prediction_type text not null,
    prediction_data jsonb not null,
    confidence_score real not null,
    based_on_campaigns jsonb,
    actual_outcome jsonb,
    accuracy_score real,
    created_at timestamptz default now()
);

-- generated_content_pieces: AI-written content per campaign
create table public.generated_content_pieces (
    id uuid primary key default gen_random_uuid(),
    campaign_id uuid references public.campaigns (id) on delete cascade,
    content_type text not null,
    title text not null,
    content text not null,
    metadata jsonb default '{}'::jsonb,
    approval_status text default 'pending'::text,
    performance_data jsonb,
    created_by_agent text default 'ai_content_generator'::text,
    created_at timestamptz default now(),
    updated_at timestamptz default now()
);

-- keyword_research: saved keyword research
create table public.keyword_research (
    id uuid primary key default gen_random_uuid(),
    created_by uuid references auth.users (id) on delete cascade,
    query text not null,
    keywords jsonb default '[]'::jsonb,
    created_at timestamptz default now(),
    updated_at timestamptz default now()
);
create index idx_keyword_research_created_by on public.keyword_research (created_by);
create index idx_keyword_research_created_at on public.keyword_research (created_at);
create index idx_keyword_research_query on public.keyword_research (query);

-- user_analytics_events: UI interaction events
create table public.user_analytics_events (
    id uuid primary key default gen_random_uuid(),
    user_id uuid references auth.users (id) on delete cascade,
    event_type text not null,
    event_data jsonb default '{}'::jsonb,
    created_at timestamptz default now()
);
create index idx_user_analytics_events_user_id on public.user_analytics_events (user_id);
create index idx_user_analytics_events_type on public.user_analytics_events (event_type);
create index idx_user_analytics_events_created_at on public.user_analytics_events (created_at);
