"""Lazada Thailand's fulfilment life cycle (lazada-api.md §6), state side.

pending (or repacked) → ``/order/fulfill/pack`` → packed, with a package
(``package_id``, ``tracking_code``, ``shipment_provider`` on every item row
of it) → ``/order/package/rts`` → ready_to_ship → shipped and on, driven by
the control API or traffic as before. ``/order/package/document/get`` prints
the air waybill of packed and ready-to-ship packages, once the document is
generated: ``document_delay`` seconds (simulator clock) after the packing.

A package is the set of item rows carrying its id: the rows are the truth,
so the packages of generated and control-made orders work as well. Every
change goes through the state's lock, moves the stock and sends the status
pushes as the control API's updates do.

The error codes are the ones Lazada's Pack API page lists (700000…700033),
the ReadyToShip page's example (600002) and the older GetDocument page's
(30012, 700040); the document's "not ready yet" is not documented: it
answers code 6, which the Pack page lists as "system is busy now, pls try
later", with a message saying what is going on.
"""

import secrets

from . import money, orders
from .errors import ResultError

BATCH = 20  # orders a pack, packages an RTS or document call
AWB_TTL = 600  # pdf_url lives ten minutes (PrintAWB guide)
AWB_FILES_KEPT = 500
PACKABLE = frozenset(("pending", "repacked"))
PRINTABLE = frozenset(("packed", "ready_to_ship"))
# The carriers Lazada allocates in Thailand, all taking cash on delivery.
PROVIDER_CODES = {
    "LEX TH": "LEX_TH",
    "Flash Express": "FLASH_TH",
    "Kerry Express": "KERRY_TH",
    "J&T Express": "JNT_TH",
}
SUCCESS = ("0", "success")
ORDER_NOT_FOUND = ("700021", "order not found")
ITEM_NOT_FOUND = ("700025", "order item not found")
NOT_ALLOWED_TO_PACK = ("700026", "item current status not allow to pack")
NOT_READY_TO_FULFILL = ("700031", "item not ready to fulfill")
PACKAGE_NOT_FOUND = ("30012", "package not found")
PACKAGE_CANCELLED = ("600002", "package already cancelled")
PACKAGE_STATUS = ("700000", "current package status not allow to operation")
NOT_PRINTABLE = ("700040", "There are no packages that support printing!")
NOT_READY = (
    "6",
    "system is busy now ,pls try later: the AWB document is still being generated",
)


def default_logistics(document_delay=0.0):
    return {"document_delay": float(document_delay)}


def _result(code_and_message, **fields):
    code, message = code_and_message
    return {**fields, "item_err_code": code, "msg": message, "retry": False}


