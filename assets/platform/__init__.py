"""Platform domain: the operational schema itself, as an asset, so migrations show in the lineage."""

from assets.platform.definitions import defs

__all__ = ["defs"]
