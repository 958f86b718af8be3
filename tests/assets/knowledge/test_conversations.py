"""Conversation memory: each message embedded once, new ones picked up, searchable per user only."""

from __future__ import annotations

import psycopg

from assets.knowledge.ingestion import process_pending
from assets.knowledge.search import search_conversations
from orchestration.settings import Settings
from tests.assets.knowledge.conftest import Models, create_user


def add_conversation(
    conn: psycopg.Connection, user_id: str, messages: list[tuple[str, str]]
) -> tuple[str, list[str]]:
    conversation = str(
        conn.execute(
            "insert into public.conversations (user_id) values (%s) returning id", (user_id,)
        ).fetchone()[0]
    )
    ids = [
        str(
            conn.execute(
                "insert into public.conversation_messages (conversation_id, role, content) values (%s, %s, %s) "
                "returning id",
                (conversation, role, content),
            ).fetchone()[0]
        )  # fmt: skip
        for role, content in messages
    ]
    return conversation, ids


def test_messages_are_embedded_once_and_searchable_per_user(
    pg: psycopg.Connection, settings: Settings, models: Models
) -> None:
    alice = create_user(pg, "alice@example.com")
    bob = create_user(pg, "bob@example.com")
    _, alice_ids = add_conversation(pg, alice, [
        ("user", "Draft a subject line for the spring webinar invitation."),
        ("assistant", "Try: 'Fix your funnel in 45 minutes - live on March 12'."),
        ("user", "What budget did we agree for LinkedIn retargeting?"),
    ])  # fmt: skip
    add_conversation(pg, bob, [("user", "Our webinar subject lines need to mention the free workbook.")])
    first = process_pending(pg, settings, models)
    assert first.messages_embedded == 4
    embedded = pg.execute(
        "select count(*) from public.conversation_messages where embedding is not null and embedding_model = %s",
        (models.default.name,),
    ).fetchone()[0]
    assert embedded == 4
    texts = models.default.texts
    assert process_pending(pg, settings, models).messages_embedded == 0 and models.default.texts == texts

    later_conversation, _ = add_conversation(
        pg, alice, [("user", "Remind me which podcast we sponsored in May.")]
    )
    assert process_pending(pg, settings, models).messages_embedded == 1

    hits = search_conversations(pg, alice, "webinar invitation subject line", limit=10, embedders=models)
    assert hits[0].message_id == alice_ids[0]
    assert {h.conversation_id for h in hits} <= {later_conversation} | {
        str(r[0])
        for r in pg.execute("select id from public.conversations where user_id = %s", (alice,)).fetchall()
    }
    assert len(hits) == 4  # all of alice's messages, none of bob's
    only_later = search_conversations(
        pg, alice, "podcast", conversation_id=later_conversation, embedders=models
    )
    assert [h.content for h in only_later] == ["Remind me which podcast we sponsored in May."]
