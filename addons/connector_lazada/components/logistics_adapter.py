"""Shipping on Lazada Thailand: pack, ready to ship, the air waybill
(lazada-api.md §6). These calls answer under ``result``: ``success`` then
``data``, or the refusal of the whole call (``error_code``, ``error_msg``);
each item or package of the data has its own ``item_err_code``."""

import json

from odoo.addons.component.core import Component
from odoo.addons.connector_marketplace.exceptions import RecordRefusal
from odoo.addons.queue_job.exception import RetryableJobError

# item statuses (lazada-api.md §4)
PACKABLE = ("pending", "repacked")
PACKED = ("packed", "ready_to_ship_pending")
READY = ("ready_to_ship",)
GONE = ("canceled", "returned", "shipped_back", "shipped_back_success")
# "system is busy now, pls try later": the document is still being made
BUSY = "6"
DOCUMENT_BATCH = 20


class LazadaRefusal(Exception):
    """Lazada refused this order's step; the message is its reason."""


class LazadaBusy(Exception):
    """Lazada is still making the document."""


class LazadaLogisticsAdapter(Component):
    _name = "lazada.logistics.adapter"
    _inherit = "lazada.adapter"
    _apply_on = "lazada.order"
    _usage = "logistics.adapter"

    def _post_result(self, api_path, **params):
        """The ``data`` of a fulfilment call; a refusal of the whole call
        raises ``LazadaRefusal`` (its busy code is retried)."""
        with self._errors():
            result = (
                self.client.call(
                    "POST",
                    api_path,
                    {k: json.dumps(v) for k, v in params.items()},
                    key="result",
                )
                or {}
            )
        if result.get("success") is False or "data" not in result:
            code = str(result.get("error_code") or "")
            message = result.get("error_msg") or code or "no answer"
            if code == BUSY:
                raise LazadaBusy(message)
            raise LazadaRefusal(f"{message} [{code}]" if code else message)
        return result["data"] or {}

    # -- arrange shipment -----------------------------------------------------
    def ship(self, order_ref, rows):
        """Pack the order's items still to pack, then set its packages ready
        to ship. None, or Lazada's reason for refusing.

        :param rows: the order's item rows, as ``/orders/items/get`` gives
            them now
        """
        live = [row for row in rows if row.get("status") not in GONE]
        if not live:
            return self.env._("Every item of the order is cancelled or returned.")
        if any(row.get("status") not in PACKABLE + PACKED + READY for row in live):
            return self.env._(
                "Some items of the order are past shipping (%(statuses)s).",
                statuses=", ".join(sorted({row.get("status") for row in live})),
            )
        packages = {
            row["package_id"]
            for row in live
            if row.get("status") in PACKED and row.get("package_id")
        }
        try:
            to_pack = [row for row in live if row.get("status") in PACKABLE]
            if to_pack:
                packages |= self._pack(order_ref, to_pack)
            if packages:
                self._ready_to_ship(sorted(packages))
        except LazadaRefusal as refusal:
            return str(refusal)
        except LazadaBusy as busy:
            raise RetryableJobError(
                self.env._(
                    "Lazada is busy (%(error)s); trying again later.", error=busy
                )
            ) from busy
        return None

    def _pack(self, order_ref, rows):
        data = self._post_result(
            "/order/fulfill/pack",
            packReq={
                "pack_order_list": [
                    {
                        "order_id": int(order_ref),
                        "order_item_list": [int(row["order_item_id"]) for row in rows],
                    }
                ],
                "delivery_type": "dropship",
                "shipping_allocate_type": "TFS",
            },
        )
        packages, refusals = set(), []
        for order in data.get("pack_order_list") or []:
            for item in order.get("order_item_list") or []:
                if str(item.get("item_err_code", "0")) not in ("0", ""):
                    refusals.append(item.get("msg") or str(item.get("item_err_code")))
                elif item.get("package_id"):
                    packages.add(item["package_id"])
        if refusals:
            raise LazadaRefusal("; ".join(sorted(set(refusals))))
        return packages

    def _ready_to_ship(self, package_ids):
        data = self._post_result(
            "/order/package/rts",
            readyToShipReq={"packages": [{"package_id": p} for p in package_ids]},
        )
        refusals = [
            package.get("msg") or str(package.get("item_err_code"))
            for package in data.get("packages") or []
            if str(package.get("item_err_code", "0")) not in ("0", "")
        ]
        if refusals:
            raise LazadaRefusal("; ".join(sorted(set(refusals))))

    # -- cancellations --------------------------------------------------------
    def cancel(self, order_ref, rows, reason_names):
        """Cancel the order's live items as the seller: None, or Lazada's
        reason for refusing.

        :param reason_names: Lazada's names of the seller's reason, the
            first one Lazada offers for these items is given
        """
        live = [row for row in rows if row.get("status") not in GONE]
        if not live:
            return None
        item_ids = json.dumps([int(row["order_item_id"]) for row in live])
        with RecordRefusal() as refusal:
            check = self._get(
                "/order/reverse/cancel/validate",
                order_id=order_ref,
                order_item_id_list=item_ids,
            )
            if check.get("tip_type") == "error":
                return check.get("tip_content") or self.env._(
                    "Lazada does not let these items be cancelled."
                )
            offered = {
                (option.get("reason_name") or "").strip().lower(): option["reason_id"]
                for option in check.get("reason_options") or []
            }
            reason_id = next(
                (offered[name] for name in reason_names if name in offered), None
            )
            if reason_id is None:
                return self.env._(
                    "Lazada offers other reasons for this order: %(reasons)s.",
                    reasons=", ".join(
                        o.get("reason_name") or ""
                        for o in check.get("reason_options") or []
                    ),
                )
            with self._errors():
                self.client.call(
                    "POST",
                    "/order/reverse/cancel/create",
                    {
                        "order_id": order_ref,
                        "order_item_id_list": item_ids,
                        "reason_id": reason_id,
                    },
                )
        return refusal.reason

    def answer_cancellation(self, rows, accept):
        """Agree to or refuse the buyer's cancellation requests of the
        order's items: None, or Lazada's reason for refusing."""
        requests = sorted(
            {
                str(row["reverse_order_id"])
                for row in rows
                if row.get("reverse_order_id")
                and str(row.get("need_cancel_confirm")).lower() == "true"
            }
        )
        if not requests:
            return self.env._("The buyer's request is no longer open on Lazada.")
        with RecordRefusal() as refusal:
            for reverse_order_id in requests:
                with self._errors():
                    self.client.call(
                        "POST",
                        "/order/reverse/cancel/seller/decide",
                        {
                            "reverse_order_id": reverse_order_id,
                            "agree_cancel": "true" if accept else "false",
                        },
                    )
        return refusal.reason

    # -- air waybills ---------------------------------------------------------
    def awb(self, package_ids):
        """The air waybill of packages, as one PDF (bytes).

        :raises LazadaBusy: Lazada is still making it
        :raises LazadaRefusal: Lazada will not print it
        """
        data = self._post_result(
            "/order/package/document/get",
            getDocumentReq={
                "doc_type": "PDF",
                "packages": [{"package_id": p} for p in package_ids],
                "print_item_list": False,
            },
        )
        url = data.get("pdf_url")
        if not url:
            raise LazadaRefusal(self.env._("Lazada sent no link to the label."))
        with self._errors():
            return self.client.download(url)
