"""What a load (or an append) writes, table by table in foreign-key order, as COPY text batches.

Pure and deterministic: the same (spec, window) always yields the same bytes. A window is the range of
days (since, through] whose rows are generated: a first load covers the whole history up to `as_of`; an
append of K days covers (through, through + K] and also names the rows that change (lead statuses,
campaign spend) as updates. Users are simulated in chunks (vectorised within a chunk); the simulations are
kept until the load ends (about 0.7 GB at the large preset) because several tables read the same one.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import numpy as np

from assets.demo import accounts, autopilot, campaigns, content, conversations, knowledge, mailing, videos
from assets.demo import lead_tables as L
from assets.demo.copytext import format_rows
from assets.demo.funnel import DAY, Activities, Leads, capture, journey_activities
from assets.demo.metrics import METRIC_COLUMNS, CampaignDays, CampaignTable, metric_rows, simulate
from assets.demo.tenants import DemoSpec, Tenant, build_tenants

PY_BATCH_ROWS = 20000


@dataclass(frozen=True)
class Window:
    since: int  # last day already loaded; rows for later days are generated
    through: int  # last day generated

    @classmethod
    def initial(cls, spec: DemoSpec) -> Window:
        return cls(spec.start_day - 1, spec.as_of_day)

    def is_initial(self, spec: DemoSpec) -> bool:
        return self.since < spec.start_day

    @property
    def end_s(self) -> int:
        return (self.through + 1) * DAY

    @property
    def since_end_s(self) -> int:
        return (self.since + 1) * DAY


@dataclass
class ChunkSim:
    """The simulation of one chunk of users up to the window's last day."""

    tenants: list[Tenant]
    table: CampaignTable
    days: CampaignDays
    leads: Leads
    activities: Activities

    @cached_property
    def last_day(self) -> np.ndarray:
        return self.days.last_day(len(self.table.campaigns))


@dataclass(frozen=True)
class TableLoad:
    table: str  # schema-qualified
    columns: tuple[str, ...]
    batches: Callable[[], Iterator[tuple[bytes, int]]]
    long: bool = False  # one of the long (vectorised) tables the benchmark reports
    bulk: bool = False  # big enough for the fast path of an empty table (assets.demo.bulk) to pay off


@dataclass(frozen=True)
class TableUpdate:
    """Rows of `table` to update in place (matched on `key`), given as COPY text of (key, *columns)."""

    table: str
    key: str
    columns: tuple[str, ...]
    types: tuple[str, ...]  # SQL types of key and columns (for the staging table)
    batches: Callable[[], Iterator[tuple[bytes, int]]]


def python_batches(rows: Callable[[], Iterator[tuple]]) -> Callable[[], Iterator[tuple[bytes, int]]]:
    def batches() -> Iterator[tuple[bytes, int]]:
        batch: list[tuple] = []
        for row in rows():
            batch.append(row)
            if len(batch) >= PY_BATCH_ROWS:
                yield format_rows(batch), len(batch)
                batch = []
        if batch:
            yield format_rows(batch), len(batch)

    return batches


