"""Demo data: a deterministic, multi-tenant marketing business loaded into the operational schema.

`aip demo-data` (see `assets.demo.cli`) generates it with `assets.demo.generator` and loads it with
`assets.demo.loader`; the conventions the rest of the platform relies on are in `docs/demo_data.md`.
Nothing here is a Dagster asset: demo data is an input the platform is run against, not one it produces.
"""
