"""The Lazada simulator's fulfilment life cycle (lazada-api.md §6): shipment
providers, pack, ready to ship, the air waybill, and the faults that apply to
them, in the shapes of Lazada's Fulfillment API pages.

Requests are signed by this file's own helper, as a client would sign them.
"""

import base64
import io
import logging
import time

import pytest
import requests
from PyPDF2 import PdfReader
from simulator_calls import LazadaSellerCalls

APP_KEY = "120001"
APP_SECRET = "lzd-simulator-demo-secret"
SELLER_ID = 1000200300
OTHER_SELLER_ID = 1000200301
ACCESS = "test-lazada-access-fulfil"
REFRESH = "test-lazada-refresh-fulfil"
CABLE_SKU = 17301000101
SHIRT_SKU = 17301000201
ADDRESS = {
    "first_name": "สมหญิง",
    "last_name": "รักไทย",
    "phone": "66********12",
    "phone2": "",
    "address1": "99/9 ถนนพหลโยธิน",
    "address2": "",
    "address3": "กรุงเทพมหานคร/ Bangkok",
    "address4": "เขตจตุจักร/ Khet Chatuchak",
    "address5": "จตุจักร/ Chatuchak/ 10900",
    "city": "เขตจตุจักร/ Khet Chatuchak",
    "post_code": "10900",
    "country": "Thailand",
}
# The address as the label prints it: street, sub-district and post code,
# district, province.
THAI_ADDRESS_LINES = (
    "99/9 ถนนพหลโยธิน",
    "จตุจักร/ Chatuchak/ 10900",
    "เขตจตุจักร/ Khet Chatuchak",
    "กรุงเทพมหานคร/ Bangkok",
)
PROVIDERS = {"LEX TH", "Flash Express", "Kerry Express", "J&T Express"}


class Lazada(LazadaSellerCalls):
    def __init__(self, sim):
        super().__init__(sim, APP_KEY, APP_SECRET, ACCESS)

    def pack(self, *orders, **extra):
        request = {
            "pack_order_list": [
                {"order_id": order_id, "order_item_list": items}
                for order_id, items in orders
            ],
            "delivery_type": "dropship",
            "shipping_allocate_type": "TFS",
            **extra,
        }
        return self.call("POST", "/order/fulfill/pack", packReq=request)

    def rts(self, *package_ids):
        request = {"packages": [{"package_id": p} for p in package_ids]}
        return self.call("POST", "/order/package/rts", readyToShipReq=request)

    def document(self, *package_ids, doc_type="PDF", print_item_list=False):
        request = {
            "doc_type": doc_type,
            "packages": [{"package_id": p} for p in package_ids],
            "print_item_list": print_item_list,
        }
        return self.call("GET", "/order/package/document/get", getDocumentReq=request)

    def items(self, order_id):
        answer = self.call("GET", "/order/items/get", order_id=str(order_id))
        assert answer["code"] == "0", answer
        return answer["data"]


@pytest.fixture
def sim(lazada_simulator):
    lazada_simulator.reset(seed=42, orders=0)
    lazada_simulator.install_tokens(SELLER_ID, ACCESS, REFRESH)
    return lazada_simulator


@pytest.fixture
def lazada(sim):
    return Lazada(sim)


def lazada_text(epoch):
    return time.strftime("%Y-%m-%d %H:%M:%S +0700", time.gmtime(epoch + 7 * 3600))


def put_order(sim, order_id, rows, **extra):
    created = sim.now() - 1800
    spec = {
        "order_id": order_id,
        "created_at": lazada_text(created),
        "items": rows,
        "address_shipping": ADDRESS,
        **extra,
    }
    sim.put_orders(SELLER_ID, [spec])
    return [row["order_item_id"] for row in sim.order(order_id)["items"]]


def result_data(answer):
    assert answer["code"] == "0", answer
    assert answer["request_id"]
    assert answer["result"]["success"] is True, answer
    return answer["result"]["data"]


def result_error(answer):
    """(error_code, error_msg) of a fulfilment call refused as a whole."""
    assert answer["code"] == "0", answer  # Lazada's top level says nothing
    result = answer["result"]
    assert result["success"] is False and "data" not in result, answer
    return result["error_code"], result["error_msg"]


def pdf_pages(pdf):
    return [page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages]


# -- shipment providers -----------------------------------------------------------------


