"""The figures of Marketplace > Dashboard, in one server call.

Every figure comes with the domain of the list behind it (the dashboard
opens it on a click). Aggregates are computed in SQL over indexed columns, so
the call stays fast with 100,000 orders and 10,000 bindings.

Revenue is the sale orders' totals (the seller's sale) in the company's
currency, and what the buyers paid for the orders without one (converted); "today" is the company's day, in the time zone of its first user
(Asia/Bangkok for the demo).
"""

from datetime import datetime, time, timedelta

import pytz

from odoo import api, fields, models

LOW_STOCK = 5


class MarketplaceDashboard(models.AbstractModel):
    _name = "marketplace.dashboard"
    _description = "Marketplace Dashboard"

    @api.model
    def _tz(self):
        """The company's time zone (its address), else the user's."""
        return pytz.timezone(
            self.env.company.partner_id.tz or self.env.user.tz or "UTC"
        )

    @api.model
    def _day_start_utc(self, days_back=0):
        tz = self._tz()
        today = datetime.now(tz).date() - timedelta(days=days_back)
        local = tz.localize(datetime.combine(today, time.min))
        return local.astimezone(pytz.utc).replace(tzinfo=None)

    @api.model
    def get_dashboard_data(self):
        self.env.flush_all()  # the figures are read in SQL
        # every shop the user may see: a seller has a handful
        shops = self.env["marketplace.shop"].search([])  # pylint: disable=no-search-all
        return {
            "currency": {
                "symbol": self.env.company.currency_id.symbol,
                "position": self.env.company.currency_id.position,
            },
            "sales": self._sales(shops),
            "pending": self._pending(shops),
            "stock": self._stock(shops),
            "sync": self._sync(shops),
            "banners": self._banners(shops),
        }

    # -- sales --------------------------------------------------------------------------
    def _sales(self, shops):
        if not shops:
            return {"shops": [], "series": []}
        periods = {
            "today": self._day_start_utc(0),
            "week": self._day_start_utc(6),
            "month": self._day_start_utc(29),
        }
        # Per shop and order currency: the orders, what their sale orders
        # total (the seller's sale, already in the company's currency), and
        # what the buyers paid for the orders without one (in the order's
        # currency, converted below): orders before the go-live date or
        # waiting for their bindings are sales too.
        self.env.cr.execute(
            """
            SELECT o.shop_id, o.currency_id,
                   COUNT(*) FILTER (WHERE o.date_order >= %(today)s),
                   SUM(so.amount_total / COALESCE(NULLIF(so.currency_rate, 0), 1))
                       FILTER (WHERE o.date_order >= %(today)s),
                   SUM(o.amount_total)
                       FILTER (WHERE so.id IS NULL AND o.date_order >= %(today)s),
                   COUNT(*) FILTER (WHERE o.date_order >= %(week)s),
                   SUM(so.amount_total / COALESCE(NULLIF(so.currency_rate, 0), 1))
                       FILTER (WHERE o.date_order >= %(week)s),
                   SUM(o.amount_total)
                       FILTER (WHERE so.id IS NULL AND o.date_order >= %(week)s),
                   COUNT(*),
                   SUM(so.amount_total / COALESCE(NULLIF(so.currency_rate, 0), 1)),
                   SUM(o.amount_total) FILTER (WHERE so.id IS NULL)
              FROM marketplace_order o
         LEFT JOIN sale_order so ON so.id = o.sale_order_id AND so.state != 'cancel'
             WHERE o.shop_id IN %(shops)s
               AND o.date_order >= %(month)s
               AND o.status NOT IN ('cancelled', 'awaiting_payment')
          GROUP BY o.shop_id, o.currency_id
            """,
            dict(periods, shops=tuple(shops.ids)),
        )
        by_shop = {}
        for shop_id, currency_id, *figures in self.env.cr.fetchall():
            totals = by_shop.setdefault(shop_id, [0, 0.0] * 3)
            for period in range(3):
                count, sales, paid = figures[period * 3 : period * 3 + 3]
                totals[period * 2] += count
                totals[period * 2 + 1] += (sales or 0.0) + self._in_company_currency(
                    paid or 0.0, currency_id
                )

        rows = []
        for shop in shops:
            counts = by_shop.get(shop.id, (0, 0, 0, 0, 0, 0))
            domain = [
                ("shop_id", "=", shop.id),
                ("status", "not in", ["cancelled", "awaiting_payment"]),
            ]
            rows.append(
                {
                    "shop_id": shop.id,
                    "shop": shop.name,
                    "channel": dict(
                        shop._fields["channel"]._description_selection(self.env)
                    ).get(shop.channel),
                    "periods": [
                        {
                            "key": key,
                            "orders": counts[index * 2],
                            "revenue": counts[index * 2 + 1],
                            "domain": domain
                            + [
                                (
                                    "date_order",
                                    ">=",
                                    fields.Datetime.to_string(periods[key]),
                                )
                            ],
                        }
                        for index, key in enumerate(("today", "week", "month"))
                    ],
                }
            )
        self.env.cr.execute(
            """
            SELECT date_trunc('day', (o.date_order AT TIME ZONE 'UTC') AT TIME ZONE %(tz)s),
                   o.currency_id, COUNT(*),
                   SUM(so.amount_total / COALESCE(NULLIF(so.currency_rate, 0), 1)),
                   SUM(o.amount_total) FILTER (WHERE so.id IS NULL)
              FROM marketplace_order o
         LEFT JOIN sale_order so ON so.id = o.sale_order_id AND so.state != 'cancel'
             WHERE o.shop_id IN %(shops)s AND o.date_order >= %(month)s
               AND o.status NOT IN ('cancelled', 'awaiting_payment')
          GROUP BY 1, 2 ORDER BY 1
            """,
            {
                "shops": tuple(shops.ids),
                "month": periods["month"],
                "tz": self._tz().zone,
            },
        )
        days = {}
        for day, currency_id, count, sales, paid in self.env.cr.fetchall():
            figures = days.setdefault(day.date().isoformat(), [0, 0.0])
            figures[0] += count
            figures[1] += (sales or 0.0) + self._in_company_currency(
                paid or 0.0, currency_id
            )
        series = [
            {"day": day, "orders": count, "revenue": revenue}
            for day, (count, revenue) in sorted(days.items())
        ]
        return {"shops": rows, "series": series}

    def _in_company_currency(self, amount, currency_id):
        company = self.env.company
        currency = self.env["res.currency"].browse(currency_id)
        if not amount or not currency or currency == company.currency_id:
            return amount
        return currency._convert(
            amount, company.currency_id, company, fields.Date.context_today(self)
        )

    # -- pending ------------------------------------------------------------------------
    def _pending(self, shops):
        orders = self.env["marketplace.order"]
        now = fields.Datetime.now()
        to_ship = [
            ("shop_id", "in", shops.ids),
            ("status", "in", ["to_ship", "packed"]),
        ]
        overdue = to_ship + [("ship_by_date", "<", fields.Datetime.to_string(now))]
        waiting = [("shop_id", "in", shops.ids), ("sale_status", "=", "waiting")]
        mismatch = [("shop_id", "in", shops.ids), ("amount_mismatch", "=", True)]
        next_orders = orders.search_read(
            to_ship,
            ["name", "shop_id", "ship_by_date"],
            order="ship_by_date asc nulls last",
            limit=8,
        )
        return {
            "to_ship": {"count": orders.search_count(to_ship), "domain": to_ship},
            "overdue": {"count": orders.search_count(overdue), "domain": overdue},
            "waiting": {"count": orders.search_count(waiting), "domain": waiting},
            "mismatch": {"count": orders.search_count(mismatch), "domain": mismatch},
            "next": [
                {
                    "id": order["id"],
                    "name": order["name"],
                    "shop": order["shop_id"] and order["shop_id"][1],
                    "ship_by": fields.Datetime.to_string(order["ship_by_date"])
                    if order["ship_by_date"]
                    else False,
                    "overdue": bool(
                        order["ship_by_date"] and order["ship_by_date"] < now
                    ),
                }
                for order in next_orders
            ],
        }

    # -- stock --------------------------------------------------------------------------
    def _stock(self, shops):
        bindings = self.env["marketplace.product.binding"]
        bound = [("shop_id", "in", shops.ids), ("product_id", "!=", False)]
        out = bound + [("last_pushed_qty", "=", 0), ("last_pushed_at", "!=", False)]
        low = bound + [
            ("last_pushed_qty", ">", 0),
            ("last_pushed_qty", "<=", LOW_STOCK),
        ]
        errors = bound + [("last_push_error", "!=", False)]
        to_bind = [("shop_id", "in", shops.ids), ("product_id", "=", False)]
        lowest = bindings.search_read(
            bound + [("last_pushed_at", "!=", False)],
            [
                "display_name",
                "shop_id",
                "last_pushed_qty",
                "marketplace_stock",
                "marketplace_stock_at",
                "product_id",
            ],
            order="last_pushed_qty asc, id",
            limit=8,
        )
        return {
            "bound": {"count": bindings.search_count(bound), "domain": bound},
            "out": {"count": bindings.search_count(out), "domain": out},
            "low": {"count": bindings.search_count(low), "domain": low},
            "errors": {"count": bindings.search_count(errors), "domain": errors},
            "to_bind": {"count": bindings.search_count(to_bind), "domain": to_bind},
            "lowest": [
                {
                    "id": row["id"],
                    "name": row["display_name"],
                    "shop": row["shop_id"] and row["shop_id"][1],
                    "pushed": row["last_pushed_qty"],
                    "marketplace": row["marketplace_stock"],
                    "marketplace_at": fields.Datetime.to_string(
                        row["marketplace_stock_at"]
                    )
                    if row["marketplace_stock_at"]
                    else False,
                }
                for row in lowest
            ],
        }

    # -- sync status ----------------------------------------------------------------------
    def _sync(self, shops):
        jobs = self.env["marketplace.job"].sudo()
        since = fields.Datetime.now() - timedelta(hours=24)
        queue = self._queue_backlog()
        rows = []
        last_done = {
            (shop.id, job_type): date
            for shop, job_type, date in jobs._read_group(
                [
                    ("shop_id", "in", shops.ids),
                    ("state", "=", "completed"),
                    ("job_type", "in", ["pull_orders", "push_stock"]),
                ],
                ["shop_id", "job_type"],
                ["date_done:max"],
            )
        }
        failed = dict(
            jobs._read_group(
                [
                    ("shop_id", "in", shops.ids),
                    ("state", "=", "failed"),
                    ("date_done", ">=", since),
                ],
                ["shop_id"],
                ["__count"],
            )
        )
        for shop in shops:
            rows.append(
                {
                    "shop_id": shop.id,
                    "shop": shop.name,
                    "auth_state": shop.auth_state,
                    "paused": shop.sync_paused,
                    "last_pull": fields.Datetime.to_string(
                        last_done.get((shop.id, "pull_orders"))
                    )
                    if last_done.get((shop.id, "pull_orders"))
                    else False,
                    "last_push": fields.Datetime.to_string(
                        last_done.get((shop.id, "push_stock"))
                    )
                    if last_done.get((shop.id, "push_stock"))
                    else False,
                    "failed_24h": failed.get(shop, 0),
                    "failed_domain": [
                        ("shop_id", "=", shop.id),
                        ("state", "=", "failed"),
                        ("date_done", ">=", fields.Datetime.to_string(since)),
                    ],
                    "last_webhook": fields.Datetime.to_string(shop.last_webhook_at)
                    if shop.last_webhook_at
                    else False,
                    "token_expires": fields.Datetime.to_string(
                        shop.access_token_expires_at
                    )
                    if shop.access_token_expires_at
                    else False,
                    "authorization_expires": fields.Datetime.to_string(
                        shop.authorization_expires_at
                    )
                    if shop.authorization_expires_at
                    else False,
                    "authorization_days": shop.authorization_days_left
                    if shop.authorization_expires_at
                    else None,
                }
            )
        return {"shops": rows, "queue": queue}

    @api.model
    def _queue_backlog(self):
        """Jobs waiting per marketplace channel, and the oldest one's age."""
        self.env.cr.execute(
            """
            SELECT channel, COUNT(*), MIN(date_created)
              FROM queue_job
             WHERE state IN ('pending', 'enqueued', 'wait_dependencies')
               AND channel LIKE 'root.marketplace%%'
          GROUP BY channel ORDER BY channel
            """
        )
        now = fields.Datetime.now()
        return [
            {
                "channel": channel,
                "waiting": count,
                "oldest_seconds": int((now - oldest).total_seconds()) if oldest else 0,
            }
            for channel, count, oldest in self.env.cr.fetchall()
        ]

    def _banners(self, shops):
        banners = []
        for shop in shops.filtered(
            lambda s: s.authorization_expires_at and s.authorization_days_left <= 30
        ):
            banners.append(
                {
                    "shop_id": shop.id,
                    "message": self.env._(
                        "The authorization of %(shop)s expires in %(days)s day(s): press "
                        "Connect shop on its account to renew it.",
                        shop=shop.name,
                        days=shop.authorization_days_left,
                    ),
                }
            )
        for shop in shops.filtered(lambda s: s.auth_state != "connected"):
            banners.append(
                {
                    "shop_id": shop.id,
                    "message": self.env._(
                        "%(shop)s is not connected (%(state)s).",
                        shop=shop.name,
                        state=dict(
                            shop._fields["auth_state"]._description_selection(self.env)
                        )[shop.auth_state],
                    ),
                }
            )
        banners += self._held_push_banners(shops)
        return banners

    def _held_push_banners(self, shops):
        """Listings whose stock Odoo does not push: the seller must know, or
        the marketplace keeps selling a stock Odoo no longer has."""
        Binding = self.env["marketplace.product.binding"]
        domain = [("shop_id", "in", shops.ids), ("push_held", "=", True)]
        banners = []
        for group in Binding._read_group(domain, ["shop_id"], ["__count"]):
            shop, count = group
            banners.append(
                {
                    "shop_id": shop.id,
                    "model": "marketplace.product.binding",
                    "domain": [("shop_id", "=", shop.id), ("push_held", "=", True)],
                    "title": self.env._("Push held"),
                    "message": self.env._(
                        "The stock of %(count)s listing(s) of %(shop)s is not "
                        "pushed until you check it in Odoo and press Confirm "
                        "and push.",
                        count=count,
                        shop=shop.name,
                    ),
                }
            )
        return banners


