-- AI video generation (phase 6): projects and their background pipeline jobs.

-- ai_video_projects: AI video generation projects
create table public.ai_video_projects (
    id uuid primary key default gen_random_uuid(),
    user_id uuid references auth.users (id) on delete cascade,
    campaign_id uuid references public.campaigns (id) on delete set null,
    goal text not null,
    platform text,
    duration_s integer default 8,
    brand_kit jsonb default '{}'::jsonb,
    scene_plan jsonb,
    generated_images text[],
    final_prompt text,
    video_url text,
    veo_operation_id text,
    status text default 'draft'::text,
    error_message text,
    cost_usd numeric(10, 4) default 0,
    auto_generated boolean default false,
    created_at timestamptz default now(),
    updated_at timestamptz default now(),
    completed_at timestamptz,
    constraint ai_video_projects_platform_check check (platform in ('YouTubeShort', 'TikTok', 'Reels', 'Landscape')),
    constraint ai_video_projects_duration_s_check check (duration_s >= 1 and duration_s <= 120)
);
create index idx_ai_video_projects_user_id on public.ai_video_projects (user_id, created_at desc);
create index idx_ai_video_projects_campaign_id on public.ai_video_projects (campaign_id);
create index idx_ai_video_projects_status on public.ai_video_projects (user_id, status);
create index idx_ai_video_projects_auto_generated on public.ai_video_projects (user_id, auto_generated, created_at desc);

-- ai_video_jobs: background video pipeline steps
create table public.ai_video_jobs (
    id uuid primary key default gen_random_uuid(),
    project_id uuid references public.ai_video_projects (id) on delete cascade,
    user_id uuid references auth.users (id) on delete cascade,
    job_type text,
    veo_operation_id text,
    status text default 'pending'::text,
    result_url text,
    error_message text,
    metadata jsonb default '{}'::jsonb,
    created_at timestamptz default now(),
    updated_at timestamptz default now(),
    completed_at timestamptz,
    constraint ai_video_jobs_job_type_check check (job_type in ('image_generation', 'video_generation'))
);
create index idx_ai_video_jobs_project_id on public.ai_video_jobs (project_id, status);
create index idx_ai_video_jobs_user_id on public.ai_video_jobs (user_id, status, created_at desc);
