"""What a page accepts (issue 11): no NUL byte and nothing but valid UTF-8 in any form field,
query parameter or path segment, on every store. A form's fields are read from the bytes the
browser sent (`web.limits` keeps them for pages), since the form parser quietly turns invalid
UTF-8, such as an encoded lone surrogate (`%ED%A0%80`), into U+FFFD. Oversized fields are
refused by each field's own `max_length`. Either way the answer is the 422 form-error page
(`web.errors.invalid_request`), never a 500 and nothing stored.
"""

from __future__ import annotations

from collections.abc import Iterable
from urllib.parse import unquote_to_bytes

from fastapi import Request
from fastapi.exceptions import RequestValidationError
from starlette.datastructures import UploadFile

from servicenorm.web.limits import FORM_BYTES

NUL = "must not contain a NUL byte"
NOT_UTF8 = "is not valid UTF-8 text (an encoded lone surrogate such as %ED%A0%80?)"


def _refuse(where: str, name: str, why: str) -> RequestValidationError:
    return RequestValidationError(
        [{"loc": (where, name), "msg": f"{name} {why}", "type": "value_error"}]
    )


def _texts(where: str, pairs: Iterable[tuple[str, str]]) -> None:
    for name, value in pairs:
        if "\x00" in name or "\x00" in value:
            raise _refuse(where, name.replace("\x00", "\\u0000"), NUL)


def _raw_form(raw: bytes) -> None:
    """The urlencoded fields as sent: each name and value must decode as UTF-8."""
    for part in raw.split(b"&"):
        name, _, value = part.partition(b"=")
        for piece in (name, value):
            try:
                unquote_to_bytes(piece.replace(b"+", b" ")).decode("utf-8")
            except UnicodeDecodeError:
                raise _refuse("body", name.decode("latin-1")[:100], NOT_UTF8) from None


async def checked_input(request: Request) -> None:
    """A dependency of every page route (`pages.router`)."""
    _texts("path", request.path_params.items())
    _texts("query", request.query_params.multi_items())
    if request.method != "POST":
        return
    raw = request.scope.get("state", {}).get(FORM_BYTES)
    if raw and request.headers.get("content-type", "").startswith(
        "application/x-www-form-urlencoded"
    ):
        _raw_form(b"".join(raw))
    form = await request.form()  # (parsed once: the endpoint's fields read the same form)
    for name, value in form.multi_items():
        if isinstance(value, UploadFile):
            raise _refuse("body", name, "is a file; pages take no files")
        _texts("body", [(name, value)])
