-- Row level security: enabled on every table of the operational schema, with every policy of the spec.
--
-- Policies name the API roles they apply to (authenticated, anon, service_role). A user's identity is
-- auth.uid(), read from the request's JWT claims. Child tables without an owner column check ownership
-- through their parent (campaign, lead, bucket, conversation, chat session). Update policies give USING
-- only; PostgreSQL then applies the same predicate to the new row. service_role bypasses RLS altogether;
-- its explicit ALL policies on system tables are kept as the spec lists them.

-- user_preferences
alter table public.user_preferences enable row level security;
create policy manage_own on public.user_preferences
for all to authenticated
using (auth.uid() = user_id)
with check (auth.uid() = user_id);

-- user_secrets
alter table public.user_secrets enable row level security;
create policy select_own on public.user_secrets
for select to authenticated
using (auth.uid() = user_id);
create policy insert_own on public.user_secrets
for insert to authenticated
with check (auth.uid() = user_id);
create policy update_own on public.user_secrets
for update to authenticated
using (auth.uid() = user_id);
create policy delete_own on public.user_secrets
for delete to authenticated
using (auth.uid() = user_id);

-- secret_audit_logs
alter table public.secret_audit_logs enable row level security;
create policy select_own on public.secret_audit_logs
for select to authenticated
using (auth.uid() = user_id);

-- user_privacy_settings
alter table public.user_privacy_settings enable row level security;
create policy select_own on public.user_privacy_settings
for select to authenticated
using (auth.uid() = user_id);
create policy update_own on public.user_privacy_settings
for update to authenticated
using (auth.uid() = user_id);

-- data_export_requests
alter table public.data_export_requests enable row level security;
create policy select_own on public.data_export_requests
for select to authenticated
using (auth.uid() = user_id);

-- data_deletion_requests
alter table public.data_deletion_requests enable row level security;
create policy select_own on public.data_deletion_requests
for select to authenticated
using (auth.uid() = user_id);

-- privacy_audit_log
alter table public.privacy_audit_log enable row level security;
create policy select_own on public.privacy_audit_log
for select to authenticated
using (auth.uid() = user_id);

-- campaigns
alter table public.campaigns enable row level security;
create policy select_own on public.campaigns
for select to authenticated
using (auth.uid() = created_by);
create policy insert_own on public.campaigns
for insert to authenticated
with check (auth.uid() = created_by);
create policy update_own on public.campaigns
for update to authenticated
using (auth.uid() = created_by);
create policy delete_own on public.campaigns
for delete to authenticated
using (auth.uid() = created_by);

-- campaign_tasks
alter table public.campaign_tasks enable row level security;
create policy manage_own on public.campaign_tasks
for all to authenticated
using (auth.uid() = created_by)
with check (auth.uid() = created_by);

-- campaign_metrics
alter table public.campaign_metrics enable row level security;
create policy select_own_parent on public.campaign_metrics
for select to authenticated
using (exists (
    select 1 from public.campaigns as c
    where c.id = campaign_metrics.campaign_id and c.created_by = auth.uid()
));
create policy insert_own_parent on public.campaign_metrics
for insert to authenticated
with check (exists (
    select 1 from public.campaigns as c
    where c.id = campaign_metrics.campaign_id and c.created_by = auth.uid()
));
create policy update_own_parent on public.campaign_metrics
for update to authenticated
using (exists (
    select 1 from public.campaigns as c
    where c.id = campaign_metrics.campaign_id and c.created_by = auth.uid()
));
create policy delete_own_parent on public.campaign_metrics
for delete to authenticated
using (exists (
    select 1 from public.campaigns as c
    where c.id = campaign_metrics.campaign_id and c.created_by = auth.uid()
));

-- campaign_performance_metrics
alter table public.campaign_performance_metrics enable row level security;

