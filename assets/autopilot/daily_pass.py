"""The daily optimisation pass over the database: for each active autopilot config, read the user's active
campaigns and their figures from the marts, score them, act, forecast, and write it all down.

Each user is one transaction under a per-user advisory lock (`pg_advisory_xact_lock`), so two passes
running at once (a scheduled run and a manual trigger) serialise on the same user instead of writing the
same outputs twice; it also means a user's day is written completely or not at all. Idempotent per
user × day: the monitor and prediction rows have ids derived from (campaign, day), inserted with
`on conflict do nothing`, and actions and activity-log entries follow only from newly inserted rows, so a
second pass the same day writes nothing new.
"""

import uuid
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import psycopg
from psycopg.types.json import Jsonb

from assets.autopilot.actions import plan_actions
from assets.autopilot.lead_inbox import copy_qualified_leads
from assets.autopilot.marts import DailyPassError, active_campaigns, check_ready, daily_history
from assets.autopilot.predictions import PREDICTION_TYPE, accuracy, actual_outcome, forecast, period_of
from assets.autopilot.scoring import DEFAULT_THRESHOLDS, Thresholds, assess_user

# first int4 of the per-user pg_advisory_xact_lock key ("autp"); the second is hashtext(user_id)
LOCK_NAMESPACE = 0x61757470
# namespace of the deterministic row ids: uuid5(namespace, "<table>:<campaign_id>:<day>")
ID_NAMESPACE = uuid.UUID("5b0f3c0e-8a43-4c8e-9d1c-6f2a0a7e3b11")
ACTIVITY_TYPES = {
    "status": "campaign_paused",
    "budget_up": "budget_increased",
    "budget_down": "budget_decreased",
}


@dataclass
class PassResult:
    users: int = 0
    campaigns_scored: int = 0
    campaigns_already_scored: int = 0
    actions: int = 0
    predictions_written: int = 0
    predictions_scored: int = 0
    leads_copied: int = 0
    per_user: dict[str, dict[str, int]] = field(default_factory=dict)


def row_id(table: str, campaign_id: str, day: date) -> str:
    return str(uuid.uuid5(ID_NAMESPACE, f"{table}:{campaign_id}:{day.isoformat()}"))


def run_daily_pass(conn: psycopg.Connection, as_of: date, th: Thresholds = DEFAULT_THRESHOLDS) -> PassResult:
    """Optimise every user with an active autopilot config, as of the start of `as_of` (UTC)."""
    check_ready(conn)
    configs = conn.execute(
        """
        select id::text, user_id::text, monthly_budget::float8
        from public.marketing_autopilot_config
        where is_active and user_id is not null
        order by user_id
        """
    ).fetchall()
    if not conn.autocommit:
        conn.commit()  # end the read's implicit transaction, so each user's block below is a real transaction
    result = PassResult()
    failed: dict[str, str] = {}
    for config_id, user_id, monthly_budget in configs:
        try:
            counts = optimise_user(conn, user_id, config_id, monthly_budget, as_of, th)
        except psycopg.OperationalError:
            raise  # transient (connection lost, restart): the whole run is retried, done users are skipped
        except psycopg.Error as exc:  # this user's data: the others still get their pass
            failed[user_id] = f"{type(exc).__name__}: {str(exc).strip()}"
            continue
        result.users += 1
        result.per_user[user_id] = counts
        for name, value in counts.items():
            setattr(result, name, getattr(result, name) + value)
    if failed:
        details = "; ".join(f"user {user}: {error}" for user, error in failed.items())
        raise DailyPassError(
            f"the pass failed for {len(failed)} of {len(configs)} user(s), the others were written: {details}. "
            "Fix the cause and re-run autopilot_daily: users already done today are skipped."
        )
    return result


def _log(
    conn: psycopg.Connection,
    user_id: str,
    config_id: str,
    kind: str,
    text: str,
    campaign_id: str | None,
    metadata: dict[str, Any],
) -> None:
    conn.execute(
        "select public.log_autopilot_activity(%s::uuid, %s::uuid, %s, %s, %s, %s::uuid, %s)",
        (user_id, config_id, kind, text, "campaign" if campaign_id else None, campaign_id, Jsonb(metadata)),
    )


def _apply(conn: psycopg.Connection, user_id: str, config_id: str, action: dict[str, Any], name: str) -> None:
    if action["field"] == "status":
        conn.execute(
            "update public.campaigns set status = 'paused' where id = %s::uuid", (action["campaign_id"],)
        )
        kind, text = ACTIVITY_TYPES["status"], f"Paused campaign {name} ({action['rule_id']})"
    else:
        conn.execute(
            "update public.campaigns set budget_allocated = %s where id = %s::uuid",
            (action["to"], action["campaign_id"]),
        )
        kind = ACTIVITY_TYPES["budget_up" if action["to"] > action["from"] else "budget_down"]
        text = f"Budget of campaign {name}: {action['from']:.2f} → {action['to']:.2f} ({action['rule_id']})"
    _log(conn, user_id, config_id, kind, text, action["campaign_id"], action)