def test_shipment_providers(sim, lazada):
    items = put_order(sim, 512340000700001, [{"sku_id": CABLE_SKU}])
    request = {"orders": [{"order_id": 512340000700001, "order_item_ids": items}]}
    data = result_data(
        lazada.call(
            "GET", "/order/shipment/providers/get", getShipmentProvidersReq=request
        )
    )
    assert data["platform_default"] == 1 and data["shipping_allocate_type"] == "TFS"
    providers = data["shipment_providers"]
    assert {p["name"] for p in providers} == PROVIDERS
    assert all(p["provider_code"] and p["cod"] == 1 for p in providers)
    (default,) = [p["name"] for p in providers if p["is_default"] == 1]
    # The default is the carrier the pack call then allocates.
    packed = result_data(lazada.pack((512340000700001, items)))
    assert packed["pack_order_list"][0]["order_item_list"][0]["shipment_provider"] == (
        default
    )

    missing = lazada.call("GET", "/order/shipment/providers/get")
    assert missing["code"] == "MissingParameter" and missing["type"] == "ISV"
    unknown = {"orders": [{"order_id": 1, "order_item_ids": [2]}]}
    assert result_error(
        lazada.call(
            "POST", "/order/shipment/providers/get", getShipmentProvidersReq=unknown
        )
    ) == ("700021", "order not found")


# -- pack -------------------------------------------------------------------------------


def test_pack_pending_order(sim, lazada, webhook_receiver):
    sim.configure_push(url=webhook_receiver.url, enabled=True)
    order_id = 512340000700002
    items = put_order(
        sim, order_id, [{"sku_id": CABLE_SKU, "quantity": 2}, {"sku_id": SHIRT_SKU}]
    )
    assert sim.pushes(wait=5)["idle"]
    webhook_receiver.clear()

    data = result_data(lazada.pack((order_id, items)))
    (entry,) = data["pack_order_list"]
    assert entry["order_id"] == order_id
    results = entry["order_item_list"]
    assert [r["order_item_id"] for r in results] == items
    assert {(r["item_err_code"], r["msg"], r["retry"]) for r in results} == {
        ("0", "success", False)
    }
    # One package for the order's items, with its carrier and tracking number.
    assert len({r["package_id"] for r in results}) == 1
    package_id = results[0]["package_id"]
    tracking = results[0]["tracking_number"]
    assert package_id.startswith("FP") and package_id[2:].isdigit()
    assert tracking and results[0]["shipment_provider"] in PROVIDERS
    assert {r["tracking_number"] for r in results} == {tracking}

    rows = lazada.items(order_id)
    assert [row["status"] for row in rows] == ["packed"] * 3
    assert {row["package_id"] for row in rows} == {package_id}
    assert {row["tracking_code"] for row in rows} == {tracking}
    assert {row["shipment_provider"] for row in rows} == {
        results[0]["shipment_provider"]
    }
    assert rows[0]["shipping_provider_type"] == "standard"
    many = lazada.call("GET", "/orders/items/get", order_ids=[order_id])
    assert many["data"][0]["order_items"] == rows
    order = lazada.call("GET", "/order/get", order_id=str(order_id))["data"]
    assert order["statuses"] == ["packed"]

    # A message_type 0 push per item.
    assert sim.pushes(wait=5)["idle"]
    pushed = [b for b in webhook_receiver.bodies() if b["message_type"] == 0]
    assert sorted(int(b["data"]["trade_order_line_id"]) for b in pushed) == sorted(
        items
    )
    assert {b["data"]["order_status"] for b in pushed} == {"packed"}
    assert {b["data"]["trade_order_id"] for b in pushed} == {str(order_id)}

    # Packed twice: refused, the package stays.
    again = result_data(lazada.pack((order_id, items[:1])))
    (refused,) = again["pack_order_list"][0]["order_item_list"]
    assert refused["item_err_code"] == "700026" and "package_id" not in refused
    assert lazada.items(order_id)[0]["package_id"] == package_id


