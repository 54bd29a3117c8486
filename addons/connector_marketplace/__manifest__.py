{
    "name": "Marketplace Connector",
    "summary": "Marketplace orders to sale orders, product bindings, stock sync "
    "and webhooks, for the marketplace channel connectors",
    "version": "18.0.2.0.0",
    "category": "Connector",
    "website": "https://github.com/marketplace-connector/odoo-marketplace-connector",
    "author": "Marketplace Connector Contributors",
    "license": "AGPL-3",
    "development_status": "Alpha",
    "depends": [
        "connector",
        "queue_job",
        "sale_stock",
        "stock_delivery",
    ],
    "data": [
        # SECURITY
        "security/marketplace_security.xml",
        "security/ir.model.access.csv",
        # DATA (channels before the job functions that reference them)
        "data/ir_sequence_data.xml",
        "data/queue_job_data.xml",
        "data/ir_cron_data.xml",
        "data/marketplace_sale_data.xml",
        # VIEWS (actions before the menus that use them)
        "views/marketplace_account_views.xml",
        "views/marketplace_shop_views.xml",
        "views/marketplace_job_views.xml",
        "views/marketplace_order_views.xml",
        "views/marketplace_order_missing_views.xml",
        "views/marketplace_product_binding_views.xml",
        "views/sale_order_views.xml",
        "views/stock_picking_views.xml",
        "views/marketplace_sync_rule_views.xml",
        "views/marketplace_webhook_event_views.xml",
        "views/marketplace_dashboard_views.xml",
        "views/marketplace_menus.xml",
        "views/oauth_templates.xml",
    ],
    "assets": {
        "web.assets_backend": [
            "connector_marketplace/static/src/dashboard/*",
        ],
    },
    "application": True,
}
