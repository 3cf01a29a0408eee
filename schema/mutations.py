from __future__ import annotations

import strawberry

from schema.actions.mutations.action_update import update_action
from schema.actions.mutations.milestone_add import add_milestone
from schema.actions.mutations.milestone_complete import complete_milestone
from schema.actions.mutations.milestone_reopen import reopen_milestone
from schema.actions.mutations.priority_adopt import adopt_priority
from schema.actions.mutations.update_post import post_update
from schema.actions.mutations.update_resolve import resolve_update
from schema.answers.mutations.answer_add import add_answer
from schema.answers.mutations.answer_tag import tag_answer
from schema.answers.mutations.theme_create import create_theme, rename_theme
from schema.areas.mutations.area_create import create_area
from schema.areas.mutations.area_settings import update_area_settings
from schema.comments.mutations.comment_add import add_comment
from schema.comments.mutations.comment_hide import hide_comment
from schema.conversations.mutations.conversation_start import start_conversation
from schema.conversations.mutations.conversation_status import (
    close_conversation,
    open_conversation,
)
from schema.conversations.mutations.conversation_update import update_conversation
from schema.conversations.mutations.story_add import add_story
from schema.conversations.mutations.story_withdraw import withdraw_story
from schema.moderation.mutations.content_hide import dismiss_report, hide_content
from schema.moderation.mutations.content_report import report_content
from schema.moderation.mutations.proposal_decide import decline_proposal, merge_proposal
from schema.notifications.mutations.notifications_read import mark_notifications_read
from schema.notifications.mutations.preference_set import set_notification_preference
from schema.people.mutations.role_grant import grant_role, revoke_role
from schema.privacy.types import erase_person
from schema.proposals.mutations.proposal_edit import edit_proposal, set_proposal_status
from schema.proposals.mutations.proposal_propose import propose_item
from schema.teams.mutations.team_create import create_core_team
from schema.teams.mutations.team_member import add_team_member, remove_team_member
from schema.voting.mutations.ballot_cast import cast_ballot
from schema.voting.mutations.round_create import create_voting_round
from schema.voting.mutations.round_state import (
    close_voting_round,
    open_voting_round,
    withdraw_ballot,
)


@strawberry.type
class Mutation:
    create_area = strawberry.mutation(resolver=create_area)
    start_conversation = strawberry.mutation(resolver=start_conversation)
    open_conversation = strawberry.mutation(resolver=open_conversation)
    close_conversation = strawberry.mutation(resolver=close_conversation)
    add_story = strawberry.mutation(resolver=add_story)
    withdraw_story = strawberry.mutation(resolver=withdraw_story)
    propose_item = strawberry.mutation(resolver=propose_item)
    edit_proposal = strawberry.mutation(resolver=edit_proposal)
    set_proposal_status = strawberry.mutation(resolver=set_proposal_status)
    add_comment = strawberry.mutation(resolver=add_comment)
    hide_comment = strawberry.mutation(resolver=hide_comment)
    create_voting_round = strawberry.mutation(resolver=create_voting_round)
    open_voting_round = strawberry.mutation(resolver=open_voting_round)
    close_voting_round = strawberry.mutation(resolver=close_voting_round)
    cast_ballot = strawberry.mutation(resolver=cast_ballot)
    withdraw_ballot = strawberry.mutation(resolver=withdraw_ballot)
    adopt_priority = strawberry.mutation(resolver=adopt_priority)
    create_core_team = strawberry.mutation(resolver=create_core_team)
    add_team_member = strawberry.mutation(resolver=add_team_member)
    remove_team_member = strawberry.mutation(resolver=remove_team_member)
    post_update = strawberry.mutation(resolver=post_update)
    resolve_update = strawberry.mutation(resolver=resolve_update)
    update_action = strawberry.mutation(resolver=update_action)
    add_milestone = strawberry.mutation(resolver=add_milestone)
    complete_milestone = strawberry.mutation(resolver=complete_milestone)
    reopen_milestone = strawberry.mutation(resolver=reopen_milestone)
    grant_role = strawberry.mutation(resolver=grant_role)
    revoke_role = strawberry.mutation(resolver=revoke_role)
    mark_notifications_read = strawberry.mutation(resolver=mark_notifications_read)
    set_notification_preference = strawberry.mutation(resolver=set_notification_preference)
    add_answer = strawberry.mutation(resolver=add_answer)
    tag_answer = strawberry.mutation(resolver=tag_answer)
    create_theme = strawberry.mutation(resolver=create_theme)
    rename_theme = strawberry.mutation(resolver=rename_theme)
    update_conversation = strawberry.mutation(resolver=update_conversation)
    report_content = strawberry.mutation(resolver=report_content)
    hide_content = strawberry.mutation(resolver=hide_content)
    dismiss_report = strawberry.mutation(resolver=dismiss_report)
    decline_proposal = strawberry.mutation(resolver=decline_proposal)
    merge_proposal = strawberry.mutation(resolver=merge_proposal)
    erase_person = strawberry.mutation(resolver=erase_person)
    update_area_settings = strawberry.mutation(resolver=update_area_settings)
