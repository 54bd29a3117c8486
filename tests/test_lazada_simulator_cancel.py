"""The Lazada simulator's cancellations (lazada-api.md §6): the seller's
(OrderCancelValidate, InitReverseOrderCancel), a buyer's request and the
seller's answer (InitReverseOrderCancelDecide), the reverse orders
(GetReverseOrdersForSeller, GetReverseOrderDetail), and the faults that apply
to them.

Requests are signed by this file's own helper, as a client would sign them.
"""

import time

import pytest
from lazada_simulator import ControlError
from simulator_calls import LazadaSellerCalls

APP_KEY = "120001"
APP_SECRET = "lzd-simulator-demo-secret"
SELLER_ID = 1000200300
OTHER_SELLER_ID = 1000200301
ACCESS = "test-lazada-access-cancel"
REFRESH = "test-lazada-refresh-cancel"
CABLE_SKU = 17301000101
SHIRT_SKU = 17301000201
SOURCING_DELAY, OUT_OF_STOCK = "10000019", "10000021"
REASONS = {
    "10000019": "Sourcing Delay",
    "10000021": "Out of Stock",
    "10000023": "Wrong Price or Pricing Error",
}
VALIDATE = "/order/reverse/cancel/validate"
CREATE = "/order/reverse/cancel/create"
DECIDE = "/order/reverse/cancel/seller/decide"
REVERSE_LIST = "/reverse/getreverseordersforseller"
REVERSE_DETAIL = "/order/reverse/return/detail/list"


class Lazada(LazadaSellerCalls):
    def __init__(self, sim):
        super().__init__(sim, APP_KEY, APP_SECRET, ACCESS)

    def data(self, method, api_path, **params):
        answer = self.call(method, api_path, **params)
        assert answer["code"] == "0" and answer["request_id"], answer
        return answer.get("data")

    def validate(self, order_id, items):
        return self.data(
            "GET", VALIDATE, order_id=str(order_id), order_item_id_list=items
        )

    def create(self, order_id, items, reason_id=SOURCING_DELAY, **extra):
        return self.call(
            "POST",
            CREATE,
            order_id=str(order_id),
            order_item_id_list=items,
            reason_id=reason_id,
            **extra,
        )

    def decide(self, reverse_order_id, agree, **extra):
        return self.call(
            "GET",
            DECIDE,
            reverse_order_id=str(reverse_order_id),
            agree_cancel="true" if agree else "false",
            **extra,
        )

    def reverse_orders(self, **params):
        params.setdefault("page_no", "1")
        params.setdefault("page_size", "10")
        answer = self.call("GET", REVERSE_LIST, **params)
        assert answer["code"] == "0", answer
        assert "data" not in answer and answer["result"]["success"] is True, answer
        return answer["result"]

    def rows(self, order_id):
        return self.data("GET", "/order/items/get", order_id=str(order_id))

    def order(self, order_id):
        return self.data("GET", "/order/get", order_id=str(order_id))


@pytest.fixture
def sim(lazada_simulator):
    lazada_simulator.reset(seed=42, orders=0)
    lazada_simulator.install_tokens(SELLER_ID, ACCESS, REFRESH)
    return lazada_simulator


@pytest.fixture
def lazada(sim):
    return Lazada(sim)


@pytest.fixture
def pushed(sim, webhook_receiver):
    """Pushes of the test's own doing: ``pushed()`` waits for them all."""
    sim.configure_push(url=webhook_receiver.url, enabled=True)

    def bodies(message_type=None):
        assert sim.pushes(wait=5)["idle"]
        return [
            body
            for body in webhook_receiver.bodies()
            if message_type is None or body["message_type"] == message_type
        ]

    def clear():
        assert sim.pushes(wait=5)["idle"]
        webhook_receiver.clear()

    bodies.clear = clear
    return bodies


def lazada_text(epoch):
    return time.strftime("%Y-%m-%d %H:%M:%S +0700", time.gmtime(epoch + 7 * 3600))


def put_order(sim, order_id, rows, seller_id=SELLER_ID, **extra):
    spec = {
        "order_id": order_id,
        "created_at": lazada_text(sim.now() - 1800),
        "items": rows,
        **extra,
    }
    sim.put_orders(seller_id, [spec])
    return [row["order_item_id"] for row in sim.order(order_id)["items"]]


