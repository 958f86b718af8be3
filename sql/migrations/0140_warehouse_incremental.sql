-- Warehouse incremental runs: int_lead_lifecycle finds the leads changed since its watermark by
-- `leads.updated_at` (the operational trigger moves it on every update); the lead models after it take
-- their changed leads from the lifecycle. Without an index that is a sequential scan of every lead in each
-- run; with it, the few thousand recent ones. A deliberate addition to the spec's indexes (sql/README.md,
-- deviation 4).

create index if not exists idx_leads_updated_at on public.leads (updated_at);
