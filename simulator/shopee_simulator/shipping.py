"""The State's logistics after the order: arranging shipment and air waybills.

A mixin of :class:`~shopee_simulator.state.State`: every public method
takes the state's lock. ``self.shipments`` maps ``(order_sn,
package_number)`` to how a package was shipped (mode, address and slot or
branch, the seller's tracking number, when its tracking number appears);
``self.documents`` maps it to ``{document type: {created_at, ready_at,
seq}}``. ``tracking_delay`` and ``document_delay`` (seconds) make tracking
numbers and documents come late, as on Shopee; a tracking number that
appears late is pushed (code 4) at the first request after it did.
"""

import copy

from . import generator, logistics
from .errors import ApiError, param_error

NOT_FOUND = ("error_not_found", "Wrong parameters, detail: the order is not found.")
NOT_ARRANGED = frozenset(
    (
        "LOGISTICS_NOT_START",
        "LOGISTICS_PENDING_ARRANGE",
        "LOGISTICS_READY",
        "LOGISTICS_PICKUP_RETRY",
        "LOGISTICS_PICKUP_FAILED",
    )
)
NOT_PRINTABLE_ORDERS = ("IN_CANCEL", "CANCELLED", "TO_RETURN")
MAX_TEXT = 64


class Shipping:
    def _reset_shipping(self, scenario):
        self.shipments = {}
        self.pending_tracking = set()
        self.documents = {}
        self.document_seq = 0
        self.tracking_delay = float(scenario.tracking_delay)
        self.document_delay = float(scenario.document_delay)

    def logistics_settings(self, tracking_delay=None, document_delay=None):
        """Change (when given) and answer the delays, shipments and documents."""
        with self.lock:
            if tracking_delay is not None:
                self.tracking_delay = float(tracking_delay)
            if document_delay is not None:
                self.document_delay = float(document_delay)
            return {
                "tracking_delay": self.tracking_delay,
                "document_delay": self.document_delay,
                "shipments": [
                    {"order_sn": sn, "package_number": number, **shipment}
                    for (sn, number), shipment in sorted(self.shipments.items())
                ],
                "documents": [
                    {
                        "order_sn": sn,
                        "package_number": number,
                        "shipping_document_type": kind,
                        **document,
                    }
                    for (sn, number), kinds in sorted(self.documents.items())
                    for kind, document in sorted(kinds.items())
                ],
            }

    # -- finding packages -----------------------------------------------------------

    def _locate(self, shop_id, order_sn, package_number=None):
        """(order, parcel, problem): problem is None, no_order, no_package or
        need_package (a split order asked without package_number)."""
        order = self.orders.get(shop_id, {}).get(order_sn)
        if order is None:
            return None, None, "no_order"
        parcels = order.get("package_list") or []
        if package_number:
            parcels = [p for p in parcels if p["package_number"] == package_number]
            if not parcels:
                return order, None, "no_package"
        elif len(parcels) > 1:
            return order, None, "need_package"
        if not parcels:
            return order, None, "no_package"
        return order, parcels[0], None

    def _find_package(self, shop_id, package_number):
        """(order, parcel) of the shop's package, or (None, None)."""
        for order in self.orders.get(shop_id, {}).values():
            for parcel in order.get("package_list") or []:
                if parcel["package_number"] == package_number:
                    return order, parcel
        return None, None

    @staticmethod
    def _shippable(order, parcel):
        """None, or Shopee's (error, message) for why it cannot ship now."""
        if parcel.get("logistics_status") == logistics.ARRANGED:
            return (
                "logistics.package_already_shipped",
                "This package has already been arranged shipment and you can't "
                "call this API again.",
            )
        if (
            order["order_status"] not in logistics.SHIPPABLE_STATUSES
            or parcel.get("logistics_status") not in logistics.SHIPPABLE_LOGISTICS
        ):
            return (
                "logistics.ship_order_not_ready_to_ship",
                "The order is not ready to ship.",
            )
        return None

    # -- get_shipping_parameter -------------------------------------------------------

    def shipping_parameter(self, shop_id, order_sn, package_number=None):
        with self.lock:
            order, parcel, problem = self._locate(shop_id, order_sn, package_number)
            if problem == "no_order":
                raise ApiError(*NOT_FOUND)
            if problem == "need_package":
                raise ApiError(
                    "logistics.package_number_not_exist",
                    "Please request with package_number for this split order.",
                )
            if problem:
                raise ApiError(
                    "logistics.package_not_exist", "The package is not exist."
                )
            if order["order_status"] == "CANCELLED":
                raise ApiError("error_status", "The order has been cancelled.")
            if (
                order["order_status"] not in logistics.SHIPPABLE_STATUSES
                or parcel.get("logistics_status") not in logistics.SHIPPABLE_LOGISTICS
            ):
                raise ApiError(
                    "error_param",
                    "Shipping parameters can only be obtained when package is "
                    "ready to be shipped",
                )
            channel = logistics.channel_of(parcel)
            return logistics.shipping_parameter(shop_id, channel, self.now())

    def mass_shipping_parameter(self, shop_id, package_numbers, channel_id=None):
        """(response without lists, success_list, fail_list)."""
        with self.lock:
            found, failed = self._mass_packages(shop_id, package_numbers, channel_id)
            channel = self._mass_channel(found, channel_id)
            success = []
            for order, parcel in found:
                if (
                    order["order_status"] not in logistics.SHIPPABLE_STATUSES
                    or parcel["logistics_status"] not in logistics.SHIPPABLE_LOGISTICS
                ):
                    failed.append(
                        _failure(
                            order,
                            parcel["package_number"],
                            "error_param",
                            "Shipping parameters can only be obtained when package "
                            "is ready to be shipped",
                        )
                    )
                else:
                    success.append(_package_ref(order, parcel["package_number"]))
            if not found and channel_id is None:
                return {"info_needed": {}}, success, failed
            response = logistics.shipping_parameter(shop_id, channel, self.now())
            return response, success, failed

    def _mass_packages(self, shop_id, package_numbers, channel_id):
        """([(order, parcel)] of the channel, fail_list of the others)."""
        found, failed = [], []
        for package_number in package_numbers:
            order, parcel = self._find_package(shop_id, package_number)
            if parcel is None:
                failed.append(
                    _failure(
                        None,
                        package_number,
                        "logistics.package_not_exist",
                        "The package is not exist.",
                    )
                )
            elif (
                channel_id is not None and parcel["logistics_channel_id"] != channel_id
            ):
                failed.append(
                    _failure(
                        order,
                        package_number,
                        "error_param",
                        "Package is not under the specified fulfilment channel",
                    )
                )
            else:
                found.append((order, parcel))
        return found, failed

    @staticmethod
    def _mass_channel(found, channel_id):
        channels = {parcel["logistics_channel_id"] for _order, parcel in found}
        if channel_id is None and len(channels) > 1:
            raise param_error(
                "the packages must share one logistics_channel_id "
                f"(found {', '.join(map(str, sorted(channels)))})."
            )
        if found:
            return logistics.channel_of(found[0][1])
        return logistics.channel_of({"logistics_channel_id": channel_id})

    # -- ship_order, mass_ship_order ---------------------------------------------------

    def ship(self, shop_id, order_sn, package_number, mode, details):
        """Arrange the shipment of one package (ship_order); raises ApiError."""
        with self.lock:
            order, parcel, problem = self._locate(shop_id, order_sn, package_number)
            if problem == "no_order":
                raise ApiError(*NOT_FOUND)
            if problem == "need_package":
                raise ApiError(
                    "logistics.ship_order_need_pacakge_number",
                    "Please request with package_number for this split order.",
                )
            if problem:
                raise ApiError(
                    "logistics.package_not_exist", "The package is not exist."
                )
            refusal = self._shippable(order, parcel)
            if refusal:
                raise ApiError(*refusal)
            shipment = self._shipment(
                shop_id, logistics.channel_of(parcel), mode, details
            )
            self._arrange(shop_id, order, parcel, shipment)

    def mass_ship(self, shop_id, packages, channel_id, mode, details):
        """Arrange several packages of one channel: (success_list, fail_list).

        A mode the channel does not take, or a bad address, slot or branch,
        refuses the whole call before anything ships.
        """
        with self.lock:
            numbers = [number for number, _sn in packages]
            found, failed = self._mass_packages(shop_id, numbers, channel_id)
            wanted_sn = dict(packages)
            channel = self._mass_channel(found, channel_id)
            shared = None
            if found:
                _supported(channel, mode)
            if found and mode != "non_integrated":
                shared = self._shipment(shop_id, channel, mode, details)
            success = []
            for order, parcel in found:
                number = parcel["package_number"]
                refusal = self._mass_refusal(order, parcel, wanted_sn[number])
                shipment = dict(shared) if shared else None
                if refusal is None and shipment is None:
                    try:
                        shipment = self._shipment(
                            shop_id, channel, mode, _for_package(details, number)
                        )
                    except ApiError as exc:
                        refusal = (exc.error, exc.message)
                if refusal:
                    failed.append(_failure(order, number, *refusal))
                    continue
                self._arrange(shop_id, order, parcel, shipment)
                success.append(_package_ref(order, number))
            return success, failed

    def _mass_refusal(self, order, parcel, wanted_sn):
        if wanted_sn and wanted_sn != order["order_sn"]:
            return ("logistics.package_not_exist", "The package is not exist.")
        return self._shippable(order, parcel)

    def _shipment(self, shop_id, channel, mode, details):
        """How the package ships, checked against what the channel needs."""
        _supported(channel, mode)
        needs = channel.needs[mode]
        if mode == "pickup":
            return self._pickup(shop_id, details)
        if mode == "dropoff":
            return _dropoff(channel, needs, details)
        number = str(details.get("tracking_number") or "").strip()
        if "tracking_no" in needs and not number:
            raise ApiError(
                "logistics.ship_order_need_tracking_number",
                "Parameter tracking_number can not be null.",
            )
        if len(number) > MAX_TEXT:
            raise ApiError(
                "logistics.ship_order_long_tracking_number",
                "Parameter tracking_number can not be longer than 64.",
            )
        return {"mode": "non_integrated", "tracking_number": number}

    def _pickup(self, shop_id, details):
        address_id = details.get("address_id")
        time_id = details.get("pickup_time_id")
        if address_id in (None, "") or time_id in (None, ""):
            raise ApiError(
                "logistics.ship_order_need_address_pickup_time",
                "Parameter address_id and pickup_time_id are required.",
            )
        address = next(
            (
                a
                for a in logistics.addresses(shop_id, self.now())
                if str(a["address_id"]) == str(address_id).strip()
            ),
            None,
        )
        if address is None:
            raise ApiError("logistics.address_not_found", "Address is not found.")
        slot = next(
            (
                s
                for s in address["time_slot_list"]
                if s["pickup_time_id"] == str(time_id).strip()
            ),
            None,
        )
        if slot is None:
            raise ApiError(
                "logistics.ship_order_pickup_time_invalid",
                "Invalid pickup time id. Please check the pick up time id.",
            )
        return {
            "mode": "pickup",
            "address_id": address["address_id"],
            "pickup_time_id": slot["pickup_time_id"],
            "pickup_time_text": slot["time_text"],
            "address": _address_text(address),
        }

    def _arrange(self, shop_id, order, parcel, shipment):
        """The package's shipment is arranged: PROCESSED once every package is."""
        before = copy.deepcopy(order)
        key = order["order_sn"], parcel["package_number"]
        had_number = bool(self.tracking_number(order, parcel))
        now = self.now_float()
        delay = (
            0 if had_number or shipment.get("tracking_number") else self.tracking_delay
        )
        shipment.update(
            shop_id=shop_id,
            arranged_at=now,
            tracking_at=now + delay,
            announced=had_number,
        )
        self.shipments[key] = shipment
        parcel["logistics_status"] = logistics.ARRANGED
        if all(
            p.get("logistics_status") == logistics.ARRANGED
            for p in order.get("package_list") or []
        ):
            generator.apply_status(
                order, "PROCESSED", self.now(), self.order_terms(shop_id, order)
            )
        order["update_time"] = self.now()
        self._sync_stock(shop_id, order)
        self._order_pushes(shop_id, order, before)
        if delay > 0:
            self.pending_tracking.add(key)

    # -- tracking numbers that come late -----------------------------------------------

    def _shipped_number(self, order, parcel, number):
        """The number as the shipment says: the seller's, or "" until it is due."""
        shipment = self.shipments.get((order["order_sn"], parcel["package_number"]))
        if shipment is None:
            return number
        if shipment.get("tracking_number"):
            return shipment["tracking_number"]
        if (
            parcel.get("logistics_status") == logistics.ARRANGED
            and self.now_float() < shipment["tracking_at"]
        ):
            return ""
        return number

    def _announced(self, order, parcel):
        shipment = self.shipments.get((order["order_sn"], parcel["package_number"]))
        if shipment is not None:
            shipment["announced"] = True

    def release_due(self):
        """Push (code 4) the tracking numbers whose delay has passed."""
        if not self.pending_tracking:
            return
        with self.lock:
            now = self.now_float()
            for key in sorted(self.pending_tracking):
                shipment = self.shipments.get(key)
                if shipment is None or shipment["announced"]:
                    self.pending_tracking.discard(key)
                    continue
                if now < shipment["tracking_at"]:
                    continue
                self.pending_tracking.discard(key)
                order, parcel, problem = self._locate(shipment["shop_id"], *key)
                number = "" if problem else self.tracking_number(order, parcel)
                if number:
                    self._emit_tracking(shipment["shop_id"], order, parcel, number)

    def _forget_shipping(self, order_sn):
        for store in (self.shipments, self.documents):
            for key in [k for k in store if k[0] == order_sn]:
                del store[key]

    # -- shipping documents ------------------------------------------------------------

    def document_entries(self, shop_id, entries, operation):
        """result_list of get_shipping_document_parameter, create_shipping_document
        or get_shipping_document_result (``operation``: parameter, create, result)."""
        with self.lock:
            return [
                self._document_entry(shop_id, entry, operation) for entry in entries
            ]

    def _document_entry(self, shop_id, entry, operation):
        order_sn = entry["order_sn"]
        order, parcel, problem = self._locate(
            shop_id, order_sn, entry.get("package_number")
        )
        row = {
            "order_sn": order_sn,
            "package_number": entry.get("package_number") or "",
        }
        if parcel is not None:
            row["package_number"] = parcel["package_number"]
        failure = _locate_failure(problem, order_sn, entry.get("package_number"))
        kind = entry.get("shipping_document_type")
        if failure is None and kind and kind not in logistics.DOCUMENT_TYPES:
            failure = (
                "logistics.shipping_document_type_invalid",
                "The shipping_document_type is not invalid. Please check the "
                "shipping_document_type.",
            )
        if failure is None:
            handler = getattr(self, f"_document_{operation}")
            failure, extra = handler(order, parcel, entry)
            row.update(extra)
        if failure and operation == "result":
            row["status"] = "FAILED"
        row["fail_error"], row["fail_message"] = failure or ("", "")
        return row

    @staticmethod
    def _document_parameter(order, parcel, entry):
        return None, {
            "suggest_shipping_document_type": logistics.SUGGESTED_DOCUMENT_TYPE,
            "selectable_shipping_document_type": list(
                logistics.SELECTABLE_DOCUMENT_TYPES
            ),
        }

    def _document_create(self, order, parcel, entry):
        kind = entry.get("shipping_document_type") or logistics.SUGGESTED_DOCUMENT_TYPE
        if kind not in logistics.SELECTABLE_DOCUMENT_TYPES:
            return (
                "logistics.shipping_document_type_invalid",
                "The shipping_document_type is not invalid. Please check the "
                "shipping_document_type.",
            ), {}
        refusal = self._printable(order, parcel, entry.get("tracking_number"))
        if refusal:
            return refusal, {}
        now = self.now_float()
        self.document_seq += 1
        key = order["order_sn"], parcel["package_number"]
        self.documents.setdefault(key, {})[kind] = {
            "created_at": now,
            "ready_at": now + self.document_delay,
            "seq": self.document_seq,
        }
        return None, {}

    def _printable(self, order, parcel, given_number):
        status = parcel.get("logistics_status")
        if order["order_status"] in NOT_PRINTABLE_ORDERS or (
            status != logistics.ARRANGED and status not in NOT_ARRANGED
        ):
            return (
                "logistics.order_status_error",
                "Order status does not support awb printing.",
            )
        if status != logistics.ARRANGED:
            return ("logistics.package_can_not_print", "The package can not print now.")
        # Arranged, but its tracking number is not there yet (tracking_delay),
        # or not the one given.
        number = self.tracking_number(order, parcel)
        if not number or (given_number and str(given_number).strip() != number):
            return (
                "logistics.tracking_number_invalid",
                "The tracking number is invalid. Please check the tracking number.",
            )
        return None

    def _document_result(self, order, parcel, entry):
        kind, document = self._document(
            order, parcel, entry.get("shipping_document_type")
        )
        if document is None:
            return _print_first(order["order_sn"]), {}
        ready = self.now_float() >= document["ready_at"]
        return None, {"status": "READY" if ready else "PROCESSING"}

    def _document(self, order, parcel, kind=None):
        """(type, document) asked for, or the latest created; (type, None)."""
        kinds = self.documents.get((order["order_sn"], parcel["package_number"]), {})
        if kind:
            return kind, kinds.get(kind)
        if not kinds:
            return None, None
        kind = max(kinds, key=lambda name: kinds[name]["seq"])
        return kind, kinds[kind]

    def waybills(self, shop_id, kind, entries):
        """What each page of download_shipping_document shows; raises ApiError
        unless every package has a READY document (of ``kind`` when given)."""
        with self.lock:
            pages, unprinted, processing = [], [], []
            now = self.now_float()
            for entry in entries:
                order_sn = entry["order_sn"]
                order, parcel, problem = self._locate(
                    shop_id, order_sn, entry.get("package_number")
                )
                failure = _locate_failure(
                    problem, order_sn, entry.get("package_number")
                )
                if failure:
                    raise ApiError(*failure)
                page_kind, document = self._document(order, parcel, kind)
                if document is None:
                    unprinted.append(order_sn)
                elif now < document["ready_at"]:
                    processing.append(order_sn)
                else:
                    pages.append(self._waybill(shop_id, order, parcel, page_kind))
            if unprinted:
                raise ApiError(
                    "logistics.shipping_document_should_print_first",
                    "The package can not print now, please create shipping document "
                    f"first.Detail: these orders: {','.join(unprinted)} should print",
                )
            if processing:
                raise ApiError(
                    "logistics.download_later",
                    "Processing, please download later. Detail: these orders: "
                    f"{','.join(processing)} are processing",
                )
            return pages

    def _waybill(self, shop_id, order, parcel, kind):
        key = order["order_sn"], parcel["package_number"]
        shipment = self.shipments.get(key) or {}
        channel = logistics.channel_of(parcel)
        lines = {
            (line["item_id"], line["model_id"]): line
            for line in order.get("item_list") or []
        }
        items = []
        for entry in parcel.get("item_list") or []:
            line = lines.get((entry["item_id"], entry["model_id"]), {})
            items.append(
                {
                    "name": line.get("item_name", str(entry["item_id"])),
                    "model": line.get("model_name", ""),
                    "sku": (
                        line.get("model_sku") or line.get("item_sku") or ""
                    ).strip(),
                    "quantity": entry.get("model_quantity", 0),
                }
            )
        sender = shipment.get("address") or _address_text(
            logistics.addresses(shop_id, self.now())[0]
        )
        return {
            "document_type": kind,
            "shop_name": self.shops[shop_id]["shop_name"],
            "shop_id": shop_id,
            "order_sn": order["order_sn"],
            "package_number": parcel["package_number"],
            "carrier": parcel.get("shipping_carrier") or channel.name,
            "tracking_number": self.tracking_number(order, parcel),
            "recipient": copy.deepcopy(order.get("recipient_address") or {}),
            "items": items,
            "cod": bool(order.get("cod")),
            "cod_amount": order.get("total_amount", 0),
            "weight_grams": parcel.get("parcel_chargeable_weight_gram") or 0,
            "ship_by_date": order.get("ship_by_date") or 0,
            "mode": shipment.get("mode", "pickup"),
            "pickup_time_text": shipment.get("pickup_time_text", ""),
            "branch": shipment.get("branch", ""),
            "sender_address": sender,
            "message_to_seller": order.get("message_to_seller") or "",
        }


