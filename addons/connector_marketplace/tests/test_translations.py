"""Every user-facing string of the addons has its Thai translation.

The terms are those Odoo itself would export for the addon (fields,
selections, views, menus, help texts, messages in code, templates); each must
have a non-empty Thai translation in the addon's ``i18n/th.po`` with the same
placeholders. A later change that adds a string without Thai fails here.
"""

import re
from pathlib import Path

import polib

from odoo.modules.module import get_module_path
from odoo.tests import TransactionCase, tagged
from odoo.tools.translate import TranslationModuleReader

from .common import NoLivePortMixin

PLACEHOLDER = re.compile(r"%\([a-z_]+\)[sd]|%[sd]")


def thai_catalogue(module):
    path = Path(get_module_path(module)) / "i18n" / "th.po"
    return polib.pofile(str(path))


FIELD_TERMS = ("ir.model.fields,field_description", "ir.model.fields,help")


def another_addons_field(env, module, name, res_id):
    """Whether the term is the label or help of a field this addon's model
    only shows through ``_inherits``, defined by another addon (which
    translates it): which addon Odoo files such a term under depends on the
    order the addons were installed in."""
    if name not in FIELD_TERMS or not res_id:
        return False
    record = env.ref(res_id, raise_if_not_found=False)
    if record is None or record._name != "ir.model.fields":
        return False
    field = env[record.model]._fields.get(record.name) if record.model in env else None
    if field is None or not field.inherited:
        return False
    return getattr(field.related_field, "_module", module) != module


def untranslated_terms(env, module):
    """Source terms of ``module`` without a Thai translation in its th.po."""
    sources = {
        source
        for (_mod, _type, name, res_id, source, _value, _comments) in (
            TranslationModuleReader(env.cr, modules=[module])
        )
        if source
        and source.strip()
        and not another_addons_field(env, module, name, res_id)
    }
    translated = {
        entry.msgid
        for entry in thai_catalogue(module)
        if entry.msgstr.strip() and not entry.obsolete and "fuzzy" not in entry.flags
    }
    return sorted(sources - translated)


def placeholder_mismatches(module):
    """Entries whose Thai text does not keep the English placeholders."""
    return [
        entry.msgid
        for entry in thai_catalogue(module)
        if entry.msgstr
        and sorted(PLACEHOLDER.findall(entry.msgid))
        != sorted(PLACEHOLDER.findall(entry.msgstr))
    ]


class ThaiTranslationMixin:
    """The checks, for the addon named by ``module`` (a mixin: not a test)."""

    module = None
    # Odoo's loader only runs the test methods a class defines itself.
    allow_inherited_tests_method = True

    def test_every_term_has_thai(self):
        missing = untranslated_terms(self.env, self.module)
        self.assertFalse(
            missing,
            f"{len(missing)} term(s) of {self.module} have no Thai translation "
            "in i18n/th.po:\n" + "\n".join(missing[:40]),
        )

    def test_thai_keeps_placeholders(self):
        wrong = placeholder_mismatches(self.module)
        self.assertFalse(
            wrong, "Thai text with other placeholders:\n" + "\n".join(wrong)
        )


@tagged("post_install", "-at_install")
class TestConnectorMarketplaceThai(
    ThaiTranslationMixin, NoLivePortMixin, TransactionCase
):
    module = "connector_marketplace"
