"""The Shopee simulator's cancellations (shopee-api.md §5.3–5.5): the seller's
cancel_order, a buyer's request (control API) and the seller's answer
handle_buyer_cancellation; stock, packages and pushes that follow; faults on
these paths.

Requests are signed here, not by the simulator's code (as in test_simulator).
"""

import json
from collections import Counter

import pytest
from shopee_simulator import ControlError
from simulator_calls import ShopeeShopCalls

PARTNER_ID = 2000001
PARTNER_KEY = "shpk-simulator-demo-key"
SHOP_ID = 600100200
TOKEN = "cancel-test-token"
MY_SHOP_ID = 600100299
MY_TOKEN = "cancel-test-token-my"

CANCEL = "/api/v2/order/cancel_order"
ANSWER = "/api/v2/order/handle_buyer_cancellation"
DETAIL = "/api/v2/order/get_order_detail"
PARAMETER = "/api/v2/logistics/get_shipping_parameter"
SHIP = "/api/v2/logistics/ship_order"
TRACKING = "/api/v2/logistics/get_tracking_number"
CREATE_DOC = "/api/v2/logistics/create_shipping_document"
FIELDS = (
    "cancel_by,cancel_reason,buyer_cancel_reason,package_list,item_list,total_amount"
)


class Api(ShopeeShopCalls):
    """Signed shop calls to the simulator."""

    def __init__(self, sim, shop_id=SHOP_ID, token=TOKEN):
        super().__init__(sim, PARTNER_ID, PARTNER_KEY, shop_id, token)

    def cancel(self, order_sn, reason, item_list=None):
        body = {"order_sn": order_sn, "cancel_reason": reason}
        if item_list is not None:
            body["item_list"] = item_list
        return self.post(CANCEL, body)

    def answer(self, order_sn, operation):
        return self.post(ANSWER, {"order_sn": order_sn, "operation": operation})

    def detail(self, order_sn):
        answer = self.ok(
            self.get(DETAIL, order_sn_list=order_sn, response_optional_fields=FIELDS)
        )
        return answer["response"]["order_list"][0]


@pytest.fixture
def sim(shopee_simulator):
    shopee_simulator.reset(seed=11, orders=60, include_seed_orders=True)
    shopee_simulator.install_tokens(SHOP_ID, TOKEN, "cancel-refresh")
    # Pushes are recorded, never posted (withheld), so tests read their bodies.
    shopee_simulator.configure_push(
        url="http://127.0.0.1:9/hook", enabled=True, withhold=True
    )
    return shopee_simulator


@pytest.fixture
def api(sim):
    return Api(sim)


def orders_in(sim, status, shop_id=SHOP_ID):
    return [o for o in sim.orders(shop_id) if o["order_status"] == status]


def held_units(order):
    """{(item_id, model_id): units} the order holds."""
    units = Counter()
    for line in order["item_list"]:
        units[line["item_id"], line["model_id"]] += line["model_quantity_purchased"]
    return units


def given_back(sim, before, order):
    """The stock now is the stock ``before`` plus what the order held."""
    now = sim.stock(SHOP_ID)
    for key, units in held_units(order).items():
        assert now[key] == before[key] + units, key
    return now


def statuses_pushed(sim, order_sn):
    """The statuses of the code 3 pushes of the order, oldest first."""
    found = []
    for push in sim.pushes()["pushes"]:
        body = json.loads(push["body"])
        if body["code"] == 3 and body["data"]["ordersn"] == order_sn:
            assert body["shop_id"] == SHOP_ID
            found.append(body["data"]["status"])
    return found


def unchanged(sim, order):
    [now] = [o for o in sim.orders(SHOP_ID) if o["order_sn"] == order["order_sn"]]
    assert now == order


def pickup(api, order_sn):
    """Arrange the order's shipment with its first pickup slot."""
    parameter = api.ok(api.get(PARAMETER, order_sn=order_sn))["response"]
    address = parameter["pickup"]["address_list"][0]
    body = {
        "order_sn": order_sn,
        "pickup": {
            "address_id": address["address_id"],
            "pickup_time_id": address["time_slot_list"][0]["pickup_time_id"],
        },
    }
    api.ok(api.post(SHIP, body))


# -- cancel_order ----------------------------------------------------------------------