def optimise_user(
    conn: psycopg.Connection,
    user_id: str,
    config_id: str,
    monthly_budget: float,
    as_of: date,
    th: Thresholds = DEFAULT_THRESHOLDS,
) -> dict[str, int]:
    """One user's pass, in one transaction; returns what it wrote."""
    with conn.transaction():
        conn.execute("select pg_advisory_xact_lock(%s, hashtext(%s))", (LOCK_NAMESPACE, user_id))
        campaigns = active_campaigns(conn, user_id, as_of)
        ids = [c.campaign_id for c in campaigns]
        start = as_of - timedelta(days=th.recent_days + th.history_days)
        history = daily_history(conn, ids, start, as_of)
        assessments = assess_user(campaigns, history, as_of, th)
        monitor_ids = {cid: row_id("campaign_performance_monitor", cid, as_of) for cid in ids}
        done = {
            r[0]
            for r in conn.execute(
                "select id::text from public.campaign_performance_monitor where id = any(%s::uuid[])",
                (list(monitor_ids.values()),),
            )
        }
        todo = [a for a in assessments if monitor_ids[a.campaign.campaign_id] not in done]
        elsewhere = sum(
            a.campaign.budget_allocated for a in assessments if monitor_ids[a.campaign.campaign_id] in done
        )
        actions = plan_actions(todo, monthly_budget, elsewhere, th)
        counts = {
            "campaigns_scored": 0,
            "campaigns_already_scored": len(assessments) - len(todo),
            "actions": 0,
            "predictions_written": 0,
            "predictions_scored": 0,
            "leads_copied": 0,
        }
        for a in todo:
            cid = a.campaign.campaign_id
            inserted = conn.execute(
                """
                insert into public.campaign_performance_monitor (
                    id, campaign_id, channel, metrics, benchmark_metrics, performance_score,
                    optimization_suggestions, auto_actions_taken
                )
                values (%s, %s, %s, %s, %s, %s, %s, %s)
                on conflict (id) do nothing
                returning id
                """,
                (
                    monitor_ids[cid],
                    cid,
                    a.campaign.channel,
                    Jsonb(a.metrics),
                    Jsonb(a.benchmark),
                    a.score,
                    Jsonb(a.suggestions),
                    Jsonb(a.actions),
                ),
            ).fetchone()
            if inserted is None:  # written meanwhile by a pass that did not take the lock (older version)
                continue
            counts["campaigns_scored"] += 1
            for action in a.actions:
                _apply(conn, user_id, config_id, action, a.campaign.name)
                counts["actions"] += 1
            paused = any(action["field"] == "status" for action in a.actions)
            data, confidence = forecast(history.get(cid, []), as_of, th, paused=paused)
            written = conn.execute(
                """
                insert into public.campaign_predictions (
                    id, campaign_id, prediction_type, prediction_data, confidence_score, based_on_campaigns
                )
                values (%s, %s, %s, %s, %s, %s)
                on conflict (id) do nothing
                returning id
                """,
                (
                    row_id("campaign_predictions", cid, as_of),
                    cid,
                    PREDICTION_TYPE,
                    Jsonb(data),
                    confidence,
                    Jsonb([cid]),
                ),
            ).fetchone()
            counts["predictions_written"] += written is not None
        counts["predictions_scored"] = score_past_predictions(conn, user_id, as_of)
        leads = copy_qualified_leads(conn, user_id)
        counts["leads_copied"] = len(leads)
        if leads:
            _log(
                conn,
                user_id,
                config_id,
                "leads_delivered",
                f"{len(leads)} qualified lead(s) added to the inbox",
                None,
                {"as_of": as_of.isoformat(), "lead_ids": leads},
            )
        if counts["campaigns_scored"]:
            _log(
                conn,
                user_id,
                config_id,
                "daily_optimization",
                f"Scored {counts['campaigns_scored']} campaign(s), took {len(actions)} action(s)",
                None,
                {
                    "as_of": as_of.isoformat(),
                    "scores": {a.campaign.campaign_id: a.score for a in todo},
                    "actions": len(actions),
                    "thresholds": th.as_json(),
                },
            )
        conn.execute(
            """
            update public.marketing_autopilot_config set last_optimized_at = now()
            where id = %s::uuid
              and (last_optimized_at is null or last_optimized_at < (%s::date)::timestamp at time zone 'UTC')
            """,
            (config_id, as_of),
        )
    return counts


def score_past_predictions(conn: psycopg.Connection, user_id: str, as_of: date) -> int:
    """Fill actual_outcome and accuracy_score of the user's forecasts whose period ended before `as_of`."""
    rows = conn.execute(
        """
        select p.id::text, p.campaign_id::text, p.prediction_data
        from public.campaign_predictions as p
        join public.campaigns as c on c.id = p.campaign_id
        where c.created_by = %s::uuid and p.prediction_type = %s and p.actual_outcome is null
        order by p.id
        """,
        (user_id, PREDICTION_TYPE),
    ).fetchall()
    due = [(pid, cid, data, period_of(data)) for pid, cid, data in rows]
    due = [(pid, cid, data, period) for pid, cid, data, period in due if period and period[1] < as_of]
    if not due:
        return 0
    start = min(period[0] for *_, period in due)
    history = daily_history(conn, sorted({cid for _, cid, _, _ in due}), start, as_of)
    for pid, cid, data, (period_start, period_end) in due:
        outcome = actual_outcome(history.get(cid, []), period_start, period_end)
        conn.execute(
            "update public.campaign_predictions set actual_outcome = %s, accuracy_score = %s where id = %s::uuid",
            (Jsonb(outcome), accuracy(data.get("predicted", {}), outcome), pid),
        )
    return len(due)