-- campaign_performance_monitor
alter table public.campaign_performance_monitor enable row level security;
create policy select_own_parent on public.campaign_performance_monitor
for select to authenticated
using (exists (
    select 1 from public.campaigns as c
    where c.id = campaign_performance_monitor.campaign_id and c.created_by = auth.uid()
));
create policy service_role_all on public.campaign_performance_monitor
for all to service_role
using (true)
with check (true);

-- campaign_predictions
alter table public.campaign_predictions enable row level security;
create policy select_own_parent on public.campaign_predictions
for select to authenticated
using (exists (
    select 1 from public.campaigns as c
    where c.id = campaign_predictions.campaign_id and c.created_by = auth.uid()
));
create policy service_role_all on public.campaign_predictions
for all to service_role
using (true)
with check (true);

-- generated_content_pieces
alter table public.generated_content_pieces enable row level security;
create policy manage_own_parent on public.generated_content_pieces
for all to authenticated
using (exists (
    select 1 from public.campaigns as c
    where c.id = generated_content_pieces.campaign_id and c.created_by = auth.uid()
))
with check (exists (
    select 1 from public.campaigns as c
    where c.id = generated_content_pieces.campaign_id and c.created_by = auth.uid()
));
create policy service_role_all on public.generated_content_pieces
for all to service_role
using (true)
with check (true);

-- leads
alter table public.leads enable row level security;
create policy select_own on public.leads
for select to authenticated
using (auth.uid() = created_by);
create policy insert_own on public.leads
for insert to authenticated
with check (auth.uid() = created_by);
create policy update_own on public.leads
for update to authenticated
using (auth.uid() = created_by);
create policy delete_own on public.leads
for delete to authenticated
using (auth.uid() = created_by);

-- lead_activities
alter table public.lead_activities enable row level security;
create policy select_own_parent on public.lead_activities
for select to authenticated
using (exists (
    select 1 from public.leads as l
    where l.id = lead_activities.lead_id and l.created_by = auth.uid()
));
create policy insert_own_parent on public.lead_activities
for insert to authenticated
with check (exists (
    select 1 from public.leads as l
    where l.id = lead_activities.lead_id and l.created_by = auth.uid()
));
create policy update_own on public.lead_activities
for update to authenticated
using (auth.uid() = created_by);
create policy delete_own on public.lead_activities
for delete to authenticated
using (auth.uid() = created_by);

-- lead_scoring_rules
alter table public.lead_scoring_rules enable row level security;
create policy authenticated_all on public.lead_scoring_rules
for all to authenticated
using (true)
with check (true);

-- autopilot_lead_inbox
alter table public.autopilot_lead_inbox enable row level security;
create policy manage_own on public.autopilot_lead_inbox
for all to authenticated
using (auth.uid() = user_id)
with check (auth.uid() = user_id);

-- content_calendar
alter table public.content_calendar enable row level security;
create policy select_own on public.content_calendar
for select to authenticated
using (auth.uid() = created_by);
create policy insert_own on public.content_calendar
for insert to authenticated
with check (auth.uid() = created_by);
create policy update_own on public.content_calendar
for update to authenticated
using (auth.uid() = created_by);
create policy delete_own on public.content_calendar
for delete to authenticated
using (auth.uid() = created_by);

-- digital_assets
alter table public.digital_assets enable row level security;
create policy select_own on public.digital_assets
for select to authenticated
using (auth.uid() = uploaded_by);
create policy insert_own on public.digital_assets
for insert to authenticated
with check (auth.uid() = uploaded_by);
create policy update_own on public.digital_assets
for update to authenticated
using (auth.uid() = uploaded_by);
create policy delete_own on public.digital_assets
for delete to authenticated
using (auth.uid() = uploaded_by);

-- brand_assets
alter table public.brand_assets enable row level security;
create policy select_own on public.brand_assets
for select to authenticated
using (auth.uid() = created_by);
create policy insert_own on public.brand_assets
for insert to authenticated
with check (auth.uid() = created_by);
create policy update_own on public.brand_assets
for update to authenticated
using (auth.uid() = created_by);
create policy delete_own on public.brand_assets
for delete to authenticated
using (auth.uid() = created_by);

