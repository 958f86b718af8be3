-- Warehouse incremental runs: the lead models find the leads changed since their watermark by
-- `leads.updated_at` (the operational trigger moves it on every update). Without an index that is a
-- sequential scan of every lead in each of the six lead models of a run; with it, the few thousand recent
-- ones. A deliberate addition to the spec's indexes (sql/README.md, deviation 4).

create index if not exists idx_leads_updated_at on public.leads (updated_at);
