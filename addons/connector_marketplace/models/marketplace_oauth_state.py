"""The ``state`` of an authorization link: who asked, for which account.

A marketplace sends the seller back to Odoo with a one-time code in the URL.
Without a state tied to a request made in Odoo, anybody could make a logged-in
manager's browser open such a URL with the attacker's own code and attach the
attacker's shop. Each Connect shop link therefore carries a state: a random
nonce, stored here with the account, the user who made the link and an expiry,
plus an HMAC of them keyed by the database secret. The callback accepts the
state once, for that account, before it expires.

It is not bound to the browser session on purpose: integrators send the link
to the shop's owner, who authorizes on another device.
"""

import hashlib
import hmac
import secrets
from datetime import timedelta

from odoo import api, fields, models

STATE_TTL = timedelta(hours=24)


class MarketplaceOAuthState(models.Model):
    _name = "marketplace.oauth.state"
    _description = "Marketplace Authorization Link"
    _order = "id desc"

    account_id = fields.Many2one(
        "marketplace.account", required=True, ondelete="cascade", index=True
    )
    user_id = fields.Many2one(
        "res.users",
        string="Requested by",
        required=True,
        ondelete="cascade",
        help="The manager who made the link; the shop is connected on their behalf.",
    )
    nonce = fields.Char(required=True, index=True)
    expires_at = fields.Datetime(required=True)
    used_at = fields.Datetime(readonly=True)

    _sql_constraints = [
        ("nonce_uniq", "unique(nonce)", "An authorization link is used once."),
    ]

    @api.model
    def _signature(self, account_id, nonce, expires):
        secret = self.env["ir.config_parameter"].sudo().get_param("database.secret")
        message = f"{account_id}.{nonce}.{expires}".encode()
        return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()

    @api.model
    def _issue(self, account):
        """A new state token for ``account``, made by the current user.

        Only who may change the account may have its shops authorized: its
        company's managers (the access rules and the company's record rules,
        whatever the channel's button reads before).
        """
        account.check_access("write")
        nonce = secrets.token_urlsafe(24)
        expires_at = fields.Datetime.now() + STATE_TTL
        self.sudo().create(
            {
                "account_id": account.id,
                "user_id": self.env.uid,
                "nonce": nonce,
                "expires_at": expires_at,
            }
        )
        expires = int(expires_at.timestamp())
        signature = self._signature(account.id, nonce, expires)
        return f"{account.id}.{nonce}.{expires}.{signature}"

    @api.model
    def _consume(self, token, account_id):
        """The state record of ``token`` for ``account_id``, marked used.

        :returns: (state, problem): ``state`` is empty and ``problem`` says why
            when the token is not valid, expired or used
        """
        empty = self.sudo().browse()
        parts = (token or "").split(".")
        if len(parts) != 4:
            return empty, self.env._(
                "The link carries no valid state: start again from the account's "
                "Connect shop button."
            )
        account_part, nonce, expires, signature = parts
        expected = self._signature(account_part, nonce, expires)
        if not hmac.compare_digest(expected, signature) or account_part != str(
            account_id
        ):
            return empty, self.env._(
                "This link was not made by this Odoo for this account: nothing "
                "was changed."
            )
        self.env.cr.execute(
            "SELECT id FROM marketplace_oauth_state WHERE nonce = %s FOR UPDATE",
            [nonce],
        )
        row = self.env.cr.fetchone()
        state = self.sudo().browse(row[0] if row else [])
        if not state or state.account_id.id != account_id:
            return empty, self.env._(
                "This link is unknown here: start again from the account's "
                "Connect shop button."
            )
        if state.used_at:
            return empty, self.env._(
                "This link was already used: press Connect shop on the account again."
            )
        if state.expires_at < fields.Datetime.now():
            return empty, self.env._(
                "This link has expired: press Connect shop on the account again."
            )
        state.used_at = fields.Datetime.now()
        return state, None

    @api.autovacuum
    def _gc_expired(self):
        limit = fields.Datetime.now() - STATE_TTL
        self.sudo().search([("expires_at", "<", limit)]).unlink()