-- content_templates
alter table public.content_templates enable row level security;
create policy select_own_or_public on public.content_templates
for select to authenticated
using (auth.uid() = created_by or is_public = true);
create policy insert_own on public.content_templates
for insert to authenticated
with check (auth.uid() = created_by);
create policy update_own on public.content_templates
for update to authenticated
using (auth.uid() = created_by);
create policy delete_own on public.content_templates
for delete to authenticated
using (auth.uid() = created_by);

-- proposal_templates
alter table public.proposal_templates enable row level security;
create policy select_own on public.proposal_templates
for select to authenticated
using (auth.uid() = user_id);
create policy insert_own on public.proposal_templates
for insert to authenticated
with check (auth.uid() = user_id);
create policy update_own on public.proposal_templates
for update to authenticated
using (auth.uid() = user_id);
create policy delete_own on public.proposal_templates
for delete to authenticated
using (auth.uid() = user_id);

-- email_campaigns
alter table public.email_campaigns enable row level security;
create policy authenticated_all on public.email_campaigns
for all to authenticated
using (true)
with check (true);

-- email_templates
alter table public.email_templates enable row level security;
create policy select_own on public.email_templates
for select to authenticated
using (auth.uid() = created_by);
create policy insert_own on public.email_templates
for insert to authenticated
with check (auth.uid() = created_by);
create policy delete_own on public.email_templates
for delete to authenticated
using (auth.uid() = created_by);

-- email_contacts
alter table public.email_contacts enable row level security;
create policy authenticated_select on public.email_contacts
for select to authenticated
using (true);
create policy authenticated_insert on public.email_contacts
for insert to authenticated
with check (true);
create policy authenticated_update on public.email_contacts
for update to authenticated
using (true);
create policy authenticated_delete on public.email_contacts
for delete to authenticated
using (true);

-- email_automation_rules
alter table public.email_automation_rules enable row level security;
create policy manage_own on public.email_automation_rules
for all to authenticated
using (auth.uid() = created_by)
with check (auth.uid() = created_by);

-- chat_sessions
alter table public.chat_sessions enable row level security;
create policy select_own on public.chat_sessions
for select to authenticated
using (auth.uid() = user_id);
create policy insert_own on public.chat_sessions
for insert to authenticated
with check (auth.uid() = user_id);
create policy update_own on public.chat_sessions
for update to authenticated
using (auth.uid() = user_id);
create policy delete_own on public.chat_sessions
for delete to authenticated
using (auth.uid() = user_id);

-- chat_messages
alter table public.chat_messages enable row level security;
create policy select_own_parent on public.chat_messages
for select to authenticated
using (exists (
    select 1 from public.chat_sessions as s
    where s.id = chat_messages.session_id and s.user_id = auth.uid()
));
create policy insert_own_parent on public.chat_messages
for insert to authenticated
with check (exists (
    select 1 from public.chat_sessions as s
    where s.id = chat_messages.session_id and s.user_id = auth.uid()
));
create policy update_own_parent on public.chat_messages
for update to authenticated
using (exists (
    select 1 from public.chat_sessions as s
    where s.id = chat_messages.session_id and s.user_id = auth.uid()
));
create policy delete_own_parent on public.chat_messages
for delete to authenticated
using (exists (
    select 1 from public.chat_sessions as s
    where s.id = chat_messages.session_id and s.user_id = auth.uid()
));

-- conversations
alter table public.conversations enable row level security;
create policy manage_own on public.conversations
for all to authenticated
using (auth.uid() = user_id)
with check (auth.uid() = user_id);

-- conversation_messages
alter table public.conversation_messages enable row level security;
create policy manage_own_parent on public.conversation_messages
for all to authenticated
using (exists (
    select 1 from public.conversations as c
    where c.id = conversation_messages.conversation_id and c.user_id = auth.uid()
))
with check (exists (
    select 1 from public.conversations as c
    where c.id = conversation_messages.conversation_id and c.user_id = auth.uid()
));

