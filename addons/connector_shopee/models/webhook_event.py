"""What each Shopee push code asks for (shopee-api.md §9)."""

import contextlib
import json

from odoo import api, models

from odoo.addons.connector_marketplace.components.mapper import epoch_to_datetime


def push_time(value):
    """A push's ``timestamp`` (Unix seconds) as a naive UTC datetime, or None
    when it has none that reads as a time."""
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
        return None
    try:
        return epoch_to_datetime(value)
    except (OverflowError, ValueError, OSError):
        return None


# Shopee's push codes as the base's event kinds
EVENT_KINDS = {
    1: "authorization_granted",
    2: "authorization_cancelled",
    3: "order_changed",
    4: "tracking_number",
    12: "authorization_expiring",
}


class MarketplaceWebhookEvent(models.Model):
    _inherit = "marketplace.webhook.event"

    @api.model
    def _event_kind(self, account, message):
        if account.channel != "shopee":
            return super()._event_kind(account, message)
        return EVENT_KINDS.get(message.get("code"), "other")

    @api.model
    def _event_code(self, account, message):
        if account.channel != "shopee":
            return super()._event_code(account, message)
        code = message.get("code")
        return code if isinstance(code, int) and not isinstance(code, bool) else False

    @api.model
    def _event_msg_id(self, account, message):
        if account.channel != "shopee":
            return super()._event_msg_id(account, message)
        return message.get("msg_id") or False

    @api.model
    def _dedup_content(self, account, message):
        """Shop, code, time and data: a push and the same message read back as
        lost (its data as JSON text, other fields around it) have one key."""
        if account.channel != "shopee":
            return super()._dedup_content(account, message)
        data = message.get("data")
        if isinstance(data, str):
            # a lost push carries its data as JSON text; other text stays text
            with contextlib.suppress(ValueError):
                data = json.loads(data)
        return {
            "shop_id": message.get("shop_id"),
            "partner_id": message.get("partner_id"),
            "code": message.get("code"),
            "timestamp": message.get("timestamp"),
            "data": data,
        }

    def _message(self):
        try:
            message = json.loads(self.sudo().raw_body or "{}")
        except ValueError:
            return {}, {}
        data = message.get("data")
        if isinstance(data, str):  # lost pushes carry data as a JSON string
            try:
                data = json.loads(data)
            except ValueError:
                data = {}
        return message, data if isinstance(data, dict) else {}

    def _process_channel_event(self):
        """(state, result) of handling this push; ids only come from the body."""
        self.ensure_one()
        if self.channel != "shopee":
            return super()._process_channel_event()
        message, data = self._message()
        code = message.get("code")
        shop = self.shop_id
        if code in (3, 4):
            order_sn = data.get("ordersn") or data.get("order_sn")
            if not order_sn or not shop:
                return "failed", self.env._("The push names no order.")
            if shop.auth_state != "connected":
                return "ignored", self.env._("The shop is not connected.")
            if code == 4:
                # The tracking number is read again from the API with the order.
                orders = self.env["marketplace.order"].search(
                    [("shop_id", "=", shop.id), ("name", "=", order_sn)]
                )
                orders.write({"tracking_number": False, "needs_sale_sync": True})
            job = shop._queue_webhook_import(order_sn, self)
            return "done", self.env._(
                "Order %(order)s imported again by job %(job)s.",
                order=order_sn,
                job=job.name,
            )
        if code == 2:
            shops = shop or self.account_id._shopee_push_shop(message)
            if not shops:
                return "ignored", self.env._("No shop of this account has this id.")
            stale = self._shopee_stale_cancellation(shops, message)
            if stale:
                return "ignored", stale
            shops._disconnect(
                self.env._("the seller cancelled the authorization on Shopee.")
            )
            return "done", self.env._("Shop %(shop)s disconnected.", shop=shops.name)
        if code == 1:
            self.account_id.message_post(
                body=self.env._(
                    "Shopee says shop %(shop)s authorized this app. Pushes bring no "
                    "tokens: press Connect shop on this account to finish connecting "
                    "it.",
                    shop=data.get("shop_id") or data.get("shop_id_list") or "?",
                )
            )
            return "done", self.env._("Noted on the account.")
        if code == 12:
            expiring = [str(s) for s in data.get("shop_expire_soon") or []]
            shops = self.env["marketplace.shop"].search(
                [
                    ("account_id", "=", self.account_id.id),
                    ("external_id", "in", expiring),
                ]
            )
            for expiring_shop in shops:
                expiring_shop._marketplace_activity(
                    "auth_expiry",
                    self.env._(
                        "Authorization of %(shop)s expires soon",
                        shop=expiring_shop.name,
                    ),
                    self.env._(
                        "Shopee says the authorization of this shop expires before "
                        "%(date)s: press Connect shop on its account to renew it.",
                        date=expiring_shop._local_time(
                            epoch_to_datetime(data.get("expire_before"))
                        )
                        or self.env._("the date Shopee gave"),
                    ),
                )
            return "done", self.env._(
                "%(count)s shop(s) warned of the expiry.", count=len(shops)
            )
        return "not_handled", self.env._(
            "Push code %(code)s is not handled.", code=code
        )

    def _shopee_stale_cancellation(self, shop, message):
        """Why this cancellation must not disconnect ``shop``, or None.

        Shopee retries a push for hours and keeps a lost one for three days,
        so a cancellation can arrive after the seller authorized the shop
        again: only one sent after the shop's last authorization counts.
        Disconnecting erases tokens only the seller can give back, while a
        cancellation wrongly ignored shows at the shop's next call to Shopee
        (its refresh is refused and it asks for a new authorization): a push
        without a time is therefore ignored too.
        """
        sent_at = push_time(message.get("timestamp"))
        if not sent_at:
            return self.env._(
                "The push carries no time, so it cannot be told from a "
                "cancellation older than the shop's last authorization: the shop "
                "is left as it is. If its authorization is really gone, its next "
                "call to Shopee says so."
            )
        if shop.authorized_at and sent_at < shop.authorized_at:
            return self.env._(
                "This cancellation (%(sent)s) is older than the shop's last "
                "authorization (%(authorized)s): the shop is not disconnected.",
                sent=shop._local_time(sent_at),
                authorized=shop._local_time(shop.authorized_at),
            )
        return None
