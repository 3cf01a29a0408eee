"""Facilitator pages under /facilitate: conversations and their join codes, stories,
voting rounds, paper ballots, adopting priorities and posting updates.

Plain forms that work without JavaScript (POST, then redirect to a page that says what
happened). Every write goes through the same service, and the same permission check,
as the GraphQL API.
"""

from __future__ import annotations

from starlette.routing import BaseRoute, Route

from web.facilitator import actions, conversations, dashboard, joiners, paper, rounds, talk


def routes() -> list[BaseRoute]:
    get, post = ["GET"], ["POST"]
    return [
        Route("/facilitate", dashboard.index, methods=get, name="facilitate"),
        Route("/facilitate/areas/{slug}", dashboard.dashboard, methods=get),
        Route(
            "/facilitate/areas/{slug}/conversations/new",
            conversations.new_conversation,
            methods=get,
        ),
        Route(
            "/facilitate/areas/{slug}/conversations",
            conversations.start_conversation,
            methods=post,
        ),
        Route("/facilitate/conversations/{id:id}", conversations.conversation_page, methods=get),
        Route("/facilitate/conversations/{id:id}/code", conversations.join_code, methods=get),
        Route("/facilitate/conversations/{id:id}/print", conversations.print_sheet, methods=get),
        Route(
            "/facilitate/conversations/{id:id}/open", conversations.open_conversation, methods=post
        ),
        Route("/facilitate/conversations/{id:id}/close", conversations.confirm_close, methods=get),
        Route(
            "/facilitate/conversations/{id:id}/close",
            conversations.close_conversation,
            methods=post,
        ),
        Route(
            "/facilitate/conversations/{id:id}/stories/new", conversations.new_story, methods=get
        ),
        Route("/facilitate/conversations/{id:id}/stories", conversations.add_story, methods=post),
        Route("/facilitate/conversations/{id:id}/joiners", joiners.joiners_page, methods=get),
        Route(
            "/facilitate/conversations/{id:id}/joiners/limit",
            joiners.set_join_limit,
            methods=post,
        ),
        Route(
            "/facilitate/conversations/{id:id}/joiners/remove",
            joiners.remove_joiner,
            methods=post,
        ),
        Route(
            "/facilitate/conversations/{id:id}/joiners/merge",
            joiners.merge_joiners,
            methods=post,
        ),
        Route("/facilitate/conversations/{id:id}/joiners/note", joiners.set_note, methods=post),
        Route("/facilitate/stories/{id:id}/withdraw", conversations.confirm_withdraw, methods=get),
        Route("/facilitate/stories/{id:id}/withdraw", conversations.withdraw_story, methods=post),
        Route("/facilitate/areas/{slug}/rounds/new", rounds.new_round, methods=get),
        Route("/facilitate/areas/{slug}/rounds", rounds.create_round, methods=post),
        Route("/facilitate/rounds/{id:id}", rounds.round_page, methods=get),
        Route("/facilitate/rounds/{id:id}/open", rounds.open_round, methods=post),
        Route("/facilitate/rounds/{id:id}/close", rounds.confirm_close, methods=get),
        Route("/facilitate/rounds/{id:id}/close", rounds.close_round, methods=post),
        Route("/facilitate/rounds/{id:id}/paper", paper.paper_form, methods=get),
        Route("/facilitate/rounds/{id:id}/paper", paper.record_paper_ballot, methods=post),
        Route("/facilitate/rounds/{id:id}/adopt/{proposal_id:id}", actions.adopt_form, methods=get),
        Route("/facilitate/rounds/{id:id}/adopt/{proposal_id:id}", actions.adopt, methods=post),
        Route("/facilitate/actions/{id:id}", actions.action_page, methods=get),
        Route("/facilitate/actions/{id:id}/update", actions.update_form, methods=get),
        Route("/facilitate/actions/{id:id}/update", actions.post_update, methods=post),
        Route("/facilitate/conversations/{id:id}/answers", talk.answers_page, methods=get),
        Route("/facilitate/conversations/{id:id}/answers", talk.add_paper_card, methods=post),
        Route("/facilitate/answers/{id:id}/themes", talk.tag_answer, methods=post),
        Route("/facilitate/conversations/{id:id}/record", talk.record_page, methods=get),
        Route("/facilitate/conversations/{id:id}/record", talk.save_record, methods=post),
        Route("/facilitate/areas/{slug}/themes", talk.themes_page, methods=get),
        Route("/facilitate/areas/{slug}/themes", talk.add_theme, methods=post),
        Route("/facilitate/themes/{id:id}", talk.rename_theme, methods=post),
        Route("/facilitate/areas/{slug}/settings", talk.save_settings, methods=post),
        Route("/facilitate/areas/{slug}/reports", talk.reports_page, methods=get),
        Route("/facilitate/reports/{id:id}/dismiss", talk.dismiss_report, methods=post),
        Route("/facilitate/hide/{kind}/{id:id}", talk.hide_page, methods=get),
        Route("/facilitate/hide/{kind}/{id:id}", talk.hide, methods=post),
        Route("/facilitate/proposals/{id:id}", talk.proposal_page, methods=get),
        Route("/facilitate/proposals/{id:id}/decline", talk.decline, methods=post),
        Route("/facilitate/proposals/{id:id}/merge", talk.merge, methods=post),
    ]
