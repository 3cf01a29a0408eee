"""Resident pages: an area's home, conversations and their ideas, proposing, commenting,
voting, results and the action plan. Server-rendered forms that work without JavaScript;
htmx (when it runs) swaps the comment list and the ballot in place."""

from __future__ import annotations

from starlette.routing import BaseRoute, Route

from web.resident import discussion, places, talk, voting
from web.resident.places import home

__all__ = ["home", "routes"]


def routes() -> list[BaseRoute]:
    return [
        Route("/areas/{slug}", places.area_home, methods=["GET"]),
        Route("/areas/{slug}/plan", places.plan, methods=["GET"]),
        Route("/actions/{id}", places.action_page, methods=["GET"]),
        Route("/conversations/{id}", discussion.conversation_page, methods=["GET"]),
        Route("/conversations/{id}/propose", discussion.propose_page, methods=["GET"]),
        Route("/conversations/{id}/propose", discussion.propose, methods=["POST"]),
        Route("/proposals/{id}", discussion.proposal_page, methods=["GET"]),
        Route("/proposals/{id}", discussion.comment, methods=["POST"]),
        Route("/rounds/{id}", voting.vote_page, methods=["GET"]),
        Route("/rounds/{id}", voting.vote, methods=["POST"]),
        Route("/rounds/{id}/voted", voting.voted_page, methods=["GET"]),
        Route("/rounds/{id}/results", voting.results_page, methods=["GET"]),
        Route("/conversations/{id}/answers", talk.add_answer, methods=["POST"]),
        Route("/report/{kind}/{id}", talk.report_page, methods=["GET"]),
        Route("/report/{kind}/{id}", talk.report, methods=["POST"]),
        Route("/me/erase", talk.erase_page, methods=["GET"]),
        Route("/me/erase", talk.erase, methods=["POST"]),
        Route("/me/erased", talk.erased_page, methods=["GET"]),
        Route("/areas/{slug}/stages", talk.stages_page, methods=["GET"]),
    ]
