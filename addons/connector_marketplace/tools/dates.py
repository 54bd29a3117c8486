"""Times as the seller reads them: in a time zone, never raw UTC."""

import pytz

from odoo import fields


def local_time(env, moment, tz_name, zone=True):
    """``moment`` (a naive UTC datetime, as Odoo stores it) in ``tz_name``
    (UTC when none), as "2026-11-01 07:00 (Asia/Bangkok)", without the zone's
    name if not ``zone``; "" for none."""
    if not moment:
        return ""
    moment = fields.Datetime.to_datetime(moment)
    tz = pytz.timezone(tz_name or "UTC")
    local = pytz.utc.localize(moment).astimezone(tz)
    return f"{local:%Y-%m-%d %H:%M} ({tz.zone})" if zone else f"{local:%Y-%m-%d %H:%M}"