def sellable(sim, sku_id):
    (row,) = [r for r in sim.stock_rows(SELLER_ID) if r["sku_id"] == sku_id]
    return row["sellable"]


def error(answer):
    """(type, code, message) of a top-level error answer."""
    assert "data" not in answer and "result" not in answer, answer
    return answer["type"], answer["code"], answer["message"]


# -- the seller cancels ---------------------------------------------------------------


def test_validate_lists_reasons_or_refuses(sim, lazada):
    items = put_order(sim, 512340000800001, [{"sku_id": CABLE_SKU, "quantity": 2}])
    data = lazada.validate(512340000800001, items)
    assert data["tip_type"] == "warning" and data["tip_content"]
    assert {o["reason_id"]: o["reason_name"] for o in data["reason_options"]} == (
        REASONS
    )
    # Ids as JSON numbers or digit strings alike.
    assert lazada.validate(512340000800001, [str(i) for i in items]) == data

    # Shipped, ready to ship, unpaid: answered with tip_type "error", no reasons.
    for number, status in enumerate(("shipped", "ready_to_ship", "unpaid"), 2):
        order_id = 512340000800000 + number
        (item,) = put_order(sim, order_id, [{"sku_id": CABLE_SKU}], status=status)
        refused = lazada.validate(order_id, [item])
        assert refused["tip_type"] == "error", refused
        assert refused["reason_options"] == []
        assert str(item) in refused["tip_content"] and status in refused["tip_content"]

    # What the pages number.
    bad_id = lazada.call("GET", VALIDATE, order_id="x", order_item_id_list=items)
    assert error(bad_id)[1] == "122"
    unknown = lazada.call(
        "GET", VALIDATE, order_id="512340000899999", order_item_id_list=items
    )
    assert error(unknown)[:2] == ("ISV", "122")
    for bad in ("[]", "not json", '["x"]', "{}"):
        answer = lazada.call(
            "GET", VALIDATE, order_id="512340000800001", order_item_id_list=bad
        )
        assert error(answer)[1] == "102", bad
    stranger = lazada.call(
        "GET", VALIDATE, order_id="512340000800001", order_item_id_list=[items[0], 1]
    )
    assert error(stranger)[1:] == (
        "123",
        "E0123: invalid trade order lines 1: not items of this order",
    )
    (theirs,) = put_order(
        sim, 512340000800009, [{"sku_id": 17302000101}], seller_id=OTHER_SELLER_ID
    )
    other = lazada.call(
        "GET", VALIDATE, order_id="512340000800009", order_item_id_list=[theirs]
    )
    assert error(other)[1] == "124"
    missing = lazada.call("GET", VALIDATE, order_id="512340000800001")
    assert error(missing)[1] == "MissingParameter"


def test_create_cancels_items(sim, lazada, pushed):
    start = sellable(sim, CABLE_SKU)
    order_id = 512340000800010
    cable, shirt = put_order(
        sim, order_id, [{"sku_id": CABLE_SKU}, {"sku_id": SHIRT_SKU}]
    )
    assert sellable(sim, CABLE_SKU) == start - 1
    pushed()
    pushed.clear()

    answer = lazada.create(order_id, [cable], reason_detail="supplier late")
    assert answer["code"] == "0" and answer["data"]["tip_type"] == "success", answer
    assert "result" not in answer
    rows = {row["order_item_id"]: row for row in lazada.rows(order_id)}
    assert rows[cable]["status"] == "canceled"
    assert rows[cable]["reason"] == "Sourcing Delay"
    assert rows[cable]["reason_detail"] == "supplier late"
    assert rows[cable]["cancel_return_initiator"] == "cancellation-seller"
    assert rows[shirt]["status"] == "pending" and rows[shirt]["reason"] == ""
    assert sorted(lazada.order(order_id)["statuses"]) == ["canceled", "pending"]
    many = lazada.data("GET", "/orders/items/get", order_ids=[order_id])
    assert many[0]["order_items"] == lazada.rows(order_id)
    # The unit is given back (Sourcing Delay leaves the stock as it is).
    assert sellable(sim, CABLE_SKU) == start
    (push,) = pushed(0)
    assert push["data"]["order_status"] == "canceled"
    assert push["data"]["trade_order_line_id"] == str(cable)
    assert push["data"]["trade_order_id"] == str(order_id)
    assert pushed(10) == []  # a seller's cancellation makes no reverse order
    assert lazada.reverse_orders()["total"] == 0

    # Twice: 123, nothing changes.
    before = lazada.rows(order_id)
    again = lazada.create(order_id, [cable])
    assert error(again)[:2] == ("ISV", "123"), again
    assert str(cable) in again["message"] and "canceled" in again["message"]
    # Unknown reason: 104, nothing changes.
    assert error(lazada.create(order_id, [shirt], reason_id="999"))[1] == "104"
    assert lazada.create(order_id, [cable, shirt])["code"] == "123"  # all or nothing
    assert lazada.rows(order_id) == before
    assert sellable(sim, CABLE_SKU) == start
    assert error(lazada.call("POST", CREATE, order_id=str(order_id),
                             order_item_id_list=[shirt]))[1] == "MissingParameter"  # fmt: skip
    assert len(pushed(0)) == 1


