-- Trigger functions and the triggers that keep updated_at current (spec: trigger_functions, tables.*.triggers).
--
-- Every trigger fires BEFORE UPDATE FOR EACH ROW and sets NEW.updated_at = now(). The spec keeps the
-- original's several same-bodied functions (one per area) and their names; two of them
-- (update_ai_video_projects_updated_at, update_ai_video_jobs_updated_at) are defined but attached to no
-- table, as in the original. update_updated_at_column is SECURITY DEFINER per the spec, with a pinned
-- search_path.

create function public.update_updated_at_column() returns trigger
language plpgsql
security definer
set search_path = public, extensions, pg_temp
as $$
begin
    new.updated_at := now();
    return new;
end
$$;

create function public.update_user_secrets_updated_at() returns trigger
language plpgsql
set search_path = public, extensions, pg_temp
as $$
begin
    new.updated_at := now();
    return new;
end
$$;

create function public.update_support_ticket_updated_at() returns trigger
language plpgsql
set search_path = public, extensions, pg_temp
as $$
begin
    new.updated_at := now();
    return new;
end
$$;

create function public.update_chat_sessions_updated_at() returns trigger
language plpgsql
set search_path = public, extensions, pg_temp
as $$
begin
    new.updated_at := now();
    return new;
end
$$;

create function public.update_oauth_connections_updated_at() returns trigger
language plpgsql
set search_path = public, extensions, pg_temp
as $$
begin
    new.updated_at := now();
    return new;
end
$$;

create function public.update_knowledge_updated_at() returns trigger
language plpgsql
set search_path = public, extensions, pg_temp
as $$
begin
    new.updated_at := now();
    return new;
end
$$;

create function public.update_ai_video_updated_at() returns trigger
language plpgsql
set search_path = public, extensions, pg_temp
as $$
begin
    new.updated_at := now();
    return new;
end
$$;

create function public.update_ai_video_projects_updated_at() returns trigger
language plpgsql
set search_path = public, extensions, pg_temp
as $$
begin
    new.updated_at := now();
    return new;
end
$$;

create function public.update_ai_video_jobs_updated_at() returns trigger
language plpgsql
set search_path = public, extensions, pg_temp
as $$
begin
    new.updated_at := now();
    return new;
end
$$;

create function public.update_ai_model_configs_updated_at() returns trigger
language plpgsql
set search_path = public, extensions, pg_temp
as $$
begin
    new.updated_at := now();
    return new;
end
$$;


create trigger update_user_preferences_updated_at
before update on public.user_preferences
for each row execute function public.update_updated_at_column();

create trigger update_user_secrets_updated_at
before update on public.user_secrets
for each row execute function public.update_user_secrets_updated_at();

create trigger update_user_privacy_settings_updated_at
before update on public.user_privacy_settings
for each row execute function public.update_updated_at_column();

create trigger update_campaigns_updated_at
before update on public.campaigns
for each row execute function public.update_updated_at_column();

create trigger update_campaign_tasks_updated_at
before update on public.campaign_tasks
for each row execute function public.update_updated_at_column();

create trigger update_leads_updated_at
before update on public.leads
for each row execute function public.update_updated_at_column();

create trigger update_content_calendar_updated_at
before update on public.content_calendar
for each row execute function public.update_updated_at_column();

create trigger update_digital_assets_updated_at
before update on public.digital_assets
for each row execute function public.update_updated_at_column();

create trigger update_brand_assets_updated_at
before update on public.brand_assets
for each row execute function public.update_updated_at_column();

create trigger update_content_templates_updated_at
before update on public.content_templates
for each row execute function public.update_updated_at_column();

create trigger update_proposal_templates_updated_at
before update on public.proposal_templates
for each row execute function public.update_updated_at_column();

create trigger update_email_automation_rules_updated_at
before update on public.email_automation_rules
for each row execute function public.update_updated_at_column();

create trigger chat_sessions_updated_at_trigger
before update on public.chat_sessions
for each row execute function public.update_chat_sessions_updated_at();

create trigger update_webhooks_updated_at
before update on public.webhooks
for each row execute function public.update_updated_at_column();

create trigger update_integration_connections_updated_at
before update on public.integration_connections
for each row execute function public.update_updated_at_column();

create trigger oauth_connections_updated_at
before update on public.oauth_connections
for each row execute function public.update_oauth_connections_updated_at();

create trigger update_social_platform_connections_updated_at
before update on public.social_platform_connections
for each row execute function public.update_updated_at_column();

create trigger knowledge_buckets_updated_at
before update on public.knowledge_buckets
for each row execute function public.update_knowledge_updated_at();

create trigger knowledge_documents_updated_at
before update on public.knowledge_documents
for each row execute function public.update_knowledge_updated_at();

create trigger update_autopilot_config_updated_at
before update on public.marketing_autopilot_config
for each row execute function public.update_updated_at_column();

create trigger update_copilot_sessions_updated_at
before update on public.campaign_copilot_sessions
for each row execute function public.update_updated_at_column();

create trigger update_ai_video_projects_updated_at
before update on public.ai_video_projects
for each row execute function public.update_ai_video_updated_at();

create trigger update_ai_video_jobs_updated_at
before update on public.ai_video_jobs
for each row execute function public.update_ai_video_updated_at();

create trigger update_ai_model_configs_updated_at_trigger
before update on public.ai_model_configs
for each row execute function public.update_ai_model_configs_updated_at();

create trigger update_keyword_research_updated_at
before update on public.keyword_research
for each row execute function public.update_updated_at_column();

create trigger update_brand_positioning_analyses_updated_at
before update on public.brand_positioning_analyses
for each row execute function public.update_updated_at_column();

create trigger update_funnel_designs_updated_at
before update on public.funnel_designs
for each row execute function public.update_updated_at_column();

create trigger update_competitive_gap_analyses_updated_at
before update on public.competitive_gap_analyses
for each row execute function public.update_updated_at_column();

create trigger update_performance_tracking_frameworks_updated_at
before update on public.performance_tracking_frameworks
for each row execute function public.update_updated_at_column();

create trigger support_tickets_updated_at
before update on public.support_tickets
for each row execute function public.update_support_ticket_updated_at();
