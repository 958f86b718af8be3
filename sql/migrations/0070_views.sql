-- ai_video_stats: per-user AI video usage (spec: views.ai_video_stats, derivation as specified).
--
-- security_invoker: the view reads ai_video_projects with the caller's rights, so RLS applies and a user
-- sees only their own row (a plain view would run as its owner and show every user's figures).

create view public.ai_video_stats with (security_invoker = true) as
select
    p.user_id,
    count(*) as total_videos,
    count(*) filter (where p.auto_generated) as autopilot_videos,
    count(*) filter (where not p.auto_generated) as manual_videos,
    count(*) filter (where p.status = 'completed') as completed_videos,
    count(*) filter (where p.status = 'failed') as failed_videos,
    sum(p.cost_usd) as total_cost_usd,
    avg(p.cost_usd) as avg_cost_per_video,
    max(p.created_at) as last_video_created
from public.ai_video_projects as p
group by p.user_id;

revoke all on table public.ai_video_stats from anon, authenticated;
grant select on table public.ai_video_stats to authenticated;
grant all on table public.ai_video_stats to service_role;
