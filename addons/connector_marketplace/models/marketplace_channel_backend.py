"""The channel contract: what a channel addon implements, and nothing else.

A channel addon (one per marketplace) gives its shops a
connector backend, a model that ``_inherit``\\ s ``marketplace.channel.backend``
and ``_inherits`` ``marketplace.shop``, and implements the hooks declared
here; a hook a channel does not implement raises ``NotImplementedError``
naming the channel and the hook.

The rest of the contract, each declared where the base calls it:

* ``marketplace.account``: ``_marketplace_recover_webhooks``,
  ``_marketplace_check_push_signature``, ``_marketplace_receive_push``,
  ``_marketplace_authorization_problem``, ``_marketplace_authorize``;
* ``marketplace.webhook.event``: ``_process_channel_event``,
  ``_event_kind``, ``_event_code``, ``_event_msg_id``, ``_dedup_content``;
* ``marketplace.shop``: ``_get_channel_backend`` (the shop's backend) and
  ``_wipe_channel_tokens`` (forget the channel's tokens on a disconnect);
* fulfilment (when the capabilities say ``can_ship`` / ``can_print_labels``):
  ``_marketplace_shipping_options``, ``_marketplace_ship``,
  ``_marketplace_fetch_labels``, on the backend; with ``can_cancel``,
  ``_marketplace_cancel`` and ``_marketplace_answer_cancellation``;
* the components the base looks up in the backend's collection: a binder,
  adapters, importers and mappers per binding model (the stock exporter is
  the base's own).

What the base offers a channel to call: ``marketplace.webhook.event._receive``
(store a push once), ``marketplace.shop._queue_webhook_import`` (an import
of a pushed order), ``_disconnect`` and ``_mark_needs_reauth`` (the seller
must connect again), ``marketplace.job._queue_for`` (a job), and the
``marketplace.sale.order.builder`` service, which a channel may extend.

Errors, for every hook that calls the marketplace:

* ``odoo.addons.queue_job.exception.RetryableJobError`` (or a subclass): a
  passing trouble (throttled, a server error, a timeout); the step is tried
  again later, on the job function's retry pattern.
* ``odoo.addons.queue_job.exception.FailedJobError`` (or a subclass, such as
  ``MarketplaceCredentialsError`` and ``MarketplacePermissionError`` of
  ``..exceptions``): a refusal for good; the job ends failed with the
  message, which the seller reads, so it is translated and holds no secret.
* ``..exceptions.RecordsNotFound``: the marketplace does not know a whole
  batch of the records asked for.

Anything else is a bug, and queue_job keeps its traceback.
"""

from dataclasses import dataclass

from odoo import models

#: how a parcel reaches the carrier (the neutral words of the ship wizard)
SHIP_MODES = [
    ("pickup", "Carrier picks up"),
    ("dropoff", "Drop off at a branch"),
    ("manual", "Own carrier (tracking number)"),
]
#: why a seller cancels an order (the channel maps them to its own)
CANCEL_REASONS = [
    ("out_of_stock", "Out of stock"),
    ("buyer_asked", "The buyer asked"),
    ("undeliverable", "Cannot deliver to the address"),
    ("wrong_price", "Wrong price or listing"),
]
#: shipping label page formats (a shop setting)
LABEL_FORMATS = [
    ("a4", "A4 (office printer)"),
    ("thermal", "Thermal label 100 × 150 mm"),
]


@dataclass(frozen=True)
class ChannelCapabilities:
    """What a channel can do, and how its API wants to be called."""

    #: orders read per call (a chunk of a pull or of an import job)
    order_chunk_size: int = 50
    #: catalogue items read per call
    item_chunk_size: int = 50
    #: how a stock push is grouped into calls: ``"item"`` (one call per item
    #: with up to ``stock_batch_size`` of its variations) or ``"sku"`` (up to
    #: ``stock_batch_size`` SKUs of any items in one call)
    stock_batching: str = "item"
    stock_batch_size: int = 50
    #: the work after the order the channel supports from Odoo
    can_ship: bool = False
    can_print_labels: bool = False
    can_cancel: bool = False
    can_handle_returns: bool = False
    can_read_payouts: bool = False
    #: orders shipped per call of ``_marketplace_ship``
    ship_batch_size: int = 50
    #: orders labelled per call of ``_marketplace_fetch_labels``
    label_batch_size: int = 50
    #: minutes the marketplace asks the seller to wait after an order is
    #: placed before arranging its shipment (the buyer may still cancel)
    ship_wait_minutes: int = 0
    #: the ``CANCEL_REASONS`` the marketplace takes from a seller
    cancel_reasons: tuple = ()