def test_seller_cancels_a_ready_order(sim, api):
    order = orders_in(sim, "READY_TO_SHIP")[0]
    order_sn = order["order_sn"]
    stock = sim.stock(SHOP_ID)
    sim.set_clock(30)
    answer = api.ok(api.cancel(order_sn, "CUSTOMER_REQUEST"))
    assert answer["response"] == {"update_time": sim.now()}

    detail = api.detail(order_sn)
    assert detail["order_status"] == "CANCELLED"
    assert (detail["cancel_by"], detail["cancel_reason"]) == (
        "seller",
        "Customer Request",
    )
    assert detail["update_time"] == answer["response"]["update_time"]
    assert detail["total_amount"] == order["total_amount"], "it was paid"
    assert [p["logistics_status"] for p in detail["package_list"]] == [
        "LOGISTICS_INVALID"
    ]
    assert statuses_pushed(sim, order_sn) == ["CANCELLED"]
    given_back(sim, stock, order)
    [record] = sim.cancellations()["seller_cancellations"]
    assert record["order_sn"] == order_sn
    assert (record["cancel_reason"], record["status_before"]) == (
        "CUSTOMER_REQUEST",
        "READY_TO_SHIP",
    )

    cancelled = sim.orders(SHOP_ID)
    refused = api.error(api.cancel(order_sn, "CUSTOMER_REQUEST"), "order.error_limit")
    assert refused["message"] == "Can not cancel this order."
    assert sim.orders(SHOP_ID) == cancelled, "cancelling twice changes nothing"
    assert statuses_pushed(sim, order_sn) == ["CANCELLED"]

    unpaid = orders_in(sim, "UNPAID")[0]
    api.ok(api.cancel(unpaid["order_sn"], "CUSTOMER_REQUEST"))
    detail = api.detail(unpaid["order_sn"])
    assert (detail["order_status"], detail["cancel_by"]) == ("CANCELLED", "seller")
    assert "total_amount" not in detail, "never paid"


def test_out_of_stock_names_items_of_the_order(sim, api):
    order = orders_in(sim, "READY_TO_SHIP")[1]
    order_sn = order["order_sn"]
    other = next(
        line
        for o in sim.orders(SHOP_ID)
        for line in o["item_list"]
        if (line["item_id"], line["model_id"]) not in held_units(order)
    )
    stock = sim.stock(SHOP_ID)
    for item_list in (None, [], [{"item_id": other["item_id"]}]):
        api.error(api.cancel(order_sn, "OUT_OF_STOCK", item_list), "error_param")
    not_ours = [{"item_id": other["item_id"], "model_id": other["model_id"]}]
    refused = api.error(api.cancel(order_sn, "OUT_OF_STOCK", not_ours), "error_param")
    assert "is not in the order" in refused["message"]
    unchanged(sim, order)
    assert sim.stock(SHOP_ID) == stock
    assert statuses_pushed(sim, order_sn) == []
    assert sim.cancellations()["seller_cancellations"] == []

    line = order["item_list"][0]
    named = [{"item_id": line["item_id"], "model_id": line["model_id"]}]
    api.ok(api.cancel(order_sn, "OUT_OF_STOCK", named))
    detail = api.detail(order_sn)
    assert (detail["order_status"], detail["cancel_reason"]) == (
        "CANCELLED",
        "Out of Stock",
    )
    given_back(sim, stock, order)
    [record] = sim.cancellations()["seller_cancellations"]
    assert record["item_list"] == named


