"""How a norm's figure is written, the one rule every page, e-mail and reason uses.

A value is rounded half up at the norm's digits; where that would print it equal to a
threshold it is not equal to, more digits are shown until the two differ, so a value shown as
below the norm is visibly below ("89.97%" against "90%", never "90.0%" against "90%").
Rates are percentages with the counts behind them when asked: "89.97% (350/389)".
"""

from __future__ import annotations

from fractions import Fraction

from servicenorm.norms.model import Kind, Norm, Reading

MAX_EXTRA = 6  # digits beyond the norm's own; a difference needing more is below 1e-6 %


def exact(v: Fraction | float | int) -> Fraction:
    """Floats as the decimal they print as (0.9 -> 9/10), the way the report publishes them."""
    return v if isinstance(v, Fraction) else Fraction(str(v))


def _scaled(norm: Norm, v: Fraction) -> Fraction:
    return v * 100 if norm.kind == "rate" else v


def _round(v: Fraction, digits: int) -> Fraction:
    q = Fraction(10) ** digits
    n = v * q
    return Fraction((n.numerator * 2 + n.denominator) // (n.denominator * 2)) / q  # half up


def digits_for(norm: Norm, value: Fraction | None, threshold: Fraction | None) -> int:
    """The fewest digits (at least the norm's) that keep value and threshold apart when they
    differ, and that show the threshold exactly where it has a few more decimals."""
    d = norm.digits
    if norm.kind == "count":
        return 0
    if threshold is not None:
        t = _scaled(norm, threshold)
        while d < norm.digits + 3 and _round(t, d) != t:
            d += 1
    if value is None or threshold is None or value == threshold:
        return d
    v, t = _scaled(norm, value), _scaled(norm, threshold)
    while d < norm.digits + MAX_EXTRA and _round(v, d) == _round(t, d):
        d += 1
    return d


def number(norm: Norm, v: Fraction | float | None, digits: int, point: str = ".") -> str:
    """The bare number (a percentage's number for rates), "." replaced by `point`; a fraction
    part of only zeros is dropped for percentages ("90", not "90.0")."""
    if v is None:
        return "—"
    x = _round(_scaled(norm, exact(v)), digits)
    if norm.kind == "count" or digits == 0:
        return str(round(x))
    sign = "-" if x < 0 else ""
    x = abs(x)
    whole, frac = divmod(x * 10**digits, 10**digits)
    text = f"{sign}{int(whole)}.{int(frac):0{digits}d}"
    if norm.kind == "rate" and int(frac) == 0:
        text = f"{sign}{int(whole)}"
    return text.replace(".", point)


def texts(
    r: Reading, point: str = ".", percent: str = "{value}%", counts: bool = False
) -> tuple[str, str]:
    """(value, threshold) of a reading written with the same digits."""
    d = digits_for(r.norm, r.value, r.threshold)
    return _one(r.norm.kind, r, r.value, d, point, percent, counts), _one(
        r.norm.kind, r, r.threshold, d, point, percent, False
    )


def _one(
    kind: Kind,
    r: Reading,
    v: Fraction | None,
    d: int,
    point: str,
    percent: str,
    counts: bool,
) -> str:
    if v is None:
        return "—"
    text = number(r.norm, v, d, point)
    if kind == "rate":
        text = percent.format(value=text)
    if counts and r.of is not None and kind in ("rate", "ratio"):
        text += f" ({r.of[0]}/{r.of[1]})"
    return text


def plain(
    norm: Norm,
    v: Fraction | float | None,
    against: Fraction | float | None = None,
    point: str = ".",
    percent: str = "{value}%",
) -> str:
    """A lone figure (a trend point, a threshold), with the digits it needs to stay apart from
    `against` (the threshold it is read against) when given."""
    if v is None:
        return "—"
    x = exact(v)
    t = None if against is None else exact(against)
    d = digits_for(norm, x, t) if t is not None else norm.digits
    text = number(norm, x, d, point)
    return percent.format(value=text) if norm.kind == "rate" else text


def threshold_text(
    norm: Norm, t: Fraction | float | None, point: str = ".", percent: str = "{value}%"
) -> str:
    """A threshold on its own, exact where it has a few more decimals than the norm shows."""
    if t is None:
        return "—"
    text = number(norm, t, digits_for(norm, None, exact(t)), point)
    return percent.format(value=text) if norm.kind == "rate" else text


def reason(r: Reading) -> str:
    """The English one-line reason of a missed norm (enforcement's statement, the CLI)."""
    value, threshold = texts(r, counts=False)
    of = f" ({r.of[0]}/{r.of[1]})" if r.of is not None else ""
    return r.norm.reason.format(value=value, threshold=threshold, of=of, week=r.detail)