class MarketplaceDashboardHealth(models.AbstractModel):
    _inherit = "marketplace.dashboard"

    @api.model
    def _health_report(self):
        from ..controllers.health import BACKLOG_LIMIT

        shops = self.env["marketplace.shop"].sudo().search([])  # pylint: disable=no-search-all
        sync = self._sync(shops)
        since = fields.Datetime.now() - timedelta(hours=24)
        failed = (
            self.env["marketplace.job"]
            .sudo()
            .search_count([("state", "=", "failed"), ("date_done", ">=", since)])
        )
        problems = []
        if failed:
            problems.append(f"{failed} failed jobs in 24 h")
        for queue in sync["queue"]:
            if queue["oldest_seconds"] > BACKLOG_LIMIT:
                problems.append(
                    f"{queue['channel']}: oldest job waits {queue['oldest_seconds']} s"
                )
        for shop in sync["shops"]:
            if shop["auth_state"] != "connected":
                problems.append(f"shop {shop['shop']} is {shop['auth_state']}")
            elif shop["paused"]:
                problems.append(f"shop {shop['shop']}: scheduled pulls paused")
        return {
            "status": "degraded" if problems else "ok",
            "problems": problems,
            "generated_at": fields.Datetime.to_string(fields.Datetime.now()),
            "queue": sync["queue"],
            "failed_jobs_24h": failed,
            "shops": [
                {
                    key: shop[key]
                    for key in (
                        "shop_id",
                        "shop",
                        "auth_state",
                        "paused",
                        "last_pull",
                        "last_push",
                        "last_webhook",
                        "failed_24h",
                        "token_expires",
                        "authorization_expires",
                        "authorization_days",
                    )
                }
                for shop in sync["shops"]
            ],
        }
