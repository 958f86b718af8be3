"""The one Definitions of the platform: it merges each domain's `defs` and binds shared resources.

Nothing else happens here (see design.md); loading it reads no environment and opens no connection.
"""

import dagster as dg

from assets.platform import defs as platform_defs
from orchestration.resources import shared_resources

defs = dg.Definitions.merge(
    platform_defs,
    dg.Definitions(resources=shared_resources()),
)