-- conversation_knowledge_refs
alter table public.conversation_knowledge_refs enable row level security;
create policy manage_own_parent on public.conversation_knowledge_refs
for all to authenticated
using (exists (
    select 1 from public.conversations as c
    where c.id = conversation_knowledge_refs.conversation_id and c.user_id = auth.uid()
))
with check (exists (
    select 1 from public.conversations as c
    where c.id = conversation_knowledge_refs.conversation_id and c.user_id = auth.uid()
));

-- research_notes
alter table public.research_notes enable row level security;
create policy manage_own_parent on public.research_notes
for all to authenticated
using (exists (
    select 1 from public.conversations as c
    where c.id = research_notes.conversation_id and c.user_id = auth.uid()
))
with check (exists (
    select 1 from public.conversations as c
    where c.id = research_notes.conversation_id and c.user_id = auth.uid()
));

-- webhooks
alter table public.webhooks enable row level security;
create policy select_own on public.webhooks
for select to authenticated
using (auth.uid() = user_id);
create policy insert_own on public.webhooks
for insert to authenticated
with check (auth.uid() = user_id);
create policy update_own on public.webhooks
for update to authenticated
using (auth.uid() = user_id);
create policy delete_own on public.webhooks
for delete to authenticated
using (auth.uid() = user_id);

-- integration_connections
alter table public.integration_connections enable row level security;
create policy select_own on public.integration_connections
for select to authenticated
using (auth.uid() = user_id);
create policy insert_own on public.integration_connections
for insert to authenticated
with check (auth.uid() = user_id);
create policy update_own on public.integration_connections
for update to authenticated
using (auth.uid() = user_id);
create policy delete_own on public.integration_connections
for delete to authenticated
using (auth.uid() = user_id);

-- oauth_connections
alter table public.oauth_connections enable row level security;
create policy select_own on public.oauth_connections
for select to authenticated
using (auth.uid() = user_id);
create policy insert_own on public.oauth_connections
for insert to authenticated
with check (auth.uid() = user_id);
create policy update_own on public.oauth_connections
for update to authenticated
using (auth.uid() = user_id);
create policy delete_own on public.oauth_connections
for delete to authenticated
using (auth.uid() = user_id);

-- oauth_states
alter table public.oauth_states enable row level security;
create policy manage_own on public.oauth_states
for all to authenticated
using (auth.uid() = user_id)
with check (auth.uid() = user_id);

-- social_platform_connections
alter table public.social_platform_connections enable row level security;
create policy select_own on public.social_platform_connections
for select to authenticated
using (auth.uid() = user_id);
create policy insert_own on public.social_platform_connections
for insert to authenticated
with check (auth.uid() = user_id);
create policy update_own on public.social_platform_connections
for update to authenticated
using (auth.uid() = user_id);
create policy delete_own on public.social_platform_connections
for delete to authenticated
using (auth.uid() = user_id);

-- social_engagement
alter table public.social_engagement enable row level security;
create policy public_read on public.social_engagement
for select to anon, authenticated
using (true);
create policy authenticated_insert on public.social_engagement
for insert to authenticated
with check (true);
create policy authenticated_update on public.social_engagement
for update to authenticated
using (true);

-- generated_content
alter table public.generated_content enable row level security;
create policy public_read on public.generated_content
for select to anon, authenticated
using (true);
create policy authenticated_insert on public.generated_content
for insert to authenticated
with check (true);
create policy authenticated_update on public.generated_content
for update to authenticated
using (true);

-- knowledge_buckets
alter table public.knowledge_buckets enable row level security;
create policy manage_own on public.knowledge_buckets
for all to authenticated
using (auth.uid() = created_by)
with check (auth.uid() = created_by);

