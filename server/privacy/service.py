"""Personal data rights (UK GDPR): a person takes out everything they contributed, as
JSON and CSV files in one ZIP, and can be erased.

Erasure replaces the person by a tombstone ("Former participant"): personal fields,
sessions, tokens, roles, answers and the words of their stories and comments go; their
ballots stay, counted anonymously, so no result, priority or frozen snapshot changes.
Proposals that reached a ballot or the action plan are the area's record: they keep
their words under the tombstone's name; the others are emptied like comments.
"""

from __future__ import annotations

import csv
import io
import json
import zipfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from server import clock
from server.access import Actor, Scope
from server.actions.export import csv_cell
from server.audit import service as audit
from server.errors import Forbidden, InvalidInput, InvalidState, NotFound
from server.moderation import repository as moderation_repo
from server.notifications import repository as notifications_repo
from server.people import repository as people_repo
from server.people.models import Role
from server.privacy import repository

CONFIRMATION = "ERASE"
ERASED_TEXT = "Removed at the author's request."

# (file name without extension, what it holds)
SECTIONS: Sequence[tuple[str, Callable[[AsyncSession, int], Any]]] = (
    ("roles", repository.roles_of),
    ("answers", repository.answers_by),
    ("proposals", repository.proposals_by),
    ("comments", repository.comments_by),
    ("ballots", repository.ballots_of),
    ("stories", repository.stories_told_by),
    ("reports", repository.reports_by),
)


@dataclass(frozen=True)
class DataFile:
    name: str
    media_type: str
    content: str


def _plain(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    return value


def _csv(rows: list[dict[str, Any]]) -> str:
    out = io.StringIO()
    if rows:
        writer = csv.DictWriter(out, fieldnames=list(rows[0]))
        writer.writeheader()
        for row in rows:
            writer.writerow({k: csv_cell(v) for k, v in row.items()})
    return out.getvalue()


async def my_data(session: AsyncSession, actor: Actor) -> list[DataFile]:
    """Everything the signed-in person contributed: one JSON file with all of it, and
    one CSV file per kind of contribution."""
    person = await people_repo.by_id(session, actor.person_id)
    if person is None:
        raise NotFound("Person")
    profile = {
        "display_name": person.display_name,
        "email": person.email,
        "kind": person.kind.value,
        "affiliation": person.affiliation,
        "joined_at": _plain(person.created_at),
    }
    sections = {name: await fetch(session, person.id) for name, fetch in SECTIONS}
    everything = {
        "profile": profile,
        **{
            name: [{k: _plain(v) for k, v in row.items()} for row in rows]
            for name, rows in sections.items()
        },
    }
    files = [
        DataFile(
            "levelground.json",
            "application/json",
            json.dumps(everything, indent=2, ensure_ascii=False),
        ),
        DataFile("profile.csv", "text/csv", _csv([profile])),
    ]
    files += [DataFile(f"{name}.csv", "text/csv", _csv(rows)) for name, rows in sections.items()]
    return files


def zipped(files: Sequence[DataFile]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for item in files:
            archive.writestr(item.name, item.content)
    return buffer.getvalue()


async def _may_erase(session: AsyncSession, actor: Actor, person_id: int) -> bool:
    """Yourself; or an admin of an area at or above every area the person has a role
    in (with no roles, an admin of a top-level area)."""
    if person_id == actor.person_id:
        return True
    areas = [area_id for area_id, _ in await people_repo.grants(session, person_id)]
    if not areas:
        areas = (await actor.tree(session)).roots()
    for area_id in areas:
        if not await actor.has_role(session, area_id, Role.ADMIN):
            return False
    return True


async def erase_person(
    session: AsyncSession, actor: Actor, person_id: int | None, confirm: str
) -> None:
    actor.require_scope(Scope.WRITE)
    if confirm != CONFIRMATION:
        raise InvalidInput(f"Type {CONFIRMATION} to confirm.", ["confirm"])
    target_id = actor.person_id if person_id is None else person_id
    person = await people_repo.by_id(session, target_id)
    if person is None:
        raise NotFound("Person", ["personId"])
    if not await _may_erase(session, actor, target_id):
        raise Forbidden("Only an admin over every area this person takes part in can erase them.")
    if person.erased_at is not None:
        raise InvalidState("That person was erased already.", ["personId"])
    now = clock.now()
    await repository.erase_words(session, person.id, now, ERASED_TEXT)
    await moderation_repo.forget_reporter(session, person.id, ERASED_TEXT)
    await notifications_repo.forget_person(session, person.id, ERASED_TEXT)
    await repository.forget_access(session, person.id, now)
    await repository.tombstone(session, person, now)
    await audit.record(
        session,
        actor.person_id if actor.person_id != person.id else None,
        "person.erased",
        ("Person", person.id),
    )
