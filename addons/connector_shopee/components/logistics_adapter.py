"""Shipping on Shopee: shipping parameters, ship_order and the air waybill
(shopee-api.md §8): the calls, and their answers in the contract's words."""

from datetime import datetime, timezone

from odoo.addons.component.core import Component
from odoo.addons.connector_marketplace.exceptions import RecordRefusal
from odoo.addons.queue_job.exception import FailedJobError

# what Shopee asks for, in the contract's ways to ship
INFO_MODES = {"pickup": "pickup", "dropoff": "dropoff", "non_integrated": "manual"}
SHOPEE_MODES = {mode: key for key, mode in INFO_MODES.items()}
DOCUMENT_TYPES = {"a4": "NORMAL_AIR_WAYBILL", "thermal": "THERMAL_AIR_WAYBILL"}
# statuses after an arranged shipment (§5.3)
ARRANGED_STATUSES = ("PROCESSED", "SHIPPED", "TO_CONFIRM_RECEIVE", "COMPLETED")
# a document call whose every row failed: the rows still say why (§8.4)
ALL_ROWS_FAILED = ("batch_api_all_failed",)
# create_shipping_document's refusals that only mean "not yet": the tracking
# number comes a while after the shipment is arranged (§8.3)
NOT_YET_ERRORS = ("tracking_number_invalid", "tracking_number_not_ready")
DOCUMENT_BATCH = 50


def _address_label(address):
    parts = [
        address.get(key)
        for key in ("address", "town", "district", "city", "state", "zipcode")
    ]
    return ", ".join(str(part).strip() for part in parts if str(part or "").strip())


def _slot_label(slot, tz):
    if slot.get("time_text"):
        return slot["time_text"]
    moment = datetime.fromtimestamp(int(slot.get("date") or 0), timezone.utc)
    return moment.astimezone(tz).strftime("%d/%m/%Y %H:%M")


