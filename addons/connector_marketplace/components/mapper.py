"""Mappers shared by the channels: time stamps, and lines updated in place."""

from datetime import datetime, timezone

from odoo import fields

from odoo.addons.component.core import AbstractComponent


def epoch_to_datetime(value):
    """Unix seconds → naive UTC datetime as Odoo stores it; 0/None → False."""
    if not value:
        return False
    return datetime.fromtimestamp(int(value), timezone.utc).replace(tzinfo=None)


def epoch(field):
    """Mapper modifier: read ``field`` as Unix seconds."""

    def modifier(self, record, to_attr):
        return epoch_to_datetime(record.get(field))

    return modifier


class MarketplaceImportMapper(AbstractComponent):
    _name = "marketplace.import.mapper"
    _inherit = ["base.import.mapper", "marketplace.base"]
    _usage = "import.mapper"

    def _map_child(self, map_record, from_attr, to_attr, model_name):
        # Lines are an optional field of some APIs: a record sent without them
        # keeps the lines it has (no command) instead of losing them all.
        if from_attr not in map_record.source:
            return []
        return super()._map_child(map_record, from_attr, to_attr, model_name)


class MarketplaceKeyedMapChild(AbstractComponent):
    """Map child lines that are matched to existing ones by a key.

    The connector's default map child only creates lines, which duplicates
    them when an order is imported again. This one updates the lines whose
    key is known, creates the new ones and deletes those the marketplace no
    longer sends. The importer passes the existing record as the mapping
    option ``binding``.
    """

    _name = "marketplace.keyed.map.child"
    _inherit = "base.map.child.import"
    _key_field = "external_key"

    def get_items(self, items, parent, to_attr, options):
        mapper = self._child_mapper()
        new_values = []
        used_keys = set()
        for item in items:
            map_record = mapper.map_record(item, parent=parent)
            if self.skip_item(map_record):
                continue
            values = self.get_item_values(map_record, to_attr, options)
            if values:
                values[self._key_field] = self._unique_key(
                    values[self._key_field], used_keys
                )
                new_values.append(values)
        binding = options.get("binding")
        existing = binding[to_attr] if binding else []
        return self._commands(existing, new_values)

    def _unique_key(self, key, used_keys):
        """Two identical lines in one order still get distinct keys."""
        unique, rank = key, 1
        while unique in used_keys:
            rank += 1
            unique = f"{key}#{rank}"
        used_keys.add(unique)
        return unique

    def _commands(self, existing_lines, new_values):
        by_key = {line[self._key_field]: line for line in existing_lines}
        commands = []
        for values in new_values:
            line = by_key.pop(values[self._key_field], None)
            if line:
                commands.append(fields.Command.update(line.id, values))
            else:
                commands.append(fields.Command.create(values))
        commands.extend(fields.Command.delete(line.id) for line in by_key.values())
        return commands
