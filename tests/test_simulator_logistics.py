"""The Shopee simulator's logistics after the order (shopee-api.md §5.3–5.5, §8):
shipping parameters, ship_order and mass_ship_order, late tracking numbers and
their push, shipping documents and the waybill PDF, faults on these paths.

Requests are signed here, not by the simulator's code (as in test_simulator).
"""

import io
import re
from datetime import datetime, timedelta, timezone

import pytest
from PyPDF2 import PdfReader
from shopee_simulator import ControlError
from simulator_calls import ShopeeShopCalls

PARTNER_ID = 2000001
PARTNER_KEY = "shpk-simulator-demo-key"
SHOP_ID = 600100200
TOKEN = "logistics-test-token"
BANGKOK = timezone(timedelta(hours=7))
KERRY, FLASH, JNT, SPX, OWN_COURIER = 70021, 70016, 70023, 70066, 70099
PICKUP_NEEDS = ["address_id", "pickup_time_id"]
# The hand-written PROCESSED order (seeds/orders/03_processed_bundle.json).
SEED_PROCESSED = "251020B8T5NW3C"

PARAMETER = "/api/v2/logistics/get_shipping_parameter"
MASS_PARAMETER = "/api/v2/logistics/get_mass_shipping_parameter"
SHIP = "/api/v2/logistics/ship_order"
MASS_SHIP = "/api/v2/logistics/mass_ship_order"
TRACKING = "/api/v2/logistics/get_tracking_number"
DOC_PARAMETER = "/api/v2/logistics/get_shipping_document_parameter"
CREATE_DOC = "/api/v2/logistics/create_shipping_document"
DOC_RESULT = "/api/v2/logistics/get_shipping_document_result"
DOWNLOAD = "/api/v2/logistics/download_shipping_document"
DETAIL = "/api/v2/order/get_order_detail"
ORDER_LIST = "/api/v2/order/get_order_list"
A4 = (595.3, 841.9)
THERMAL = (283.5, 425.2)  # 100 × 150 mm


class Api(ShopeeShopCalls):
    """Signed shop calls to the simulator."""

    def __init__(self, sim):
        super().__init__(sim, PARTNER_ID, PARTNER_KEY, SHOP_ID, TOKEN)

    # -- what the tests do often -------------------------------------------------

    def parameter(self, order_sn):
        return self.ok(self.get(PARAMETER, order_sn=order_sn))["response"]

    def pickup(self, order_sn, address_index=0, slot_index=0):
        """Ship with the address's slot, as a connector would."""
        address = self.parameter(order_sn)["pickup"]["address_list"][address_index]
        slot = address["time_slot_list"][slot_index]
        body = {
            "order_sn": order_sn,
            "pickup": {
                "address_id": address["address_id"],
                "pickup_time_id": slot["pickup_time_id"],
            },
        }
        return self.post(SHIP, body), address, slot

    def detail(self, order_sn):
        answer = self.ok(
            self.get(
                DETAIL,
                order_sn_list=order_sn,
                response_optional_fields="package_list,recipient_address",
            )
        )
        return answer["response"]["order_list"][0]

    def tracking(self, order_sn):
        return self.ok(self.get(TRACKING, order_sn=order_sn))["response"]

    def documents(self, path, *order_sns, kind=None):
        entries = [{"order_sn": sn} for sn in order_sns]
        if kind:
            for entry in entries:
                entry["shipping_document_type"] = kind
        response = self.post(path, {"order_list": entries})
        assert response.status_code == 200
        return response.json()


@pytest.fixture
def sim(shopee_simulator):
    shopee_simulator.reset(seed=11, orders=60, include_seed_orders=True)
    shopee_simulator.install_tokens(SHOP_ID, TOKEN, "logistics-refresh")
    return shopee_simulator


@pytest.fixture
def api(sim):
    return Api(sim)


def orders_in(sim, status):
    return [o for o in sim.orders(SHOP_ID) if o["order_status"] == status]


def ready(sim, *channel_ids):
    """Distinct READY_TO_SHIP orders, one per channel, moved onto it."""
    found = [
        sim.update_order(order["order_sn"], logistics_channel_id=channel_id)
        for order, channel_id in zip(
            orders_in(sim, "READY_TO_SHIP"), channel_ids, strict=False
        )
    ]
    assert len(found) == len(channel_ids), "the scenario has enough orders to ship"
    return found