def test_cancel_packed_item_takes_its_package_and_zeroes_stock(sim, lazada):
    order_id = 512340000800020
    cable, shirt, lone = put_order(
        sim,
        order_id,
        [{"sku_id": CABLE_SKU}, {"sku_id": SHIRT_SKU}, {"sku_id": CABLE_SKU}],
    )
    pack = {
        "pack_order_list": [{"order_id": order_id, "order_item_list": [cable, shirt]}],
        "delivery_type": "dropship",
        "shipping_allocate_type": "TFS",
    }
    packed = lazada.call("POST", "/order/fulfill/pack", packReq=pack)
    assert packed["result"]["success"] is True
    shirt_stock = sellable(sim, SHIRT_SKU)
    assert shirt_stock > 0

    tip = lazada.validate(order_id, [shirt])["tip_content"]
    assert str(cable) in tip and str(lone) not in tip  # the package mate
    assert lazada.create(order_id, [shirt], reason_id=OUT_OF_STOCK)["code"] == "0"
    rows = {row["order_item_id"]: row for row in lazada.rows(order_id)}
    assert rows[shirt]["status"] == rows[cable]["status"] == "canceled"
    assert rows[cable]["reason"] == "Out of Stock"
    assert rows[lone]["status"] == "pending"
    # "Out of Stock" sets the SKUs' stock to 0 (after the units came back).
    assert sellable(sim, SHIRT_SKU) == 0 and sellable(sim, CABLE_SKU) == 0


# -- a buyer asks, the seller answers -------------------------------------------------------


def request_cancel(sim, order_id, items):
    answer = sim.buyer_cancel(order_id, items)
    assert answer["ok"] is True
    return answer["reverse_order_id"], answer["reverse_order"]


