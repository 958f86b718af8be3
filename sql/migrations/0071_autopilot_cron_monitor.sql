-- autopilot_cron_monitor: the scheduled pg_cron jobs, where pg_cron is installed (spec: views).
--
-- pg_cron is optional (Supabase provides it; the embedded server has none): without its cron.job table
-- the view is skipped with a notice and the migration still succeeds. The scheduling itself is done by
-- the orchestrator (daily 02:00 UTC, Mondays 09:00 UTC), not by pg_cron. security_invoker keeps pg_cron's
-- own row security (each role sees its own jobs), so the job commands are not exposed to every user.

do $$
begin
    if to_regclass('cron.job') is null then
        raise notice 'pg_cron is not installed (no cron.job table): view public.autopilot_cron_monitor not created';
        return;
    end if;
    create view public.autopilot_cron_monitor with (security_invoker = true) as
    select
        j.jobid,
        j.schedule,
        j.command,
        j.nodename,
        j.nodeport,
        j.database,
        j.username,
        j.active,
        j.jobname
    from cron.job as j;
    revoke all on table public.autopilot_cron_monitor from anon, authenticated;
    grant select on table public.autopilot_cron_monitor to authenticated;
    grant all on table public.autopilot_cron_monitor to service_role;
end
$$;
