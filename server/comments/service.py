from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from server import validation
from server.access import Actor
from server.actions import repository as actions_repo
from server.audit import service as audit
from server.comments import repository
from server.comments.models import MAX_DEPTH, Comment
from server.errors import InvalidInput, InvalidState, NotFound
from server.notifications import events as notify
from server.people.models import Role
from server.proposals import repository as proposals_repo


async def add_comment(
    session: AsyncSession,
    actor: Actor,
    *,
    proposal_id: int | None = None,
    action_id: int | None = None,
    parent_id: int | None,
    body: str,
) -> Comment:
    """Anyone taking part in the subject's area may comment; replies nest 3 deep."""
    if proposal_id is not None:
        proposal = await proposals_repo.by_id(session, proposal_id)
        if proposal is None:
            raise NotFound("Proposal", ["subjectId"])
        area_id = proposal.area_id
    elif action_id is not None:
        action = await actions_repo.by_id(session, action_id)
        if action is None:
            raise NotFound("Action", ["subjectId"])
        area_id = action.area_id
    else:
        raise InvalidInput("Comment on a proposal or an action.", ["subjectId"])
    await actor.require(session, area_id, Role.PARTICIPANT)
    body = validation.text(body, ["body"], max_length=5000, label="Comment", multiline=True)
    depth = 1
    if parent_id is not None:
        parent = await repository.by_id(session, parent_id)
        if parent is None or (parent.proposal_id, parent.action_id) != (proposal_id, action_id):
            raise NotFound("Comment to reply to", ["parentId"])
        if parent.depth >= MAX_DEPTH:
            raise InvalidInput(
                f"Replies go {MAX_DEPTH} levels deep at most; reply higher up the thread.",
                ["parentId"],
            )
        if parent.hidden_at is not None:
            raise InvalidState("That comment was hidden by a moderator.", ["parentId"])
        depth = parent.depth + 1
    comment = Comment(
        proposal_id=proposal_id,
        action_id=action_id,
        parent_id=parent_id,
        depth=depth,
        author_id=actor.person_id,
        body=body,
    )
    await repository.add(session, comment)
    await audit.record(
        session, actor.person_id, "comment.added", ("Comment", comment.id), area_id=area_id
    )
    await notify.comment_added(session, actor.person_id, comment)
    return comment


async def area_of(session: AsyncSession, comment: Comment) -> int:
    if comment.proposal_id is not None:
        proposal = await proposals_repo.by_id(session, comment.proposal_id)
        assert proposal is not None
        return proposal.area_id
    assert comment.action_id is not None
    action = await actions_repo.by_id(session, comment.action_id)
    assert action is not None
    return action.area_id
