"""Privacy domain: GDPR data export and erasure requests, fulfilled by Dagster assets a sensor launches."""

import dagster as dg

from assets.privacy.assets import data_erasures, data_exports, erasure_guard
from assets.privacy.jobs import privacy_deletion_job, privacy_erasure_guard_job, privacy_export_job
from assets.privacy.sensors import erasure_guard_sensor, privacy_requests_sensor

defs = dg.Definitions(
    assets=[data_exports, data_erasures, erasure_guard],
    jobs=[privacy_export_job, privacy_deletion_job, privacy_erasure_guard_job],
    sensors=[privacy_requests_sensor, erasure_guard_sensor],
)

__all__ = ["defs"]
