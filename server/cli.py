"""The ``levelground`` command: serve, migrate, seed-demo, area add, token issue/revoke,
person grant/revoke, worker, jobs failed/retry, mail, queries register/list/revoke."""

from __future__ import annotations

import asyncio
import contextlib
import sys
from collections.abc import Awaitable, Callable
from datetime import timedelta
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer
from sqlalchemy.ext.asyncio import AsyncSession

from server.config import Settings
from server.db import (
    StartupError,
    create_engine,
    create_sessionmaker,
    database_url,
    migrate,
    unit_of_work,
)
from server.errors import DomainError

T = TypeVar("T")

app = typer.Typer(
    help="Levelground: participatory action plans.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
token_app = typer.Typer(help="API tokens for GraphQL clients.", no_args_is_help=True)
area_app = typer.Typer(help="Areas (the city and its neighbourhoods).", no_args_is_help=True)
app.add_typer(token_app, name="token")
app.add_typer(area_app, name="area")
person_app = typer.Typer(help="People's roles in areas.", no_args_is_help=True)
app.add_typer(person_app, name="person")
jobs_app = typer.Typer(help="Background jobs (email delivery, digests).", no_args_is_help=True)
app.add_typer(jobs_app, name="jobs")


class KindOption(StrEnum):
    resident = "resident"
    professional = "professional"


class RoleOption(StrEnum):
    participant = "participant"
    facilitator = "facilitator"
    board = "board"
    admin = "admin"


class ScopeOption(StrEnum):
    read = "read"
    write = "write"
    introspect = "introspect"
    persisted_only = "persisted-only"


def fail(message: str, code: int = 2) -> None:
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(code)


def migrated(url: str) -> None:
    """Migrate, or stop with the one line saying why the database cannot be used."""
    try:
        migrate(url)
    except StartupError as error:
        fail(str(error), code=1)


def run_in_database(
    work: Callable[[AsyncSession], Awaitable[T]], *, migrate_first: bool = True
) -> T:
    """Run ``work`` in one transaction against DATABASE_URL or the embedded database."""
    settings = Settings()
    with database_url(settings) as url:
        if migrate_first:
            migrated(url)

        async def go() -> T:
            engine = create_engine(url, pool_size=1)
            try:
                async with unit_of_work(create_sessionmaker(engine)) as session:
                    return await work(session)
            finally:
                await engine.dispose()

        try:
            return asyncio.run(go())
        except DomainError as error:
            fail(error.message)
            raise AssertionError("unreachable") from error


@app.command("migrate")
def migrate_command() -> None:
    """Apply pending database migrations."""
    settings = Settings()
    with database_url(settings) as url:
        migrated(url)
    typer.echo("Database is up to date.", err=True)


@app.command("seed-demo")
def seed_demo() -> None:
    """Load the demo (Coventry, Willenhall, a conversation, votes, actions) if absent."""
    from server import demo

    settings = Settings()
    created = run_in_database(
        lambda session: demo.seed(session, sign_in=not settings.is_production)
    )
    typer.echo("Demo data loaded." if created else "Demo data already present.", err=True)


class MethodOption(StrEnum):
    dots = "dots"
    approval = "approval"
    ranked = "ranked"


class TallyOption(StrEnum):
    borda = "borda"
    schulze = "schulze"


@app.command("seed-scale")
def seed_scale(
    area: Annotated[str, typer.Option(help="Slug of the area the round is in.")],
    voters: Annotated[int, typer.Option(help="New people, each with one ballot.", min=1)],
    proposals: Annotated[int, typer.Option(help="Proposals on the ballot.", min=2, max=100)] = 10,
    method: Annotated[MethodOption, typer.Option(help="dots, approval or ranked.")] = (
        MethodOption.dots
    ),
    tally: Annotated[TallyOption, typer.Option(help="How a ranked round counts.")] = (
        TallyOption.borda
    ),
    seed: Annotated[int, typer.Option(help="Random seed (the same seed, the same votes).")] = 1,
) -> None:
    """An open LIVE round in AREA with VOTERS new people and one valid ballot each, loaded
    with COPY; prints the round's global id alone on the last line."""
    import asyncpg
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

    from server.events import asyncpg_dsn
    from server.ids import to_global_id
    from server.voting.models import RankedTally, VotingMethod
    from server.voting.scale import UnknownArea
    from server.voting.scale import seed as load

    settings = Settings()
    with database_url(settings) as url:
        migrated(url)

        async def go() -> int:
            connection = await asyncpg.connect(asyncpg_dsn(url))
            try:
                with Progress(
                    "voters",
                    BarColumn(),
                    MofNCompleteColumn(),
                    TimeElapsedColumn(),
                    console=_stderr_console(),
                ) as bar:
                    task = bar.add_task("voters", total=voters)
                    seeded = await load(
                        connection,
                        area_slug=area,
                        voters=voters,
                        proposals=proposals,
                        method=VotingMethod(method.value),
                        ranked_tally=RankedTally(tally.value),
                        seed_value=seed,
                        progress=lambda n: bar.advance(task, n),
                    )
            finally:
                await connection.close()
            typer.echo(f"Seeded {seeded.voters:,} ballots ({seeded.entries:,} entries).", err=True)
            return seeded.round_id

        try:
            round_id = asyncio.run(go())
        except UnknownArea:
            fail(f"No area with slug {area!r}.")
            return
    typer.echo(to_global_id("VotingRound", round_id))


def _stderr_console() -> Any:
    from rich.console import Console

    return Console(stderr=True)


@app.command()
def serve(
    host: Annotated[str | None, typer.Option(help="Interface to listen on.")] = None,
    port: Annotated[int | None, typer.Option(help="Port to listen on.")] = None,
    workers: Annotated[
        int | None,
        typer.Option(
            min=1,
            max=256,
            help="Processes serving requests (default LEVELGROUND_WEB_WORKERS, else one per "
            "CPU core in production and one otherwise). Each has its own connection pool.",
        ),
    ] = None,
) -> None:
    """Start the database if needed, migrate, seed the demo once, and serve."""
    from server import demo, logs, serving
    from web.routes import assets_built

    settings = Settings()
    if not assets_built():
        typer.echo(
            "warning: the pages' styles and scripts (NHS.UK design system, htmx) are not "
            "built, so pages will look unstyled. Run `make assets` (needs Node.js and npm) "
            "in the source tree, or install a built wheel.",
            err=True,
        )
    host = host or settings.host
    port = port or settings.port
    workers = workers or settings.web_workers or serving.default_workers(settings)
    with database_url(settings) as url:
        migrated(url)

        async def prepare(session: AsyncSession) -> tuple[str, str | None] | None:
            budget = serving.connection_budget(settings, workers)
            allowed = await serving.max_connections(session)
            if budget > allowed:
                typer.echo(
                    f"warning: {workers} workers may open {budget} database connections "
                    f"({serving.connections_per_worker(settings)} each: twice "
                    f"LEVELGROUND_DB_POOL_SIZE, plus one to listen) but PostgreSQL allows "
                    f"{allowed} (max_connections, less those reserved for superusers); "
                    "lower LEVELGROUND_DB_POOL_SIZE or --workers.",
                    err=True,
                )
            if settings.seed_demo and await demo.seed(session, sign_in=not settings.is_production):
                typer.echo("Loaded the demo data.", err=True)
            if settings.demo_token and not settings.is_production and await demo.has_demo(session):
                return await demo_token(session), await demo.open_join_code(session)
            return None

        async def go() -> tuple[str, str | None] | None:
            engine = create_engine(url, pool_size=1)
            try:
                async with unit_of_work(create_sessionmaker(engine)) as session:
                    return await prepare(session)
            finally:
                await engine.dispose()

        prepared = asyncio.run(go())
        public = settings.public_url or f"http://{host}:{port}"
        typer.echo(
            f"\nLevelground is running at {public}/ ({workers} worker{'s' if workers > 1 else ''})",
            err=True,
        )
        typer.echo(f"GraphiQL: {public}/graphql", err=True)
        if settings.run_worker:
            outbox = "SMTP" if settings.smtp_url else f"{settings.outbox_dir} (`levelground mail`)"
            typer.echo(f"Background jobs run here too; email goes to {outbox}", err=True)
        if prepared:
            token, join_code = prepared
            typer.echo(
                "Demo token (admin of Coventry, valid 1 day); in GraphiQL's headers put\n"
                f'  {{"Authorization": "Bearer {token}"}}\n',
                err=True,
            )
            typer.echo(demo_sign_in_help(public, join_code), err=True)
        logs.configure(settings.log_level)
        serving.run(settings, url, host=host, port=port, workers=workers)


def demo_sign_in_help(public: str, join_code: str | None) -> str:
    """What serve prints so someone can try the web pages at once."""
    from server.demo import DEMO_FACILITATOR_EMAIL, DEMO_FACILITATOR_PASSWORD

    lines = [
        f"Demo facilitator (Willenhall): sign in at {public}/auth/sign-in with",
        f"  email {DEMO_FACILITATOR_EMAIL}  password {DEMO_FACILITATOR_PASSWORD}",
        f"  then go to {public}/facilitate/areas/willenhall",
    ]
    if join_code:
        lines.append(f"Demo join code: {join_code} (join as a resident at {public}/auth/join)")
    return "\n".join(lines) + "\n"


async def demo_token(session: AsyncSession) -> str:
    from server import clock
    from server.access import Scope
    from server.auth import repository as tokens_repo
    from server.auth import tokens
    from server.demo import DEMO_EMAIL, DEMO_TOKEN_NAME
    from server.people import repository as people_repo

    person = await people_repo.by_email(session, DEMO_EMAIL)
    assert person is not None
    await tokens_repo.revoke_named(session, person.id, DEMO_TOKEN_NAME, clock.now())
    issued = await tokens.issue(
        session,
        person_id=person.id,
        name=DEMO_TOKEN_NAME,
        scopes={Scope.READ, Scope.WRITE},
        expires_in=timedelta(days=1),
    )
    return issued.plaintext


@area_app.command("add")
def area_add(
    slug: Annotated[str, typer.Argument(help="Short name used in URLs, e.g. willenhall.")],
    name: Annotated[str, typer.Argument(help="Display name, e.g. Willenhall.")],
    parent: Annotated[str | None, typer.Option(help="Slug of the area it sits in.")] = None,
    template: Annotated[
        str | None,
        typer.Option(
            help="Slug of an area to copy themes, prompts and round settings from "
            "(never its people or content)."
        ),
    ] = None,
) -> None:
    """Add an area (the first one needs no parent)."""
    from server import validation
    from server.areas import service as areas

    async def work(session: AsyncSession) -> str:
        parent_area = await areas.get_by_slug(session, parent, ["parent"]) if parent else None
        template_area = (
            await areas.get_by_slug(session, template, ["template"]) if template else None
        )
        areas.check_slug(slug, ["slug"])
        clean = validation.text(name, ["name"], max_length=120, label="Name")
        area = await areas.add_area(
            session,
            name=clean,
            slug=slug,
            parent=parent_area,
            actor_id=None,
            template=template_area,
        )
        return area.slug

    created = run_in_database(work)
    typer.echo(f"Added area {created}.", err=True)


class ExportWhat(StrEnum):
    priorities = "priorities"
    actions = "actions"


class ExportFormatOption(StrEnum):
    csv = "csv"
    json = "json"


@app.command("export")
def export_command(
    area: Annotated[str, typer.Argument(help="Slug of the area, e.g. coventry.")],
    what: Annotated[ExportWhat, typer.Option(help="priorities or actions.")] = ExportWhat.actions,
    fmt: Annotated[
        ExportFormatOption, typer.Option("--format", help="csv or json.")
    ] = ExportFormatOption.csv,
    output: Annotated[
        Path | None, typer.Option(help="File to write (default: standard output).")
    ] = None,
    theme: Annotated[str | None, typer.Option(help="Only proposals with this theme.")] = None,
    include_children: Annotated[
        bool, typer.Option(help="Include the areas beneath (the default).")
    ] = True,
) -> None:
    """Export an area's priorities or action plan, with a progress bar on stderr."""
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    from server.actions import export
    from server.actions.filters import PlanFilter
    from server.areas import service as areas

    kind = export.ExportKind(what.value)
    encoding = export.ExportFormat(fmt.value)
    partial = output.with_name(output.name + ".part") if output else None

    async def work(session: AsyncSession) -> int:
        found = await areas.get_by_slug(session, area, ["area"])
        prepared = await export.open_export(
            session,
            export.OPERATOR,
            found,
            kind,
            include_children=include_children,
            filters=PlanFilter(theme=theme),
        )
        columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn())
        with (
            Progress(*columns, console=Console(stderr=True)) as progress,
            partial.open("w", encoding="utf-8", newline="")
            if partial
            else contextlib.nullcontext(sys.stdout) as out,
        ):
            task = progress.add_task(f"{kind.value} of {found.slug}", total=prepared.total)
            async for chunk in export.encode(
                prepared, encoding, on_rows=lambda n: progress.advance(task, n)
            ):
                out.write(chunk)
        return prepared.total

    try:
        total = run_in_database(work)
    except BaseException:
        if partial:
            partial.unlink(missing_ok=True)
        raise
    if partial and output:
        partial.replace(output)
    typer.echo(f"Exported {total} {what.value} of {area}.", err=True)