-- knowledge_documents
alter table public.knowledge_documents enable row level security;
create policy manage_own_parent on public.knowledge_documents
for all to authenticated
using (exists (
    select 1 from public.knowledge_buckets as b
    where b.id = knowledge_documents.bucket_id and b.created_by = auth.uid()
))
with check (exists (
    select 1 from public.knowledge_buckets as b
    where b.id = knowledge_documents.bucket_id and b.created_by = auth.uid()
));

-- knowledge_chunks
alter table public.knowledge_chunks enable row level security;
create policy manage_own_parent on public.knowledge_chunks
for all to authenticated
using (exists (
    select 1 from public.knowledge_buckets as b
    where b.id = knowledge_chunks.bucket_id and b.created_by = auth.uid()
))
with check (exists (
    select 1 from public.knowledge_buckets as b
    where b.id = knowledge_chunks.bucket_id and b.created_by = auth.uid()
));

-- knowledge_access_logs
alter table public.knowledge_access_logs enable row level security;
create policy select_own on public.knowledge_access_logs
for select to authenticated
using (auth.uid() = user_id);

-- marketing_autopilot_config
alter table public.marketing_autopilot_config enable row level security;
create policy manage_own on public.marketing_autopilot_config
for all to authenticated
using (auth.uid() = user_id)
with check (auth.uid() = user_id);

-- autopilot_weekly_reports
alter table public.autopilot_weekly_reports enable row level security;
create policy select_own on public.autopilot_weekly_reports
for select to authenticated
using (auth.uid() = user_id);

-- autopilot_activity_log
alter table public.autopilot_activity_log enable row level security;
create policy select_own on public.autopilot_activity_log
for select to authenticated
using (auth.uid() = user_id);

-- campaign_copilot_sessions
alter table public.campaign_copilot_sessions enable row level security;
create policy manage_own on public.campaign_copilot_sessions
for all to authenticated
using (auth.uid() = user_id)
with check (auth.uid() = user_id);

-- ai_interaction_feedback
alter table public.ai_interaction_feedback enable row level security;
create policy insert_own on public.ai_interaction_feedback
for insert to authenticated
with check (auth.uid() = user_id);
create policy select_own on public.ai_interaction_feedback
for select to authenticated
using (auth.uid() = user_id);
create policy service_role_all on public.ai_interaction_feedback
for all to service_role
using (true)
with check (true);

-- agent_learning_data
alter table public.agent_learning_data enable row level security;
create policy service_role_all on public.agent_learning_data
for all to service_role
using (true)
with check (true);

-- ai_video_projects
alter table public.ai_video_projects enable row level security;
create policy select_own on public.ai_video_projects
for select to authenticated
using (auth.uid() = user_id);
create policy insert_own on public.ai_video_projects
for insert to authenticated
with check (auth.uid() = user_id);
create policy update_own on public.ai_video_projects
for update to authenticated
using (auth.uid() = user_id);
create policy delete_own on public.ai_video_projects
for delete to authenticated
using (auth.uid() = user_id);

-- ai_video_jobs
alter table public.ai_video_jobs enable row level security;
create policy select_own on public.ai_video_jobs
for select to authenticated
using (auth.uid() = user_id);
create policy insert_own on public.ai_video_jobs
for insert to authenticated
with check (auth.uid() = user_id);
create policy update_own on public.ai_video_jobs
for update to authenticated
using (auth.uid() = user_id);

-- ai_model_configs
alter table public.ai_model_configs enable row level security;
create policy service_role_all on public.ai_model_configs
for all to service_role
using (true)
with check (true);
create policy authenticated_read on public.ai_model_configs
for select to authenticated
using (true);

-- ai_model_update_logs
alter table public.ai_model_update_logs enable row level security;
create policy service_role_all on public.ai_model_update_logs
for all to service_role
using (true)
with check (true);
create policy authenticated_read on public.ai_model_update_logs
for select to authenticated
using (true);

-- performance_analytics
alter table public.performance_analytics enable row level security;
create policy select_own on public.performance_analytics
for select to authenticated
using (auth.uid() = created_by);
create policy insert_own on public.performance_analytics
for insert to authenticated
with check (auth.uid() = created_by);

