"""Field types shared by the request schemas."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator

from servicenorm.boundary import refuse_unsafe_text

# ids from the operator's systems travel in URLs: letters, digits and . _ : @ -
Id = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9._:@-]{0,99}$")]
Name = Annotated[str, StringConstraints(min_length=1, max_length=200, strip_whitespace=True)]
Text = Annotated[str, StringConstraints(min_length=1, max_length=20_000)]
Country = Annotated[str, StringConstraints(pattern=r"^[A-Z]{2}$")]
Language = Annotated[str, StringConstraints(pattern=r"^(nl|fr|de|pl|en)$")]
Email = Annotated[str, StringConstraints(pattern=r"^[^@\s]+@[^@\s]+$", max_length=320)]
Limit = Annotated[int, Field(ge=1, le=500)]
Offset = Annotated[int, Field(ge=0, le=10_000_000)]


class Request(BaseModel):
    """A request body. Every field of every request, whatever its type, holds only text each
    store keeps the same way (no NUL byte, no lone surrogate: boundary.unsafe_text), and no
    NaN or infinity: checked here once, not per endpoint."""

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)

    @field_validator("*")
    @classmethod
    def _storable(cls, v: Any) -> Any:
        return refuse_unsafe_text(v)


class Public(BaseModel):
    model_config = ConfigDict(from_attributes=True)