def test_pack_refusals_per_item(sim, lazada):
    order_id = 512340000700003
    items = put_order(
        sim,
        order_id,
        [
            {"sku_id": CABLE_SKU, "status": "pending"},
            {"sku_id": SHIRT_SKU, "status": "canceled"},
        ],
    )
    unpaid_order = 512340000700004
    (unpaid,) = put_order(sim, unpaid_order, [{"sku_id": CABLE_SKU}], status="unpaid")
    before = lazada.items(order_id)

    data = result_data(
        lazada.pack(
            (order_id, [str(items[1]), items[0], 999]),  # ids as strings too
            (unpaid_order, [unpaid]),
            (512340000799999, [123]),
        )
    )
    first, second, third = data["pack_order_list"]
    cancelled, packed, unknown = first["order_item_list"]
    assert (cancelled["order_item_id"], cancelled["item_err_code"]) == (
        items[1],
        "700026",
    )
    assert cancelled["msg"] == "item current status not allow to pack"
    assert cancelled["retry"] is False and "tracking_number" not in cancelled
    assert (packed["order_item_id"], packed["item_err_code"]) == (items[0], "0")
    assert (unknown["order_item_id"], unknown["item_err_code"]) == (999, "700025")
    assert second["order_item_list"][0]["item_err_code"] == "700031"
    assert third["order_id"] == 512340000799999
    assert third["order_item_list"][0]["item_err_code"] == "700021"

    after = lazada.items(order_id)
    assert after[1] == before[1]  # the cancelled item: untouched
    assert after[1]["package_id"] == "" and after[1]["tracking_code"] == ""
    assert after[0]["status"] == "packed"
    assert lazada.items(unpaid_order)[0]["status"] == "unpaid"


def test_pack_request_refused_as_a_whole(sim, lazada):
    order_id = 512340000700005
    items = put_order(sim, order_id, [{"sku_id": CABLE_SKU}])
    assert lazada.call("POST", "/order/fulfill/pack")["code"] == "MissingParameter"
    assert (
        lazada.call("POST", "/order/fulfill/pack", packReq="{oops")["code"]
        == "InvalidParameter"
    )
    # Only POST.
    assert (
        lazada.call("GET", "/order/fulfill/pack", packReq="{}")["code"]
        == "InvalidMethod"
    )
    order = (order_id, items)
    assert result_error(lazada.pack(order, delivery_type="pickup"))[0] == "700004"
    assert result_error(lazada.pack(order, shipping_allocate_type="NTFS"))[0] == (
        "700016"
    )
    assert result_error(lazada.pack(order, shipment_provider_code="FM49"))[0] == (
        "700004"
    )
    assert result_error(lazada.pack())[0] == "700017"
    assert result_error(lazada.pack(*[order] * 21))[0] == "700022"
    assert result_error(lazada.pack((order_id, ["x"])))[0] == "700004"
    assert lazada.items(order_id)[0]["status"] == "pending"  # nothing done


def test_repacked_items_get_a_new_package(sim, lazada):
    order_id = 512340000700006
    items = put_order(sim, order_id, [{"sku_id": CABLE_SKU, "quantity": 2}])
    first = result_data(lazada.pack((order_id, items[:1])))
    old = first["pack_order_list"][0]["order_item_list"][0]["package_id"]
    sim.update_order(order_id, items={str(items[0]): "repacked"})
    second = result_data(lazada.pack((order_id, items)))
    results = second["pack_order_list"][0]["order_item_list"]
    assert [r["item_err_code"] for r in results] == ["0", "0"]
    assert len({r["package_id"] for r in results}) == 1
    assert results[0]["package_id"] != old
    assert {row["package_id"] for row in lazada.items(order_id)} == {
        results[0]["package_id"]
    }


# -- ready to ship, shipped -------------------------------------------------------------


