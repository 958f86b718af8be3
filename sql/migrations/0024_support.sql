-- Support system (phase 8): tickets from signed-in users or anonymous visitors.

-- support_tickets: support tickets (users or anonymous)
create table public.support_tickets (
    id uuid primary key default gen_random_uuid(),
    user_id uuid references auth.users (id) on delete set null,
    email text not null,
    name text not null,
    subject text not null,
    message text not null,
    status text default 'open'::text,
    priority text default 'normal'::text,
    admin_notes text,
    created_at timestamptz default now(),
    updated_at timestamptz default now(),
    resolved_at timestamptz
);
create index idx_support_tickets_user_id on public.support_tickets (user_id);
create index idx_support_tickets_status on public.support_tickets (status);
create index idx_support_tickets_created_at on public.support_tickets (created_at desc);