def unchanged(sim, order):
    [now] = [o for o in sim.orders(SHOP_ID) if o["order_sn"] == order["order_sn"]]
    assert now["order_status"] == order["order_status"]
    assert now["update_time"] == order["update_time"]
    assert now["package_list"] == order["package_list"]


def shipments(sim):
    return {s["order_sn"]: s for s in sim.logistics()["shipments"]}


def pages_of(pdf):
    assert pdf.startswith(b"%PDF"), pdf[:40]
    return PdfReader(io.BytesIO(pdf)).pages


def size(page):
    return round(float(page.mediabox.width), 1), round(float(page.mediabox.height), 1)


# -- get_shipping_parameter ------------------------------------------------------------


def test_parameters_of_a_ready_order_and_refusals(sim, api):
    kerry, jnt, flash = ready(sim, KERRY, JNT, FLASH)
    answer = api.parameter(kerry["order_sn"])
    assert set(answer) == {"info_needed", "pickup", "dropoff"}
    assert answer["info_needed"] == {"pickup": PICKUP_NEEDS, "dropoff": []}
    addresses = answer["pickup"]["address_list"]
    assert len(addresses) >= 2
    [default] = [a for a in addresses if "default_address" in a["address_flag"]]
    assert "pickup_address" in default["address_flag"]
    assert default["state"] == "กรุงเทพมหานคร" and default["region"] == "TH"
    assert len({a["address_id"] for a in addresses}) == len(addresses)
    today = datetime.fromtimestamp(sim.now(), BANGKOK).date()
    days = set()
    for address in addresses:
        assert re.search("[\u0e00-\u0e7f]", address["address"] + address["city"])
        for slot in address["time_slot_list"]:
            assert isinstance(slot["date"], int)
            assert slot["pickup_time_id"] == str(slot["date"])
            start = datetime.fromtimestamp(slot["date"], BANGKOK)
            days.add((start.date() - today).days)
            assert slot["time_text"].startswith(start.strftime("%d/%m/%Y %H:00-"))
    assert days == {1, 2, 3}, "slots for the next three days, Bangkok time"
    flagged = [
        slot
        for address in addresses
        for slot in address["time_slot_list"]
        if slot["flags"] == ["recommended"]
    ]
    assert len(flagged) == 1 and flagged[0] in default["time_slot_list"]
    branches = answer["dropoff"]["branch_list"]
    assert len(branches) >= 2 and answer["dropoff"]["slug_list"] == []
    assert {"branch_id", "state", "city", "address", "zipcode"} <= set(branches[0])

    only_pickup = api.parameter(jnt["order_sn"])
    assert only_pickup["info_needed"] == {"pickup": PICKUP_NEEDS}
    assert "dropoff" not in only_pickup
    assert api.parameter(flash["order_sn"])["info_needed"]["dropoff"] == ["branch_id"]

    shipped = orders_in(sim, "SHIPPED")[0]["order_sn"]
    api.error(api.get(PARAMETER, order_sn=shipped), "error_param")
    cancelled = orders_in(sim, "CANCELLED")[0]["order_sn"]
    api.error(api.get(PARAMETER, order_sn=cancelled), "error_status")
    api.error(api.get(PARAMETER, order_sn="251231NOTHERE1"), "error_not_found")
    api.error(api.get(PARAMETER), "error_param")
    package = {"package_number": "OFG0"}
    api.error(
        api.get(PARAMETER, order_sn=kerry["order_sn"], **package),
        "logistics.package_not_exist",
    )


# -- ship_order ------------------------------------------------------------------------


