{
    "name": "Lazada Connector",
    "summary": "Connect Lazada Thailand sellers: orders, sale orders, products, "
    "stock and pushes",
    "version": "18.0.1.0.0",
    "category": "Connector",
    "website": "https://github.com/marketplace-connector/odoo-marketplace-connector",
    "author": "Marketplace Connector Contributors",
    "license": "AGPL-3",
    "development_status": "Alpha",
    "depends": [
        "connector_marketplace",
    ],
    "external_dependencies": {
        "python": ["requests"],
    },
    "data": [
        # SECURITY
        "security/ir.model.access.csv",
        # DATA
        "data/ir_cron_data.xml",
        # VIEWS
        "views/marketplace_account_views.xml",
    ],
    "demo": [
        "demo/lazada_demo.xml",
    ],
}
