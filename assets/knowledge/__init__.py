"""Knowledge base: documents parsed, chunked and embedded into pgvector; semantic and hybrid search.

`defs` holds the assets (group `knowledge`), their jobs and the sensor. They use the resources `database`
(orchestration.resources.PostgresResource) and `embedder` (assets.knowledge.embedding.EmbedderResource),
which orchestration/definitions.py provides.
"""

from dagster import Definitions

from assets.knowledge.assets import knowledge_assets
from assets.knowledge.jobs import knowledge_jobs
from assets.knowledge.sensors import knowledge_sensors

defs = Definitions(assets=knowledge_assets, jobs=knowledge_jobs, sensors=knowledge_sensors)

__all__ = ["defs"]
