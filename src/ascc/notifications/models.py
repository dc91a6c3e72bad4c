"""Notification tables: the inbox, per-user preferences and the e-mail outbox."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Boolean, DateTime, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ascc.db.base import Base

#: e-mail delivery preferences: ``immediate`` queues an e-mail per notification, ``digest`` one
#: e-mail a day listing them, ``off`` none (the inbox shows every notification either way)
EMAIL_CHOICES = ("immediate", "digest", "off")
LANGUAGES = ("en", "id")


class Notification(Base):
    """One notification for one user, written in the user's language when it was made."""

    __tablename__ = "notifications"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(40))
    subject: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)
    link: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    read_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    #: waits for the user's next daily digest
    digest_pending: Mapped[bool] = mapped_column(Boolean, default=False)


class NotificationPreference(Base):
    """A user's choices; a user without a row gets e-mail at once, in English."""

    __tablename__ = "notification_preferences"
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    email: Mapped[str] = mapped_column(String(20), default="immediate")
    language: Mapped[str] = mapped_column(String(5), default="en")
    #: when the last daily digest was queued
    last_digest_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))


class OutboxMessage(Base):
    """An e-mail waiting to be sent (``queued``), sent, or given up after the last attempt (``dead``)."""

    __tablename__ = "mail_outbox"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    notification_id: Mapped[int | None] = mapped_column(ForeignKey("notifications.id", ondelete="SET NULL"))
    to_addr: Mapped[str] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)
    #: the page the e-mail points to, a path; the sender puts ``ASCC_SITE_URL`` in front
    link: Mapped[str | None] = mapped_column(String(500))
    status: Mapped[str] = mapped_column(String(10), default="queued", index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    sent_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    notification: Mapped[Notification | None] = relationship()


class ReminderSent(Base):
    """A time-based reminder already made for one user (``notifications.reminders``): the job that
    derives reminders writes it with the notification, so running the job again makes none twice.
    ``key`` names the event and the threshold, e.g. ``data_call:12:2027-03-31:7``."""

    __tablename__ = "notification_reminders"
    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    sent_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
