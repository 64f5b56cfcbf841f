"""The composition root: settings -> clock, database, policies, metric engine, mail and the
enforcement worker. Servers (`servicenorm serve`, `create_app`) and the store's commands
(`servicenorm enforce ...`, `queue`, `accounts`) build one `Container` with `bootstrap` and
take what they need from it; nothing else builds these parts.

Everything that reads the current instant takes it from `Container.clock` (the wall clock in a
deployment, a clock started at `SERVICENORM_NOW` when that is set, or one a test passes).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from servicenorm.clock.source import Now, running_clock, wall_clock
from servicenorm.notify.settings import MailSettings
from servicenorm.policy.stored import PolicyFiles, use_policies
from servicenorm.settings import Settings
from servicenorm.store.db import make_engine, make_session_factory
from servicenorm.store.migrate import upgrade

if TYPE_CHECKING:
    from servicenorm.enforce.live_period import LiveStore
    from servicenorm.enforce.notices import Notifier
    from servicenorm.enforce.worker import Worker
    from servicenorm.notify.smtp import Transport
    from servicenorm.policy import Policy


@dataclass(frozen=True)
class Container:
    settings: Settings
    engine: Engine
    sessions: sessionmaker[Session]
    clock: Now = field(default=wall_clock)
    policies: PolicyFiles = field(default_factory=PolicyFiles)
    mail: MailSettings | None = None  # None: read from SERVICENORM_SMTP_* when first needed

    @property
    def pepper(self) -> str:
        return self.settings.token_pepper.get_secret_value()

    def mail_settings(self) -> MailSettings:
        """SMTP settings, read when mail is first needed (a command that sends none never
        fails on them)."""
        return self.mail if self.mail is not None else MailSettings()

    def transport(self) -> Transport | None:
        """The SMTP transport, or None when no mail host is set (mail stays in the outbox)."""
        from servicenorm.notify.smtp import SmtpTransport

        mail = self.mail_settings()
        return SmtpTransport(mail) if mail.host else None

    def notifier(self, s: Session, policy: Policy, now: datetime) -> Notifier:
        """What tells a seller (outbox mail and banners) under `policy`, in session `s`."""
        from servicenorm.enforce.notices import Notifier

        return Notifier(s, policy, now)

    def worker(self, interval: float = 60.0) -> Worker:
        """The enforcement loop (not started): evaluations on `Settings.metric_engine`,
        takeovers, mail, every `interval` seconds."""
        from servicenorm.enforce.worker import Worker

        mail = self.mail_settings()
        return Worker(
            self.sessions,
            mail,
            interval,
            self.clock,
            self.settings.metric_engine,
            self.live_store(),
        )

    def live_store(self) -> LiveStore:
        """The helpdesk's readers of the live store, for enforcement's scheduled evaluations
        (enforcement does not import the helpdesk)."""
        from servicenorm.enforce.live_period import LiveStore
        from servicenorm.helpdesk import evidence_rows
        from servicenorm.helpdesk.tally import seller_metrics

        return LiveStore(seller_metrics, evidence_rows.rows_of)


def clock_for(settings: Settings) -> Now:
    return running_clock(settings.now) if settings.now is not None else wall_clock


def bootstrap(
    settings: Settings,
    *,
    migrate: bool = True,
    clock: Now | None = None,
    mail: MailSettings | None = None,
) -> Container:
    engine = make_engine(settings.resolved_database_url, settings.db_pool_size)
    if migrate:
        upgrade(engine)
    policies = PolicyFiles(settings.policy_dir)  # the only files a marketplace's preset may name
    use_policies(policies)  # `policy.stored.policy_for` reads through this one cache
    container = Container(
        settings,
        engine,
        make_session_factory(engine),
        clock or clock_for(settings),
        policies,
        mail,
    )
    if settings.operator_token is not None:
        from servicenorm.helpdesk.accounts import ensure_operator_token

        with container.sessions() as s:
            ensure_operator_token(
                s, settings.operator_token.get_secret_value(), container.pepper, container.clock()
            )
            s.commit()
    return container


def current_instant() -> datetime:
    """Now, for a command run without its own `--now`/`--at`: the instant `SERVICENORM_NOW`
    fixes, else the wall clock (the same choice `bootstrap` makes for a server)."""
    return clock_for(Settings())()