def test_pickup_processes_the_order_and_the_number_comes_late(
    sim, api, webhook_receiver
):
    sim.configure_push(url=webhook_receiver.url, enabled=True)
    sim.set_logistics(tracking_delay=600)
    [order] = ready(sim, KERRY)
    order_sn = order["order_sn"]
    response, address, slot = api.pickup(order_sn)
    answer = api.ok(response)
    assert set(answer) == {"error", "message", "request_id"}, "Shopee's answer"

    detail = api.detail(order_sn)
    assert detail["order_status"] == "PROCESSED"
    assert detail["package_list"][0]["logistics_status"] == "LOGISTICS_REQUEST_CREATED"
    listed = api.ok(
        api.get(
            ORDER_LIST,
            time_range_field="update_time",
            time_from=sim.now() - 600,
            time_to=sim.now() + 1,
            page_size=100,
            order_status="PROCESSED",
        )
    )["response"]["order_list"]
    assert order_sn in {o["order_sn"] for o in listed}
    shipment = shipments(sim)[order_sn]
    assert shipment["mode"] == "pickup"
    assert shipment["address_id"] == address["address_id"]
    assert shipment["pickup_time_id"] == slot["pickup_time_id"]

    waiting = api.tracking(order_sn)
    assert waiting["tracking_number"] == "" and waiting["hint"]
    sim.pushes(wait=3)
    codes = [(body["code"], body["data"]) for body in webhook_receiver.bodies()]
    assert (3, "PROCESSED") in [(c, d.get("status")) for c, d in codes]
    assert not [d for c, d in codes if c == 4], "no tracking number yet"

    sim.set_clock(601)
    number = api.tracking(order_sn)["tracking_number"]
    assert re.fullmatch(r"SHP\d{10}", number), "Kerry's format"
    sim.pushes(wait=3)
    tracking_pushes = [b for b in webhook_receiver.bodies() if b["code"] == 4]
    assert [b["data"]["tracking_no"] for b in tracking_pushes] == [number]
    assert tracking_pushes[0]["data"]["ordersn"] == order_sn
    again = {
        "order_sn": order_sn,
        "pickup": {
            "address_id": address["address_id"],
            "pickup_time_id": slot["pickup_time_id"],
        },
    }
    api.error(api.post(SHIP, again), "logistics.package_already_shipped")
    # The order control still moves it on: picked up, shipped.
    moved = sim.update_order(order_sn, order_status="SHIPPED")
    assert moved["package_list"][0]["logistics_status"] == "LOGISTICS_PICKUP_DONE"
    assert api.tracking(order_sn)["tracking_number"] == number
    sim.pushes(wait=3)
    assert len([b for b in webhook_receiver.bodies() if b["code"] == 4]) == 1


def test_bad_pickups_are_refused_and_change_nothing(sim, api):
    order, jnt = ready(sim, KERRY, JNT)
    order_sn = order["order_sn"]
    addresses = api.parameter(order_sn)["pickup"]["address_list"]
    first, second = addresses[0], addresses[1]
    second_ids = {s["pickup_time_id"] for s in second["time_slot_list"]}
    morning = next(
        s["pickup_time_id"]
        for s in first["time_slot_list"]
        if s["pickup_time_id"] not in second_ids
    )
    attempts = [
        ({"address_id": first["address_id"], "pickup_time_id": "123"}, "pickup_time"),
        (
            {"address_id": second["address_id"], "pickup_time_id": morning},
            "pickup_time",
        ),
        ({"address_id": 42, "pickup_time_id": morning}, "address"),
        ({"address_id": first["address_id"]}, "need"),
    ]
    errors = {
        "pickup_time": "logistics.ship_order_pickup_time_invalid",
        "address": "logistics.address_not_found",
        "need": "logistics.ship_order_need_address_pickup_time",
    }
    for pickup, kind in attempts:
        body = {"order_sn": order_sn, "pickup": pickup}
        api.error(api.post(SHIP, body), errors[kind])
    both = {"order_sn": order_sn, "pickup": {}, "dropoff": {}}
    api.error(api.post(SHIP, both), "logistics.ship_order_only_support_one_type")
    api.error(
        api.post(SHIP, {"order_sn": order_sn}),
        "logistics.ship_order_only_support_one_type",
    )
    api.error(
        api.post(SHIP, {"order_sn": jnt["order_sn"], "dropoff": {}}),
        "logistics.ship_order_unsupport_dropoff",
    )
    api.error(
        api.post(SHIP, {"order_sn": "251231NOTHERE1", "dropoff": {}}),
        "error_not_found",
    )
    shipped = orders_in(sim, "SHIPPED")[0]
    api.error(
        api.post(SHIP, {"order_sn": shipped["order_sn"], "dropoff": {}}),
        "logistics.ship_order_not_ready_to_ship",
    )
    for untouched in (order, jnt, shipped):
        unchanged(sim, untouched)
    assert sim.logistics()["shipments"] == []