@token_app.command("issue")
def token_issue(
    email: Annotated[str, typer.Option(help="The person's email (created if new).")],
    name: Annotated[str | None, typer.Option(help="Display name for a new person.")] = None,
    kind: Annotated[KindOption | None, typer.Option(help="resident or professional.")] = None,
    role: Annotated[
        list[RoleOption] | None, typer.Option(help="Role to grant (repeatable).")
    ] = None,
    area: Annotated[list[str] | None, typer.Option(help="Area slug for each --role.")] = None,
    scope: Annotated[
        list[ScopeOption] | None,
        typer.Option(
            help="read; write (includes read); introspect (may read the schema in "
            "production); persisted-only (may only run registered documents). Repeatable."
        ),
    ] = None,
    expires_in_days: Annotated[int, typer.Option(help="Days until the token expires.")] = 90,
) -> None:
    """Issue an API token; it is printed once, alone on its line, and stored as a hash."""
    from server.access import Scope
    from server.areas import service as areas
    from server.auth import tokens
    from server.people import service as people
    from server.people.models import PersonKind, Role

    roles = role or []
    slugs = area or []
    if len(roles) != len(slugs):
        fail("give one --area for each --role (and no --area without a --role).")
    if not 1 <= expires_in_days <= 3650:
        fail("--expires-in-days must be between 1 and 3650.")

    async def work(session: AsyncSession) -> str:
        person, _ = await people.ensure_person(
            session,
            email=email,
            display_name=name,
            kind=PersonKind(kind.value) if kind else None,
        )
        for role_option, slug in zip(roles, slugs, strict=True):
            target = await areas.get_by_slug(session, slug, ["area"])
            await people.grant(session, person, target, Role(role_option.value), None)
        issued = await tokens.issue(
            session,
            person_id=person.id,
            name=f"cli token for {email}",
            scopes={Scope(s.value) for s in scope or [ScopeOption.read]},
            expires_in=timedelta(days=expires_in_days),
        )
        return issued.plaintext

    plaintext = run_in_database(work)
    sys.stdout.write(plaintext + "\n")
    sys.stdout.flush()


