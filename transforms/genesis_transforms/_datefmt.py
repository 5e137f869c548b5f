"""A small ``java.text.SimpleDateFormat`` in UTC, for TimestampConverter and TimestampRouter.

Supported letters: ``G y Y M L d D E u a H k K h m s S z Z X`` and quoted text (``'T'``, ``''``).
Formatting matches Java for these; parsing is lenient like Java's default (``2024-13-01`` rolls into
the next year; text after the parsed part is ignored; abutting numeric fields use their width).
"""

from __future__ import annotations

import datetime as _dt
import re
from dataclasses import dataclass

_EPOCH = _dt.datetime(1970, 1, 1, tzinfo=_dt.UTC)
_MONTHS = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]
_DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
_LETTERS = "GyYMLdDEuaHkKhmsSzZXFwW"
_NUMERIC = set("yYMLdDuHkKhmsSFwW")


@dataclass(frozen=True)
class _Tok:
    letter: str  # "" for literal text
    count: int
    text: str = ""


def _tokenize(pattern: str) -> list[_Tok]:
    toks: list[_Tok] = []
    i, n = 0, len(pattern)
    while i < n:
        c = pattern[i]
        if c == "'":
            if i + 1 < n and pattern[i + 1] == "'":
                toks.append(_Tok("", 0, "'"))
                i += 2
                continue
            j = i + 1
            buf = []
            while j < n:
                if pattern[j] == "'":
                    if j + 1 < n and pattern[j + 1] == "'":
                        buf.append("'")
                        j += 2
                        continue
                    break
                buf.append(pattern[j])
                j += 1
            if j >= n:
                raise ValueError("Unterminated quote")
            toks.append(_Tok("", 0, "".join(buf)))
            i = j + 1
        elif c.isascii() and c.isalpha():
            if c not in _LETTERS:
                raise ValueError(f"Illegal pattern character '{c}'")
            j = i
            while j < n and pattern[j] == c:
                j += 1
            toks.append(_Tok(c, j - i))
            i = j
        else:
            toks.append(_Tok("", 0, c))
            i += 1
    return toks


