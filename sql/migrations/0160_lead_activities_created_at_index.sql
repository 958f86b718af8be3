-- Warehouse incremental runs of the lead models (int_lead_lifecycle, int_lead_campaign_touches) take the
-- activities recorded since their last run by `created_at`, the time the database wrote the row, rather
-- than by the `occurred_at` the client names: an activity recorded days late for the time it names is then
-- still picked up, with no look-back in days. Without this index that is a sequential scan of every
-- activity in every run. A deliberate addition to the spec's indexes (sql/README.md, deviation 6).

create index if not exists idx_lead_activities_created_at on public.lead_activities (created_at);
