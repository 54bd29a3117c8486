"""Make a trimmed Odoo 18.0 source tree installable; a no-op on a full one.

The Odoo archive of offline machines and CI keeps 70 of Odoo's addons. Odoo
assumes all of them are on disk, so four things break, each fixed here in the
copy the scripts unpacked under ``.odoo/`` (never in a user's own source
directory), with a printed line saying what was changed:

1. Imports. Some addons import helpers of addons the archive lacks
   (``resource`` imports ``hr_work_entry_contract``'s ``WorkIntervals``,
   ``account`` imports ``base_vat``'s VAT formats, ``payment`` imports
   ``payment_stripe``). Those get a stand-in package holding only what is
   imported, without a manifest, so Odoo never sees them as modules.
2. Apps advertisements. ``base/data/ir_module_module.xml`` advertises
   Enterprise apps under categories that are created, when a database is
   initialized, from the manifests of the addons on disk (``create_categories``
   in ``odoo/modules/db.py``); installing ``base`` fails with "External ID not
   found: base.module_category_services_timesheets". Those advertisements go.
3. Data of absent addons. ``payment`` defines a provider record per payment
   addon, pointing at that addon's module record and icon. The records of
   absent addons go.
4. Tests. With tests enabled Odoo imports the tests of every module it loads,
   and two of its own test files import absent addons (``web``'s
   ``test_reports`` imports ``website``). Those are left out of their
   ``tests/__init__.py``.

Usage: prepare_odoo_source.py <directory holding the odoo package>
"""

import ast
import re
import sys
from pathlib import Path

RECORD = re.compile(
    r'\n[ \t]*<record model="ir\.module\.module" id="(?P<id>[^"]+)">'
    r"(?P<body>(?:(?!</record>).)*)</record>",
    re.DOTALL,
)
ANY_RECORD = re.compile(
    r"\n[ \t]*<record (?P<attrs>[^>]*)>(?P<body>(?:(?!</record>).)*)</record>",
    re.DOTALL,
)
MODULE_REF = re.compile(r'ref="base\.module_(?!category_)([a-z0-9_]+)"')
CATEGORY_REF = re.compile(r'ref="base\.(module_category_[a-z0-9_]+)"')
CATEGORY_ID = re.compile(r'id="(module_category_[a-z0-9_]+)"')
FILE_FIELD = re.compile(
    r'\n[ \t]*<field [^>]*file="(?P<addon>[a-z0-9_]+)/[^"]*"[^>]*/>'
)
ADDON_IMPORT = re.compile(r"odoo\.addons\.([a-z0-9_]+)")

# What present addons import from absent ones, and what stands in for it.
STAND_INS = {
    # The same intervals without the payroll addon's "keep adjacent intervals
    # apart" variant: resource only needs the type for calendars.
    "hr_work_entry_contract/models/hr_work_intervals.py": (
        "from odoo.addons.resource.models.utils import Intervals as WorkIntervals\n"
        "\n__all__ = ['WorkIntervals']\n"
    ),
    # Example VAT numbers per country, used only to word a validation error.
    "base_vat/models/res_partner.py": "_ref_vat = {}\n",
    # Imported by payment only to settle an import order.
    "payment_stripe/__init__.py": "",
}


def category_xmlids(path):
    """The xml ids ``create_categories`` makes for a manifest's category."""
    parts, ids = [], set()
    for part in path.split("/"):
        parts.append(part)
        name = "_".join(p.lower() for p in parts).replace("&", "and").replace(" ", "_")
        ids.add(f"module_category_{name}")
    return ids


def defined_categories(odoo_package):
    addons = odoo_package / "addons"
    ids = set(
        CATEGORY_ID.findall(
            (addons / "base/data/ir_module_category_data.xml").read_text(
                encoding="utf-8"
            )
        )
    )
    for manifest in addons.glob("*/__manifest__.py"):
        info = ast.literal_eval(manifest.read_text(encoding="utf-8"))
        ids |= category_xmlids(info.get("category", "Uncategorized"))
    return ids


