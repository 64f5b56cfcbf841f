"""SMTP transport (smtplib). Errors are sorted into what a retry may fix and what it cannot."""

from __future__ import annotations

import smtplib
import ssl
from email.message import EmailMessage
from typing import Protocol

from servicenorm.notify.settings import MailSettings


class DeliveryError(Exception):
    """A message was not delivered."""


class TransientError(DeliveryError):
    """Try again later (server down, 4xx). `connection` means the server itself is unreachable,
    so the rest of the batch would fail the same way."""

    def __init__(self, message: str, connection: bool = False) -> None:
        super().__init__(message)
        self.connection = connection


class PermanentError(DeliveryError):
    """The server refused this message for good (5xx): retrying cannot help."""


class Connection(Protocol):
    def send(self, msg: EmailMessage) -> None: ...

    def close(self) -> None: ...


class Transport(Protocol):
    def connect(self) -> Connection: ...


def _classify(e: smtplib.SMTPResponseException) -> DeliveryError:
    text = f"{e.smtp_code} {e.smtp_error.decode(errors='replace') if isinstance(e.smtp_error, bytes) else e.smtp_error}"
    return PermanentError(text) if 500 <= e.smtp_code < 600 else TransientError(text)


class _SmtpConnection:
    def __init__(self, client: smtplib.SMTP) -> None:
        self.client = client

    def send(self, msg: EmailMessage) -> None:
        try:
            refused = self.client.send_message(msg)
        except smtplib.SMTPRecipientsRefused as e:
            codes = [c for c, _ in e.recipients.values()]
            if all(500 <= c < 600 for c in codes):
                raise PermanentError(f"recipients refused: {e.recipients}") from None
            raise TransientError(f"recipients refused: {e.recipients}") from None
        except smtplib.SMTPResponseException as e:
            raise _classify(e) from None
        except (smtplib.SMTPServerDisconnected, OSError) as e:
            raise TransientError(f"connection lost: {e}", connection=True) from None
        if refused:
            raise PermanentError(f"recipients refused: {refused}")

    def close(self) -> None:
        try:
            self.client.quit()
        except (smtplib.SMTPException, OSError):
            self.client.close()


class SmtpTransport:
    def __init__(self, settings: MailSettings) -> None:
        if not settings.host:
            raise ValueError("no SMTP host configured (SERVICENORM_SMTP_HOST)")
        self.settings = settings

    def connect(self) -> Connection:
        st = self.settings
        assert st.host is not None
        try:
            if st.security == "ssl":
                client: smtplib.SMTP = smtplib.SMTP_SSL(
                    st.host, st.port, timeout=st.timeout, context=ssl.create_default_context()
                )
            else:
                client = smtplib.SMTP(st.host, st.port, timeout=st.timeout)
            if st.security == "starttls":
                client.starttls(context=ssl.create_default_context())
            if st.username is not None and st.password is not None:
                client.login(st.username, st.password.get_secret_value())
        except smtplib.SMTPAuthenticationError as e:
            raise TransientError(f"SMTP login refused: {e.smtp_code}", connection=True) from None
        except smtplib.SMTPResponseException as e:
            raise TransientError(
                f"SMTP server refused the session: {e.smtp_code}", connection=True
            ) from None
        except (smtplib.SMTPException, OSError) as e:
            raise TransientError(
                f"cannot reach SMTP server {st.host}:{st.port}: {e}", connection=True
            ) from None
        return _SmtpConnection(client)
