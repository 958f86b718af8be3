-- Storage bucket ai-videos: generated AI video files under '{user_id}/{filename}' (spec: storage_buckets).
--
-- The bucket is public (object URLs are readable without auth); through the API a signed-in user may
-- upload, list/read and delete only objects in their own top-level folder. Bucket and policies are created
-- only where absent, so the file also applies to a Supabase project that already has them.

insert into storage.buckets (id, name, public)
values ('ai-videos', 'ai-videos', true)
on conflict (id) do nothing;

do $$
begin
    if not exists (
        select 1 from pg_catalog.pg_policies as p
        where p.schemaname = 'storage' and p.tablename = 'objects' and p.policyname = 'upload_own_folder'
    ) then
        create policy upload_own_folder on storage.objects
        for insert to authenticated
        with check (bucket_id = 'ai-videos' and (storage.foldername(name))[1] = auth.uid()::text);
    end if;
    if not exists (
        select 1 from pg_catalog.pg_policies as p
        where p.schemaname = 'storage' and p.tablename = 'objects' and p.policyname = 'read_own_folder'
    ) then
        create policy read_own_folder on storage.objects
        for select to authenticated
        using (bucket_id = 'ai-videos' and (storage.foldername(name))[1] = auth.uid()::text);
    end if;
    if not exists (
        select 1 from pg_catalog.pg_policies as p
        where p.schemaname = 'storage' and p.tablename = 'objects' and p.policyname = 'delete_own_folder'
    ) then
        create policy delete_own_folder on storage.objects
        for delete to authenticated
        using (bucket_id = 'ai-videos' and (storage.foldername(name))[1] = auth.uid()::text);
    end if;
end
$$;