class MarketplaceChannelBackend(models.AbstractModel):
    _name = "marketplace.channel.backend"
    _inherit = "connector.backend"
    _description = "Marketplace Channel Backend (the channel contract)"

    def _contract_missing(self, hook):
        raise NotImplementedError(
            f"The channel backend {self._name} does not implement {hook}, "
            "a hook of the marketplace channel contract."
        )

    # -- what the channel is ------------------------------------------------
    def _marketplace_capabilities(self):
        """:returns: the channel's :class:`ChannelCapabilities`."""
        return ChannelCapabilities()

    # -- connection ---------------------------------------------------------
    def _marketplace_refresh_tokens(self):
        """Refresh the shop's access token unless it is still valid for a
        while (another process may have refreshed it since the job was
        queued).

        :returns: the naive UTC datetime when the token now expires
        :raises RetryableJobError: the marketplace cannot answer now
        :raises FailedJobError: the refresh is refused for good; the shop is
            marked to be authorized again
        """
        self._contract_missing("_marketplace_refresh_tokens")

    def _marketplace_check_connection(self):
        """A light call that succeeds only if the app and the shop are
        accepted.

        :returns: True
        :raises FailedJobError: refused (``MarketplaceCredentialsError``,
            ``MarketplacePermissionError`` pause the shop's scheduled work)
        """
        self._contract_missing("_marketplace_check_connection")

    # -- orders -------------------------------------------------------------
    def _marketplace_list_orders(self, since, until, progress=None):
        """The references of the shop's orders updated in [since, until].

        :param since: naive UTC datetime
        :param until: naive UTC datetime
        :param progress: optional dict, saved by the base when a listing
            fails and given back on the next try: the channel keeps in it
            where its listing stands (pages, cursors) so that the next try
            goes on from there, and the references listed so far under
            ``"order_refs"`` (the base reports how many); it must stay JSON
        :returns: list of order references (``marketplace.order.name``)
        """
        self._contract_missing("_marketplace_list_orders")

    def _marketplace_import_orders(self, order_refs):
        """Read and store a chunk of orders (at most the capabilities'
        ``order_chunk_size``), creating or updating their
        ``marketplace.order`` with the neutral fields filled by the channel's
        mappers.

        :returns: a ``..components.importer.ChunkResult`` whose ``records``
            are the ``marketplace.order`` records written
        """
        self._contract_missing("_marketplace_import_orders")

    def _marketplace_items_in_unimported_orders(self):
        """Item ids of the orders the marketplace changed after the shop's
        order sync point: their stock there may count orders Odoo has not
        seen yet, so a drift check leaves them alone.

        :returns: set of item ids (strings)
        """
        self._contract_missing("_marketplace_items_in_unimported_orders")

    # -- money and shipping of orders ------------------------------------------
    def _marketplace_read_money(self, order_refs):
        """The settlement of orders: what the seller sold them for, what the
        marketplace paid on the buyer's behalf, the fees and the payout, in
        the base's neutral words (the channel's money mapper translates its
        own API's).

        :returns: {order reference: {"amounts": {name: float} for the names
            of ``marketplace_order_money.MONEY_FIELDS`` (buyer_total,
            items_subtotal, seller_discount, platform_discount,
            seller_voucher, platform_voucher, platform_coins,
            buyer_shipping_fee, actual_shipping_fee,
            platform_shipping_subsidy, commission_fee, service_fee,
            seller_transaction_fee, buyer_transaction_fee, payment_promotion,
            cross_border_tax, payout_amount), "items": [{"item_id",
            "variation_id", "subtotal" (the line's price after the seller's
            discounts), "deal" (bundle or add-on deal, or False)}],
            "payload": the channel's answer, kept for audits}}, for the
            orders the marketplace has settled (the others are asked again
            later)
        """
        self._contract_missing("_marketplace_read_money")

    def _marketplace_read_tracking(self, order_refs):
        """Tracking numbers of shipped orders.

        :returns: {order reference: tracking number} for those that have one
        """
        self._contract_missing("_marketplace_read_tracking")

    # -- fulfilment: shipping and labels ------------------------------------
    def _marketplace_shipping_options(self, order_refs):
        """How these orders can be handed to the carrier, for the seller to
        choose (the ship wizard): the ``SHIP_MODES`` the marketplace offers
        for them, the seller's pick-up addresses with the time slots of the
        first order, and the drop-off branches.

        :returns: ``{"modes": [mode, ...], "addresses": [{"id", "label",
            "default" (bool), "slots": [{"id", "label", "recommended"}]}],
            "branches": [{"id", "label"}], "note": text for the seller or ""}``
        :raises FailedJobError: the marketplace refuses (the order cannot be
            shipped now); its message is shown to the seller
        """
        self._contract_missing("_marketplace_shipping_options")

    def _marketplace_ship(self, order_refs, shipment):
        """Arrange the shipment of orders (at most the capabilities'
        ``ship_batch_size``).

        :param shipment: ``{"mode": one of SHIP_MODES, "address_id",
            "slot_id" (None: the recommended, else the earliest, slot of each
            order), "branch_id", "tracking_numbers": {order ref: number}}``
            (ids as ``_marketplace_shipping_options`` gave them, or None)
        :returns: ``{order ref: None when the shipment is arranged (also when
            it already was: a retry after a lost answer), else the
            marketplace's reason, for the seller}``
        :raises RetryableJobError: nothing was decided; the whole call is
            tried again
        """
        self._contract_missing("_marketplace_ship")

    def _marketplace_fetch_labels(self, order_refs, label_format):
        """The shipping labels (air waybills) of arranged orders, as PDF
        files: asks the marketplace for the ones it has not made yet, reads
        the others. Safe to call again and again.

        :param label_format: ``"a4"`` or ``"thermal"`` (the shop's setting)
        :returns: ``{"ready": {order ref: PDF bytes}, "pending": [order refs
            the marketplace is still making], "failed": {order ref: reason}}``
        """
        self._contract_missing("_marketplace_fetch_labels")

    # -- fulfilment: cancellations ---------------------------------------------
    def _marketplace_cancel(self, order_refs, reason):
        """Cancel unshipped orders as the seller, for one of the
        capabilities' ``cancel_reasons`` (the whole order, every item).

        :returns: ``{order ref: None when cancelled (also when it was
            already), else the marketplace's reason for refusing}``
        :raises RetryableJobError: nothing was decided; tried again
        """
        self._contract_missing("_marketplace_cancel")

    def _marketplace_answer_cancellation(self, order_refs, accept):
        """Accept or reject the buyers' cancellation requests of orders.

        :returns: ``{order ref: None when answered, else the marketplace's
            reason for refusing the answer}``
        """
        self._contract_missing("_marketplace_answer_cancellation")

    # -- catalogue ----------------------------------------------------------
    def _marketplace_list_items(self, since=None, until=None):
        """The shop's catalogue items, those changed in the window when one
        is given.

        :returns: list of ``[item id, listing status]``
        """
        self._contract_missing("_marketplace_list_items")

    def _marketplace_import_items(self, items):
        """Read and store the listings (one per variation) of a chunk of
        items (at most the capabilities' ``item_chunk_size``).

        :returns: a ``ChunkResult`` whose ``records`` are the
            ``marketplace.product.binding`` records written
        """
        self._contract_missing("_marketplace_import_items")

    # -- stock --------------------------------------------------------------
    def _marketplace_update_stock(self, updates):
        """Set the seller stock of listings, in one call to the marketplace.

        The base's stock exporter groups the listings into calls as the
        capabilities say (``stock_batching``, ``stock_batch_size``): with
        ``"item"``, the updates of one call are variations of one item.

        :param updates: list of ``(item id, variation id, quantity)``; the
            variation id is ``NO_VARIATION`` for an item without variations,
            as the channel's bindings store it
        :returns: ``{"success": {(item id, variation id): quantity now
            shown}, "failure": {(item id, variation id): reason}}``; a listing
            in neither is reported as left out of the answer
        :raises RetryableJobError: this call is sent again by the step's next
            try (the other calls of the step go on)
        :raises FailedJobError: every listing of this call is refused with
            the error's message
        """
        self._contract_missing("_marketplace_update_stock")

    def _marketplace_read_stock(self, item_ids):
        """The seller stock the marketplace has now.

        :returns: {(item id, variation id): quantity}
        """
        self._contract_missing("_marketplace_read_stock")
