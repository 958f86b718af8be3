-- Platform compatibility layer: the parts of Supabase the operational schema builds on.
--
-- On a real Supabase project all of these exist already and every statement below leaves them as they
-- are (each object is created only where absent; nothing is replaced). On plain PostgreSQL they give the
-- same names and the same behaviour: the schemas auth and storage, the roles anon / authenticated /
-- service_role, auth.users, auth.uid() / auth.role() / auth.jwt() reading the request's JWT claims the way
-- PostgREST sets them, storage.buckets / storage.objects / storage.foldername(), and pgvector.

create schema if not exists auth;
create schema if not exists storage;
-- the platform's own schema (migration bookkeeping, run requests); never exposed through the API
create schema if not exists aip;

-- pgvector: created in public where absent so `vector` resolves with the default search_path of every
-- client (Supabase installs it in `extensions`, which its roles have on their search_path)
create extension if not exists vector with schema public;

-- roles of the Supabase API; on Supabase they exist (and are left alone), elsewhere they are created
-- without login: sessions switch to them with SET ROLE, as PostgREST does
do $$
begin
    if not exists (select 1 from pg_catalog.pg_roles where rolname = 'anon') then
        create role anon nologin noinherit;
    end if;
    if not exists (select 1 from pg_catalog.pg_roles where rolname = 'authenticated') then
        create role authenticated nologin noinherit;
    end if;
    if not exists (select 1 from pg_catalog.pg_roles where rolname = 'service_role') then
        create role service_role nologin noinherit bypassrls;
    end if;
end
$$;

-- auth.users as the schema needs it (the target of every user foreign key); Supabase's own table has more
-- columns, and when it exists it is not touched
create table if not exists auth.users (
    id uuid primary key,
    email varchar(255),
    encrypted_password varchar(255),
    raw_user_meta_data jsonb,
    raw_app_meta_data jsonb,
    created_at timestamptz,
    updated_at timestamptz
);

-- auth.uid(), auth.role(), auth.jwt(): the bodies are Supabase's. PostgREST >= 9 puts the whole claim set
-- in request.jwt.claims (json text); older versions set one request.jwt.claim.<name> per claim. Created
-- only where absent: CREATE OR REPLACE would clobber the platform's definitions on Supabase.
do $$
begin
    if to_regprocedure('auth.uid()') is null then
        create function auth.uid() returns uuid
        language sql stable
        as $body$
            select coalesce(
                nullif(current_setting('request.jwt.claim.sub', true), ''),
                (nullif(current_setting('request.jwt.claims', true), '')::jsonb ->> 'sub')
            )::uuid
        $body$;
        comment on function auth.uid() is 'Deprecated. Use auth.jwt() -> ''sub'' instead.';
    end if;
    if to_regprocedure('auth.role()') is null then
        create function auth.role() returns text
        language sql stable
        as $body$
            select coalesce(
                nullif(current_setting('request.jwt.claim.role', true), ''),
                (nullif(current_setting('request.jwt.claims', true), '')::jsonb ->> 'role')
            )::text
        $body$;
        comment on function auth.role() is 'Deprecated. Use auth.jwt() -> ''role'' instead.';
    end if;
    if to_regprocedure('auth.jwt()') is null then
        create function auth.jwt() returns jsonb
        language sql stable
        as $body$
            select coalesce(
                nullif(current_setting('request.jwt.claim', true), ''),
                nullif(current_setting('request.jwt.claims', true), '')
            )::jsonb
        $body$;
    end if;
end
$$;

-- storage: buckets and objects as far as the ai-videos bucket and its policies need them (column names and
-- types are Supabase's). When the tables are created here, RLS is enabled on objects as on Supabase.
do $$
begin
    if to_regclass('storage.buckets') is null then
        create table storage.buckets (
            id text primary key,
            name text not null unique,
            owner uuid,
            public boolean default false,
            file_size_limit bigint,
            allowed_mime_types text [],
            created_at timestamptz default now(),
            updated_at timestamptz default now()
        );
        grant usage on schema storage to anon, authenticated, service_role;
        grant select on table storage.buckets to anon, authenticated;
        grant all on table storage.buckets to service_role;
    end if;
    if to_regclass('storage.objects') is null then
        create table storage.objects (
            id uuid primary key default gen_random_uuid(),
            bucket_id text references storage.buckets (id),
            name text,
            owner uuid,
            metadata jsonb,
            path_tokens text [] generated always as (string_to_array(name, '/')) stored,
            version text,
            created_at timestamptz default now(),
            updated_at timestamptz default now(),
            last_accessed_at timestamptz default now(),
            constraint objects_bucket_id_name_key unique (bucket_id, name)
        );
        alter table storage.objects enable row level security;
        grant select, insert, update, delete on table storage.objects to anon, authenticated;
        grant all on table storage.objects to service_role;
    end if;
    if to_regprocedure('storage.foldername(text)') is null then
        -- the folder parts of an object path: 'u1/videos/a.mp4' -> {u1,videos}
        create function storage.foldername(name text) returns text []
        language plpgsql immutable
        as $body$
        declare
            _parts text[];
        begin
            select string_to_array(name, '/') into _parts;
            return _parts[1:array_length(_parts, 1) - 1];
        end
        $body$;
    end if;
end
$$;

-- the API roles evaluate policies that call auth.uid(); on Supabase these grants exist already
grant usage on schema auth to anon, authenticated, service_role;
