"""Where email goes: an SMTP server (``LEVELGROUND_SMTP_URL``), or a folder of .eml
files when none is configured (development)."""

from __future__ import annotations

import asyncio
import itertools
import os
from email.message import EmailMessage
from pathlib import Path
from typing import Protocol
from urllib.parse import unquote, urlsplit

import aiosmtplib

from server import clock
from server.jobs.worker import Permanent


class Mailer(Protocol):
    async def send(self, message: EmailMessage) -> None: ...


class SmtpMailer:
    """``smtp://host:port`` (STARTTLS when the server offers it) or
    ``smtps://user:password@host:port`` (TLS from the start); user and password are
    optional with either."""

    def __init__(self, url: str, *, timeout: float = 30.0) -> None:
        parts = urlsplit(url)
        if parts.scheme not in ("smtp", "smtps") or not parts.hostname:
            raise ValueError("LEVELGROUND_SMTP_URL must look like smtp://host:port")
        self.hostname = parts.hostname
        self.port = parts.port
        self.use_tls = parts.scheme == "smtps"
        self.username = unquote(parts.username) if parts.username else None
        self.password = unquote(parts.password) if parts.password else None
        self.timeout = timeout

    async def send(self, message: EmailMessage) -> None:
        try:
            await aiosmtplib.send(
                message,
                hostname=self.hostname,
                port=self.port,
                username=self.username,
                password=self.password,
                use_tls=self.use_tls,
                start_tls=False if self.use_tls else None,
                timeout=self.timeout,
            )
        except aiosmtplib.SMTPRecipientsRefused as error:
            codes = sorted({refusal.code for refusal in error.recipients})
            # Said without the address: job errors are kept and shown to operators.
            if all(code >= 500 for code in codes):
                raise Permanent(f"the mail server refused the address ({codes})") from None
            raise RuntimeError(f"the mail server refused the address for now ({codes})") from None
        except aiosmtplib.SMTPResponseException as error:
            # 5xx: the server will never take this message; 4xx: try again later.
            if error.code >= 500:
                raise Permanent(f"the mail server refused the message: {error}") from error
            raise


class FolderMailer:
    """Writes each message to ``folder`` as a .eml file, newest last by name."""

    _sequence = itertools.count()

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    async def send(self, message: EmailMessage) -> None:
        await asyncio.to_thread(self._write, message)

    def _write(self, message: EmailMessage) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        stamp = clock.now().strftime("%Y%m%dT%H%M%S%f")
        name = f"{stamp}-{os.getpid()}-{next(self._sequence)}.eml"
        partial = self.folder / f".{name}.part"
        partial.write_bytes(bytes(message))
        partial.replace(self.folder / name)


def mailer_for(smtp_url: str | None, folder: Path) -> Mailer:
    return SmtpMailer(smtp_url) if smtp_url else FolderMailer(folder)