@dataclass
class DemoData:
    """The demo business of `spec`, as the tables and updates a load (or an append) of `window` writes."""

    spec: DemoSpec
    window: Window
    manifest: Path | None = knowledge.MANIFEST
    _sims: dict[int, ChunkSim] = field(default_factory=dict, repr=False)
    sim_seconds: float = 0.0  # time spent simulating (shared by every table that reads the simulation)

    @cached_property
    def tenants(self) -> list[Tenant]:
        return build_tenants(self.spec)

    @cached_property
    def chunks(self) -> list[list[Tenant]]:
        size = self.spec.preset.chunk_users
        return [self.tenants[i : i + size] for i in range(0, len(self.tenants), size)]

    def sim(self, index: int) -> ChunkSim:
        if index not in self._sims:
            started = time.perf_counter()
            tenants = self.chunks[index]
            seed = self.spec.seed
            table = CampaignTable.of(tenants)
            days = simulate(seed, table, self.window.through)
            leads = capture(seed, table, days)
            acts = journey_activities(seed, leads, table, days.last_day(len(table.campaigns)), table.user_pos)
            self._sims[index] = ChunkSim(tenants, table, days, leads, acts)
            self.sim_seconds += time.perf_counter() - started
        return self._sims[index]

    def sims(self) -> Iterator[ChunkSim]:
        for i in range(len(self.chunks)):
            yield self.sim(i)

    def forget(self) -> None:
        """Drop cached simulations (memory) once the long tables are written."""
        self._sims.clear()

    # -- selections ------------------------------------------------------------------------------------
    def _new_leads(self, sim: ChunkSim) -> np.ndarray:
        return np.nonzero((sim.leads.day > self.window.since) & (sim.leads.day <= self.window.through))[0]

    def _inbox_leads(self, sim: ChunkSim, sel: np.ndarray) -> np.ndarray:
        auto = np.array([c.auto_managed for c in sim.table.campaigns], dtype=bool)
        autopilot = np.array([t.autopilot for t in sim.tenants], dtype=bool)
        if not len(auto):
            return sel[:0]
        mask = auto[sim.leads.campaign[sel]] & autopilot[sim.table.user_pos[sim.leads.campaign[sel]]]
        return sel[mask]

    def _changed_leads(self, sim: ChunkSim) -> np.ndarray:
        old, _ = sim.leads.status_at(self.window.since_end_s)
        new, _ = sim.leads.status_at(self.window.end_s)
        return np.nonzero((sim.leads.day <= self.window.since) & (old != new))[0]

    # -- long tables -----------------------------------------------------------------------------------
    def _metrics(self) -> Iterator[tuple[bytes, int]]:
        for sim in self.sims():
            yield from metric_rows(self.spec.seed, sim.table, sim.days, self.window.since)

    def _leads(self) -> Iterator[tuple[bytes, int]]:
        for sim in self.sims():
            yield from L.lead_rows(
                self.spec.seed, sim.leads, sim.table, self._new_leads(sim), self.window.end_s
            )

    def _activities(self) -> Iterator[tuple[bytes, int]]:
        for sim in self.sims():
            day = sim.activities.occurred_s // DAY
            sel = np.nonzero((day > self.window.since) & (day <= self.window.through))[0]
            yield from L.activity_rows(self.spec.seed, sim.activities, sim.leads, sim.table, sel)

    def _inbox(self) -> Iterator[tuple[bytes, int]]:
        for sim in self.sims():
            sel = self._inbox_leads(sim, self._new_leads(sim))
            yield from L.inbox_rows(self.spec.seed, sim.leads, sim.table, sel, self.window.end_s)

    # -- the plan --------------------------------------------------------------------------------------
    def tables(self) -> list[TableLoad]:
        """Everything to COPY, parents before children. An append writes only the day-indexed tables."""
        spec, window, t, sims = self.spec, self.window, self.tenants, self.sims

        def rows(produce: Callable[[], Iterator[tuple]]) -> Callable[[], Iterator[tuple[bytes, int]]]:
            return python_batches(produce)

        # (table, columns, batches, written by appends too, long table, big enough for the fast path)
        plan = [
            ("auth.users", accounts.USER_COLUMNS, rows(lambda: accounts.users(spec, t, window.through)), 0, 0, 0),
            ("public.user_preferences", accounts.PREFERENCE_COLUMNS, rows(lambda: accounts.preferences(spec, t)),
             0, 0, 0),
            ("public.user_privacy_settings", accounts.PRIVACY_COLUMNS, rows(lambda: accounts.privacy(spec, t)),
             0, 0, 0),
            ("public.campaigns", campaigns.CAMPAIGN_COLUMNS, rows(lambda: campaigns.campaigns(spec, sims())), 0, 0, 0),
            ("public.campaign_metrics", METRIC_COLUMNS, self._metrics, 1, 1, 1),
            ("public.leads", L.LEAD_COLUMNS, self._leads, 1, 1, 1),
            ("public.lead_activities", L.ACTIVITY_COLUMNS, self._activities, 1, 1, 1),
            ("public.email_campaigns", mailing.EMAIL_CAMPAIGN_COLUMNS,
             rows(lambda: mailing.email_campaigns(spec, sims(), window)), 1, 0, 1),
            ("public.social_engagement", content.SOCIAL_COLUMNS,
             lambda: content.social_engagement(spec, sims(), window), 1, 0, 1),
            ("public.generated_content", content.GENERATED_COLUMNS,
             lambda: content.generated_content(spec, sims(), window), 1, 0, 1),
            ("public.email_contacts", mailing.CONTACT_COLUMNS, rows(lambda: mailing.contacts(spec, t)), 0, 0, 1),
            ("public.content_calendar", content.CALENDAR_COLUMNS, rows(lambda: content.calendar(spec, t)), 0, 0, 1),
            ("public.marketing_autopilot_config", autopilot.CONFIG_COLUMNS, rows(lambda: autopilot.configs(spec, t)),
             0, 0, 0),
            ("public.autopilot_activity_log", autopilot.LOG_COLUMNS,
             rows(lambda: autopilot.activity_log(spec, sims(), window)), 1, 0, 1),
            ("public.autopilot_lead_inbox", L.INBOX_COLUMNS, self._inbox, 1, 0, 1),
            ("public.ai_video_projects", videos.VIDEO_COLUMNS, rows(lambda: videos.videos(spec, t)), 0, 0, 0),
            ("public.knowledge_buckets", knowledge.BUCKET_COLUMNS, rows(lambda: knowledge.buckets(spec, t)), 0, 0, 0),
            ("public.knowledge_documents", knowledge.DOCUMENT_COLUMNS,
             rows(lambda: knowledge.documents(spec, t, self.manifest)), 0, 0, 1),
            ("public.conversations", conversations.CONVERSATION_COLUMNS,
             rows(lambda: conversations.conversations(spec, t)), 0, 0, 0),
            ("public.conversation_messages", conversations.MESSAGE_COLUMNS,
             rows(lambda: conversations.messages(spec, t)), 0, 0, 0),
            ("public.support_tickets", accounts.TICKET_COLUMNS, rows(lambda: accounts.tickets(spec, t)), 0, 0, 0),
            ("public.data_export_requests", accounts.EXPORT_COLUMNS, rows(lambda: accounts.exports(spec, t)), 0, 0, 0),
            ("public.data_deletion_requests", accounts.DELETION_COLUMNS, rows(lambda: accounts.deletions(spec, t)),
             0, 0, 0),
        ]  # fmt: skip
        initial = window.is_initial(spec)
        return [
            TableLoad(table, columns, batches, long=bool(long), bulk=bool(bulk))
            for table, columns, batches, daily, long, bulk in plan
            if initial or daily
        ]

    def updates(self) -> list[TableUpdate]:
        """Rows an append changes in place: lead statuses (and their inbox entries), campaign spend."""
        if self.window.is_initial(self.spec):
            return []
        return [
            TableUpdate(
                "public.leads",
                "id",
                ("status", "lead_score", "updated_at"),
                ("uuid", "text", "integer", "timestamptz"),
                self._lead_updates,
            ),
            TableUpdate(
                "public.autopilot_lead_inbox", "lead_id", ("status",), ("uuid", "text"), self._inbox_updates
            ),
            TableUpdate(
                "public.campaigns",
                "id",
                ("status", "budget_spent", "updated_at"),
                ("uuid", "text", "numeric", "timestamptz"),
                python_batches(lambda: campaigns.campaign_changes(self.spec, self.sims(), self.window)),
            ),
        ]

    def _lead_updates(self) -> Iterator[tuple[bytes, int]]:
        for sim in self.sims():
            yield from L.lead_status_rows(
                self.spec.seed, sim.leads, self._changed_leads(sim), self.window.end_s
            )

    def _inbox_updates(self) -> Iterator[tuple[bytes, int]]:
        for sim in self.sims():
            sel = self._inbox_leads(sim, self._changed_leads(sim))
            yield from L.inbox_status_rows(sim.leads, sel, self.window.end_s)
