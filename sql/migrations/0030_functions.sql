-- Functions of the operational schema (spec: functions), except the trigger functions (0040).
--
-- SECURITY DEFINER functions run as their owner and therefore bypass RLS: each pins its search_path and
-- checks that a caller signed in as a user (auth.uid() set) acts only for that same user; backend callers
-- (service_role, no user claim) may act for anyone. Errors say what was wrong and what to pass instead.

-- delete OAuth CSRF states past their expiry; runs with the caller's rights (RLS: a user clears only their
-- own states, service_role all of them). Rows without expires_at never expire.
create function public.cleanup_expired_oauth_states() returns void
language plpgsql
set search_path = public, extensions, pg_temp
as $$
begin
    delete from public.oauth_states where expires_at < now();
end
$$;

-- record one autopilot action and return the id of the new autopilot_activity_log row
create function public.log_autopilot_activity(
    p_user_id uuid,
    p_config_id uuid,
    p_activity_type text,
    p_description text,
    p_entity_type text default null,
    p_entity_id uuid default null,
    p_metadata jsonb default null
) returns uuid
language plpgsql
security definer
set search_path = public, extensions, pg_temp
as $$
declare
    v_id uuid;
begin
    if auth.uid() is not null and p_user_id is distinct from auth.uid() then
        raise exception 'log_autopilot_activity: user % may not log activity for user %', auth.uid(), p_user_id
            using errcode = '42501', hint = 'Pass p_user_id => auth.uid().';
    end if;
    insert into public.autopilot_activity_log (
        user_id, autopilot_config_id, activity_type, activity_description, entity_type, entity_id, metadata
    )
    values (
        p_user_id, p_config_id, p_activity_type, p_description, p_entity_type, p_entity_id,
        coalesce(p_metadata, '{}'::jsonb)
    )
    returning id into v_id;
    return v_id;
end
$$;

-- the autopilot dashboard's figures for one user, as jsonb with five keys:
--   week_start       Monday (ISO week) of the current week in UTC, as 'YYYY-MM-DD'
--   this_week_leads  autopilot_lead_inbox rows of the user received since week_start 00:00 UTC
--   this_week_spend  total_spend of the user's autopilot_weekly_reports row for week_start (0 when none)
--   this_week_roi    roi of that same report (0 when none)
--   total_leads      all autopilot_lead_inbox rows of the user
create function public.get_autopilot_dashboard_stats(p_user_id uuid) returns jsonb
language plpgsql
stable
security definer
set search_path = public, extensions, pg_temp
as $$
declare
    v_week_start date := date_trunc('week', now() at time zone 'utc')::date;
    v_this_week_leads bigint;
    v_total_leads bigint;
    v_spend numeric;
    v_roi numeric;
begin
    if p_user_id is null then
        raise exception 'get_autopilot_dashboard_stats: p_user_id is null'
            using errcode = '22004', hint = 'Pass the id of the user whose dashboard to compute.';
    end if;
    if auth.uid() is not null and p_user_id <> auth.uid() then
        raise exception 'get_autopilot_dashboard_stats: user % may not read the dashboard of user %',
            auth.uid(), p_user_id
            using errcode = '42501', hint = 'Pass p_user_id => auth.uid().';
    end if;

    select
        count(*) filter (where i.received_at >= v_week_start::timestamp at time zone 'utc'),
        count(*)
    into v_this_week_leads, v_total_leads
    from public.autopilot_lead_inbox as i
    where i.user_id = p_user_id;

    select r.total_spend, r.roi
    into v_spend, v_roi
    from public.autopilot_weekly_reports as r
    where r.user_id = p_user_id and r.week_start_date = v_week_start;

    return jsonb_build_object(
        'this_week_leads', v_this_week_leads,
        'this_week_spend', coalesce(v_spend, 0),
        'this_week_roi', coalesce(v_roi, 0),
        'total_leads', v_total_leads,
        'week_start', to_char(v_week_start, 'YYYY-MM-DD')
    );
end
$$;

