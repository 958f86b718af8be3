-- Data-quality history: every asset check result, and the measures the distribution checks compare
-- run over run. Appended by the checks themselves (assets/quality/history.py), read by `aip status` and
-- by BI tools through bi_reader. Not user data: no RLS, and the API roles get no access.

create schema if not exists quality;

comment on schema quality is 'results of the data-quality checks (dbt tests, expectation suites, asset checks)';

-- quality.check_results: one row per check evaluation (append-only)
create table quality.check_results (
    id bigint generated always as identity primary key,
    check_name text not null,
    asset_key text not null,
    run_id text,
    checked_at timestamptz not null default now(),
    passed boolean not null,
    severity text not null,
    blocking boolean not null default false,
    observed_value double precision,
    failing_row_count bigint,
    failing_rows jsonb not null default '[]'::jsonb,
    details jsonb not null default '{}'::jsonb,
    constraint check_results_severity_check check (severity in ('ERROR', 'WARN')),
    constraint check_results_failing_rows_check check (jsonb_typeof(failing_rows) = 'array')
);
create index idx_check_results_check_time on quality.check_results (asset_key, check_name, checked_at desc);
create index idx_check_results_checked_at on quality.check_results (checked_at desc);

comment on table quality.check_results is
'one row per evaluation of a data-quality check; failing_rows holds a sample (at most 20) with their keys';
comment on column quality.check_results.asset_key is 'Dagster asset key the check guards, e.g. public/leads';
comment on column quality.check_results.severity is
'ERROR (a failure blocks what is built from the asset when the check is blocking) or WARN (reported only)';
comment on column quality.check_results.observed_value is
'the check''s headline number: failing rows, anomalous days, recall@5, row count…';

-- quality.metric_observations: measures observed on an asset by a run (row count, column means), so the
-- next run can compare against them
create table quality.metric_observations (
    id bigint generated always as identity primary key,
    asset_key text not null,
    metric text not null,
    run_id text,
    observed_at timestamptz not null default now(),
    value double precision
);
create index idx_metric_observations_lookup on quality.metric_observations (asset_key, metric, observed_at desc);

comment on table quality.metric_observations is
'measures the volume and distribution checks observed on an asset in a run (row_count, mean:<column>)';

-- bi_reader is created by `aip bi-url` / the warehouse at run time; when it already exists, let it read
-- the history now (assets/quality/history.py: grant_quality_to does the same later)
do $$
begin
    if exists (select 1 from pg_roles where rolname = 'bi_reader') then
        grant usage on schema quality to bi_reader;
        grant select on all tables in schema quality to bi_reader;
    end if;
end
$$;
