"""Access rights over RPC, on a real server: who may do what, in one table.

Three users are made here over RPC by admin: a marketplace *User* and a
*Manager* of the main company, and a marketplace Manager of *another
company* only (so that what stops them is the company, not their group).
Each one, through JSON-RPC like the web client, tries every operation on a
record of the main company for every model of both addons, reads and writes
the secret fields, presses the buttons of the views, and calls the
controllers. The expected outcome of every cell is in the tables below; a
cell that differs fails the test, and the failure lists every such cell.
"""

import hashlib
import hmac
import json
import time
from types import SimpleNamespace
from urllib.parse import parse_qs, urlparse

import pytest
import requests
from odoo_server import (
    SHOP_ID,
    SIM_PUSH_KEY,
    RPCError,
    connect_shop,
    consent,
    create_lazada_account,
    create_simulator_account,
    db_query,
    start_server,
)

ROLES = ("user", "manager", "other")

# Operations on a record of the main company: r read, w write, c create (in
# the main company), u unlink; "-" refused (an AccessError). Wizards are
# the user's own, for a shop of the main company.
MODELS = """
model                                 user  manager  other
marketplace.account                   r---  rwcu     ----
marketplace.shop                      r---  rwcu     ----
marketplace.job                       rwc-  rwcu     ----
marketplace.job.step                  r---  r---     ----
marketplace.order                     r---  rwcu     ----
marketplace.order.line                r---  rwcu     ----
marketplace.order.missing             r---  rw-u     ----
marketplace.oauth.state               ----  r---     ----
marketplace.order.status              r---  r---     r---
marketplace.product.binding           rwc-  rwcu     ----
marketplace.push.mark                 ----  r---     ----
marketplace.sync.rule                 r---  rwcu     ----
marketplace.webhook.event             r---  rw-u     ----
marketplace.product.bind.wizard       rwcu  rwcu     ----
marketplace.product.bind.wizard.line  rwcu  rwcu     ----
marketplace.stock.preview             rwcu  rwcu     ----
marketplace.stock.preview.line        rwcu  rwcu     ----
marketplace.ship.wizard               rwcu  rwcu     ----
marketplace.ship.wizard.option        rwcu  rwcu     ----
marketplace.cancel.wizard             rwcu  rwcu     ----
shopee.shop                           ----  rwcu     ----
shopee.order                          r---  rwcu     ----
shopee.product.binding                r---  rwcu     ----
lazada.shop                           ----  rwcu     ----
lazada.order                          r---  rwcu     ----
lazada.product.binding                r---  rwcu     ----
"""

# Secret fields: r read, w write (of the value they have); "-" refused.
SECRETS = """
model                      field                    user  manager  other
marketplace.account        shopee_partner_key       --    rw       --
marketplace.account        shopee_push_partner_key  --    rw       --
marketplace.account        shopee_simulator_url     --    --       --
shopee.shop                access_token             --    --       --
shopee.shop                refresh_token            --    --       --
shopee.shop                token_api_host           --    --       --
marketplace.webhook.event  raw_body                 --    rw       --
marketplace.account        lazada_app_secret        --    rw       --
marketplace.account        lazada_simulator_url     --    --       --
lazada.shop                access_token             --    --       --
lazada.shop                refresh_token            --    --       --
lazada.shop                token_api_host           --    --       --
"""

# Buttons of the views (object methods), pressed on a record of the main
# company: "yes" allowed, "no" refused (an AccessError, or the UserError
# saying that only managers may). The action_view_* buttons only return a
# window action whose list the record rules then filter: pressing them shows
# nothing of another company. The stock previews compute free quantities as
# the user: they need Inventory rights, which none of these users has.
BUTTONS = """
model                            method                            user  manager  other
marketplace.account              action_view_shops                 yes   yes      yes
marketplace.account              action_shopee_connect             no    yes      no
marketplace.account              action_lazada_connect             no    yes      no
marketplace.shop                 action_import_orders              yes   yes      no
marketplace.shop                 action_import_products            yes   yes      no
marketplace.shop                 action_push_stock                 yes   yes      no
marketplace.shop                 action_stock_preview              no    no       no
marketplace.shop                 action_view_orders                yes   yes      yes
marketplace.shop                 action_view_jobs                  yes   yes      no
marketplace.shop                 action_view_bindings              yes   yes      yes
marketplace.job                  action_retry                      yes   yes      no
marketplace.job                  action_view_orders                yes   yes      yes
marketplace.job                  action_view_queue_jobs            yes   yes      yes
marketplace.order                action_create_sale_order          yes   yes      no
marketplace.order                action_create_sale_orders         yes   yes      no
marketplace.order                action_resync                     yes   yes      no
marketplace.order                action_view_sale_order            yes   yes      no
marketplace.order                action_accept_cancellation        yes   yes      no
marketplace.order                action_reject_cancellation        yes   yes      no
marketplace.product.binding      action_bulk_binding               yes   yes      no
marketplace.sync.rule            action_preview                    no    no       no
marketplace.product.bind.wizard  action_preview                    yes   yes      no
marketplace.product.bind.wizard  action_confirm                    yes   yes      no
product.product                  action_view_marketplace_bindings  yes   yes      yes
marketplace.shop                 action_disconnect                 no    yes      no
"""