def test_buyer_request_is_visible(sim, lazada, pushed):
    order_id = 512340000800030
    cable, shirt = put_order(
        sim, order_id, [{"sku_id": CABLE_SKU}, {"sku_id": SHIRT_SKU}],
        payment_method="MIXEDCARD",
    )  # fmt: skip
    pushed.clear()
    start = sim.now()
    reverse_id, detail = request_cancel(sim, order_id, [cable])

    # The items: status unchanged, GetOrderItems' fields say it.
    rows = {row["order_item_id"]: row for row in lazada.rows(order_id)}
    asked = rows[cable]
    assert asked["status"] == "pending"
    assert asked["need_cancel_confirm"] is True and asked["is_cancel_pending"] is False
    assert asked["reverse_order_id"] == reverse_id
    assert asked["cancel_trigger_time"] >= (start + 86400) * 1000
    assert asked["buyer_id"].isdigit()
    assert rows[shirt]["need_cancel_confirm"] is False
    assert "reverse_order_id" not in rows[shirt]
    order = lazada.order(order_id)
    assert order["need_cancel_confirm"] is True and order["statuses"] == ["pending"]
    many = lazada.data("GET", "/orders/items/get", order_ids=[order_id])
    assert many[0]["order_items"] == lazada.rows(order_id)

    # The reverse order.
    result = lazada.reverse_orders()
    assert (result["page_no"], result["page_size"], result["total"]) == (1, 10, 1)
    (listed,) = result["items"]
    assert listed["reverse_order_id"] == reverse_id
    assert listed["trade_order_id"] == order_id
    assert listed["request_type"] == "CANCEL"
    (line,) = listed["reverse_order_lines"]
    assert line["trade_order_line_id"] == cable
    assert line["reverse_status"] == "REQUEST_INITIATE"
    assert line["reverse_order_line_id"] != reverse_id
    assert line["buyer"]["buyer_id"] == int(asked["buyer_id"])
    assert line["product"]["product_sku"] == str(CABLE_SKU)
    assert line["seller_sku_id"] == asked["sku"]
    assert line["is_need_refund"] is True and line["refund_amount"] > 0
    assert line["reason_text"]
    # Its detail, with the detail page's names.
    shown = lazada.data("GET", REVERSE_DETAIL, reverse_order_id=str(reverse_id))
    assert shown == detail
    (dto,) = shown["reverseOrderLineDTOList"]
    assert dto["reverse_order_line_id"] == line["reverse_order_line_id"]
    assert dto["productDTO"]["sku"] == str(CABLE_SKU)
    assert dto["buyer"]["user_id"] == line["buyer"]["buyer_id"]
    # Filters.
    assert lazada.reverse_orders(trade_order_id=str(order_id))["total"] == 1
    assert lazada.reverse_orders(trade_order_id="1")["total"] == 0
    assert lazada.reverse_orders(reverse_order_id=str(reverse_id))["total"] == 1
    assert lazada.reverse_orders(reverse_status_list=["REQUEST_REJECT"])["total"] == 0
    assert lazada.reverse_orders(request_type_list=["RETURN"])["total"] == 0
    since = str((start - 5) * 1000)
    assert lazada.reverse_orders(ReverseOrderLineTimeRangeStart=since)["total"] == 1
    late = str((start + 3600) * 1000)
    assert lazada.reverse_orders(ReverseOrderLineTimeRangeStart=late)["total"] == 0
    # Another seller sees none of it.
    assert sim.reverse_orders(OTHER_SELLER_ID) == []

    # The push: message_type 10, CANCEL_INIT, per line; no status push.
    (push,) = pushed(10)
    assert push["data"] == {
        "reverse_order_id": reverse_id,
        "reverse_status": "CANCEL_INIT",
        "trade_order_id": order_id,
        "extraParams": {},
        "trade_order_line_id": cable,
        "buyer_id": line["buyer"]["buyer_id"],
        "seller_id": SELLER_ID,
        "reverse_order_line_id": line["reverse_order_line_id"],
        "status_update_time": push["data"]["status_update_time"],
    }
    assert push["seller_id"] == str(SELLER_ID)
    assert pushed(0) == []

    # The seller cannot cancel it the other way round.
    assert lazada.validate(order_id, [cable])["tip_type"] == "error"
    assert lazada.create(order_id, [cable])["code"] == "123"
    # Nor can the buyer ask twice, or for a shipped item; unknown order: 404.
    with pytest.raises(ControlError) as twice:
        sim.buyer_cancel(order_id, [cable])
    assert twice.value.status == 400
    (shipped,) = put_order(sim, 512340000800031, [{"sku_id": CABLE_SKU}],
                           status="shipped")  # fmt: skip
    with pytest.raises(ControlError) as late_ask:
        sim.buyer_cancel(512340000800031, [shipped])
    assert late_ask.value.status == 400
    with pytest.raises(ControlError) as nobody:
        sim.buyer_cancel(512340000899999)
    assert nobody.value.status == 404