class Fulfilment:
    """Mixed into ``State``: packages, air waybills and their settings."""

    def reset_fulfilment(self, document_delay=0.0):
        self.logistics = default_logistics(document_delay)
        # package_id → simulator time it was packed (document_delay counts
        # from there); packages not in it (generated orders) are long done.
        self.package_times = {}
        self.awb_files = {}

    def configure_logistics(self, changes):
        with self.lock:
            self.logistics.update(changes)
            return dict(self.logistics)

    def logistics_settings(self):
        with self.lock:
            return dict(self.logistics)

    # -- shipment providers ---------------------------------------------------------

    def shipment_providers(self, seller_id, order_ids):
        """The carriers; ``is_default`` marks the one the first order gets."""
        with self.lock:
            for order_id in order_ids:
                if order_id not in self.orders.get(seller_id, {}):
                    raise ResultError(*ORDER_NOT_FOUND)
            default = orders.allocated_provider(order_ids[0]) if order_ids else None
        return [
            {
                "name": name,
                "provider_code": code,
                "cod": 1,
                "is_default": int(name == default),
            }
            for name, code in PROVIDER_CODES.items()
        ]

    # -- pack ----------------------------------------------------------------------------

    def pack(self, seller_id, requests):
        """``requests``: [(order_id, [order_item_id])]; answers pack_order_list.

        The items of one entry that can be packed go into one new package;
        the others are refused one by one and stay as they were.
        """
        with self.lock:
            now = self.now()
            answer = []
            for order_id, item_ids in requests:
                rec = self.orders.get(seller_id, {}).get(order_id)
                answer.append(
                    {
                        "order_id": order_id,
                        "order_item_list": self._pack_order(rec, item_ids, now),
                    }
                )
            return answer

    def _pack_order(self, rec, item_ids, now):
        item_ids = list(dict.fromkeys(item_ids))
        if rec is None:
            return [_result(ORDER_NOT_FOUND, order_item_id=i) for i in item_ids]
        rows = {row["order_item_id"]: row for row in rec["items"]}
        results, chosen = [], []
        for item_id in item_ids:
            row = rows.get(item_id)
            if row is None:
                results.append(_result(ITEM_NOT_FOUND, order_item_id=item_id))
            elif row["status"] == "unpaid":
                results.append(_result(NOT_READY_TO_FULFILL, order_item_id=item_id))
            elif row["status"] not in PACKABLE:
                results.append(_result(NOT_ALLOWED_TO_PACK, order_item_id=item_id))
            else:
                results.append(None)
                chosen.append(row)
        if not chosen:
            return results
        package_id, provider, code = self._new_package(rec)
        self.package_times[package_id] = self.now_float()
        rec["updated"] = max(now, rec["created"])
        done = iter(chosen)
        for index, result in enumerate(results):
            if result is not None:
                continue
            row = next(done)
            row.update(
                package_id=package_id, shipment_provider=provider, tracking_code=code
            )
            orders.set_item_status(rec, row, "packed", now)
            self.unit_move(row)
            self._row_pushes(rec, row, now)
            results[index] = _result(
                SUCCESS,
                order_item_id=row["order_item_id"],
                package_id=package_id,
                tracking_number=code,
                shipment_provider=provider,
            )
        orders.summarise(rec)
        return results

    def _new_package(self, rec):
        order_id = rec["order"]["order_id"]
        taken = {row["package_id"] for row in rec["items"]} | set(self.package_times)
        sequence = 0
        while orders.package_id_for(order_id, sequence) in taken:
            sequence += 1
        package_id = orders.package_id_for(order_id, sequence)
        provider = orders.allocated_provider(order_id)
        return package_id, provider, orders.tracking_code(provider, package_id)

    def _package_rows(self, seller_id, package_id):
        """[(record, row)] of the seller's item rows in the package."""
        return [
            (rec, row)
            for rec in self.orders.get(seller_id, {}).values()
            for row in rec["items"]
            if package_id and row["package_id"] == package_id
        ]

    # -- ready to ship ------------------------------------------------------------------

    def ready_to_ship(self, seller_id, package_ids):
        """Packed items of each package → ready_to_ship; answers packages."""
        with self.lock:
            now = self.now()
            return [
                {"package_id": package_id, **self._rts(seller_id, package_id, now)}
                for package_id in package_ids
            ]

    def _rts(self, seller_id, package_id, now):
        found = self._package_rows(seller_id, package_id)
        live = [(rec, row) for rec, row in found if row["status"] != "canceled"]
        if not found:
            return _result(PACKAGE_NOT_FOUND)
        if not live:
            return _result(PACKAGE_CANCELLED)
        if any(row["status"] not in PRINTABLE for _rec, row in live):
            return _result(PACKAGE_STATUS)
        # Already ready to ship: a retried call succeeds without a change.
        touched = {}
        for rec, row in live:
            if orders.set_item_status(rec, row, "ready_to_ship", now):
                self.unit_move(row)
                self._row_pushes(rec, row, now)
                touched[id(rec)] = rec
        for rec in touched.values():
            rec["updated"] = max(now, rec["created"])
            orders.summarise(rec)
        return _result(SUCCESS)

    # -- air waybills --------------------------------------------------------------------

    def awb_labels(self, seller_id, package_ids, with_items):
        """What each package's label shows (``label.py``); raises ResultError
        when one is unknown, not printable or its document not ready yet."""
        with self.lock:
            now = self.now_float()
            delay = self.logistics["document_delay"]
            labels = []
            for package_id in package_ids:
                found = self._package_rows(seller_id, package_id)
                if not found:
                    raise ResultError(
                        PACKAGE_NOT_FOUND[0], f"{PACKAGE_NOT_FOUND[1]}: {package_id}"
                    )
                printable = [(r, row) for r, row in found if row["status"] in PRINTABLE]
                if not printable:
                    raise ResultError(*NOT_PRINTABLE)
                packed_at = self.package_times.get(package_id)
                if packed_at is not None and now < packed_at + delay:
                    raise ResultError(*NOT_READY)
                labels.append(self._label(seller_id, package_id, printable, with_items))
            return labels

    def _label(self, seller_id, package_id, found, with_items):
        rec = found[0][0]
        order = rec["order"]
        rows = [row for _rec, row in found]
        address = order["address_shipping"] or {}
        seller = self.sellers[seller_id]
        cod = str(order["payment_method"]).upper() == "COD"
        due = sum(
            money.satang(row["paid_price"]) + money.satang(row["shipping_amount"])
            for row in rows
        )
        name = " ".join(
            part
            for part in (address.get("first_name"), address.get("last_name"))
            if part
        )
        return {
            "package_id": package_id,
            "tracking_number": rows[0]["tracking_code"],
            "shipment_provider": rows[0]["shipment_provider"],
            "order_id": order["order_id"],
            "order_number": order["order_number"],
            "created_at": order["created_at"],
            "seller": {
                "name": seller["name"],
                "short_code": seller["short_code"],
                "location": seller["location"],
            },
            "recipient": {
                "name": name or order["customer_first_name"],
                "phone": address.get("phone") or "",
                "address": address_lines(address),
            },
            "items_count": len(rows),
            "items": [
                {
                    "name": row["name"],
                    "variation": row["variation"],
                    "sku": row["sku"],
                    "order_item_id": row["order_item_id"],
                }
                for row in rows
            ]
            if with_items
            else [],
            "cod": cod,
            "cod_amount": money.price_string(due) if cod else "",
            "payment_method": order["payment_method"],
        }

    def store_awb(self, seller_id, pdf):
        """Keep a PDF for download at ``/_files/awb/<token>.pdf``; answers
        (token, expires_at). Ten minutes, the newest AWB_FILES_KEPT only."""
        with self.lock:
            now = self.now()
            for token in [
                t for t, f in self.awb_files.items() if f["expires_at"] <= now
            ]:
                del self.awb_files[token]
            while len(self.awb_files) >= AWB_FILES_KEPT:
                del self.awb_files[next(iter(self.awb_files))]
            token = secrets.token_urlsafe(24)
            self.awb_files[token] = {
                "seller_id": seller_id,
                "pdf": pdf,
                "expires_at": now + AWB_TTL,
            }
            return token, now + AWB_TTL

    def awb_file(self, token):
        """(PDF bytes or None, "ok" | "missing" | "expired")."""
        with self.lock:
            entry = self.awb_files.get(token or "")
            if entry is None:
                return None, "missing"
            if self.now() >= entry["expires_at"]:
                return None, "expired"
            return entry["pdf"], "ok"


def address_lines(address):
    """The shipping address as printed: street, sub-district (with the post
    code), district, province and post code, country."""
    street = " ".join(
        part for part in (address.get("address1"), address.get("address2")) if part
    )
    district = address.get("address4") or address.get("city") or ""
    province = address.get("address3") or ""
    post_code = str(address.get("post_code") or "")
    sub_district = address.get("address5") or ""
    last = province
    if post_code and post_code not in sub_district:
        last = f"{province} {post_code}".strip()
    lines = [street, sub_district, district, last, address.get("country") or ""]
    return [line for line in lines if line]