# Private methods are never callable over RPC, by anybody.
PRIVATE = [
    ("marketplace.shop", "_disconnect"),
    ("marketplace.shop", "_cron_pull_orders"),
    ("shopee.shop", "_refresh_tokens"),
    ("lazada.shop", "_refresh_tokens"),
    ("marketplace.job", "_job_run"),
]


def table(text):
    lines = [line.split() for line in text.strip().splitlines()]
    return [dict(zip(lines[0], line, strict=True)) for line in lines[1:]]


def outcome(call, *args, **kwargs):
    """'yes' when ``call(*args)`` works, 'no' when it is refused for its rights."""
    try:
        call(*args, **kwargs)
    except RPCError as error:
        if error.access_denied or "Only marketplace managers" in error.message:
            return "no"
        return f"error: {error.name}: {error.message[:200]}"
    return "yes"


def read_outcome(client, model, record, fresh=None):
    """``outcome`` of reading ``record``; 'gone' when it no longer exists.

    Reading a deleted record raises nothing and returns nothing: that is no
    proof of a right. A record the system consumes on its own (a push mark,
    cleared by a push running in the server meanwhile) is made again with
    ``fresh`` and read again.
    """
    for _try in range(3):
        try:
            rows = client.call(model, "read", [record], ["display_name"])
        except RPCError as error:
            if error.access_denied or "Only marketplace managers" in error.message:
                return "no"
            return f"error: {error.name}: {error.message[:200]}"
        if rows:
            return "yes"
        if not fresh:
            return "gone"
        record = fresh()
    return "gone"


def push_signature(url, body):
    return hmac.new(
        SIM_PUSH_KEY.encode(), url.encode() + b"|" + body, hashlib.sha256
    ).hexdigest()


# -- the main company's data and the three users -------------------------------


@pytest.fixture(scope="module")
def server():
    odoo_server = start_server("access-matrix-odoo.log")
    try:
        yield odoo_server
    finally:
        odoo_server.stop()


@pytest.fixture(scope="module")
def admin(server):
    client = server.client()
    client.call("ir.config_parameter", "set_param", "web.base.url", server.url)
    return client


def group_id(admin, xmlid):
    module, name = xmlid.split(".")
    return admin.call("ir.model.data", "check_object_reference", module, name)[1]