class SimpleDateFormat:
    """Format and parse epoch milliseconds with a Java pattern, in UTC."""

    def __init__(self, pattern: str) -> None:
        self.pattern = pattern
        self._toks = _tokenize(pattern)
        self._regex: re.Pattern[str] | None = None
        self._fields: list[_Tok] = []

    def to_pattern(self) -> str:
        return self.pattern

    @property
    def finest_unit_ms(self) -> int:
        """The length of the smallest unit in the pattern (for caching per day/hour/…); 1 if sub-second."""
        unit = 86_400_000 * 365
        for t in self._toks:
            if not t.letter:
                continue
            if t.letter in "Ss":
                unit = min(unit, 1 if t.letter == "S" else 1000)
            elif t.letter == "m":
                unit = min(unit, 60_000)
            elif t.letter in "HkKha":
                unit = min(unit, 3_600_000)
            elif t.letter:
                unit = min(unit, 86_400_000)
        return unit

    # --- formatting ------------------------------------------------------------------------------

    def format(self, millis: int) -> str:
        t = _EPOCH + _dt.timedelta(milliseconds=millis)
        ms = millis % 1000
        out: list[str] = []
        for tok in self._toks:
            L, n = tok.letter, tok.count
            if not L:
                out.append(tok.text)
            elif L == "G":
                out.append("AD" if t.year > 0 else "BC")
            elif L in "yY":
                out.append(f"{t.year % 100:02d}" if n == 2 else f"{t.year:0{n}d}")
            elif L in "ML":
                if n >= 4:
                    out.append(_MONTHS[t.month - 1])
                elif n == 3:
                    out.append(_MONTHS[t.month - 1][:3])
                else:
                    out.append(f"{t.month:0{n}d}")
            elif L == "d":
                out.append(f"{t.day:0{n}d}")
            elif L == "D":
                out.append(f"{t.timetuple().tm_yday:0{n}d}")
            elif L == "E":
                name = _DAYS[t.weekday()]
                out.append(name if n >= 4 else name[:3])
            elif L == "u":
                out.append(f"{t.isoweekday():0{n}d}")
            elif L == "F":
                out.append(f"{(t.day - 1) // 7 + 1:0{n}d}")
            elif L == "w":
                out.append(f"{_week_of_year(t):0{n}d}")
            elif L == "W":
                out.append(f"{_week_of_month(t):0{n}d}")
            elif L == "a":
                out.append("AM" if t.hour < 12 else "PM")
            elif L == "H":
                out.append(f"{t.hour:0{n}d}")
            elif L == "k":
                out.append(f"{t.hour or 24:0{n}d}")
            elif L == "K":
                out.append(f"{t.hour % 12:0{n}d}")
            elif L == "h":
                out.append(f"{t.hour % 12 or 12:0{n}d}")
            elif L == "m":
                out.append(f"{t.minute:0{n}d}")
            elif L == "s":
                out.append(f"{t.second:0{n}d}")
            elif L == "S":
                out.append(f"{ms:0{n}d}")
            elif L == "z":
                out.append("Coordinated Universal Time" if n >= 4 else "UTC")
            elif L == "Z":
                out.append("+0000")
            elif L == "X":
                out.append("Z")
        return "".join(out)

    # --- parsing ---------------------------------------------------------------------------------

    def _compile(self) -> re.Pattern[str]:
        parts: list[str] = []
        fields: list[_Tok] = []
        toks = self._toks
        for i, tok in enumerate(toks):
            L, n = tok.letter, tok.count
            if not L:
                parts.append(re.escape(tok.text))
                continue
            nxt = toks[i + 1] if i + 1 < len(toks) else None
            abutting = nxt is not None and nxt.letter in _NUMERIC
            if L in _NUMERIC and not (L in "ML" and n >= 3):
                sign = "[+-]?" if L in "yY" and not abutting else ""
                parts.append(f"({sign}\\d{{{n}}})" if abutting else f"({sign}\\d+)")
            elif L in "ML":
                parts.append("(" + "|".join(m for m in _MONTHS) + "|" + "|".join(m[:3] for m in _MONTHS) + ")")
            elif L == "E":
                parts.append("(" + "|".join(_DAYS) + "|" + "|".join(d[:3] for d in _DAYS) + ")")
            elif L == "a":
                parts.append("(AM|PM)")
            elif L == "G":
                parts.append("(AD|BC)")
            elif L in "zZX":
                parts.append(r"(Z|[+-]\d{2}:?\d{2}|[+-]\d{2}|UTC|GMT|Coordinated Universal Time)")
            else:
                parts.append("(.+?)")
            fields.append(tok)
        self._fields = fields
        return re.compile("".join(parts), re.IGNORECASE)

    def parse(self, text: str) -> int:
        """Epoch milliseconds of ``text``; raises ``ValueError`` when it does not match."""
        if self._regex is None:
            self._regex = self._compile()
        m = self._regex.match(text)
        if m is None:
            raise ValueError(f'Unparseable date: "{text}"')
        year, month, day, hour, minute, second, milli = 1970, 1, 1, 0, 0, 0, 0
        doy: int | None = None
        pm: bool | None = None
        h12: int | None = None
        offset_min = 0
        for tok, g in zip(self._fields, m.groups(), strict=True):
            L, n = tok.letter, tok.count
            if L in "yY":
                year = int(g)
                if n <= 2 and len(g) == 2:
                    year = _two_digit_year(year)
            elif L in "ML":
                if g.isdigit():
                    month = int(g)
                else:
                    month = (
                        [x.lower() for x in _MONTHS].index(g.lower()) + 1
                        if len(g) > 3
                        else [x[:3].lower() for x in _MONTHS].index(g.lower()) + 1
                    )
            elif L == "d":
                day = int(g)
            elif L == "D":
                doy = int(g)
            elif L in "Hk":
                hour = int(g) % 24 if L == "k" and int(g) == 24 else int(g)
            elif L in "Kh":
                h12 = int(g) % 12 if L == "h" else int(g)
            elif L == "a":
                pm = g.upper() == "PM"
            elif L == "m":
                minute = int(g)
            elif L == "s":
                second = int(g)
            elif L == "S":
                milli = int(g)
            elif L in "zZX":
                offset_min = _offset_minutes(g)
        if h12 is not None:
            hour = h12 + (12 if pm else 0)
        elif pm and hour < 12:
            hour += 12
        try:
            base = _dt.date(year + (month - 1) // 12, (month - 1) % 12 + 1, 1)
        except ValueError as e:
            raise ValueError(f'Unparseable date: "{text}"') from e
        days = (base - _dt.date(1970, 1, 1)).days + (day - 1)
        if doy is not None:
            days = (_dt.date(year, 1, 1) - _dt.date(1970, 1, 1)).days + doy - 1
        return (((days * 24 + hour) * 60 + minute - offset_min) * 60 + second) * 1000 + milli


def _two_digit_year(yy: int) -> int:
    now = _dt.datetime.now(_dt.UTC)
    start = now.year - 80
    century = start - start % 100
    year = century + yy
    if year < start:
        year += 100
    return year


def _offset_minutes(text: str) -> int:
    t = text.upper()
    if t in ("Z", "UTC", "GMT", "COORDINATED UNIVERSAL TIME"):
        return 0
    sign = -1 if t[0] == "-" else 1
    digits = t[1:].replace(":", "")
    hours = int(digits[:2])
    minutes = int(digits[2:4]) if len(digits) >= 4 else 0
    return sign * (hours * 60 + minutes)


def _week_of_year(t: _dt.datetime) -> int:
    # java.util.GregorianCalendar, US locale: weeks start Sunday, minimal days in first week = 1.
    jan1 = _dt.date(t.year, 1, 1)
    offset = (jan1.weekday() + 1) % 7  # days since Sunday
    week = (t.timetuple().tm_yday - 1 + offset) // 7 + 1
    if t.month == 12:
        next_jan1 = _dt.date(t.year + 1, 1, 1)
        if (next_jan1 - t.date()).days <= (next_jan1.weekday() + 1) % 7:
            return 1
    return week


def _week_of_month(t: _dt.datetime) -> int:
    first = _dt.date(t.year, t.month, 1)
    offset = (first.weekday() + 1) % 7
    return (t.day - 1 + offset) // 7 + 1
