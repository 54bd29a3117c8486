"""Write each addon's README.rst from its readme/ fragments.

What OCA's ``oca-gen-addon-readme`` does, for the few Markdown forms the
fragments use (paragraphs, lists, ``**bold**``, ``*italic*``, inline code),
so that the file can be regenerated offline: ``python scripts/readme_rst.py``.
"""

import ast
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SECTIONS = [
    ("DESCRIPTION.md", None),
    ("CONFIGURE.md", "Configuration"),
    ("USAGE.md", "Usage"),
    ("HISTORY.md", "Changelog"),
]
BADGES = """|badge1| |badge2|

.. |badge1| image:: https://img.shields.io/badge/maturity-Alpha-red.png
    :alt: Alpha
.. |badge2| image:: https://img.shields.io/badge/license-AGPL--3-blue.png
    :target: http://www.gnu.org/licenses/agpl-3.0-standalone.html
    :alt: License: AGPL-3
"""


def rst(markdown):
    """Inline code `x` becomes ``x``, a ``## heading`` a subsection title; the
    rest reads the same in RST."""
    text = re.sub(r"(?<!`)`([^`]+)`(?!`)", r"``\1``", markdown.strip())
    return re.sub(
        r"^## (.+)$",
        lambda m: f"{m.group(1)}\n{'-' * len(m.group(1))}",
        text,
        flags=re.M,
    )


def title(text, char):
    return f"{text}\n{char * len(text)}"


def readme(addon):
    manifest = ast.literal_eval((addon / "__manifest__.py").read_text())
    fragments = addon / "readme"
    name = manifest["name"]
    parts = [
        "=" * len(name),
        name,
        "=" * len(name),
        "",
        "..",
        "   !! This file is generated from the readme/ fragments: edit those.",
        "   (python scripts/readme_rst.py)",
        "",
        BADGES,
        manifest.get("summary", ""),
        "",
    ]
    for filename, heading in SECTIONS:
        path = fragments / filename
        if not path.exists():
            continue
        if heading is None:
            parts += [
                rst(path.read_text()),
                "",
                "**Table of contents**",
                "",
                ".. contents::",
                "   :local:",
                "",
            ]
        else:
            parts += [title(heading, "="), "", rst(path.read_text()), ""]
    contributors = fragments / "CONTRIBUTORS.md"
    if contributors.exists():
        parts += [
            title("Credits", "="),
            "",
            title("Contributors", "-"),
            "",
            rst(contributors.read_text()),
            "",
        ]
    return "\n".join(parts)


def main():
    for addon in sorted((ROOT / "addons").iterdir()):
        if (addon / "readme").is_dir():
            (addon / "README.rst").write_text(readme(addon))
            print(f"{addon.name}/README.rst")


if __name__ == "__main__":
    sys.exit(main())
