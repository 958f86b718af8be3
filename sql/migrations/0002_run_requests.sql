-- Run requests: the hand-off from SQL to the orchestrator.
--
-- The original deployment called edge functions over HTTP from SQL (pg_net). Here a manual trigger
-- (trigger_autopilot_orchestration(), trigger_weekly_report_generation()) only records the request; the
-- orchestrator's sensor turns each queued row into a Dagster run of `job_name` and writes back its progress.
-- It lives in the platform's own schema `aip`, which the API roles cannot read or write except as granted
-- below.

create table aip.run_requests (
    id bigint generated always as identity primary key,
    job_name text not null,
    requested_at timestamptz not null default now(),
    requested_by text not null default current_user,
    status text not null default 'queued',
    run_id text,
    launched_at timestamptz,
    finished_at timestamptz,
    error text,
    constraint run_requests_status_check check (status in ('queued', 'launched', 'succeeded', 'failed'))
);

comment on table aip.run_requests is
'Requests to run an orchestration job, queued by SQL (manual triggers) and picked up by the orchestrator.';
comment on column aip.run_requests.requested_by is 'database role that asked (current_user at insert)';
comment on column aip.run_requests.run_id is 'id of the orchestrator run launched for this request';

-- the orchestrator picks queued requests oldest first
create index run_requests_queued_idx on aip.run_requests (requested_at) where status = 'queued';

grant usage on schema aip to service_role;
grant insert on table aip.run_requests to service_role;