class ShopeeLogisticsAdapter(Component):
    _name = "shopee.logistics.adapter"
    _inherit = "shopee.adapter"
    _apply_on = "shopee.order"
    _usage = "logistics.adapter"

    # -- arrange shipment -----------------------------------------------------
    def shipping_parameter(self, order_sn, package_number=None):
        params = {"order_sn": order_sn}
        if package_number:
            params["package_number"] = package_number
        data = self._call("GET", "logistics/get_shipping_parameter", params=params)
        return data.get("response") or {}

    def options(self, parameter, tz):
        """The contract's shipping options from a shipping parameter."""
        info = parameter.get("info_needed") or {}
        addresses = (parameter.get("pickup") or {}).get("address_list") or []
        branches = (parameter.get("dropoff") or {}).get("branch_list") or []
        return {
            "modes": [INFO_MODES[key] for key in INFO_MODES if key in info],
            "addresses": [
                {
                    "id": str(address["address_id"]),
                    "label": _address_label(address),
                    "default": bool(
                        {"default_address", "pickup_address"}
                        & set(address.get("address_flag") or [])
                    ),
                    "slots": [
                        {
                            "id": str(slot["pickup_time_id"]),
                            "label": _slot_label(slot, tz),
                            "recommended": "recommended" in (slot.get("flags") or []),
                        }
                        for slot in address.get("time_slot_list") or []
                    ],
                }
                for address in addresses
            ],
            "branches": [
                {"id": str(branch["branch_id"]), "label": _address_label(branch)}
                for branch in branches
            ],
        }

    def ship(self, order_sn, package_number, shipment):
        """Arrange one package: None, or Shopee's reason for refusing it."""
        mode = shipment["mode"]
        body = {"order_sn": order_sn}
        if package_number:
            body["package_number"] = package_number
        with RecordRefusal() as refusal:
            body[SHOPEE_MODES[mode]] = self._mode_block(
                order_sn, package_number, shipment
            )
            self._call("POST", "logistics/ship_order", body=body)
        return refusal.reason

    def _mode_block(self, order_sn, package_number, shipment):
        mode = shipment["mode"]
        if mode == "manual":
            return {"tracking_number": shipment["tracking_numbers"][order_sn]}
        if mode == "dropoff":
            return (
                {"branch_id": int(shipment["branch_id"])}
                if shipment["branch_id"]
                else {}
            )
        address_id, slot_id = shipment["address_id"], shipment["slot_id"]
        if not (address_id and slot_id):
            address_id, slot_id = self._pickup_slot(
                order_sn, package_number, address_id
            )
        return {"address_id": int(address_id), "pickup_time_id": slot_id}

    def _pickup_slot(self, order_sn, package_number, address_id):
        """The recommended, else the earliest, time slot of this parcel at the
        address (the default address when none is given)."""
        options = self.options(
            self.shipping_parameter(order_sn, package_number), timezone.utc
        )
        addresses = options["addresses"]
        address = (
            next((a for a in addresses if a["id"] == address_id), None)
            if address_id
            else next((a for a in addresses if a["default"]), None)
        ) or (addresses[0] if addresses and not address_id else None)
        if not address or not address["slots"]:
            raise FailedJobError(
                self.env._(
                    "Shopee offers no pick-up time for this parcel at that address."
                )
            )
        slot = next((s for s in address["slots"] if s["recommended"]), None)
        return address["id"], (slot or address["slots"][0])["id"]

    # -- cancellations --------------------------------------------------------
    def cancel(self, order_sn, cancel_reason, item_list):
        """cancel_order: None, or Shopee's reason for refusing."""
        body = {"order_sn": order_sn, "cancel_reason": cancel_reason}
        if cancel_reason == "OUT_OF_STOCK":
            body["item_list"] = item_list
        with RecordRefusal() as refusal:
            self._call("POST", "order/cancel_order", body=body)
        return refusal.reason

    def answer_cancellation(self, order_sn, accept):
        with RecordRefusal() as refusal:
            self._call(
                "POST",
                "order/handle_buyer_cancellation",
                body={
                    "order_sn": order_sn,
                    "operation": "ACCEPT" if accept else "REJECT",
                },
            )
        return refusal.reason

    def order_statuses(self, order_sns):
        data = self._call(
            "GET",
            "order/get_order_detail",
            params={"order_sn_list": ",".join(order_sns)},
            not_found=order_sns,
        )
        return {
            order["order_sn"]: order.get("order_status")
            for order in (data.get("response") or {}).get("order_list") or []
        }

    # -- air waybills ---------------------------------------------------------
    def document_results(self, packages, document_type):
        """{(order_sn, package_number): (status, fail_error, fail_message)}"""
        results = {}
        for index in range(0, len(packages), DOCUMENT_BATCH):
            data = self._call(
                "POST",
                "logistics/get_shipping_document_result",
                body={
                    "order_list": [
                        self._document_entry(sn, package, document_type)
                        for sn, package in packages[index : index + DOCUMENT_BATCH]
                    ]
                },
                answered_codes=ALL_ROWS_FAILED,
            )
            for entry in (data.get("response") or {}).get("result_list") or []:
                results[entry.get("order_sn"), entry.get("package_number") or None] = (
                    entry.get("status") or "",
                    entry.get("fail_error") or "",
                    entry.get("fail_message") or "",
                )
        return results

    def create_documents(self, packages, document_type):
        """{(order_sn, package_number): (fail_error, fail_message)} of the
        packages Shopee refused."""
        refused = {}
        for index in range(0, len(packages), DOCUMENT_BATCH):
            data = self._call(
                "POST",
                "logistics/create_shipping_document",
                body={
                    "order_list": [
                        self._document_entry(sn, package, document_type)
                        for sn, package in packages[index : index + DOCUMENT_BATCH]
                    ]
                },
                answered_codes=ALL_ROWS_FAILED,
            )
            for entry in (data.get("response") or {}).get("result_list") or []:
                if entry.get("fail_error"):
                    refused[
                        entry.get("order_sn"), entry.get("package_number") or None
                    ] = (entry["fail_error"], entry.get("fail_message") or "")
        return refused

    def download(self, packages, document_type):
        """The PDF of the packages (one file)."""
        return self._call(
            "POST",
            "logistics/download_shipping_document",
            body={
                "shipping_document_type": document_type,
                "order_list": [
                    self._document_entry(sn, package) for sn, package in packages
                ],
            },
            file=True,
        )

    @staticmethod
    def _document_entry(order_sn, package_number, document_type=None):
        entry = {"order_sn": order_sn}
        if package_number:
            entry["package_number"] = package_number
        if document_type:
            entry["shipping_document_type"] = document_type
        return entry
