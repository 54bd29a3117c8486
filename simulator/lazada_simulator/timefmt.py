"""Times as Lazada Thailand writes them, and the ISO 8601 the requests carry.

Orders and items say ``2026-11-20 14:03:11 +0700`` (a space, an offset without
a colon); ``sla_time_stamp`` and the requests' filters are ISO 8601
(``2026-11-22T23:59:59+07:00``); products count milliseconds in strings.
"""

import re
from datetime import datetime, timedelta, timezone

BANGKOK = timezone(timedelta(hours=7))
DAY = 86400
_ISO = re.compile(
    r"^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.\d{1,9})?"
    r"(Z|[+-]\d{2}:?\d{2})$"
)
_LAZADA = re.compile(r"^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2}) ([+-]\d{4})$")


def lazada_time(epoch):
    return datetime.fromtimestamp(epoch, BANGKOK).strftime("%Y-%m-%d %H:%M:%S +0700")


def iso_time(epoch):
    return datetime.fromtimestamp(epoch, BANGKOK).strftime("%Y-%m-%dT%H:%M:%S+07:00")


def sla_time(created, days=2):
    """The end of the local day ``days`` after ``created``, ISO 8601."""
    day = datetime.fromtimestamp(created, BANGKOK) + timedelta(days=days)
    return day.strftime("%Y-%m-%dT23:59:59+07:00")


def _offset(text):
    if text == "Z":
        return timezone.utc
    sign = -1 if text[0] == "-" else 1
    digits = text[1:].replace(":", "")
    minutes = int(digits[:2]) * 60 + int(digits[2:])
    return timezone(sign * timedelta(minutes=minutes))


def _epoch(groups, offset):
    try:
        moment = datetime(*map(int, groups), tzinfo=_offset(offset))
    except (ValueError, OverflowError):
        return None
    return int(moment.timestamp())


def parse_iso(text):
    """Epoch seconds of an ISO 8601 time with an offset (or Z); else None.

    A time without an offset is refused: "+07:00" sent unencoded in a query
    arrives as " 07:00", and a client should learn that here, not in
    production.
    """
    match = _ISO.match(text or "")
    if not match:
        return None
    return _epoch(match.groups()[:6], match.group(7))


def parse_time(value):
    """Epoch seconds from an int, Lazada's order format or ISO 8601; else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return int(value)
    if not isinstance(value, str):
        return None
    if value.isdigit():
        number = int(value)
        return number // 1000 if number > 10**11 else number
    match = _LAZADA.match(value)
    if match:
        return _epoch(match.groups()[:6], match.group(7))
    return parse_iso(value)


def millis(epoch):
    return str(int(epoch) * 1000)