def test_seller_accepts(sim, lazada, pushed):
    start = sellable(sim, CABLE_SKU)
    order_id = 512340000800040
    cable, other = put_order(sim, order_id, [{"sku_id": CABLE_SKU, "quantity": 2}])
    reverse_id, _detail = request_cancel(sim, order_id, None)  # every item
    pushed.clear()

    answer = lazada.decide(reverse_id, True)
    assert answer["code"] == "0" and "data" not in answer, answer
    rows = lazada.rows(order_id)
    assert [row["status"] for row in rows] == ["canceled", "canceled"]
    assert {row["cancel_return_initiator"] for row in rows} == {"cancellation-customer"}
    assert {row["need_cancel_confirm"] for row in rows} == {False}
    assert {row["reverse_order_id"] for row in rows} == {reverse_id}
    assert lazada.order(order_id)["need_cancel_confirm"] is False
    assert sellable(sim, CABLE_SKU) == start
    (listed,) = lazada.reverse_orders()["items"]
    assert {line["reverse_status"] for line in listed["reverse_order_lines"]} == {
        "CANCEL_SUCCESS"
    }
    assert lazada.reverse_orders(reverse_status_list=["CANCEL_SUCCESS"])["total"] == 1
    assert sorted(int(p["data"]["trade_order_line_id"]) for p in pushed(0)) == sorted(
        [cable, other]
    )
    assert {p["data"]["order_status"] for p in pushed(0)} == {"canceled"}
    assert {p["data"]["reverse_status"] for p in pushed(10)} == {"CANCEL_SUCCESS"}
    assert len(pushed(10)) == 2

    # Closed: 131, for either answer.
    assert error(lazada.decide(reverse_id, True))[1:] == (
        "131",
        "E0131: no decision for this reverse order",
    )
    assert error(lazada.decide(reverse_id, False))[1] == "131"


def test_seller_rejects(sim, lazada, pushed):
    order_id = 512340000800050
    cable, shirt = put_order(
        sim, order_id, [{"sku_id": CABLE_SKU}, {"sku_id": SHIRT_SKU}]
    )
    before = {row["order_item_id"]: row["status"] for row in lazada.rows(order_id)}
    reverse_id, _detail = request_cancel(sim, order_id, [cable, shirt])
    pushed.clear()

    assert lazada.decide(reverse_id, False, reason_code="5")["code"] == "0"
    rows = lazada.rows(order_id)
    assert {row["order_item_id"]: row["status"] for row in rows} == before
    assert {row["need_cancel_confirm"] for row in rows} == {False}
    assert {row["reason"] for row in rows} == {""}
    assert lazada.order(order_id)["need_cancel_confirm"] is False
    (listed,) = lazada.reverse_orders()["items"]
    assert {line["reverse_status"] for line in listed["reverse_order_lines"]} == {
        "REQUEST_REJECT"
    }
    assert pushed() == []  # the webhook page lists no push for it
    assert error(lazada.decide(reverse_id, True))[1] == "131"
    assert [row["status"] for row in lazada.rows(order_id)] == ["pending", "pending"]
    # The items go on: the seller may cancel them, the buyer ask again.
    assert lazada.validate(order_id, [cable])["tip_type"] == "warning"
    second, _ = request_cancel(sim, order_id, [shirt])
    assert second != reverse_id
    assert lazada.reverse_orders()["total"] == 2

    # Unknown, malformed, missing.
    assert error(lazada.decide(1, True))[1] == "106"
    assert error(lazada.decide("abc", True))[1] == "105"
    assert error(lazada.call("GET", DECIDE, reverse_order_id=str(second)))[1] == (
        "MissingParameter"
    )
    bad = lazada.call("GET", DECIDE, reverse_order_id=str(second), agree_cancel="yes")
    assert error(bad)[1] == "InvalidParameter"
    assert error(lazada.call("GET", REVERSE_DETAIL, reverse_order_id="1"))[1] == "106"


