"""A shop's connection: authorization lost or cancelled, disconnect, and the
pause of its scheduled work while the marketplace refuses the app."""

import logging

from odoo import api, fields, models
from odoo.exceptions import UserError

from .marketplace_shop import SYNC_CHECK_FIRST, SYNC_CHECK_MAX, SYNC_CHECK_MAX_DOUBLINGS

# (the shop's logger, as before this file was split from marketplace_shop.py)
_logger = logging.getLogger("odoo.addons.connector_marketplace.models.marketplace_shop")


class MarketplaceShop(models.Model):
    _inherit = "marketplace.shop"

    # -- authorization --------------------------------------------------------
    def _mark_needs_reauth(self, reason):
        """Record that the marketplace refused this shop's tokens for good."""
        for shop in self:
            shop.write({"auth_state": "needs_reauth", "auth_error": reason})
            shop.message_post(
                body=self.env._(
                    "The marketplace refused this shop's authorization: %(reason)s "
                    "Open the account and press Connect shop to authorize it again.",
                    reason=reason,
                )
            )

    def _disconnect(self, reason):
        """Stop everything scheduled for these shops and forget their tokens.

        Orders and jobs stay; connecting the shop again resumes its work.
        """
        for shop in self.sudo():
            live = shop.job_ids.filtered(
                lambda job: job.state in ("pending", "processing")
            )
            live._fail_with(
                self.env._("Shop disconnected: %(reason)s", reason=reason),
                cancel_queue_jobs=True,
            )
            shop._wipe_channel_tokens()
            shop.write(
                {
                    "auth_state": "disconnected",
                    "auth_error": reason,
                    "access_token_expires_at": False,
                }
            )
            shop.message_post(
                body=self.env._(
                    "Shop disconnected: %(reason)s Its orders and jobs are kept; "
                    "press Connect shop on its account to connect it again.",
                    reason=reason,
                )
            )

    def _wipe_channel_tokens(self):
        """Channel addons erase the tokens they keep for the shop."""
        return None

    def action_disconnect(self):
        """Button "Disconnect" (managers): see :meth:`_disconnect`."""
        if not self.env.user.has_group(
            "connector_marketplace.group_marketplace_manager"
        ):
            raise UserError(
                self.env._("Only marketplace managers can disconnect a shop.")
            )
        # The work runs as the connector: who presses must be allowed to
        # change these shops (a manager of another company is not).
        self.check_access("write")
        self._disconnect(
            self.env._("disconnected by %(user)s.", user=self.env.user.name)
        )
        return True

    # -- pause of the scheduled work ------------------------------------------
    def _pause_sync(self, reason):
        """Stop this shop's scheduled pulls until its credentials work again."""
        for shop in self.sudo().filtered(lambda s: not s.sync_paused):
            shop.write(
                {
                    "sync_paused": True,
                    "sync_pause_reason": reason,
                    "sync_paused_since": fields.Datetime.now(),
                    "sync_check_at": False,
                    "sync_checks": 0,
                }
            )
            _logger.warning(
                "Shop %s: scheduled pulls paused: %s", shop.display_name, reason
            )

    def _resume_sync(self, note):
        for shop in self.sudo().filtered("sync_paused"):
            shop.write(
                {
                    "sync_paused": False,
                    "sync_pause_reason": False,
                    "sync_paused_since": False,
                    "sync_check_at": False,
                    "sync_checks": 0,
                }
            )
            shop._marketplace_activity_done("credentials", note)
            shop._marketplace_activity_done("permission", note)
            shop.message_post(body=note)
            _logger.info("Shop %s: scheduled pulls resumed", shop.display_name)

    @api.model
    def _resume_paused_shops(self):
        """A test call per paused shop whose time came, in a job; those that
        answer resume."""
        for shop in self.sudo().search(
            [
                ("sync_paused", "=", True),
                ("auth_state", "=", "connected"),
                "|",
                ("sync_check_at", "=", False),
                ("sync_check_at", "<=", fields.Datetime.now()),
            ]
        ):
            shop._queue_job_once("check_connection")

    def _sync_check_refused(self):
        """The test call was refused again: the next one later, 10 minutes
        after the first, twice as long after each next one, at most 6 hours:
        a refusal that lasts does not fill the Jobs list."""
        for shop in self.sudo():
            checks = shop.sync_checks + 1
            delay = min(
                SYNC_CHECK_FIRST * 2 ** min(checks - 1, SYNC_CHECK_MAX_DOUBLINGS),
                SYNC_CHECK_MAX,
            )
            shop.write(
                {
                    "sync_checks": checks,
                    "sync_check_at": fields.Datetime.now() + delay,
                }
            )
