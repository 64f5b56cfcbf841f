"""Notifications (docs/web.md): an outbox written with the action that causes it, an SMTP sender
with retries and backoff, localised templates (nl, fr, de, pl, en), and page banners."""

from servicenorm.notify.banners import ShownBanner, banners_for, clear_banners, post_banner
from servicenorm.notify.outbox import enqueue
from servicenorm.notify.sender import DeliveryReport, deliver_due, outbox_counts
from servicenorm.notify.settings import MailSettings
from servicenorm.notify.smtp import SmtpTransport
from servicenorm.notify.templates import LOCALES, locale_for, render_banner, render_mail

__all__ = [
    "LOCALES",
    "DeliveryReport",
    "MailSettings",
    "ShownBanner",
    "SmtpTransport",
    "banners_for",
    "clear_banners",
    "deliver_due",
    "enqueue",
    "locale_for",
    "outbox_counts",
    "post_banner",
    "render_banner",
    "render_mail",
]