-- cosine-similarity search over one user's knowledge chunks (spec: functions.search_knowledge_chunks).
--
-- p_query_embedding is declared `vector`: PostgreSQL does not keep the dimension of a function argument
-- (vector(384) there is stored as plain vector), so the function compares the query's dimension with the
-- dimension of knowledge_chunks.embedding itself and names both when they differ. Reading the column's
-- dimension at call time keeps the check right after the embedding model (and dimension) changes.
--
-- The nearest chunks are found by ordering on the cosine distance (`<=>`), which the HNSW index serves;
-- with pgvector >= 0.8 the function sets hnsw.iterative_scan = relaxed_order so that the owner, bucket-type
-- and campaign filters do not starve the result, and the materialised CTE is re-sorted exactly afterwards.
-- The SET is left out on older pgvector, where the parameter does not exist.
do $outer$
declare
    v_version integer[];
    v_iterative_scan text := '';
begin
    select string_to_array(split_part(e.extversion, '-', 1), '.')::integer[]
    into v_version
    from pg_catalog.pg_extension as e
    where e.extname = 'vector';
    if v_version >= array[0, 8, 0] then
        v_iterative_scan := 'set hnsw.iterative_scan = relaxed_order';
    end if;
    execute replace($fn$
create function public.search_knowledge_chunks(
    p_user_id uuid,
    p_query_embedding vector,
    p_bucket_type text default null,
    p_campaign_id uuid default null,
    p_limit integer default 10,
    p_similarity_threshold double precision default 0.7
)
returns table (
    chunk_id uuid,
    bucket_id uuid,
    document_id uuid,
    bucket_name text,
    document_title text,
    document_summary text,
    chunk_content text,
    chunk_index integer,
    similarity_score double precision,
    metadata jsonb
)
language plpgsql
stable
security definer
set search_path = public, extensions, pg_temp
/*iterative_scan*/
as $body$
#variable_conflict use_column
declare
    v_stored integer;
    v_given integer;
begin
    if p_user_id is null then
        raise exception 'search_knowledge_chunks: p_user_id is null'
            using errcode = '22004', hint = 'Pass the id of the user whose knowledge to search.';
    end if;
    if auth.uid() is not null and p_user_id <> auth.uid() then
        raise exception 'search_knowledge_chunks: user % may not search the knowledge of user %', auth.uid(), p_user_id
            using errcode = '42501', hint = 'Pass p_user_id => auth.uid().';
    end if;
    if p_query_embedding is null then
        raise exception 'search_knowledge_chunks: p_query_embedding is null'
            using errcode = '22004', hint = 'Pass the embedding of the query text.';
    end if;
    if p_bucket_type is not null and p_bucket_type not in ('campaign', 'general') then
        raise exception 'search_knowledge_chunks: unknown bucket type "%"', p_bucket_type
            using errcode = '22023', hint = 'Pass ''campaign'', ''general'' or null (all buckets).';
    end if;
    if p_limit is null or p_limit < 1 then
        raise exception 'search_knowledge_chunks: p_limit is %, it must be at least 1', coalesce(p_limit::text, 'null')
            using errcode = '22023';
    end if;

    select a.atttypmod into v_stored
    from pg_catalog.pg_attribute as a
    where a.attrelid = 'public.knowledge_chunks'::regclass and a.attname = 'embedding' and not a.attisdropped;
    v_given := vector_dims(p_query_embedding);
    if v_stored > 0 and v_given <> v_stored then
        raise exception 'query embedding has % dimensions, the knowledge base stores %', v_given, v_stored
            using errcode = '22000',
                hint = 'Embed the query with the model that embedded the knowledge base (AIP_EMBEDDING_MODEL).';
    end if;

    return query
    with nearest as materialized (
        select
            kc.id,
            kc.bucket_id,
            kc.document_id,
            kc.content,
            kc.chunk_index,
            kc.metadata,
            kc.embedding <=> p_query_embedding as distance
        from public.knowledge_chunks as kc
        inner join public.knowledge_buckets as b on kc.bucket_id = b.id
        where
            b.created_by = p_user_id
            and (p_bucket_type is null or b.bucket_type = p_bucket_type)
            and (p_campaign_id is null or b.campaign_id = p_campaign_id)
            and kc.embedding is not null
            -- similarity >= threshold, written on the distance so the index can serve it
            and kc.embedding <=> p_query_embedding <= 1 - coalesce(p_similarity_threshold, -1)
        order by kc.embedding <=> p_query_embedding
        limit p_limit
    )
    select
        n.id,
        n.bucket_id,
        n.document_id,
        b.name,
        d.title,
        d.summary,
        n.content,
        n.chunk_index,
        (1 - n.distance)::double precision,
        n.metadata
    from nearest as n
    inner join public.knowledge_buckets as b on n.bucket_id = b.id
    left join public.knowledge_documents as d on n.document_id = d.id
    order by n.distance, n.id;
end
$body$
$fn$, '/*iterative_scan*/', v_iterative_scan);
end
$outer$;

