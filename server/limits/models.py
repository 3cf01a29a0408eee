from __future__ import annotations

from datetime import datetime

from sqlalchemy import Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from server.db import Base


class RateLimitCount(Base):
    """How often something happened for one key in one fixed window.

    Keys are SHA-256 hashes (of an email, an IP address, a person id), so the table
    holds no personal data in the clear.
    """

    __tablename__ = "rate_limit_counts"

    bucket: Mapped[str] = mapped_column(String(40), primary_key=True)
    key_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    window_start: Mapped[datetime] = mapped_column(primary_key=True)
    count: Mapped[int] = mapped_column(Integer, default=0)