def test_dropoff_and_non_integrated(sim, api):
    sim.set_logistics(tracking_delay=600)
    flash, kerry, own = ready(sim, FLASH, KERRY, OWN_COURIER)
    flash_sn = flash["order_sn"]
    branches = api.parameter(flash_sn)["dropoff"]["branch_list"]
    kerry_branch = api.parameter(kerry["order_sn"])["dropoff"]["branch_list"][0]
    api.error(
        api.post(SHIP, {"order_sn": flash_sn, "dropoff": {}}),
        "logistics.ship_order_need_branch_id",
    )
    api.error(
        api.post(
            SHIP,
            {"order_sn": flash_sn, "dropoff": {"branch_id": kerry_branch["branch_id"]}},
        ),
        "logistics.error_store_not_found",
    )
    unchanged(sim, flash)
    dropoff = {"branch_id": branches[1]["branch_id"], "sender_real_name": "สมชาย"}
    api.ok(api.post(SHIP, {"order_sn": flash_sn, "dropoff": dropoff}))
    assert api.detail(flash_sn)["order_status"] == "PROCESSED"
    api.ok(api.post(SHIP, {"order_sn": kerry["order_sn"], "dropoff": {}}))
    done = shipments(sim)
    assert done[flash_sn]["mode"] == "dropoff"
    assert done[flash_sn]["branch_id"] == branches[1]["branch_id"]
    assert done[kerry["order_sn"]]["branch_id"] is None

    own_sn = own["order_sn"]
    assert api.parameter(own_sn) == {"info_needed": {"non_integrated": ["tracking_no"]}}
    api.error(
        api.post(SHIP, {"order_sn": own_sn, "pickup": {}}),
        "logistics.ship_order_unsupport_pickup",
    )
    api.error(
        api.post(SHIP, {"order_sn": own_sn, "non_integrated": {}}),
        "logistics.ship_order_need_tracking_number",
    )
    body = {"order_sn": own_sn, "non_integrated": {"tracking_number": "OWN-0001"}}
    api.ok(api.post(SHIP, body))
    assert api.detail(own_sn)["order_status"] == "PROCESSED"
    assert api.tracking(own_sn)["tracking_number"] == "OWN-0001", "the seller's, now"


# -- mass_ship_order -------------------------------------------------------------------


def test_mass_ship_order(sim, api):
    *kerry, jnt = ready(sim, KERRY, KERRY, KERRY, JNT)
    shipped = sim.update_order(
        orders_in(sim, "SHIPPED")[0]["order_sn"], logistics_channel_id=KERRY
    )
    number = {o["order_sn"]: o["package_list"][0]["package_number"] for o in kerry}
    mixed = [kerry[0], jnt]
    mixed_list = [
        {"package_number": o["package_list"][0]["package_number"]} for o in mixed
    ]
    slot_of = api.parameter(kerry[0]["order_sn"])["pickup"]["address_list"][0]
    pickup = {
        "address_id": slot_of["address_id"],
        "pickup_time_id": slot_of["time_slot_list"][1]["pickup_time_id"],
    }
    api.error(
        api.post(MASS_SHIP, {"package_list": mixed_list, "pickup": pickup}),
        "error_param",
    )
    for order in mixed:
        unchanged(sim, order)
    too_many = [{"package_number": f"OFG{n}"} for n in range(51)]
    api.error(
        api.post(MASS_SHIP, {"package_list": too_many, "pickup": pickup}),
        "logistics.error_param",
    )

    parameter = api.ok(api.post(MASS_PARAMETER, {"package_list": mixed_list[:1]}))[
        "response"
    ]
    assert parameter["info_needed"] == {"pickup": PICKUP_NEEDS, "dropoff": []}
    assert parameter["success_list"] == [
        {
            "order_sn": kerry[0]["order_sn"],
            "package_number": number[kerry[0]["order_sn"]],
        }
    ]

    package_list = [
        *({"order_sn": sn, "package_number": pn} for sn, pn in number.items()),
        {"package_number": shipped["package_list"][0]["package_number"]},
        {"package_number": "OFG000000000000"},
        mixed_list[1],
    ]
    body = {"logistics_channel_id": KERRY, "package_list": package_list}
    answer = api.ok(api.post(MASS_SHIP, {**body, "pickup": pickup}))["response"]
    assert answer["success_list"] == [
        {"order_sn": sn, "package_number": pn} for sn, pn in number.items()
    ]
    failed = {f["package_number"]: f["fail_error"] for f in answer["fail_list"]}
    assert failed == {
        shipped["package_list"][0]["package_number"]: (
            "logistics.ship_order_not_ready_to_ship"
        ),
        "OFG000000000000": "logistics.package_not_exist",
        mixed_list[1]["package_number"]: "error_param",
    }
    assert all(f["fail_message"] for f in answer["fail_list"])
    for order_sn in number:
        assert api.detail(order_sn)["order_status"] == "PROCESSED"
    assert set(shipments(sim)) == set(number)
    unchanged(sim, jnt)