-- the model to use for a provider and tier: the active model flagged is_default; when none is flagged, the
-- most recently validated (then discovered) active model of that provider and type, so callers always get a
-- usable model while one exists. No row when the provider has no active model of that type.
create function public.get_default_model(p_provider text, p_type text default 'flagship'::text)
returns table (model_name text, capabilities jsonb, pricing jsonb, context_window integer)
language sql
stable
set search_path = public, extensions, pg_temp
as $$
    select m.model_name, m.capabilities, m.pricing, m.context_window
    from public.ai_model_configs as m
    where m.provider = p_provider and m.model_type = p_type and m.is_active
    order by
        m.is_default desc nulls last,
        m.last_validated_at desc nulls last,
        m.discovered_at desc nulls last,
        m.model_name
    limit 1
$$;

-- sample data for one user (the signed-in user when demo_user_id is null): three campaigns, five leads
-- with two activities each, and a week of daily metrics (impressions, clicks, conversions, spend) per
-- campaign. Values are deterministic. A second call for the same user inserts nothing (the demo campaigns
-- are marked metadata.demo = true).
create function public.seed_demo_data(demo_user_id uuid default null) returns void
language plpgsql
security definer
set search_path = public, extensions, pg_temp
as $$
declare
    v_user uuid := coalesce(demo_user_id, auth.uid());
