"""The composition root: settings -> clock, engine, sessions, schema, bootstrap operator.

Everything that reads the current instant takes it from `Container.clock` (the wall clock in a
deployment, a clock started at `SERVICENORM_NOW` when that is set, or one a test passes).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from servicenorm.clock.source import Now, running_clock, wall_clock
from servicenorm.policy.stored import use_policy_dir
from servicenorm.settings import Settings
from servicenorm.store.db import make_engine, make_session_factory
from servicenorm.store.migrate import upgrade


@dataclass(frozen=True)
class Container:
    settings: Settings
    engine: Engine
    sessions: sessionmaker[Session]
    clock: Now = field(default=wall_clock)

    @property
    def pepper(self) -> str:
        return self.settings.token_pepper.get_secret_value()


def clock_for(settings: Settings) -> Now:
    return running_clock(settings.now) if settings.now is not None else wall_clock


def bootstrap(settings: Settings, *, migrate: bool = True, clock: Now | None = None) -> Container:
    engine = make_engine(settings.resolved_database_url, settings.db_pool_size)
    if migrate:
        upgrade(engine)
    container = Container(
        settings, engine, make_session_factory(engine), clock or clock_for(settings)
    )
    use_policy_dir(settings.policy_dir)  # the only files a marketplace's preset may name
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