@pytest.fixture(scope="module")
def data(server, admin, shopee_simulator):
    sim = shopee_simulator
    sim.reset(seed=21, orders=6, items=3, models_per_item=2)
    company_a = admin.call("res.users", "read", [admin.uid], ["company_id"])[0][
        "company_id"
    ][0]
    account = create_simulator_account(admin, "Access matrix", sim.url)
    shop = connect_shop(admin, account, sim.url)["id"]
    [backend] = admin.call(
        "shopee.shop", "search", [("marketplace_shop_id", "=", shop)]
    )
    admin.call("marketplace.shop", "action_import_orders", [shop])
    [pull] = admin.call("marketplace.job", "search", [("shop_id", "=", shop)])
    [done] = admin.wait_jobs_done([pull])
    assert done["state"] == "completed", done
    orders = admin.search_read(
        "marketplace.order", [("shop_id", "=", shop)], ["line_ids", "status"]
    )
    order = next(
        o for o in orders if o["status"] not in ("awaiting_payment", "cancelled")
    )
    product = admin.call(
        "product.product",
        "create",
        {"name": "Access matrix product", "type": "consu", "is_storable": True},
    )
    item = sim.catalogue(SHOP_ID)[0]
    binding = admin.call(
        "marketplace.product.binding",
        "create",
        {
            "shop_id": shop,
            "external_item_id": str(item["item_id"]),
            "external_variation_id": str(item["models"][0]["model_id"]),
            "product_id": product,
            "name": item["item_name"],
        },
    )
    shopee_binding = admin.call(
        "shopee.product.binding",
        "create",
        {
            "backend_id": backend,
            "odoo_id": binding,
            "external_id": f"{item['item_id']}/{item['models'][0]['model_id']}",
        },
    )
    rule = admin.call("marketplace.sync.rule", "create", {"shop_id": shop})
    # A Lazada account and seller of the same company (no calls: made as the
    # authorization would leave them).
    lazada_account = create_lazada_account(admin, "Access matrix (Lazada)", sim.url)
    lazada_backend = admin.call(
        "lazada.shop",
        "create",
        {
            "account_id": lazada_account,
            "name": "Access matrix seller",
            "external_id": "1000200399",
            "access_token": "matrix-lazada-access",
            "refresh_token": "matrix-lazada-refresh",
            "token_api_host": f"{sim.url}/rest",
        },
    )
    [lazada_shop] = admin.call(
        "lazada.shop", "read", [lazada_backend], ["marketplace_shop_id"]
    )
    lazada_shop = lazada_shop["marketplace_shop_id"][0]
    lazada_order = admin.call(
        "lazada.order",
        "create",
        {
            "backend_id": lazada_backend,
            "external_id": "301000000099999",
            "shop_id": lazada_shop,
            "name": "301000000099999",
        },
    )
    lazada_binding = admin.call(
        "lazada.product.binding",
        "create",
        {
            "backend_id": lazada_backend,
            "external_id": "4102300999/17301099901",
            "shop_id": lazada_shop,
            "external_item_id": "4102300999",
            "external_variation_id": "17301099901",
        },
    )
    company_b = admin.call("res.company", "create", {"name": "Access matrix other"})
    user_group = group_id(admin, "connector_marketplace.group_marketplace_user")
    manager_group = group_id(admin, "connector_marketplace.group_marketplace_manager")
    employee = group_id(admin, "base.group_user")
    logins = {}
    for role, company, groups in (
        ("user", company_a, [employee, user_group]),
        ("manager", company_a, [employee, manager_group]),
        ("other", company_b, [employee, manager_group]),
    ):
        login = f"matrix-{role}-{int(time.time())}"
        admin.call(
            "res.users",
            "create",
            {
                "name": f"Matrix {role}",
                "login": login,
                "password": login,
                "company_id": company,
                "company_ids": [(6, 0, [company])],
                "groups_id": [(6, 0, groups)],
            },
        )
        logins[role] = login
    [account_values] = admin.call(
        "marketplace.account", "read", [account], ["shopee_webhook_url"]
    )
    ns = SimpleNamespace(
        sim=sim,
        server=server,
        company_a=company_a,
        company_b=company_b,
        account=account,
        webhook_url=account_values["shopee_webhook_url"],
        shop=shop,
        backend=backend,
        job=pull,
        step=admin.call("marketplace.job.step", "search", [("job_id", "=", pull)])[0],
        order=order["id"],
        line=order["line_ids"][0],
        shopee_order=admin.call(
            "shopee.order", "search", [("odoo_id", "=", order["id"])]
        )[0],
        state=admin.call(
            "marketplace.oauth.state", "search", [("account_id", "=", account)]
        )[0],
        status=admin.call(
            "marketplace.order.status", "search", [("code", "=", "to_ship")]
        )[0],
        product=product,
        binding=binding,
        shopee_binding=shopee_binding,
        lazada_account=lazada_account,
        lazada_backend=lazada_backend,
        lazada_shop=lazada_shop,
        lazada_order=lazada_order,
        lazada_binding=lazada_binding,
        rule=rule,
        serial=iter(range(1, 10_000)),
    )
    ns.scratch_order = admin.call(
        "marketplace.order", "create", {"shop_id": shop, "name": "MATRIXSCRATCH"}
    )
    ns.event = new_event(ns)
    ns.missing = new_missing(ns)
    ns.clients = {role: server.client(login, login) for role, login in logins.items()}
    return ns


def new_event(ns):
    """A webhook event, as Shopee's signed push makes it (nobody creates one)."""
    body = json.dumps(
        {"code": 12, "data": {"shop_expire_soon": []}, "timestamp": next(ns.serial)}
    ).encode()
    answer = requests.post(
        ns.webhook_url,
        data=body,
        headers={"Authorization": push_signature(ns.webhook_url, body)},
        timeout=60,
    )
    assert answer.status_code == 200
    [[event_id]] = db_query(
        ns.server.db, "SELECT max(id) FROM marketplace_webhook_event", ()
    )
    return event_id


def new_missing(ns):
    """An order set aside, as a pull makes it (nobody creates one)."""
    [[missing_id]] = db_query(
        ns.server.db,
        "INSERT INTO marketplace_order_missing (shop_id, company_id, name, state, "
        "date_set_aside, create_date, write_date) SELECT id, company_id, %s, "
        "'set_aside', now(), now(), now() FROM marketplace_shop WHERE id = %s "
        "RETURNING id",
        (f"MISSING{next(ns.serial)}", ns.shop),
    )
    return missing_id


def new_push_mark(ns):
    """A listing marked to push, as a stock change makes it (nobody creates
    one: the system inserts them)."""
    [[mark_id]] = db_query(
        ns.server.db,
        "INSERT INTO marketplace_push_mark (binding_id, shop_id) "
        "VALUES (%s, %s) RETURNING id",
        (ns.binding, ns.shop),
    )
    return mark_id


# -- what each model's cells do ----------------------------------------------------


