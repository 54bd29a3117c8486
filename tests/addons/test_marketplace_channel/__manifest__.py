{
    "name": "Marketplace Connector: Test Channel",
    "summary": "A fake marketplace on the channel contract, to test the base "
    "connector's flows without any real channel installed",
    "version": "18.0.1.0.0",
    "category": "Hidden/Tests",
    "website": "https://github.com/marketplace-connector/odoo-marketplace-connector",
    "author": "Marketplace Connector Contributors",
    "license": "AGPL-3",
    "depends": ["connector_marketplace"],
    "data": ["security/ir.model.access.csv"],
}