begin
    if v_user is null then
        raise exception 'seed_demo_data: no user given and no signed-in user (auth.uid() is null)'
            using errcode = '22004', hint = 'Pass demo_user_id, or call it with a signed-in user''s JWT claims.';
    end if;
    if auth.uid() is not null and v_user <> auth.uid() then
        raise exception 'seed_demo_data: user % may not seed data for user %', auth.uid(), v_user
            using errcode = '42501', hint = 'Call seed_demo_data() without an argument to seed your own data.';
    end if;
    if not exists (select 1 from auth.users as u where u.id = v_user) then
        raise exception 'seed_demo_data: user % does not exist in auth.users', v_user
            using errcode = '23503', hint = 'Create the user first (sign up), then seed.';
    end if;
    if exists (select 1 from public.campaigns as c where c.created_by = v_user and c.metadata ->> 'demo' = 'true') then
        raise notice 'seed_demo_data: user % already has demo data; nothing inserted', v_user;
        return;
    end if;

    insert into public.campaigns (
        created_by, name, description, type, channel, status, total_budget, budget_allocated, budget_spent,
        start_date, end_date, primary_objective, target_audience, channels, kpi_targets, metadata
    )
    values
    (
        v_user, 'Demo: Spring Product Launch', 'Launch campaign for the new product line', 'product_launch',
        'social_media', 'active', 5000, 4000, 1850, now() - interval '14 days', now() + interval '16 days',
        'Drive sign-ups for the new product', 'Marketing managers at small businesses',
        '["social_media", "email"]'::jsonb, '{"leads": 150, "cpl": 25}'::jsonb, '{"demo": true}'::jsonb
    ),
    (
        v_user, 'Demo: Lead Generation Webinar', 'Webinar series collecting qualified leads', 'lead_generation',
        'email', 'active', 2500, 2000, 900, now() - interval '7 days', now() + interval '23 days',
        'Collect qualified leads', 'Operations leads in mid-size companies',
        '["email", "linkedin"]'::jsonb, '{"leads": 80, "cpl": 30}'::jsonb, '{"demo": true}'::jsonb
    ),
    (
        v_user, 'Demo: Brand Awareness Q3', 'Display and video awareness push', 'brand_awareness',
        'display', 'completed', 8000, 8000, 7900, now() - interval '60 days', now() - interval '5 days',
        'Reach new audiences', 'Decision makers in retail',
        '["display", "video"]'::jsonb, '{"impressions": 500000}'::jsonb, '{"demo": true}'::jsonb
    );

    insert into public.leads (
        first_name, last_name, email, company, job_title, industry, company_size, source, status, lead_score,
        tags, enriched_data, created_by
    )
    values
    ('Ada', 'Moreau', 'ada.moreau@example.com', 'Northwind Traders', 'Marketing Manager', 'Retail', 'medium',
        'website', 'new', 35, '{demo}', '{"employees": 250, "country": "FR"}'::jsonb, v_user),
    ('Ben', 'Okafor', 'ben.okafor@example.com', 'Contoso Health', 'Head of Growth', 'Healthcare', 'enterprise',
        'event', 'contacted', 55, '{demo}', '{"employees": 4200, "country": "NG"}'::jsonb, v_user),
    ('Chloe', 'Nguyen', 'chloe.nguyen@example.com', 'Fabrikam Labs', 'CTO', 'Software', 'startup',
        'referral', 'qualified', 78, '{demo}', '{"employees": 18, "country": "VN"}'::jsonb, v_user),
    ('Diego', 'Santos', 'diego.santos@example.com', 'Tailspin Toys', 'Owner', 'Retail', 'small',
        'email', 'converted', 92, '{demo}', '{"employees": 40, "country": "BR"}'::jsonb, v_user),
    ('Emma', 'Fischer', 'emma.fischer@example.com', 'Litware GmbH', 'Procurement Lead', 'Manufacturing', 'medium',
        'website', 'lost', 20, '{demo}', '{"employees": 600, "country": "DE"}'::jsonb, v_user)
    on conflict do nothing;

    insert into public.lead_activities (lead_id, activity_type, activity_data, occurred_at, created_by)
    select
        l.id,
        a.activity_type,
        jsonb_build_object('demo', true, 'step', a.step),
        now() - make_interval(days => a.days_ago + (l.lead_score % 5)),
        v_user
    from public.leads as l
    cross join (
        values ('email_opened', 1, 6), ('form_filled', 2, 2)
    ) as a (activity_type, step, days_ago)
    where l.created_by = v_user and l.tags @> '{demo}';

    insert into public.campaign_metrics (campaign_id, metric_type, metric_value, metric_date, additional_data)
    select
        c.id,
        m.metric_type,
        round(m.base * (1 + 0.1 * d.day) * (case c.type when 'brand_awareness' then 3 else 1 end), 2),
        current_date - d.day,
        jsonb_build_object('demo', true, 'platform', c.channel)
    from public.campaigns as c
    cross join generate_series(0, 6) as d (day)
    cross join (
        values ('impressions', 1200.0), ('clicks', 60.0), ('conversions', 4.0), ('spend', 85.0)
    ) as m (metric_type, base)
    where c.created_by = v_user and c.metadata ->> 'demo' = 'true';
end
$$;

-- manual triggers of the two scheduled jobs: they queue a run request for the orchestrator (no pg_net)
create function public.trigger_autopilot_orchestration() returns void
language plpgsql
set search_path = public, extensions, pg_temp
as $$
begin
    insert into aip.run_requests (job_name) values ('autopilot_daily');
end
$$;

create function public.trigger_weekly_report_generation() returns void
language plpgsql
set search_path = public, extensions, pg_temp
as $$
begin
    insert into aip.run_requests (job_name) values ('weekly_reports');
end
$$;
