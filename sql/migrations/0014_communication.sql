-- Communication: email campaigns, templates, contacts, automation rules; user-AI chat sessions.

-- email_campaigns: email blast campaigns (shared)
create table public.email_campaigns (
    id uuid primary key default gen_random_uuid(),
    name text not null,
    subject_line text,
    from_address text,
    template_id uuid,
    recipient_list jsonb default '[]'::jsonb,
    status text default 'draft'::text,
    scheduled_for timestamptz,
    sent_at timestamptz,
    open_rate numeric,
    click_rate numeric,
    metadata jsonb default '{}'::jsonb,
    created_at timestamptz default now(),
    updated_at timestamptz default now()
);

-- email_templates: reusable email templates
create table public.email_templates (
    id uuid primary key default gen_random_uuid(),
    created_by uuid references auth.users (id) on delete cascade,
    name text not null,
    subject_line text not null,
    html_content text not null,
    plain_text text,
    variables jsonb default '{}'::jsonb,
    metadata jsonb default '{}'::jsonb,
    created_at timestamptz default now(),
    updated_at timestamptz default now()
);

-- email_contacts: email contact list (shared)
create table public.email_contacts (
    id uuid primary key default gen_random_uuid(),
    email text not null,
    name text,
    company text,
    tags text[] default '{}'::text[],
    subscription_status text default 'subscribed'::text,
    metadata jsonb default '{}'::jsonb,
    created_at timestamptz default now(),
    updated_at timestamptz default now()
);

-- email_automation_rules: trigger->action email rules
create table public.email_automation_rules (
    id uuid primary key default gen_random_uuid(),
    rule_name text not null,
    trigger_type text not null,
    trigger_conditions jsonb default '{}'::jsonb,
    action_type text not null,
    action_config jsonb default '{}'::jsonb,
    is_active boolean default true,
    created_by uuid references auth.users (id) on delete cascade,
    created_at timestamptz default now(),
    updated_at timestamptz default now()
);

-- chat_sessions: user-AI chat threads
create table public.chat_sessions (
    id uuid primary key default gen_random_uuid(),
    user_id uuid references auth.users (id) on delete cascade,
    title text not null,
    metadata jsonb default '{}'::jsonb,
    created_at timestamptz default now(),
    updated_at timestamptz default now()
);
create index idx_chat_sessions_user_id on public.chat_sessions (user_id);
create index idx_chat_sessions_updated_at on public.chat_sessions (updated_at desc);

-- chat_messages: message pairs in a chat session
create table public.chat_messages (
    id uuid primary key default gen_random_uuid(),
    session_id uuid references public.chat_sessions (id) on delete cascade,
    user_message text not null,
    ai_response jsonb not null,
    agent_type text,
    metadata jsonb default '{}'::jsonb,
    timestamp timestamptz default now()
);
create index idx_chat_messages_session_id on public.chat_messages (session_id);
create index idx_chat_messages_timestamp on public.chat_messages (timestamp desc);
