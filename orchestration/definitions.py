"""The one Definitions of the platform: it merges each domain's `defs` and binds shared resources.

Nothing else happens here (see design.md); loading it reads no environment and opens no connection.
"""

import dagster as dg

from assets.autopilot import defs as autopilot_defs
from assets.knowledge import defs as knowledge_defs
from assets.platform import defs as platform_defs
from assets.privacy import defs as privacy_defs
from assets.quality import defs as quality_defs
from assets.warehouse import defs as warehouse_defs
from orchestration.resources import shared_resources

defs = dg.Definitions.merge(
    platform_defs,
    knowledge_defs,
    warehouse_defs,
    quality_defs,
    autopilot_defs,
    privacy_defs,
    dg.Definitions(resources=shared_resources()),
)
