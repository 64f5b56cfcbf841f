"""The demo's data files (data/*.toml): marketplaces and seller behaviour profiles, validated."""

from __future__ import annotations

import tomllib
from functools import cache
from importlib.resources import files
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, model_validator

from servicenorm.policy import PRESETS


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Category(_Strict):
    name: str
    weight: float = Field(gt=0)
    qpo: float = Field(gt=0)
    handling_days: int = Field(ge=0, le=30)
    price: float = Field(gt=0)


class Carrier(_Strict):
    prefix: str
    digits: int = Field(ge=4, le=30)


class Market(_Strict):
    name: str = ""
    currency: str
    ack_rate: float = Field(ge=0, le=1)
    proactive_rate: float = Field(ge=0, le=1)
    countries: dict[str, float]
    currency_by_country: dict[str, str] = {}
    carriers: list[str]
    categories: list[Category]

    def currency_of(self, country: str) -> str:
        return self.currency_by_country.get(country, self.currency)


class Profile(_Strict):
    name: str = ""
    weight: float = Field(gt=0)
    describe: str
    hours: str
    reply_median_min: float = Field(gt=0)
    reply_sigma: float = Field(ge=0)
    no_reply: float = Field(ge=0, le=1)
    staff: float = Field(ge=0, le=1)
    ship_median_h: float = Field(gt=0)
    ship_sigma: float = Field(ge=0)
    tracking: float = Field(ge=0, le=1)
    cancel: float = Field(ge=0, le=1)
    case: float = Field(ge=0, le=1)
    case_seller: float = Field(ge=0, le=1)
    ratings: list[float] = Field(min_length=5, max_length=5)
    call_answer: float = Field(ge=0, le=1)
    q_factor: float = Field(gt=0)
    bill_late: float = Field(ge=0, le=1)
    phone_widen: float = Field(ge=0, le=1)
    contact: float = Field(ge=0, le=1)
    wrong_language: float = Field(ge=0, le=1)
    surge: float = 1.0
    surge_slowdown: float = 1.0
    surge_no_reply: float = 0.0
    early_mark: float = 0.0
    canned: float = 0.0
    vacation: bool = False

    @model_validator(mode="after")
    def _ratings_sum(self) -> Profile:
        if abs(sum(self.ratings) - 1.0) > 1e-6:
            raise ValueError(f"ratings of profile {self.name or '?'} must sum to 1")
        return self


class Catalog(_Strict):
    markets: dict[str, Market]
    carriers: dict[str, Carrier]
    languages: dict[str, dict[str, float]]
    profiles: dict[str, Profile]

    @model_validator(mode="after")
    def _references(self) -> Catalog:
        missing = set(PRESETS) - set(self.markets)
        if missing:
            raise ValueError(f"markets.toml lacks the presets {sorted(missing)}")
        for m in self.markets.values():
            for c in m.carriers:
                if c not in self.carriers:
                    raise ValueError(f"market {m.name}: unknown carrier {c!r}")
            for country in m.countries:
                if country not in self.languages:
                    raise ValueError(f"market {m.name}: no [languages] entry for {country}")
        return self


def _read(name: str) -> dict[str, Any]:
    return tomllib.loads(
        files("servicenorm.demo").joinpath(f"data/{name}").read_text(encoding="utf-8")
    )


@cache
def catalog() -> Catalog:
    markets = _read("markets.toml")
    carriers = markets.pop("carriers")
    languages = markets.pop("languages")
    profiles = _read("profiles.toml")
    return Catalog(
        markets={k: Market(name=k, **v) for k, v in markets.items()},
        carriers={k: Carrier(**v) for k, v in carriers.items()},
        languages=languages,
        profiles={k: Profile(name=k, **v) for k, v in profiles.items()},
    )
