"""AI video projects in every state of their pipeline, so `ai_video_stats` has figures for every user."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

from assets.demo.keyed_random import user_rng
from assets.demo.tenants import DAY, DemoSpec, Tenant, make_id, utc

VIDEO_COLUMNS = (
    "id",
    "user_id",
    "campaign_id",
    "goal",
    "platform",
    "duration_s",
    "brand_kit",
    "scene_plan",
    "generated_images",
    "final_prompt",
    "video_url",
    "veo_operation_id",
    "status",
    "error_message",
    "cost_usd",
    "auto_generated",
    "created_at",
    "updated_at",
    "completed_at",
)
STATUSES = ("draft", "planning", "generating_images", "generating_video", "completed", "failed")
_WEIGHTS = (0.08, 0.08, 0.07, 0.10, 0.55, 0.12)
_PLATFORMS = ("YouTubeShort", "TikTok", "Reels", "Landscape")
_GOALS = (
    "Announce {product} in 15 seconds",
    "Show a customer win with {product}",
    "Drive sign-ups for the next webinar",
    "Explain the pricing tiers simply",
    "Teaser for the next launch",
)
_SCENES = (
    "Hook: the problem in one line",
    "The product in action",
    "Proof: a customer result",
    "Call to action with the logo",
)
_ERRORS = (
    "Video generation timed out after 10 minutes",
    "Prompt rejected by the safety filter",
    "Image generation quota exceeded",
)


def videos(spec: DemoSpec, tenants: list[Tenant]) -> Iterator[tuple]:
    for t in tenants:
        rng = user_rng(spec.seed, t.index, 7)
        launched = [c for c in t.campaigns if c.status != "draft"]
        for k in range(int(rng.integers(1, 6))):
            status = str(rng.choice(STATUSES, p=_WEIGHTS))
            created = (spec.as_of_day - int(rng.integers(0, spec.days))) * DAY + int(
                rng.integers(8, 20)
            ) * 3600
            created = max(created, t.created_s + DAY)
            pid = make_id(spec.seed, "video", t.index * 64 + k, created)
            duration = int(rng.choice([8, 15, 30, 45, 60]))
            stage = STATUSES.index(status)
            planned = status not in ("draft", "planning") or rng.random() < 0.5
            plan = (
                {
                    "scenes": [
                        {"index": i + 1, "description": s, "seconds": round(duration / 4, 1)}
                        for i, s in enumerate(_SCENES)
                    ]
                }
                if planned
                else None
            )
            has_images = stage >= 3 or status == "failed"
            images = [f"https://storage.demo.test/ai-videos/{t.id}/{pid}/frame-{i + 1}.png" for i in range(4)]
            operation = f"operations/veo-{pid.hex[:20]}" if stage >= 3 else None
            done = status == "completed"
            cost = {"draft": 0, "planning": 0.02, "generating_images": 0.2, "generating_video": 0.6}.get(
                status, 0.0
            )
            if status in ("completed", "failed"):
                cost = float(rng.uniform(0.4, 3.2)) * (1 if done else 0.3)
            finished = created + int(rng.integers(3, 40)) * 60
            campaign = (
                launched[int(rng.integers(0, len(launched)))] if launched and rng.random() < 0.7 else None
            )
            goal = str(rng.choice(_GOALS)).format(product=t.product)
            yield (
                pid,
                t.id,
                campaign.id if campaign else None,
                goal,
                str(rng.choice(_PLATFORMS)),
                duration,
                {
                    "company": t.company,
                    "primary_color": str(rng.choice(["#1f6feb", "#e85d04", "#2a9d8f", "#6a4c93"])),
                    "font": "Inter",
                },
                plan,
                images if has_images else None,
                f"{goal}. Brand {t.company}, upbeat, {duration} seconds." if stage >= 2 else None,
                f"https://storage.demo.test/ai-videos/{t.id}/{pid}.mp4" if done else None,
                operation,
                status,
                str(rng.choice(_ERRORS)) if status == "failed" else None,
                Decimal(str(round(cost, 4))),
                bool(t.autopilot and rng.random() < 0.5),
                utc(created),
                utc(finished if status in ("completed", "failed") else created),
                utc(finished) if done else None,
            )