def model_specs(ns, admin):
    """{model: (record id, values to write, values to create, a disposable
    record maker)}; the maker is None where the record itself is used."""

    def n():
        return next(ns.serial)

    def admin_create(model, values):
        return lambda: admin.call(model, "create", values())

    def ended_job():
        """A job to delete: ended, since a running one cannot be deleted."""
        job = admin.call("marketplace.job", "create", job_values())
        admin.wait_jobs_done([job])
        return job

    account_values = lambda: {  # noqa: E731
        "name": f"Matrix account {n()}",
        "channel": "shopee",
        "environment": "simulator",
        "company_id": ns.company_a,
    }
    shop_values = lambda: {  # noqa: E731
        "name": f"Matrix shop {n()}",
        "account_id": ns.account,
        "external_id": str(700000000 + n()),
    }
    job_values = lambda: {  # noqa: E731
        "job_type": "sale_orders",
        "account_id": ns.account,
        "shop_id": ns.shop,
        "payload": '{"order_ids": []}',
    }
    order_values = lambda: {"shop_id": ns.shop, "name": f"MATRIX{n()}"}  # noqa: E731
    line_values = lambda: {  # noqa: E731
        "order_id": ns.scratch_order,
        "name": "Matrix line",
        "external_key": f"matrix-{n()}",
    }
    binding_values = lambda: {  # noqa: E731
        "shop_id": ns.shop,
        "external_item_id": str(900000 + n()),
        "external_variation_id": "0",
    }
    shopee_order_values = lambda: {  # noqa: E731
        "backend_id": ns.backend,
        "external_id": f"MATRIXSN{n()}",
        "shop_id": ns.shop,
        "name": f"MATRIXSN{n()}",
    }
    shopee_binding_values = lambda: {  # noqa: E731
        "backend_id": ns.backend,
        "external_id": f"{900000 + n()}/0",
        "shop_id": ns.shop,
        "external_item_id": str(900000 + n()),
        "external_variation_id": "0",
    }
    lazada_shop_values = lambda: {  # noqa: E731
        "name": f"Matrix seller {n()}",
        "account_id": ns.lazada_account,
        "external_id": str(1000300000 + n()),
    }
    lazada_order_values = lambda: {  # noqa: E731
        "backend_id": ns.lazada_backend,
        "external_id": str(302000000000000 + n()),
        "shop_id": ns.lazada_shop,
        "name": f"MATRIXLZD{n()}",
    }
    lazada_binding_values = lambda: {  # noqa: E731
        "backend_id": ns.lazada_backend,
        "external_id": f"{4103000000 + n()}/0",
        "shop_id": ns.lazada_shop,
        "external_item_id": str(4103000000 + n()),
        "external_variation_id": "0",
    }
    return {
        "marketplace.account": (
            ns.account,
            {"name": "Access matrix"},
            account_values,
            admin_create("marketplace.account", account_values),
        ),
        "marketplace.shop": (
            ns.shop,
            {"initial_import_days": 7},
            shop_values,
            admin_create("marketplace.shop", shop_values),
        ),
        "marketplace.job": (
            ns.job,
            {"priority": 10},
            job_values,
            ended_job,
        ),
        "marketplace.job.step": (
            ns.step,
            {"notes": False},
            lambda: {"job_id": ns.job},
            None,
        ),
        "marketplace.order": (
            ns.order,
            {"note": False},
            order_values,
            admin_create("marketplace.order", order_values),
        ),
        "marketplace.order.line": (
            ns.line,
            {"sequence": 10},
            line_values,
            admin_create("marketplace.order.line", line_values),
        ),
        "marketplace.order.missing": (
            ns.missing,
            {"reason": "Matrix"},
            lambda: {"shop_id": ns.shop, "name": f"MATRIX{n()}"},
            lambda: new_missing(ns),
        ),
        "marketplace.oauth.state": (
            ns.state,
            {"expires_at": "2000-01-01 00:00:00"},
            lambda: {
                "account_id": ns.account,
                "user_id": admin.uid,
                "nonce": f"matrix-{n()}",
                "expires_at": "2100-01-01 00:00:00",
            },
            None,
        ),
        "marketplace.order.status": (
            ns.status,
            {"sequence": 10},
            lambda: {"code": f"matrix{n()}", "name": "Matrix"},
            None,
        ),
        "marketplace.product.binding": (
            ns.binding,
            {"name": "Matrix listing"},
            binding_values,
            admin_create("marketplace.product.binding", binding_values),
        ),
        "marketplace.push.mark": (
            new_push_mark(ns),
            {"shop_id": ns.shop},
            lambda: {"binding_id": ns.binding, "shop_id": ns.shop},
            lambda: new_push_mark(ns),
        ),
        "marketplace.sync.rule": (
            ns.rule,
            {"sequence": 10},
            # archived: a shop has one active rule per target
            lambda: {"shop_id": ns.shop, "sequence": 20, "active": False},
            admin_create(
                "marketplace.sync.rule",
                lambda: {"shop_id": ns.shop, "sequence": 30, "active": False},
            ),
        ),
        "marketplace.webhook.event": (
            ns.event,
            {"result": "Matrix"},
            lambda: {"account_id": ns.account, "dedup_key": f"matrix-{n()}"},
            lambda: new_event(ns),
        ),
        "shopee.shop": (
            ns.backend,
            {"initial_import_days": 7},
            shop_values,
            admin_create("shopee.shop", shop_values),
        ),
        "shopee.order": (
            ns.shopee_order,
            {"external_id": None},  # its own value, below
            shopee_order_values,
            admin_create("shopee.order", shopee_order_values),
        ),
        "shopee.product.binding": (
            ns.shopee_binding,
            {"external_id": None},
            shopee_binding_values,
            admin_create("shopee.product.binding", shopee_binding_values),
        ),
        "lazada.shop": (
            ns.lazada_backend,
            {"initial_import_days": 7},
            lazada_shop_values,
            admin_create("lazada.shop", lazada_shop_values),
        ),
        "lazada.order": (
            ns.lazada_order,
            {"external_id": None},
            lazada_order_values,
            admin_create("lazada.order", lazada_order_values),
        ),
        "lazada.product.binding": (
            ns.lazada_binding,
            {"external_id": None},
            lazada_binding_values,
            admin_create("lazada.product.binding", lazada_binding_values),
        ),
    }