# -- shipping documents ----------------------------------------------------------------


def test_documents_from_creation_to_download(sim, api):
    sim.set_logistics(document_delay=30)
    order, other = ready(sim, SPX, SPX)
    order_sn = order["order_sn"]
    refused = api.documents(CREATE_DOC, order_sn)
    assert refused["error"] == "common.batch_api_all_failed"
    [row] = refused["response"]["result_list"]
    assert row["fail_error"] == "logistics.package_can_not_print"

    [choice] = api.documents(DOC_PARAMETER, order_sn)["response"]["result_list"]
    assert choice["suggest_shipping_document_type"] == "NORMAL_AIR_WAYBILL"
    assert choice["selectable_shipping_document_type"] == [
        "NORMAL_AIR_WAYBILL",
        "THERMAL_AIR_WAYBILL",
    ]
    assert choice["package_number"] == order["package_list"][0]["package_number"]

    api.ok(api.pickup(order_sn)[0])
    created = api.documents(CREATE_DOC, order_sn, "251231NOTHERE1")
    assert created["error"] == "", "one of two made"
    made, unknown = created["response"]["result_list"]
    assert (made["fail_error"], made["fail_message"]) == ("", "")
    assert unknown["fail_error"] == "logistics.order_not_exist"
    assert created["warning"] == [{"order_sn": "251231NOTHERE1", "package_number": ""}]

    [result] = api.documents(DOC_RESULT, order_sn)["response"]["result_list"]
    assert result["status"] == "PROCESSING"
    early = api.post(DOWNLOAD, {"order_list": [{"order_sn": order_sn}]})
    assert early.headers["Content-Type"].startswith("application/json")
    api.error(early, "logistics.download_later")
    sim.set_clock(31)
    [result] = api.documents(DOC_RESULT, order_sn)["response"]["result_list"]
    assert (result["status"], result["fail_error"]) == ("READY", "")

    missing = api.documents(DOC_RESULT, other["order_sn"])
    assert missing["error"] == "common.batch_api_all_failed"
    [row] = missing["response"]["result_list"]
    assert row["status"] == "FAILED"
    assert row["fail_error"] == "logistics.shipping_document_should_print_first"
    api.error(
        api.post(DOWNLOAD, {"order_list": [{"order_sn": other["order_sn"]}]}),
        "logistics.shipping_document_should_print_first",
    )
    thermal = {"shipping_document_type": "THERMAL_AIR_WAYBILL"}
    api.error(
        api.post(DOWNLOAD, {**thermal, "order_list": [{"order_sn": order_sn}]}),
        "logistics.shipping_document_should_print_first",
    )

    sim.update_order(order_sn, order_status="SHIPPED")
    after_pickup = api.documents(CREATE_DOC, order_sn, kind="THERMAL_AIR_WAYBILL")
    [row] = after_pickup["response"]["result_list"]
    assert row["fail_error"] == "logistics.order_status_error"