# -- helpers ---------------------------------------------------------------------------


def _supported(channel, mode):
    if mode not in channel.needs:
        raise ApiError(
            f"logistics.ship_order_unsupport_{mode}",
            f"This order does not support ship with {mode}.",
        )


def _dropoff(channel, needs, details):
    branch_id = details.get("branch_id")
    if branch_id in (None, "", 0):
        if "branch_id" in needs:
            raise ApiError(
                "logistics.ship_order_need_branch_id",
                "Parameter branch_id is required.",
            )
        branch = None
    else:
        branch = next(
            (
                b
                for b in channel.branches
                if str(b["branch_id"]) == str(branch_id).strip()
            ),
            None,
        )
        if branch is None:
            raise ApiError("logistics.error_store_not_found", "Store is not found.")
    name = str(details.get("sender_real_name") or "").strip()
    if len(name) > MAX_TEXT:
        raise ApiError(
            "logistics.ship_order_long_sender_real_name",
            "Parameter sender_real_name can not be longer than 64.",
        )
    return {
        "mode": "dropoff",
        "branch_id": branch["branch_id"] if branch else None,
        "branch": _address_text(branch) if branch else "",
        "sender_real_name": name,
    }


def _for_package(details, package_number):
    """mass_ship_order's non_integrated numbers come per package (a list)."""
    numbers = details.get("tracking_number")
    if not isinstance(numbers, list):
        return details
    number = next(
        (
            entry.get("tracking_number")
            for entry in numbers
            if isinstance(entry, dict) and entry.get("package_number") == package_number
        ),
        "",
    )
    return dict(details, tracking_number=number)


def _address_text(address):
    parts = [address["address"], address["district"], address["city"], address["state"]]
    return " ".join(part for part in parts if part) + f" {address['zipcode']}"


def _package_ref(order, package_number):
    return {"order_sn": order["order_sn"], "package_number": package_number}


def _failure(order, package_number, error, message):
    return {
        "order_sn": order["order_sn"] if order else "",
        "package_number": package_number,
        "fail_reason": message,
        "fail_error": error,
        "fail_message": message,
    }


def _locate_failure(problem, order_sn, package_number):
    if problem == "no_order":
        return ("logistics.order_not_exist", f"The order_sn {order_sn} is not exist.")
    if problem == "need_package":
        return (
            "logistics.package_number_not_exist",
            "Please request with package_number for this split order.",
        )
    if problem:
        return (
            "logistics.package_number_not_found",
            f"The package_number {package_number} is not exist.",
        )
    return None


def _print_first(order_sn):
    return (
        "logistics.shipping_document_should_print_first",
        "The package can not print now, please create shipping document "
        f"first.Detail: {order_sn}",
    )
