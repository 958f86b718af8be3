-- The AI model catalog as of 2025-10-28 (spec: tables.ai_model_configs.seed_data), so that
-- get_default_model() answers on a fresh database. The monthly model discovery keeps it current afterwards.
--
-- The spec lists the model names per provider; the tier (model_type) and the default per provider and tier
-- are this file's choice: the provider's current top model is the flagship default, its small/cheap model
-- the fast default, superseded generations are legacy. Existing rows (same provider and model) are kept.

insert into public.ai_model_configs (provider, model_name, model_type, is_default, metadata)
select
    s.provider,
    s.model_name,
    s.model_type,
    s.is_default,
    jsonb_build_object('source', 'catalog seed', 'as_of', '2025-10-28') as metadata
from (
    values
    ('openai', 'gpt-5', 'flagship', true),
    ('openai', 'gpt-5-mini', 'fast', true),
    ('openai', 'gpt-5-nano', 'fast', false),
    ('openai', 'gpt-4.1', 'legacy', false),
    ('openai', 'gpt-4.1-mini', 'legacy', false),
    ('openai', 'o3', 'flagship', false),
    ('openai', 'o4-mini', 'fast', false),
    ('anthropic', 'claude-sonnet-4.5', 'flagship', true),
    ('anthropic', 'claude-opus-4.1', 'flagship', false),
    ('anthropic', 'claude-haiku-4-5', 'fast', true),
    ('anthropic', 'claude-sonnet-4', 'legacy', false),
    ('google', 'gemini-2.5-pro', 'flagship', true),
    ('google', 'gemini-2.5-flash', 'fast', true),
    ('google', 'gemini-2.5-flash-lite', 'fast', false),
    ('google', 'gemini-2.0-flash', 'legacy', false),
    ('mistral', 'mistral-large-latest', 'flagship', true),
    ('mistral', 'mistral-medium-latest', 'fast', true)
) as s (provider, model_name, model_type, is_default)
on conflict (provider, model_name) do nothing;