def test_waybill_pdf(sim, api):
    cod = next(o for o in orders_in(sim, "READY_TO_SHIP") if o["cod"])
    orders = [cod, *(o for o in orders_in(sim, "READY_TO_SHIP") if not o["cod"])][:2]
    for order in orders:
        api.ok(api.pickup(order["order_sn"])[0])
    sns = [o["order_sn"] for o in orders]
    assert api.documents(CREATE_DOC, *sns)["error"] == ""
    response = api.post(
        DOWNLOAD,
        {
            "shipping_document_type": "NORMAL_AIR_WAYBILL",
            "order_list": [{"order_sn": sn} for sn in sns],
        },
    )
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/pdf"
    pages = pages_of(response.content)
    assert len(pages) == 2, "one page per package"
    for page, order in zip(pages, orders, strict=True):
        assert size(page) == A4
        text = page.extract_text()
        recipient = order["recipient_address"]
        number = api.tracking(order["order_sn"])["tracking_number"]
        for shown in (
            "Shopee",
            "Bangkok Gadget House",
            order["order_sn"],
            order["package_list"][0]["package_number"],
            order["package_list"][0]["shipping_carrier"],
            number,
            recipient["name"],
            recipient["phone"],
            recipient["state"],
            recipient["zipcode"],
            order["item_list"][0]["item_name"],
        ):
            assert shown in text, (shown, text)
    assert f"฿{cod['total_amount']:,}" in pages[0].extract_text(), "COD amount"
    assert "COD" not in pages[1].extract_text().replace("Non-COD", "")

    thermal = api.documents(CREATE_DOC, sns[1], kind="THERMAL_AIR_WAYBILL")
    assert thermal["error"] == ""
    response = api.post(
        DOWNLOAD,
        {
            "shipping_document_type": "THERMAL_AIR_WAYBILL",
            "order_list": [{"order_sn": sns[1]}],
        },
    )
    [page] = pages_of(response.content)
    assert size(page) == THERMAL

    # The hand-written PROCESSED order gets its label too.
    assert api.documents(CREATE_DOC, SEED_PROCESSED)["error"] == ""
    seed_pdf = api.post(DOWNLOAD, {"order_list": [{"order_sn": SEED_PROCESSED}]})
    [page] = pages_of(seed_pdf.content)
    text = page.extract_text()
    assert "กรุงเทพมหานคร" in text and "s****a" in text
    assert api.tracking(SEED_PROCESSED)["tracking_number"] in text


# -- faults on the new paths, control --------------------------------------------------


def test_forced_error_and_gateway_faults_on_ship_order(sim, api):
    [order] = ready(sim, KERRY)
    sim.add_fault(
        "error",
        path=SHIP,
        error="logistics.error_other",
        message="System error, please try again later.",
    )
    refused = api.error(api.pickup(order["order_sn"])[0], "logistics.error_other")
    assert refused["message"] == "System error, please try again later."
    unchanged(sim, order)
    sim.add_fault("rate_limit", path=SHIP)
    api.error(api.pickup(order["order_sn"])[0], "error_server", 429)
    unchanged(sim, order)
    sim.set_fault_rates(server_error=1.0, paths=[SHIP])
    api.error(api.pickup(order["order_sn"])[0], "error_server", 500)
    unchanged(sim, order)
    sim.clear_fault_rates()
    api.ok(api.pickup(order["order_sn"])[0])
    fired = sim.state()["faults_fired"]
    assert fired["error"] == fired["rate_limit"] == fired["server_error"] == 1


def test_logistics_settings(sim, api):
    settings = sim.logistics()
    assert (settings["tracking_delay"], settings["document_delay"]) == (0, 0)
    [order] = ready(sim, KERRY)
    api.ok(api.pickup(order["order_sn"])[0])
    assert api.tracking(order["order_sn"])["tracking_number"], "no delay by default"
    sim.reset(seed=11, orders=5, tracking_delay=5, document_delay=7)
    settings = sim.logistics()
    assert (settings["tracking_delay"], settings["document_delay"]) == (5, 7)
    assert settings["shipments"] == settings["documents"] == []
    changed = sim.set_logistics(document_delay=0)
    assert (changed["tracking_delay"], changed["document_delay"]) == (5, 0)
    with pytest.raises(ControlError, match="400"):
        sim.set_logistics(tracking_delay=-1)
    with pytest.raises(ControlError, match="400"):
        sim.add_fault("error", path=SHIP)
    sim.reset(seed=11, orders=5)
    assert sim.logistics()["tracking_delay"] == 0