@token_app.command("revoke")
def token_revoke(
    token_prefix: Annotated[str, typer.Argument(help="The token's prefix (or the whole token).")],
) -> None:
    """Revoke a token at once."""
    from server.auth import tokens

    async def work(session: AsyncSession) -> str:
        return (await tokens.revoke(session, token_prefix)).prefix

    prefix = run_in_database(work)
    typer.echo(f"Revoked token lg_{prefix}.", err=True)


def _role_change(email: str, role: RoleOption, area: str, *, grant: bool) -> str:
    from server.areas import service as areas
    from server.errors import NotFound
    from server.people import repository as people_repo
    from server.people import service as people
    from server.people.models import Role

    async def work(session: AsyncSession) -> str:
        person = await people_repo.by_email(session, people.check_email(email))
        if person is None:
            raise NotFound(f"Person with email {email}")
        target = await areas.get_by_slug(session, area, ["area"])
        if grant:
            if await people.grant(session, person, target, Role(role.value), None):
                return f"Granted {role.value} in {area} to {email}."
            return f"{email} already holds {role.value} in {area}."
        await people.revoke(session, person, target, Role(role.value), None)
        return f"Revoked {role.value} in {area} from {email}."

    return run_in_database(work)


@person_app.command("grant")
def person_grant(
    email: Annotated[str, typer.Argument(help="The person's email.")],
    role: Annotated[RoleOption, typer.Option(help="participant, facilitator, board or admin.")],
    area: Annotated[str, typer.Option(help="Area slug; the role holds beneath it too.")],
) -> None:
    """Grant a role in an area (and every area beneath it)."""
    typer.echo(_role_change(email, role, area, grant=True), err=True)