def test_request_closes_when_the_item_moves_on(sim, lazada, pushed):
    order_id = 512340000800060
    shipped_item, cancelled_item = put_order(
        sim, order_id, [{"sku_id": CABLE_SKU}, {"sku_id": SHIRT_SKU}]
    )
    first, _ = request_cancel(sim, order_id, [shipped_item])
    second, _ = request_cancel(sim, order_id, [cancelled_item])
    pushed.clear()
    # Shipped anyway: the request lapses. Cancelled (Lazada's auto-cancellation
    # when the seller does not answer): the request succeeds.
    sim.update_order(
        order_id, items={shipped_item: "shipped", cancelled_item: "canceled"}
    )
    lines = {
        line["trade_order_line_id"]: line["reverse_status"]
        for reverse in lazada.reverse_orders()["items"]
        for line in reverse["reverse_order_lines"]
    }
    assert lines == {shipped_item: "REQUEST_CANCEL", cancelled_item: "CANCEL_SUCCESS"}
    assert {row["need_cancel_confirm"] for row in lazada.rows(order_id)} == {False}
    assert [p["data"]["reverse_status"] for p in pushed(10)] == ["CANCEL_SUCCESS"]
    assert error(lazada.decide(first, True))[1] == "131"
    assert error(lazada.decide(second, False))[1] == "131"


def test_reverse_list_paging_and_parameters(sim, lazada):
    ids = []
    for number in range(3):
        order_id = 512340000800070 + number
        (item,) = put_order(sim, order_id, [{"sku_id": CABLE_SKU}])
        ids.append(request_cancel(sim, order_id, [item])[0])
    first = lazada.reverse_orders(page_size="2")
    assert first["total"] == 3 and len(first["items"]) == 2
    second = lazada.reverse_orders(page_size="2", page_no="2")
    seen = [r["reverse_order_id"] for r in first["items"] + second["items"]]
    assert sorted(seen) == sorted(ids)
    assert lazada.reverse_orders(page_no="3", page_size="2")["items"] == []

    answer = lazada.call("GET", REVERSE_LIST, page_size="10")
    assert error(answer)[1] == "MissingParameter"
    answer = lazada.call("GET", REVERSE_LIST, page_no="1", page_size="101")
    assert error(answer)[1] == "InvalidParameter"
    answer = lazada.call(
        "GET", REVERSE_LIST, page_no="1", page_size="10", reverse_status_list="x"
    )
    assert error(answer)[1] == "InvalidParameter"


# -- faults ------------------------------------------------------------------------------


def test_faults_on_the_cancel_paths(sim, lazada):
    order_id = 512340000800080
    (item,) = put_order(sim, order_id, [{"sku_id": CABLE_SKU}])
    sim.add_fault(
        "business_error", path=CREATE, code="106", message="E0106: ROC internal error"
    )
    refused = lazada.create(order_id, [item])
    assert error(refused) == ("ISV", "106", "E0106: ROC internal error")
    assert lazada.rows(order_id)[0]["status"] == "pending"  # nothing done
    assert lazada.create(order_id, [item])["code"] == "0"  # used up once
    assert lazada.rows(order_id)[0]["status"] == "canceled"

    (other,) = put_order(sim, 512340000800081, [{"sku_id": CABLE_SKU}])
    reverse_id, _ = request_cancel(sim, 512340000800081, [other])
    sim.add_fault("business_error", path=DECIDE, code="131")
    assert error(lazada.decide(reverse_id, True))[1] == "131"
    assert lazada.rows(512340000800081)[0]["status"] == "pending"
    sim.add_fault("rate_limit", path=REVERSE_LIST)
    limited = lazada.call("GET", REVERSE_LIST, page_no="1", page_size="1")
    assert error(limited)[1] == "ApiCallLimit"
    sim.add_fault("system_error", path="/rest" + REVERSE_DETAIL)
    answer = lazada.call("GET", REVERSE_DETAIL, reverse_order_id=str(reverse_id))
    assert error(answer)[:2] == ("SYSTEM", "SystemError")

    sim.set_fault_rates(server_error=1.0, paths=[VALIDATE, DECIDE])
    try:
        assert (
            lazada.raw(
                "GET", VALIDATE, order_id="1", order_item_id_list=[1]
            ).status_code
            == 500
        )
        assert lazada.raw("GET", DECIDE, reverse_order_id=str(reverse_id),
                          agree_cancel="true").status_code == 500  # fmt: skip
        assert lazada.rows(512340000800081)[0]["need_cancel_confirm"] is True
    finally:
        sim.clear_fault_rates()
    assert lazada.decide(reverse_id, True)["code"] == "0"
    assert lazada.rows(512340000800081)[0]["status"] == "canceled"
