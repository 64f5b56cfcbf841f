"""The background loop `servicenorm serve` runs: due evaluations, then one outbox delivery
round, every `interval` seconds. A failing round is logged and the loop goes on."""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy.orm import Session, sessionmaker

from servicenorm.clock.source import Now, wall_clock
from servicenorm.enforce.live_period import LiveStore
from servicenorm.enforce.schedule import TickReport, run_due_evaluations
from servicenorm.notify.sender import DeliveryReport, deliver_due
from servicenorm.notify.settings import MailSettings
from servicenorm.notify.smtp import SmtpTransport, Transport

log = logging.getLogger(__name__)


def tick(
    sessions: sessionmaker[Session],
    now: datetime,
    transport: Transport | None,
    sender: str,
    batch: int = 100,
    engine: str = "duckdb",
    live: LiveStore | None = None,
) -> tuple[TickReport, DeliveryReport | None]:
    """One round: evaluations and continuous enforcement, then delivery (when mail is set up)."""
    with sessions() as s:
        report = run_due_evaluations(s, now, engine=engine, live=live)
    delivered = (
        deliver_due(sessions, transport, now, sender=sender, limit=batch)
        if transport is not None
        else None
    )
    return report, delivered


@dataclass
class Worker:
    """Built by the composition root (`Container.worker`) with its sessions, mail settings,
    clock and metric engine."""

    sessions: sessionmaker[Session]
    mail: MailSettings
    interval: float = 60.0
    clock: Now = wall_clock
    engine: str = "duckdb"
    live: LiveStore | None = None  # the live store's readers (the scheduled evaluations')
    _stop: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None

    def run_once(self) -> tuple[TickReport, DeliveryReport | None]:
        transport = SmtpTransport(self.mail) if self.mail.host else None
        return tick(
            self.sessions,
            self.clock(),
            transport,
            self.mail.sender,
            self.mail.batch,
            self.engine,
            self.live,
        )

    def _loop(self) -> None:
        while not self._stop.is_set():
            try:
                report, delivered = self.run_once()
                for e in report.errors:
                    log.warning("enforcement: %s", e)
                if delivered is not None and delivered.errors:
                    log.warning("mail: %d to retry, %d failed", delivered.retry, delivered.failed)
            except Exception:  # the loop must outlive any one bad round
                log.exception("enforcement round failed")
            self._stop.wait(self.interval)

    def start(self) -> Worker:
        self._thread = threading.Thread(target=self._loop, name="servicenorm-enforce", daemon=True)
        self._thread.start()
        return self

    def stop(self, timeout: float = 30.0) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)