@person_app.command("revoke")
def person_revoke(
    email: Annotated[str, typer.Argument(help="The person's email.")],
    role: Annotated[RoleOption, typer.Option(help="participant, facilitator, board or admin.")],
    area: Annotated[str, typer.Option(help="Area slug the role was granted in.")],
) -> None:
    """Revoke a role granted in an area."""
    typer.echo(_role_change(email, role, area, grant=False), err=True)


@app.command()
def worker(
    drain: Annotated[
        bool, typer.Option(help="Run the jobs that are ready (and due digests), then stop.")
    ] = False,
) -> None:
    """Run background jobs: email delivery and digests. Any number may run at once."""
    import signal

    from server.background import build_worker
    from server.events import EventHub

    settings = Settings()
    if not settings.secret_key:
        typer.echo(
            "warning: SECRET_KEY is not set; set the server's, or the unsubscribe links in "
            "emails sent from here will not work.",
            err=True,
        )
    with database_url(settings) as url:
        migrate(url)

        async def go() -> None:
            engine = create_engine(url, pool_size=settings.worker_concurrency * 2)
            hub = EventHub(url)
            jobs = build_worker(settings, create_sessionmaker(engine), hub=hub)
            try:
                if drain:
                    await jobs.tick()
                    typer.echo(f"Ran {await jobs.run_until_idle()} jobs.", err=True)
                    return
                await hub.start()
                loop = asyncio.get_running_loop()
                for stop_signal in (signal.SIGINT, signal.SIGTERM):
                    loop.add_signal_handler(stop_signal, jobs.stop)
                typer.echo("Worker running; Ctrl-C stops it.", err=True)
                await jobs.run()
            finally:
                await hub.stop()
                await engine.dispose()

        asyncio.run(go())


