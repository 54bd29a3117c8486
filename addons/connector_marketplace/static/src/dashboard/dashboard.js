/** @odoo-module **/
/* Marketplace > Dashboard: sales per channel and shop, pending orders, stock
 * levels and sync status, filled by one server call; every figure opens the
 * list behind it. */

import { Component, onWillStart, useState } from "@odoo/owl";
import { _t } from "@web/core/l10n/translation";
import { registry } from "@web/core/registry";
import { useService } from "@web/core/utils/hooks";
import { deserializeDateTime, formatDateTime } from "@web/core/l10n/dates";
import { formatFloat } from "@web/core/utils/numbers";

export class MarketplaceDashboard extends Component {
    static template = "connector_marketplace.Dashboard";
    static props = ["*"];

    setup() {
        this.orm = useService("orm");
        this.action = useService("action");
        this.state = useState({ data: null, loading: true });
        this.periodLabels = {
            today: _t("Today"),
            week: _t("7 days"),
            month: _t("30 days"),
        };
        // the titles of the lists a figure opens, in the user's language
        this.titles = {
            to_ship: _t("To ship"),
            overdue: _t("Overdue"),
            waiting: _t("Waiting for product bindings"),
            mismatch: _t("Amounts do not match"),
            bound: _t("Bound listings"),
            out: _t("Out of stock"),
            low: _t("Low stock"),
            errors: _t("Push errors"),
            to_bind: _t("To bind"),
            failed: _t("Failed jobs"),
        };
        onWillStart(() => this.load());
    }

    async load() {
        this.state.loading = true;
        this.state.data = await this.orm.call("marketplace.dashboard", "get_dashboard_data", []);
        this.state.loading = false;
    }

    money(amount) {
        const currency = this.state.data.currency;
        const value = formatFloat(amount, { digits: [false, 0] });
        return currency.position === "after"
            ? `${value} ${currency.symbol}`
            : `${currency.symbol}${value}`;
    }

    /** A time of the server (UTC) in the user's time zone; "—" for none. */
    when(value) {
        return value ? formatDateTime(deserializeDateTime(value)) : "—";
    }

    maxRevenue() {
        return Math.max(1, ...this.state.data.sales.series.map((day) => day.revenue));
    }

    barHeight(day) {
        return `${Math.round((day.revenue / this.maxRevenue()) * 100)}%`;
    }

    open(model, domain, name) {
        this.action.doAction({
            type: "ir.actions.act_window",
            res_model: model,
            name,
            domain,
            views: [
                [false, "list"],
                [false, "form"],
            ],
            target: "current",
        });
    }

    openRecord(model, id) {
        this.action.doAction({
            type: "ir.actions.act_window",
            res_model: model,
            res_id: id,
            views: [[false, "form"]],
            target: "current",
        });
    }

    openBanner(banner) {
        if (banner.model) {
            this.open(banner.model, banner.domain, banner.title);
        } else {
            this.openRecord("marketplace.shop", banner.shop_id);
        }
    }

    openOrders(domain, name) {
        this.open("marketplace.order", domain, name);
    }

    openBindings(domain, name) {
        this.open("marketplace.product.binding", domain, name);
    }

    openJobs(domain, name) {
        this.open("marketplace.job", domain, name);
    }
}

registry.category("actions").add("marketplace_dashboard", MarketplaceDashboard);