WIZARDS = {
    # transient model: (values to create, given the role's own parent)
    "marketplace.product.bind.wizard": lambda ns, parent: {"shop_id": ns.shop},
    "marketplace.product.bind.wizard.line": lambda ns, parent: {
        "wizard_id": parent,
        "kind": "product",
    },
    "marketplace.stock.preview": lambda ns, parent: {"shop_id": ns.shop},
    "marketplace.stock.preview.line": lambda ns, parent: {
        "preview_id": parent,
        "quantity": 1,
    },
    "marketplace.ship.wizard": lambda ns, parent: {"shop_id": ns.shop},
    "marketplace.ship.wizard.option": lambda ns, parent: {
        "wizard_id": parent,
        "kind": "mode",
        "key": "pickup",
        "name": "Carrier picks up",
    },
    "marketplace.cancel.wizard": lambda ns, parent: {"order_ids": [(6, 0, [ns.order])]},
}
WIZARD_PARENTS = {
    "marketplace.product.bind.wizard.line": "marketplace.product.bind.wizard",
    "marketplace.stock.preview.line": "marketplace.stock.preview",
    "marketplace.ship.wizard.option": "marketplace.ship.wizard",
}


def model_cells(ns, admin, role, client):
    """'rwcu' / '-' for every model, as ``role`` gets them."""
    got = {}
    for model, (record, write, create, disposable) in model_specs(ns, admin).items():
        if None in write.values():
            [current] = admin.call(model, "read", [record], list(write))
            write = {key: current[key] for key in write}
        cells = [
            read_outcome(client, model, record, fresh=disposable),
            outcome(client.call, model, "write", [record], write),
            outcome(client.call, model, "create", create()),
        ]
        target = disposable() if disposable else record
        cells.append(outcome(client.call, model, "unlink", [target]))
        got[model] = cells
    # Wizards: the role's own, for the main company's shop (admin's when the
    # role may not make one: then nothing of it may be touched either).
    own = {}
    for model, values in WIZARDS.items():
        parent_model = WIZARD_PARENTS.get(model)
        parent = own.get(parent_model) or admin_wizards(ns, admin).get(parent_model)
        made = {}

        def create(model=model, values=values, parent=parent, made=made):
            made["id"] = client.call(model, "create", values(ns, parent))

        create_cell = outcome(create)
        record = made.get("id") or admin_wizards(ns, admin)[model]
        own[model] = made.get("id")
        got[model] = [
            outcome(client.call, model, "read", [record], ["display_name"]),
            outcome(client.call, model, "write", [record], {}),
            create_cell,
            "?",
        ]
    for model in reversed(list(WIZARDS)):  # lines before their wizard
        record = own.get(model) or admin_wizards(ns, admin)[model]
        got[model][3] = outcome(client.call, model, "unlink", [record])
    return {
        model: "".join(
            letter if cell == "yes" else "-" if cell == "no" else f"[{cell}]"
            for letter, cell in zip("rwcu", cells, strict=True)
        )
        for model, cells in got.items()
    }


def admin_wizards(ns, admin):
    if not hasattr(ns, "wizards"):
        wizards = {}
        for model, values in WIZARDS.items():
            parent = wizards.get(WIZARD_PARENTS.get(model))
            wizards[model] = admin.call(model, "create", values(ns, parent))
        ns.wizards = wizards
    return ns.wizards