@jobs_app.command("failed")
def jobs_failed(
    limit: Annotated[int, typer.Option(help="How many, newest first.")] = 50,
) -> None:
    """Jobs that failed for good, with their last error."""
    from server.jobs import repository as jobs

    async def work(session: AsyncSession) -> list[str]:
        return [
            f"{job.id}\t{job.task}\t{job.attempts} attempts\t"
            f"{job.finished_at:%Y-%m-%d %H:%M}\t{job.last_error}"
            for job in await jobs.failed(session, limit)
        ]

    lines = run_in_database(work)
    typer.echo("\n".join(lines) if lines else "No failed jobs.")


@jobs_app.command("retry")
def jobs_retry(job_id: Annotated[int, typer.Argument(help="The failed job's id.")]) -> None:
    """Run a failed job again, with a fresh set of attempts."""
    from server.jobs import repository as jobs

    if not run_in_database(lambda session: jobs.requeue(session, job_id)):
        fail(f"no failed job {job_id}.")
    typer.echo(f"Job {job_id} will run again.", err=True)


@app.command("mail")
def mail_command(
    last: Annotated[int, typer.Option(help="How many messages, newest last.")] = 5,
) -> None:
    """Show the newest emails written to the mail folder (when no SMTP server is set)."""
    from email import message_from_bytes, policy
    from email.message import EmailMessage

    folder = Settings().outbox_dir
    files = sorted(folder.glob("*.eml"))[-last:] if folder.exists() else []
    if not files:
        typer.echo(f"No messages in {folder}.", err=True)
        return
    for path in files:
        message = message_from_bytes(path.read_bytes(), policy=policy.default)
        assert isinstance(message, EmailMessage)
        body = message.get_body(preferencelist=("plain",))
        typer.echo(f"== {path.name}")
        for header in ("From", "To", "Subject", "Date", "List-Unsubscribe"):
            typer.echo(f"{header}: {message[header]}")
        typer.echo("")
        typer.echo(body.get_content() if isinstance(body, EmailMessage) else "")