def drop_orphan_advertisements(odoo_package):
    advertised = odoo_package / "addons/base/data/ir_module_module.xml"
    text = advertised.read_text(encoding="utf-8")
    known = defined_categories(odoo_package)
    removed = []

    def drop_orphan(match):
        missing = set(CATEGORY_REF.findall(match.group("body"))) - known
        if missing:
            removed.append(match.group("id"))
            return ""
        return match.group(0)

    text = RECORD.sub(drop_orphan, text)
    if removed:
        advertised.write_text(text, encoding="utf-8")
        print(
            "    the archive is trimmed: removed the Apps advertisements whose "
            "category came from addons it lacks: " + ", ".join(removed)
        )


def drop_orphan_records(odoo_package):
    """Data records of absent addons: payment's providers whose module is gone.

    Each provider record points at its module's ``ir.module.module`` record
    (``base.module_payment_adyen``), which only exists when the addon is in
    the source, and reads its icon from that addon's files.
    """
    addons = odoo_package / "addons"
    present = {path.parent.name for path in addons.glob("*/__manifest__.py")}
    advertised = set(
        re.findall(
            r'id="base\.module_([a-z0-9_]+)"',
            (addons / "base/data/ir_module_module.xml").read_text(encoding="utf-8"),
        )
    )
    known = present | advertised
    changed = []
    for data_file in sorted(addons.glob("*/data/*.xml")):
        text = data_file.read_text(encoding="utf-8")

        def drop_record(match):
            if set(MODULE_REF.findall(match.group("body"))) - known:
                return ""
            return match.group(0)

        kept = ANY_RECORD.sub(drop_record, text)
        kept = FILE_FIELD.sub(
            lambda m: m.group(0) if m.group("addon") in present else "", kept
        )
        if kept != text:
            data_file.write_text(kept, encoding="utf-8")
            changed.append(str(data_file.relative_to(addons)))
    if changed:
        print(
            "    the archive is trimmed: left out the data records of addons it "
            "lacks, in: " + ", ".join(changed)
        )


def drop_orphan_tests(odoo_package):
    addons = odoo_package / "addons"
    present = {path.parent.name for path in addons.glob("*/__manifest__.py")}
    removed = []
    for test_file in sorted(addons.glob("*/tests/test_*.py")):
        absent = (
            set(ADDON_IMPORT.findall(test_file.read_text(encoding="utf-8"))) - present
        )
        if not absent:
            continue
        init = test_file.parent / "__init__.py"
        line = re.compile(rf"^from \. import {test_file.stem}\b.*\n", re.MULTILINE)
        text = init.read_text(encoding="utf-8")
        if line.search(text):
            init.write_text(line.sub("", text), encoding="utf-8")
            removed.append(f"{test_file.parent.parent.name}/tests/{test_file.name}")
    if removed:
        print(
            "    the archive is trimmed: left out Odoo's own tests that import "
            "addons it lacks: " + ", ".join(removed)
        )


def add_stand_ins(odoo_package):
    addons = odoo_package / "addons"
    added = []
    for relative, content in STAND_INS.items():
        addon = addons / relative.split("/", 1)[0]
        if (addon / "__manifest__.py").exists():
            continue  # a full source: the real addon is there
        target = addons / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        for package in [target.parent, *target.parent.parents]:
            if package == addons:
                break
            (package / "__init__.py").touch()
        target.write_text(content, encoding="utf-8")
        added.append(relative)
    if added:
        print(
            "    the archive is trimmed: added stand-ins for what its addons "
            "import from addons it lacks: " + ", ".join(added)
        )


def main(root):
    odoo_package = Path(root) / "odoo"
    add_stand_ins(odoo_package)
    drop_orphan_advertisements(odoo_package)
    drop_orphan_records(odoo_package)
    drop_orphan_tests(odoo_package)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