-- analytics_reports
alter table public.analytics_reports enable row level security;
create policy authenticated_select on public.analytics_reports
for select to authenticated
using (true);
create policy authenticated_insert on public.analytics_reports
for insert to authenticated
with check (true);

-- real_time_metrics
alter table public.real_time_metrics enable row level security;
create policy authenticated_all on public.real_time_metrics
for all to authenticated
using (true)
with check (true);

-- ai_insights
alter table public.ai_insights enable row level security;
create policy authenticated_select on public.ai_insights
for select to authenticated
using (true);
create policy authenticated_insert on public.ai_insights
for insert to authenticated
with check (true);
create policy authenticated_update on public.ai_insights
for update to authenticated
using (true);

-- user_analytics_events
alter table public.user_analytics_events enable row level security;
create policy insert_own on public.user_analytics_events
for insert to authenticated
with check (auth.uid() = user_id);
create policy select_own on public.user_analytics_events
for select to authenticated
using (auth.uid() = user_id);

-- keyword_research
alter table public.keyword_research enable row level security;
create policy select_own on public.keyword_research
for select to authenticated
using (auth.uid() = created_by);
create policy insert_own on public.keyword_research
for insert to authenticated
with check (auth.uid() = created_by);
create policy update_own on public.keyword_research
for update to authenticated
using (auth.uid() = created_by);
create policy delete_own on public.keyword_research
for delete to authenticated
using (auth.uid() = created_by);

-- brand_positioning_analyses
alter table public.brand_positioning_analyses enable row level security;
create policy select_own on public.brand_positioning_analyses
for select to authenticated
using (auth.uid() = user_id);
create policy insert_own on public.brand_positioning_analyses
for insert to authenticated
with check (auth.uid() = user_id);
create policy update_own on public.brand_positioning_analyses
for update to authenticated
using (auth.uid() = user_id);
create policy delete_own on public.brand_positioning_analyses
for delete to authenticated
using (auth.uid() = user_id);

-- funnel_designs
alter table public.funnel_designs enable row level security;
create policy select_own on public.funnel_designs
for select to authenticated
using (auth.uid() = user_id);
create policy insert_own on public.funnel_designs
for insert to authenticated
with check (auth.uid() = user_id);
create policy update_own on public.funnel_designs
for update to authenticated
using (auth.uid() = user_id);
create policy delete_own on public.funnel_designs
for delete to authenticated
using (auth.uid() = user_id);

-- competitive_gap_analyses
alter table public.competitive_gap_analyses enable row level security;
create policy select_own on public.competitive_gap_analyses
for select to authenticated
using (auth.uid() = user_id);
create policy insert_own on public.competitive_gap_analyses
for insert to authenticated
with check (auth.uid() = user_id);
create policy update_own on public.competitive_gap_analyses
for update to authenticated
using (auth.uid() = user_id);
create policy delete_own on public.competitive_gap_analyses
for delete to authenticated
using (auth.uid() = user_id);

-- performance_tracking_frameworks
alter table public.performance_tracking_frameworks enable row level security;
create policy select_own on public.performance_tracking_frameworks
for select to authenticated
using (auth.uid() = user_id);
create policy insert_own on public.performance_tracking_frameworks
for insert to authenticated
with check (auth.uid() = user_id);
create policy update_own on public.performance_tracking_frameworks
for update to authenticated
using (auth.uid() = user_id);
create policy delete_own on public.performance_tracking_frameworks
for delete to authenticated
using (auth.uid() = user_id);

-- support_tickets
alter table public.support_tickets enable row level security;
create policy select_own on public.support_tickets
for select to authenticated
using (auth.uid() = user_id);
create policy insert_own on public.support_tickets
for insert to authenticated
with check (auth.uid() = user_id);
create policy anon_insert on public.support_tickets
for insert to anon
with check (user_id is null);