queries_app = typer.Typer(
    help="Persisted GraphQL documents that clients send by hash.", no_args_is_help=True
)
app.add_typer(queries_app, name="queries")


@queries_app.command("register")
def queries_register(
    file: Annotated[Path, typer.Argument(help="A .graphql file with the document.")],
    name: Annotated[str | None, typer.Option(help="A name (default: its operations').")] = None,
) -> None:
    """Register a document (checked against the schema); prints its documentId."""
    from schema.persisted import check_document
    from server.persisted import service as persisted

    try:
        text = file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        fail(f"cannot read {file}: {error}")
    problems, operations = check_document(text)
    if problems:
        fail(f"{file} is not a document this schema can run: {'; '.join(problems)}")

    async def work(session: AsyncSession) -> tuple[str, bool]:
        document, created = await persisted.register(
            session, text, name or ", ".join(operations) or file.stem
        )
        return persisted.PREFIX + document.sha256, created

    document_id, created = run_in_database(work)
    sys.stdout.write(document_id + "\n")
    typer.echo("Registered." if created else "Already registered.", err=True)


@queries_app.command("list")
def queries_list() -> None:
    """Every registered document: id, name, when registered, revoked or live."""
    from server.persisted import service as persisted

    for document in run_in_database(persisted.documents):
        state = f"revoked {document.revoked_at:%Y-%m-%d}" if document.revoked_at else "live"
        sys.stdout.write(
            f"{persisted.PREFIX}{document.sha256}  {document.created_at:%Y-%m-%d}  "
            f"{state}  {document.name}\n"
        )


@queries_app.command("revoke")
def queries_revoke(
    document_id: Annotated[str, typer.Argument(help="The documentId, or its first 8+ digits.")],
) -> None:
    """Revoke a document at once: clients sending its id are refused from now on."""
    from server.persisted import service as persisted

    async def work(session: AsyncSession) -> str:
        return await persisted.revoke(session, document_id)

    typer.echo(f"Revoked {run_in_database(work)}.", err=True)


def main() -> None:
    app()


if __name__ == "__main__":
    main()