def test_models(data, admin):
    expected = {row["model"]: row for row in table(MODELS)}
    tested = set(model_specs(data, admin)) | set(WIZARDS)
    assert tested == set(expected), "every model of the table is tried"
    addon_models = {
        model["model"]
        for model in admin.search_read(
            "ir.model",
            [
                "|",
                "|",
                ("model", "=like", "marketplace.%"),
                ("model", "=like", "shopee.%"),
                ("model", "=like", "lazada.%"),
            ],
            ["model"],
        )
    } - {  # abstract: no records
        "marketplace.dashboard",
        "marketplace.channel.backend",
        "marketplace.sale.order.builder",
        "marketplace.token.backend",
        "shopee.binding",
        "lazada.binding",
    }
    assert addon_models == set(expected), "the table names every model"
    wrong = []
    for role in ROLES:
        got = model_cells(data, admin, role, data.clients[role])
        for model, row in expected.items():
            if got[model] != row[role]:
                wrong.append(
                    f"{model:38} {role:8} expected {row[role]}, got {got[model]}"
                )
    assert not wrong, "\n" + "\n".join(wrong)


def test_secret_fields(data, admin):
    """Keys and tokens: read and written only by who the table says; never
    sent along with "all fields", never searchable by who may not read them."""
    records = {
        "marketplace.account": data.account,
        "shopee.shop": data.backend,
        "marketplace.webhook.event": data.event,
        "lazada.shop": data.lazada_backend,
    }
    # a Lazada account's fields are on the Lazada account
    records_of_field = {
        ("marketplace.account", "lazada_app_secret"): data.lazada_account,
        ("marketplace.account", "lazada_simulator_url"): data.lazada_account,
    }
    rows = table(SECRETS)
    wrong = []
    for row in rows:
        model, field = row["model"], row["field"]
        record = records_of_field.get((model, field)) or records[model]
        [current] = admin.call(model, "read", [record], [field])
        assert current[field], f"{model}.{field} has a value to protect"
        for role in ROLES:
            client = data.clients[role]
            cells = [
                outcome(client.call, model, "read", [record], [field]),
                outcome(client.call, model, "write", [record], {field: current[field]}),
            ]
            got = "".join(
                letter if cell == "yes" else "-" if cell == "no" else f"[{cell}]"
                for letter, cell in zip("rw", cells, strict=True)
            )
            if got != row[role]:
                wrong.append(f"{model}.{field} {role}: expected {row[role]}, got {got}")
            if row[role][0] == "-":
                # Not readable: searching by its value finds nothing either
                # (refused, or nothing of what the user may not read).
                try:
                    found = client.call(
                        model, "search_count", [(field, "=", current[field])]
                    )
                except RPCError as error:
                    found = 0 if error.access_denied else error.message
                if found != 0:
                    wrong.append(f"{model}.{field} {role}: searchable ({found})")
    for role in ROLES:
        client = data.clients[role]
        for model, record in records.items():
            try:
                [values] = client.call(model, "read", [record], [])
            except RPCError as error:
                assert error.access_denied, error.message
                continue
            hidden = {
                row["field"]
                for row in rows
                if row["model"] == model and row[role][0] == "-"
            }
            assert not hidden & set(values), (role, model, hidden & set(values))
    assert not wrong, "\n" + "\n".join(wrong)


def button_records(data, admin, role):
    """The record each button is pressed on, ready for it, for ``role``."""
    ns = data
    failed_job = admin.call(
        "marketplace.job",
        "create",
        {
            "job_type": "push_stock",
            "account_id": ns.account,
            "shop_id": ns.shop,
            "payload": '{"product_ids": [999999999]}',
        },
    )
    [job] = admin.wait_jobs_done([failed_job])
    assert job["state"] == "failed", job  # "Nothing to push"
    without_sale_order = admin.call(
        "marketplace.order", "create", {"shop_id": ns.shop, "name": f"NOSALE{role}"}
    )
    client = data.clients[role]
    own = {}
    try:
        own["wizard"] = client.call(
            "marketplace.product.bind.wizard", "create", {"shop_id": ns.shop}
        )
    except RPCError:
        own["wizard"] = admin_wizards(ns, admin)["marketplace.product.bind.wizard"]
    return {
        "marketplace.account": ns.account,
        ("marketplace.account", "action_lazada_connect"): ns.lazada_account,
        "marketplace.shop": ns.shop,
        ("marketplace.job", "action_retry"): failed_job,
        "marketplace.job": ns.job,
        "marketplace.order": ns.sale_order_order,
        ("marketplace.order", "action_create_sale_orders"): without_sale_order,
        "marketplace.product.binding": ns.binding,
        "marketplace.sync.rule": ns.rule,
        "marketplace.product.bind.wizard": own["wizard"],
        "product.product": ns.product,
    }