def test_ready_to_ship_then_shipped(sim, lazada, webhook_receiver):
    order_id = 512340000700007
    items = put_order(
        sim,
        order_id,
        [{"sku_id": CABLE_SKU, "quantity": 2}, {"sku_id": SHIRT_SKU}],
    )
    sim.update_order(order_id, items={str(items[2]): "canceled"})
    packed = result_data(lazada.pack((order_id, items[:2])))
    package_id = packed["pack_order_list"][0]["order_item_list"][0]["package_id"]
    tracking = packed["pack_order_list"][0]["order_item_list"][0]["tracking_number"]
    sim.configure_push(url=webhook_receiver.url, enabled=True)

    data = result_data(lazada.rts(package_id, "FP000000000000"))
    done, unknown = data["packages"]
    assert done == {
        "package_id": package_id,
        "item_err_code": "0",
        "msg": "success",
        "retry": False,
    }
    assert (unknown["package_id"], unknown["item_err_code"]) == (
        "FP000000000000",
        "30012",
    )
    rows = lazada.items(order_id)
    assert [row["status"] for row in rows] == [
        "ready_to_ship",
        "ready_to_ship",
        "canceled",
    ]
    assert sim.pushes(wait=5)["idle"]
    statuses = [b["data"]["order_status"] for b in webhook_receiver.bodies()]
    assert statuses == ["ready_to_ship", "ready_to_ship"]
    # Again: nothing left to do, still a success.
    assert result_data(lazada.rts(package_id))["packages"][0]["item_err_code"] == "0"

    # Shipped through the control API: tracking kept, no more RTS nor label.
    order = sim.update_order(order_id, status="shipped")
    assert [row["status"] for row in order["items"]][:2] == ["shipped", "shipped"]
    rows = lazada.items(order_id)
    assert {row["tracking_code"] for row in rows[:2]} == {tracking}
    assert {row["package_id"] for row in rows[:2]} == {package_id}
    assert result_data(lazada.rts(package_id))["packages"][0]["item_err_code"] == (
        "700000"
    )
    assert result_error(lazada.document(package_id))[0] == "700040"

    # A package of cancelled items only.
    other = 512340000700008
    (item,) = put_order(sim, other, [{"sku_id": CABLE_SKU}])
    lone = result_data(lazada.pack((other, [item])))
    lone_package = lone["pack_order_list"][0]["order_item_list"][0]["package_id"]
    sim.update_order(other, status="canceled")
    assert result_data(lazada.rts(lone_package))["packages"][0] == {
        "package_id": lone_package,
        "item_err_code": "600002",
        "msg": "package already cancelled",
        "retry": False,
    }


# -- air waybills -----------------------------------------------------------------------


def test_document_waits_for_the_delay_then_is_a_pdf(sim, lazada, caplog):
    assert sim.set_logistics(document_delay=120) == {"document_delay": 120.0}
    cod_order, card_order = 512340000700009, 512340000700010
    cod_items = put_order(
        sim,
        cod_order,
        [{"sku_id": CABLE_SKU, "quantity": 2}],
        payment_method="COD",
        shipping_fee_original=40,
    )
    card_items = put_order(
        sim, card_order, [{"sku_id": SHIRT_SKU}], payment_method="MIXEDCARD"
    )
    packed = result_data(lazada.pack((cod_order, cod_items), (card_order, card_items)))
    packages = [entry["order_item_list"][0] for entry in packed["pack_order_list"]]
    package_ids = [p["package_id"] for p in packages]
    result_data(lazada.rts(package_ids[1]))  # ready to ship prints too

    code, message = result_error(lazada.document(*package_ids))
    assert code == "6" and "try later" in message

    sim.set_clock(offset=121)
    try:
        with caplog.at_level(logging.INFO, logger="lazada_simulator"):
            data = result_data(lazada.document(*package_ids, print_item_list=True))
            assert data["doc_type"] == "PDF"
            url = data["pdf_url"]
            assert url.startswith(sim.url + "/_files/awb/")
            # ``file``: the base64 of an iframe onto the same PDF.
            frame = base64.b64decode(data["file"]).decode()
            assert frame.startswith("<iframe") and url[len(sim.url) :] in frame
            download = requests.get(url, timeout=10)  # no sign needed
        assert download.status_code == 200
        assert download.headers["Content-Type"] == "application/pdf"
        token = url.split("/_files/awb/")[1].split(".pdf")[0]
        assert "GET /_files/awb/… ok" in caplog.text
        assert token not in caplog.text

        cod_page, card_page = pdf_pages(download.content)  # a page per package
        for page, package in zip((cod_page, card_page), packages, strict=True):
            assert "Lazada" in page
            assert package["tracking_number"] in page
            assert package["package_id"] in page
            assert package["shipment_provider"] in page
            assert "Bangkok Gadget House" in page
            assert "สมหญิง รักไทย" in page and "66********12" in page
            for line in THAI_ADDRESS_LINES:
                assert line in page
        assert str(cod_order) in cod_page and str(card_order) in card_page
        # COD: 2 × 129 + 40 shipping to collect; the card order has nothing.
        assert "COD" in cod_page and "298.00" in cod_page
        assert "Non-COD" in card_page
        assert "BGH-USBC-CABLE-1M" in cod_page  # print_item_list

        html = result_data(lazada.document(package_ids[0], doc_type="HTML"))
        assert html["doc_type"] == "HTML" and "pdf_url" not in html
        page = base64.b64decode(html["file"]).decode()
        assert packages[0]["tracking_number"] in page and "กรุงเทพมหานคร" in page

        # pdf_url lives ten minutes.
        sim.set_clock(offset=121 + 601)
        assert requests.get(url, timeout=10).status_code == 403
    finally:
        sim.set_clock(offset=0)
    missing = requests.get(f"{sim.url}/_files/awb/nope.pdf", timeout=10)
    assert missing.status_code == 404


