"""The demo path of the README in headless Chromium, in English and in Thai.

connect the shop on the simulator's consent page → import its orders → the
job → the orders; one PNG per screen in ``<out>/en`` and ``<out>/th``.
Driven with Playwright on the machine's Chromium (no browser download).
"""

import argparse
import json
import time
from pathlib import Path

import requests
from playwright.sync_api import sync_playwright

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
VIEWPORT = {"width": 1440, "height": 900}
ACCOUNT_XMLID = "connector_shopee.demo_account_simulator"


class Rpc:
    """JSON-RPC as admin, to prepare the database and wait for jobs."""

    def __init__(self, url, db):
        self.url, self.session = url, requests.Session()
        answer = self.session.post(
            f"{url}/web/session/authenticate",
            json={"params": {"db": db, "login": "admin", "password": "admin"}},
            timeout=60,
        ).json()
        assert answer.get("result", {}).get("uid"), answer

    def call(self, model, method, *args, **kwargs):
        answer = self.session.post(
            f"{self.url}/web/dataset/call_kw/{model}/{method}",
            json={
                "params": {
                    "model": model,
                    "method": method,
                    "args": list(args),
                    "kwargs": kwargs,
                }
            },
            timeout=60,
        ).json()
        if "error" in answer:
            raise RuntimeError(json.dumps(answer["error"], indent=1)[:2000])
        return answer["result"]

    def ref(self, xmlid):
        module, name = xmlid.split(".")
        [data] = self.call(
            "ir.model.data",
            "search_read",
            [("module", "=", module), ("name", "=", name)],
            ["res_id"],
        )
        return data["res_id"]

    def wait_jobs(self, shop_id, timeout=180):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            jobs = self.call(
                "marketplace.job",
                "search_read",
                [("shop_id", "=", shop_id)],
                ["state"],
            )
            if jobs and all(job["state"] in ("completed", "failed") for job in jobs):
                return jobs
            time.sleep(1)
        raise TimeoutError("the import job did not finish")


def wait_for_odoo(url, timeout=180):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if requests.get(f"{url}/web/login", timeout=5).status_code == 200:
                return
        except requests.ConnectionError:
            pass
        time.sleep(1)
    raise TimeoutError(f"Odoo did not answer on {url}")


def prepare(rpc, odoo_url, simulator_url):
    """The demo account talks to this run's simulator; links come back here."""
    rpc.call("ir.config_parameter", "set_param", "web.base.url", odoo_url)
    rpc.call("ir.config_parameter", "set_param", "web.base.url.freeze", "True")
    account_id = rpc.ref(ACCOUNT_XMLID)
    rpc.call(
        "marketplace.account",
        "write",
        [account_id],
        {"shopee_simulator_url": simulator_url},
    )
    return account_id


class Tour:
    def __init__(self, page, odoo_url, out):
        self.page, self.odoo_url, self.out = page, odoo_url, out
        out.mkdir(parents=True, exist_ok=True)

    def shot(self, name):
        # Not "networkidle": the web client keeps its bus connection open.
        self.page.wait_for_load_state("load")
        time.sleep(1.0)  # let the web client settle its last render
        self.page.screenshot(path=str(self.out / f"{name}.png"))
        print(f"    {self.out.name}/{name}.png")

    def goto(self, path):
        self.page.goto(f"{self.odoo_url}{path}")
        self.page.wait_for_selector(".o_action_manager .o_view_controller")

    def login(self):
        self.page.goto(f"{self.odoo_url}/web/login")
        self.page.fill("input[name=login]", "admin")
        self.page.fill("input[name=password]", "admin")
        self.page.click("button[type=submit]")
        self.page.wait_for_selector(".o_main_navbar")

    def run(self, rpc, account_id):
        page = self.page
        self.goto(
            f"/odoo/action-connector_marketplace.marketplace_account_action/{account_id}"
        )
        self.shot("01-account")
        page.click("button[name=action_shopee_connect]")
        page.wait_for_selector("form")
        self.shot("02-consent")
        page.click("button[name=authorize]")
        page.wait_for_url("**/marketplace/shopee/oauth/**")
        self.shot("03-shop-connected")
        [shop] = rpc.call(
            "marketplace.shop", "search_read", [("account_id", "=", account_id)], ["id"]
        )
        self.goto(
            f"/odoo/action-connector_marketplace.marketplace_shop_action/{shop['id']}"
        )
        page.click("button[name=action_import_orders]")
        page.wait_for_selector(".o_notification")
        self.shot("04-shop-import")
        rpc.wait_jobs(shop["id"])
        self.goto("/odoo/action-connector_marketplace.marketplace_job_action")
        self.shot("05-jobs")
        page.click(".o_data_row .o_data_cell")
        page.wait_for_selector(".o_form_view")
        self.shot("06-job")
        self.goto("/odoo/action-connector_marketplace.marketplace_order_action")
        self.shot("07-orders")
        page.click(".o_data_row .o_data_cell")
        page.wait_for_selector(".o_form_view")
        self.shot("08-order")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--odoo", required=True)
    parser.add_argument("--db", required=True)
    parser.add_argument("--simulator", required=True)
    parser.add_argument("--out", required=True)
    args = parser.parse_args()
    wait_for_odoo(args.odoo)
    rpc = Rpc(args.odoo, args.db)
    account_id = prepare(rpc, args.odoo, args.simulator)
    admin_id = rpc.ref("base.user_admin")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_ARGS
        )
        for lang in ("en", "th"):
            rpc.call(
                "res.users",
                "write",
                [admin_id],
                {"lang": "th_TH" if lang == "th" else "en_US"},
            )
            context = browser.new_context(viewport=VIEWPORT, locale=lang)
            page = context.new_page()
            tour = Tour(page, args.odoo, Path(args.out) / lang)
            tour.login()
            tour.run(rpc, account_id)
            context.close()
        browser.close()
    rpc.call("res.users", "write", [admin_id], {"lang": "en_US"})


if __name__ == "__main__":
    main()
