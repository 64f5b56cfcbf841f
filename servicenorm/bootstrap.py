"""The composition root (STYLE 8): settings -> engine, sessions, schema, bootstrap operator."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from servicenorm.policy.stored import use_policy_dir
from servicenorm.settings import Settings
from servicenorm.store.db import make_engine, make_session_factory
from servicenorm.store.migrate import upgrade


@dataclass(frozen=True)
class Container:
    settings: Settings
    engine: Engine
    sessions: sessionmaker[Session]

    @property
    def pepper(self) -> str:
        return self.settings.token_pepper.get_secret_value()


def bootstrap(settings: Settings, *, migrate: bool = True) -> Container:
    engine = make_engine(settings.resolved_database_url, settings.db_pool_size)
    if migrate:
        upgrade(engine)
    container = Container(settings, engine, make_session_factory(engine))
    use_policy_dir(settings.policy_dir)  # the only files a marketplace's preset may name
    if settings.operator_token is not None:
        from servicenorm.helpdesk.accounts import ensure_operator_token

        with container.sessions() as s:
            ensure_operator_token(
                s, settings.operator_token.get_secret_value(), container.pepper, datetime.now(UTC)
            )
            s.commit()
    return container