def test_document_refusals(sim, lazada):
    order_id = 512340000700011
    put_order(sim, order_id, [{"sku_id": CABLE_SKU}])
    assert result_error(lazada.document("FP123"))[0] == "30012"
    assert result_error(lazada.document("FP123", doc_type="ZPL"))[0] == "700004"
    assert result_error(lazada.document(*["FP1"] * 21))[0] == "700022"
    assert lazada.call("GET", "/order/package/document/get")["code"] == (
        "MissingParameter"
    )
    # Another seller's package is unknown here.
    sim.put_orders(
        OTHER_SELLER_ID,
        [{"order_id": 512340000700012, "items": [{"sku": "CMC-SCARF-INDIGO"}]}],
    )
    other = sim.update_order(512340000700012, status="packed")
    assert result_error(lazada.document(other["items"][0]["package_id"]))[0] == (
        "30012"
    )


# -- faults -----------------------------------------------------------------------------


def test_forced_business_error_on_pack(sim, lazada):
    order_id = 512340000700013
    items = put_order(sim, order_id, [{"sku_id": CABLE_SKU}])
    sim.add_fault(
        "business_error",
        path="/order/fulfill/pack",
        code="700024",
        message="failed get lock,pls try later",
    )
    # Other paths are not hit.
    assert lazada.call("GET", "/seller/get")["code"] == "0"
    assert result_error(lazada.pack((order_id, items))) == (
        "700024",
        "failed get lock,pls try later",
    )
    assert lazada.items(order_id)[0]["status"] == "pending"
    assert result_data(lazada.pack((order_id, items)))  # used up: works again
    assert lazada.items(order_id)[0]["status"] == "packed"
    # On a path answering at the top level, the error is at the top level.
    sim.add_fault("business_error", path="/order/get", code="16", message="E016")
    answer = lazada.call("GET", "/order/get", order_id=str(order_id))
    assert (answer["code"], answer["type"], answer["message"]) == ("16", "ISV", "E016")


def test_gateway_faults_apply_to_pack(sim, lazada):
    order_id = 512340000700014
    items = put_order(sim, order_id, [{"sku_id": CABLE_SKU}])
    sim.set_fault_rates(rate_limit=1.0, paths=["/order/fulfill/pack"], seed=1)
    try:
        throttled = lazada.pack((order_id, items))
        assert throttled["code"] == "ApiCallLimit" and "result" not in throttled
        assert lazada.call("GET", "/seller/get")["code"] == "0"
    finally:
        sim.clear_fault_rates()
    assert lazada.items(order_id)[0]["status"] == "pending"
    sim.add_fault("service_timeout", path="/rest/order/fulfill/pack")
    assert lazada.pack((order_id, items))["code"] == "ServiceTimeout"
    assert result_data(lazada.pack((order_id, items)))
    assert sim.state()["calls"]["/order/fulfill/pack"] == 3


def test_logistics_control(sim):
    assert sim.logistics() == {"document_delay": 0.0}
    assert sim.set_logistics(document_delay=2.5) == {"document_delay": 2.5}
    assert sim.state()["logistics"] == {"document_delay": 2.5}
    sim.reset(seed=42, orders=0)
    assert sim.logistics() == {"document_delay": 0.0}
    sim.reset(seed=42, orders=0, document_delay=30)
    assert sim.logistics() == {"document_delay": 30.0}
    with pytest.raises(Exception, match="400"):
        sim.set_logistics(document_delay=-1)
    with pytest.raises(Exception, match="400"):
        sim.add_fault("business_error", path="/order/fulfill/pack")
    sim.reset(seed=42, orders=0)