def test_buttons(data, admin):
    """Every button of the views, pressed over RPC by each user."""
    # An order that can get its sale order: every listing bound to a product.
    bound = {
        (b["external_item_id"], b["external_variation_id"])
        for b in admin.search_read(
            "marketplace.product.binding",
            [("shop_id", "=", data.shop)],
            ["external_item_id", "external_variation_id"],
        )
    }
    for item in data.sim.catalogue(SHOP_ID):
        for model in item["models"]:
            key = (str(item["item_id"]), str(model["model_id"]))
            if key not in bound:
                admin.call(
                    "marketplace.product.binding",
                    "create",
                    {
                        "shop_id": data.shop,
                        "external_item_id": key[0],
                        "external_variation_id": key[1],
                        "product_id": data.product,
                    },
                )
    data.sale_order_order = data.order
    rows = table(BUTTONS)
    wrong = []
    # The manager last: "Disconnect" is the last row.
    for role in ("user", "other", "manager"):
        records = button_records(data, admin, role)
        client = data.clients[role]
        for row in rows:
            model, method = row["model"], row["method"]
            record = records.get((model, method)) or records[model]
            got = outcome(client.call, model, method, [record])
            if got != row[role]:
                wrong.append(
                    f"{model}.{method} {role}: expected {row[role]}, got {got}"
                )
    assert not wrong, "\n" + "\n".join(wrong)
    [shop] = admin.call("marketplace.shop", "read", [data.shop], ["auth_state"])
    assert shop["auth_state"] == "disconnected", "the manager's Disconnect worked"


def test_private_methods(data):
    for role in ROLES:
        for model, method in PRIVATE:
            got = outcome(data.clients[role].call, model, method, [data.shop])
            assert got == "no", (role, model, method, got)


def test_dashboard_follows_companies(data, admin):
    """The dashboard of another company's user counts none of these orders."""
    mine = data.clients["manager"].call("marketplace.dashboard", "get_dashboard_data")
    theirs = data.clients["other"].call("marketplace.dashboard", "get_dashboard_data")
    assert json.dumps(mine) != json.dumps(theirs)
    shop_names = {
        shop["name"]
        for shop in admin.search_read(
            "marketplace.shop", [("company_id", "=", data.company_a)], ["name"]
        )
    }
    leaked = [name for name in shop_names if name in json.dumps(theirs)]
    assert not leaked, leaked


# Writes that would mix the companies: each one, by the main company's
# manager over RPC, points a record of the main company at a record of the
# other company. Every one is refused, and nothing changes.
CROSS_COMPANY = """
model                        field          target
marketplace.sync.rule        location_ids   location
marketplace.sync.rule        warehouse_ids  warehouse
marketplace.sync.rule        shop_id        shop
marketplace.product.binding  shop_id        shop
marketplace.shop             warehouse_id   warehouse
marketplace.shop             pricelist_id   pricelist
"""


def test_companies_stay_apart(data, admin):
    other = data.company_b
    [warehouse] = admin.search_read(
        "stock.warehouse", [("company_id", "=", other)], ["lot_stock_id"], limit=1
    ) or [
        admin.call(
            "stock.warehouse",
            "read",
            [
                admin.call(
                    "stock.warehouse",
                    "create",
                    {"name": "Matrix other", "code": "MXO", "company_id": other},
                )
            ],
            ["lot_stock_id"],
        )[0]
    ]
    account = admin.call(
        "marketplace.account",
        "create",
        {"name": "Matrix other", "channel": "shopee", "company_id": other},
    )
    targets = {
        "location": warehouse["lot_stock_id"][0],
        "warehouse": warehouse["id"],
        "pricelist": admin.call(
            "product.pricelist", "create", {"name": "Matrix other", "company_id": other}
        ),
        "shop": admin.call(
            "marketplace.shop",
            "create",
            {"name": "Matrix other", "account_id": account, "external_id": "71"},
        ),
    }
    records = {
        "marketplace.sync.rule": data.rule,
        "marketplace.product.binding": data.binding,
        "marketplace.shop": data.shop,
    }
    client = data.clients["manager"]
    wrong = []
    for row in table(CROSS_COMPANY):
        model, field, target = row["model"], row["field"], targets[row["target"]]
        record = records[model]
        value = [(6, 0, [target])] if field.endswith("_ids") else target
        values = {field: value}
        if field == "location_ids":
            values["source"] = "locations"
        if field == "warehouse_ids":
            values["source"] = "warehouses"
        [before] = admin.call(model, "read", [record], [field])
        try:
            client.call(model, "write", [record], values)
            wrong.append(f"{model}.{field} = the other company's {row['target']}")
        except RPCError:
            pass
        [after] = admin.call(model, "read", [record], [field])
        if after != before:
            wrong.append(f"{model}.{field} changed: {before} → {after}")
    assert not wrong, "\n" + "\n".join(wrong)


# The controllers are public (Shopee and monitors call them): a session gives
# nothing more. Each cell is one request, with that user's session cookie.
CONTROLLERS = """
request                       anonymous  user  manager  other
health_without_token_set      404        404   404      404
health_wrong_token            403        403   403      403
health_token                  200        200   200      200
webhook_unsigned              401        401   401      401
webhook_signed_by_shopee      200        200   200      200
oauth_no_state                403        403   403      403
oauth_forged_state            403        403   403      403
oauth_other_accounts_link     403        403   403      403
oauth_demoted_managers_link   403        403   403      403
oauth_used_link               403        403   403      403
oauth_managers_link           200        200   200      200
"""