def test_refused_cancellations_change_nothing(sim, api):
    ready = orders_in(sim, "READY_TO_SHIP")
    [paid_online] = [o for o in ready if not o["cod"]][:1]
    [cod] = [o for o in ready if o["cod"]][:1]
    shipped = orders_in(sim, "SHIPPED")[0]
    before = sim.orders(SHOP_ID)

    api.error(api.cancel(paid_online["order_sn"], "UNDELIVERABLE_AREA"), "error_param")
    api.error(api.cancel(paid_online["order_sn"], "COD_NOT_SUPPORTED"), "error_param")
    api.error(api.cancel(paid_online["order_sn"], "CHANGED_MY_MIND"), "error_param")
    api.error(api.post(CANCEL, {"cancel_reason": "CUSTOMER_REQUEST"}), "error_param")
    api.error(api.post(CANCEL, {"order_sn": paid_online["order_sn"]}), "error_param")
    for status in ("SHIPPED", "COMPLETED", "TO_CONFIRM_RECEIVE", "IN_CANCEL"):
        for order in orders_in(sim, status)[:1]:
            api.error(
                api.cancel(order["order_sn"], "CUSTOMER_REQUEST"), "order.error_limit"
            )
    api.error(api.cancel(shipped["order_sn"], "CUSTOMER_REQUEST"), "order.error_limit")
    api.error(api.cancel("251231NOTHERE1", "CUSTOMER_REQUEST"), "error_not_found")
    assert sim.orders(SHOP_ID) == before
    assert sim.pushes()["pushes"] == []

    api.ok(api.cancel(cod["order_sn"], "COD_NOT_SUPPORTED"))
    assert api.detail(cod["order_sn"])["cancel_reason"] == "COD Not Supported"

    # UNDELIVERABLE_AREA is for TW and MY shops.
    sim.add_shop(MY_SHOP_ID, "Kuala Lumpur Shop", region="MY")
    sim.install_tokens(MY_SHOP_ID, MY_TOKEN, "cancel-refresh-my")
    order = dict(paid_online, order_sn="260101MYORDER1", region="MY")
    sim.put_orders(MY_SHOP_ID, [order])
    my_api = Api(sim, MY_SHOP_ID, MY_TOKEN)
    my_api.ok(my_api.cancel("260101MYORDER1", "UNDELIVERABLE_AREA"))
    detail = my_api.detail("260101MYORDER1")
    assert (detail["order_status"], detail["cancel_reason"]) == (
        "CANCELLED",
        "Undeliverable Area",
    )


def test_cancel_an_order_whose_shipment_was_arranged(sim, api):
    order = orders_in(sim, "READY_TO_SHIP")[2]
    order_sn = order["order_sn"]
    stock = sim.stock(SHOP_ID)
    pickup(api, order_sn)
    arranged = api.detail(order_sn)
    assert arranged["order_status"] == "PROCESSED"
    [package] = arranged["package_list"]
    assert package["logistics_status"] == "LOGISTICS_REQUEST_CREATED"
    assert api.ok(api.get(TRACKING, order_sn=order_sn))["response"]["tracking_number"]

    line = order["item_list"][-1]
    named = [{"item_id": line["item_id"], "model_id": line["model_id"]}]
    api.ok(api.cancel(order_sn, "OUT_OF_STOCK", named))
    detail = api.detail(order_sn)
    assert (detail["order_status"], detail["cancel_by"]) == ("CANCELLED", "seller")
    assert detail["package_list"][0]["logistics_status"] == (
        "LOGISTICS_REQUEST_CANCELED"
    )
    assert statuses_pushed(sim, order_sn) == ["PROCESSED", "CANCELLED"]
    given_back(sim, stock, order)
    assert (
        api.ok(api.get(TRACKING, order_sn=order_sn))["response"]["tracking_number"]
        == ""
    )
    printed = api.error(
        api.post(CREATE_DOC, {"order_list": [{"order_sn": order_sn}]}),
        "common.batch_api_all_failed",
    )
    assert printed["response"]["result_list"][0]["fail_error"] == (
        "logistics.order_status_error"
    )
    ship_again = {"order_sn": order_sn, "pickup": {"address_id": 1}}
    api.error(api.post(SHIP, ship_again), "logistics.ship_order_not_ready_to_ship")


# -- a buyer's request, the seller's answer ------------------------------------------------


