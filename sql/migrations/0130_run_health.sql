-- Run health: failed orchestrator runs, recorded by the run-failure sensor so `aip status` can show them.
--
-- Dagster keeps its own run history in schema `dagster`; this table is the platform's short list of what
-- failed and why, readable with plain SQL (and by `aip status`) without the Dagster API. One row per
-- failed run: the sensor may see a failure twice (restart), the unique run_id keeps it once.

create table aip.run_failures (
    id bigint generated always as identity primary key,
    run_id text not null,
    job_name text not null,
    failed_at timestamptz not null default now(),
    error text,
    failed_steps jsonb not null default '[]'::jsonb,
    run_request_id bigint references aip.run_requests (id) on delete set null,
    tags jsonb not null default '{}'::jsonb,
    constraint run_failures_run_id_key unique (run_id)
);

comment on table aip.run_failures is
'Failed orchestrator runs (one row per run), recorded by the run-failure sensor; shown by `aip status`.';
comment on column aip.run_failures.error is 'the run failure message, including the first failed step''s error';
comment on column aip.run_failures.failed_steps is 'step key and error message of each failed step';
comment on column aip.run_failures.run_request_id is 'the aip.run_requests row that asked for the run, if any';

-- `aip status` lists the most recent failures first
create index run_failures_failed_at_idx on aip.run_failures (failed_at desc);