def test_controllers(data, admin):
    ns = data
    callback_url = f"{ns.server.url}/marketplace/shopee/oauth/{ns.account}"
    health_url = f"{ns.server.url}/marketplace/health"
    sessions = {"anonymous": requests.Session()}
    sessions.update({role: data.clients[role].session for role in ROLES})
    manager = data.clients["manager"]

    def managers_link():
        action = manager.call(
            "marketplace.account", "action_shopee_connect", [ns.account]
        )
        return consent(action["url"])

    def state_of(action):
        redirect = parse_qs(urlparse(action["url"]).query)["redirect"][0]
        return parse_qs(urlparse(redirect).query)["state"][0]

    # Another company's manager's own account: its link, on this account's URL.
    other = data.clients["other"]
    other_account = other.call(
        "marketplace.account",
        "create",
        {
            "name": "Other company's account",
            "channel": "shopee",
            "environment": "production",
            "shopee_partner_id": "1",
            "shopee_partner_key": "other-key",
        },
    )
    # A manager who made links, then lost the rights.
    login = f"matrix-demoted-{int(time.time())}"
    manager_group = group_id(admin, "connector_marketplace.group_marketplace_manager")
    user_group = group_id(admin, "connector_marketplace.group_marketplace_user")
    demoted_id = admin.call(
        "res.users",
        "create",
        {
            "name": "Matrix demoted",
            "login": login,
            "password": login,
            "groups_id": [(6, 0, [group_id(admin, "base.group_user"), manager_group])],
        },
    )
    demoted = ns.server.client(login, login)
    demoted_states = [
        state_of(
            demoted.call("marketplace.account", "action_shopee_connect", [ns.account])
        )
        for _ in sessions
    ]
    admin.call(
        "res.users", "write", [demoted_id], {"groups_id": [(6, 0, [user_group])]}
    )
    admin.call(
        "ir.config_parameter", "set_param", "connector_marketplace.health_token", ""
    )

    def webhook(signed):
        body = json.dumps(
            {"code": 12, "data": {"shop_expire_soon": []}, "timestamp": next(ns.serial)}
        ).encode()
        headers = (
            {"Authorization": push_signature(ns.webhook_url, body)} if signed else {}
        )
        return ("POST", ns.webhook_url, {"data": body, "headers": headers})

    def used_link():
        link = managers_link()
        assert requests.get(link, timeout=60).status_code == 200
        return ("GET", link, {})

    requests_of = {
        "health_without_token_set": lambda: ("GET", health_url, {}),
        "health_wrong_token": lambda: (
            "GET",
            health_url,
            {"headers": {"X-Marketplace-Token": "not-the-token"}},
        ),
        "health_token": lambda: (
            "GET",
            health_url,
            {"headers": {"X-Marketplace-Token": "matrix-monitor-token"}},
        ),
        "webhook_unsigned": lambda: webhook(False),
        "webhook_signed_by_shopee": lambda: webhook(True),
        "oauth_no_state": lambda: (
            "GET",
            callback_url,
            {"params": {"code": "x", "shop_id": SHOP_ID}},
        ),
        "oauth_forged_state": lambda: (
            "GET",
            callback_url,
            {
                "params": {
                    "code": "x",
                    "shop_id": SHOP_ID,
                    "state": f"{ns.account}.forged.4102444800.{'0' * 64}",
                }
            },
        ),
        "oauth_other_accounts_link": lambda: (
            "GET",
            callback_url,
            {
                "params": {
                    "code": "x",
                    "shop_id": SHOP_ID,
                    "state": state_of(
                        other.call(
                            "marketplace.account",
                            "action_shopee_connect",
                            [other_account],
                        )
                    ),
                }
            },
        ),
        "oauth_demoted_managers_link": lambda: (
            "GET",
            callback_url,
            {"params": {"shop_id": SHOP_ID, "state": demoted_states.pop()}},
        ),
        "oauth_used_link": used_link,
        "oauth_managers_link": lambda: ("GET", managers_link(), {}),
    }
    wrong = []
    for row in table(CONTROLLERS):
        if row["request"] == "health_wrong_token":
            admin.call(
                "ir.config_parameter",
                "set_param",
                "connector_marketplace.health_token",
                "matrix-monitor-token",
            )
        for who, session in sessions.items():
            method, url, kwargs = requests_of[row["request"]]()
            answer = session.request(method, url, timeout=60, **kwargs)
            if str(answer.status_code) != row[who]:
                wrong.append(
                    f"{row['request']} {who}: expected {row[who]}, "
                    f"got {answer.status_code}"
                )
    assert not wrong, "\n" + "\n".join(wrong)
    [shop] = admin.call("marketplace.shop", "read", [ns.shop], ["auth_state"])
    assert shop["auth_state"] == "connected", "the manager's links connected it"