def test_buyer_request_then_accept(sim, api):
    order = orders_in(sim, "READY_TO_SHIP")[0]
    order_sn = order["order_sn"]
    stock = sim.stock(SHOP_ID)
    sim.set_clock(10)
    answer = sim.buyer_cancel(order_sn, "Found cheaper elsewhere")
    assert answer["order"]["order_status"] == "IN_CANCEL"
    request = answer["request"]
    assert request["status_before"] == "READY_TO_SHIP"
    assert (request["outcome"], request["reason"]) == (
        "pending",
        "Found cheaper elsewhere",
    )
    detail = api.detail(order_sn)
    assert detail["order_status"] == "IN_CANCEL"
    assert detail["buyer_cancel_reason"] == "Found cheaper elsewhere"
    assert detail["update_time"] == sim.now()
    assert statuses_pushed(sim, order_sn) == ["IN_CANCEL"]
    assert sim.stock(SHOP_ID) == stock, "the order still holds its stock"
    api.error(api.cancel(order_sn, "CUSTOMER_REQUEST"), "order.error_limit")

    sim.set_clock(20)
    answer = api.ok(api.answer(order_sn, "ACCEPT"))
    assert answer["response"] == {"update_time": sim.now()}
    detail = api.detail(order_sn)
    assert detail["order_status"] == "CANCELLED"
    assert (detail["cancel_by"], detail["cancel_reason"]) == (
        "buyer",
        "Found cheaper elsewhere",
    )
    assert detail["package_list"][0]["logistics_status"] == "LOGISTICS_INVALID"
    assert statuses_pushed(sim, order_sn) == ["IN_CANCEL", "CANCELLED"]
    given_back(sim, stock, order)
    [record] = sim.cancellations()["requests"]
    assert (record["order_sn"], record["outcome"]) == (order_sn, "accepted")
    assert record["answered_at"] == sim.now()
    refused = api.error(
        api.answer(order_sn, "ACCEPT"), "order.cancel_order_invalid_status"
    )
    assert "IN_CANCEL" in refused["message"]


def test_buyer_request_then_reject(sim, api):
    order = orders_in(sim, "READY_TO_SHIP")[0]
    order_sn = order["order_sn"]
    stock = sim.stock(SHOP_ID)
    sim.buyer_cancel(order_sn)
    assert api.detail(order_sn)["buyer_cancel_reason"], "a default reason"
    answer = api.ok(api.answer(order_sn, "REJECT"))
    detail = api.detail(order_sn)
    assert detail["order_status"] == "READY_TO_SHIP"
    assert detail["update_time"] == answer["response"]["update_time"]
    assert detail["package_list"] == order["package_list"]
    assert (detail["cancel_by"], detail["cancel_reason"]) == ("", "")
    assert statuses_pushed(sim, order_sn) == ["IN_CANCEL", "READY_TO_SHIP"]
    assert sim.stock(SHOP_ID) == stock
    assert sim.cancellations()["requests"][0]["outcome"] == "rejected"
    pickup(api, order_sn)  # it goes on

    # An arranged order goes back to PROCESSED, its shipment kept; asked
    # again and accepted, the shipment request is cancelled.
    sim.buyer_cancel(order_sn, "Modify existing order")
    assert api.detail(order_sn)["package_list"][0]["logistics_status"] == (
        "LOGISTICS_REQUEST_CREATED"
    )
    api.ok(api.answer(order_sn, "REJECT"))
    detail = api.detail(order_sn)
    assert detail["order_status"] == "PROCESSED"
    assert detail["package_list"][0]["logistics_status"] == "LOGISTICS_REQUEST_CREATED"
    sim.buyer_cancel(order_sn, "Modify existing order")
    api.ok(api.answer(order_sn, "ACCEPT"))
    detail = api.detail(order_sn)
    assert (detail["order_status"], detail["cancel_by"]) == ("CANCELLED", "buyer")
    assert detail["package_list"][0]["logistics_status"] == (
        "LOGISTICS_REQUEST_CANCELED"
    )
    assert statuses_pushed(sim, order_sn)[-4:] == [
        "IN_CANCEL",
        "PROCESSED",
        "IN_CANCEL",
        "CANCELLED",
    ]
    given_back(sim, stock, order)


def test_answers_and_requests_refused(sim, api):
    ready = orders_in(sim, "READY_TO_SHIP")[0]["order_sn"]
    before = sim.orders(SHOP_ID)
    for status in ("READY_TO_SHIP", "SHIPPED", "CANCELLED", "COMPLETED"):
        order_sn = orders_in(sim, status)[0]["order_sn"]
        api.error(api.answer(order_sn, "REJECT"), "order.cancel_order_invalid_status")
    in_cancel = orders_in(sim, "IN_CANCEL")[0]["order_sn"]
    for operation in ("MAYBE", "accept", None):
        api.error(api.answer(in_cancel, operation), "error_param")
    api.error(api.post(ANSWER, {"operation": "ACCEPT"}), "error_param")
    api.error(api.answer("251231NOTHERE1", "ACCEPT"), "error_not_found")
    shipped = orders_in(sim, "SHIPPED")[0]["order_sn"]
    with pytest.raises(ControlError, match="400"):
        sim.buyer_cancel(shipped)
    with pytest.raises(ControlError, match="400"):
        sim.buyer_cancel(in_cancel)
    with pytest.raises(ControlError, match="404"):
        sim.buyer_cancel("251231NOTHERE1")
    assert sim.orders(SHOP_ID) == before
    assert statuses_pushed(sim, ready) == []

    # An UNPAID order: the buyer needs nobody's leave.
    unpaid = orders_in(sim, "UNPAID")[0]["order_sn"]
    answer = sim.buyer_cancel(unpaid, "Modify existing order")
    assert answer["request"]["outcome"] == "cancelled"
    detail = api.detail(unpaid)
    assert (detail["order_status"], detail["cancel_by"], detail["cancel_reason"]) == (
        "CANCELLED",
        "buyer",
        "Modify existing order",
    )


