-- Warehouse incremental runs of fct_content_engagement re-compute the days of the posts recorded in the
-- look-back window: the window's recordings by recorded_at, then each post's recordings by
-- (platform, post_id). The spec gives social_engagement no index, so each of these was a sequential scan of
-- every recording in every run. A deliberate addition to the spec's indexes (sql/README.md, deviation 5).

create index if not exists idx_social_engagement_recorded_at on public.social_engagement (recorded_at);

create index if not exists idx_social_engagement_platform_post_id_recorded_at
on public.social_engagement (platform, post_id, recorded_at);