def test_start_up_and_control_requests_are_answerable(sim, api):
    waiting = orders_in(sim, "IN_CANCEL")
    assert len(waiting) >= 2, "the seed order and generated ones"
    rejected, accepted = waiting[0], waiting[1]
    api.ok(api.answer(rejected["order_sn"], "REJECT"))
    detail = api.detail(rejected["order_sn"])
    assert detail["order_status"] == "READY_TO_SHIP"
    assert detail["package_list"][0]["logistics_status"] == "LOGISTICS_READY"
    stock = sim.stock(SHOP_ID)
    api.ok(api.answer(accepted["order_sn"], "ACCEPT"))
    detail = api.detail(accepted["order_sn"])
    assert (detail["order_status"], detail["cancel_by"]) == ("CANCELLED", "buyer")
    assert detail["cancel_reason"] == accepted["buyer_cancel_reason"] != ""
    given_back(sim, stock, accepted)
    outcomes = {r["order_sn"]: r["outcome"] for r in sim.cancellations()["requests"]}
    assert outcomes == {
        rejected["order_sn"]: "rejected",
        accepted["order_sn"]: "accepted",
    }

    # A control status change to IN_CANCEL is a request too.
    processed = orders_in(sim, "PROCESSED")[0]
    sim.update_order(processed["order_sn"], order_status="IN_CANCEL")
    detail = api.detail(processed["order_sn"])
    assert detail["buyer_cancel_reason"]
    [record] = [
        r
        for r in sim.cancellations()["requests"]
        if r["order_sn"] == processed["order_sn"]
    ]
    assert (record["status_before"], record["outcome"]) == ("PROCESSED", "pending")
    api.ok(api.answer(processed["order_sn"], "REJECT"))
    detail = api.detail(processed["order_sn"])
    assert detail["order_status"] == "PROCESSED"
    assert detail["package_list"] == processed["package_list"]


# -- faults ----------------------------------------------------------------------------


def test_forced_error_and_gateway_faults(sim, api):
    order = orders_in(sim, "READY_TO_SHIP")[0]
    order_sn = order["order_sn"]
    sim.add_fault(
        "error", path=CANCEL, error="error_network", message="Inner http call failed"
    )
    refused = api.error(api.cancel(order_sn, "CUSTOMER_REQUEST"), "error_network")
    assert refused["message"] == "Inner http call failed"
    unchanged(sim, order)
    sim.add_fault("rate_limit", path=CANCEL)
    api.error(api.cancel(order_sn, "CUSTOMER_REQUEST"), "error_server", 429)
    unchanged(sim, order)
    sim.set_fault_rates(server_error=1.0, paths=[CANCEL, ANSWER])
    api.error(api.cancel(order_sn, "CUSTOMER_REQUEST"), "error_server", 500)
    unchanged(sim, order)

    sim.buyer_cancel(order_sn)
    asked = sim.orders(SHOP_ID)
    api.error(api.answer(order_sn, "ACCEPT"), "error_server", 500)
    sim.clear_fault_rates()
    sim.add_fault("error", path=ANSWER, error="order.order_status_invalid")
    api.error(api.answer(order_sn, "ACCEPT"), "order.order_status_invalid")
    assert sim.orders(SHOP_ID) == asked
    api.ok(api.answer(order_sn, "ACCEPT"))
    assert api.detail(order_sn)["order_status"] == "CANCELLED"
    fired = sim.state()["faults_fired"]
    assert (fired["error"], fired["rate_limit"], fired["server_error"]) == (2, 1, 2)
