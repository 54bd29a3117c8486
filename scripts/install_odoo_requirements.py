"""Install Odoo's own Python requirements into the running interpreter.

Run by the project's scripts with the ``.venv`` they build. Odoo's
``requirements.txt`` pins, per Python version, the packages of the Debian and
Ubuntu releases it supports; some of those pins are source packages that no
longer build on a current machine. So:

1. the committed override file (``odoo-requirements-overrides.txt``) replaces
   or skips the pins known to need it, and says why;
2. everything is installed in one ``pip install`` (the usual case: seconds);
3. when that fails, each requirement is installed on its own to find the ones
   that do not install; those these addons do not need are skipped with a
   note, the others are replaced by the nearest version that installs as a
   wheel, and the replacement is printed.

Exit status 0 when Odoo's requirements are installed, 1 otherwise (the
message names the package).
"""

import re
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
OVERRIDES = HERE / "odoo-requirements-overrides.txt"
NAME = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)")


def canonical(name):
    return re.sub(r"[-_.]+", "-", name).lower()


def marker_holds(marker):
    """Evaluate a PEP 508 environment marker with pip's own parser."""
    if not marker.strip():
        return True
    from pip._vendor.packaging.markers import Marker

    return Marker(marker).evaluate()


def read_requirements(path):
    """The requirements of ``path`` that apply to this interpreter."""
    wanted = []
    for raw in Path(path).read_text(encoding="utf-8").splitlines():
        line = raw.split(" #", 1)[0].split("\t#", 1)[0].strip()
        if not line or line.startswith("#"):
            continue
        spec, _sep, marker = line.partition(";")
        if marker_holds(marker):
            wanted.append(spec.strip())
    return wanted


def read_overrides():
    """{canonical name: replacement} and the reasons.

    A replacement is a requirement (``{version}`` stands for the pinned
    version) or ``optional``: installed when it installs, else skipped.
    """
    overrides, reasons = {}, {}
    if not OVERRIDES.exists():
        return overrides, reasons
    for raw in OVERRIDES.read_text(encoding="utf-8").splitlines():
        line, _sep, reason = raw.partition("#")
        line = line.strip()
        if not line:
            continue
        name, _arrow, replacement = (part.strip() for part in line.partition("->"))
        key = canonical(name)
        overrides[key] = replacement
        reasons[key] = reason.strip()
    return overrides, reasons


def package_name(spec):
    match = NAME.match(spec)
    return canonical(match.group(1)) if match else spec


def pip(*args, show_failure=True):
    """pip install; its output is shown only when it fails."""
    command = [sys.executable, "-m", "pip", "install", "--disable-pip-version-check"]
    answer = subprocess.run(
        [*command, *args], capture_output=True, text=True, check=False
    )
    if answer.returncode and show_failure:
        lines = [
            line
            for line in (answer.stdout + answer.stderr).splitlines()
            if "is ignored: it is neither a file nor a directory" not in line
        ]
        print("\n".join("      | " + line for line in lines[-12:]))
    return answer.returncode == 0


def available_versions(name):
    """Versions of ``name`` the package index offers, newest first."""
    answer = subprocess.run(
        [sys.executable, "-m", "pip", "index", "versions", name],
        capture_output=True,
        text=True,
        check=False,
    )
    for line in answer.stdout.splitlines():
        if line.strip().startswith("Available versions:"):
            return [v.strip() for v in line.split(":", 1)[1].split(",") if v.strip()]
    return []


def version_key(version):
    from pip._vendor.packaging.version import InvalidVersion, Version

    try:
        return Version(version)
    except InvalidVersion:
        return None


def nearest_wheel(spec):
    """Install the version nearest to the pinned one that comes as a wheel."""
    name, _eq, pinned = spec.partition("==")
    name = name.strip()
    versions = sorted(
        (v for v in available_versions(name) if version_key(v)), key=version_key
    )
    target = version_key(pinned.strip()) if pinned else None
    if target is None:
        ordered = versions[::-1]
    else:
        position = sum(1 for v in versions if version_key(v) < target)
        # By distance from the pin in the release history; newer first on a tie.
        ordered = sorted(
            versions,
            key=lambda v: (
                abs(versions.index(v) + 0.25 - position),
                version_key(v) < target,
            ),
        )
    for version in ordered[:8]:
        if pip("--only-binary=:all:", f"{name}=={version}", show_failure=False):
            return f"{name}=={version}"
    return None


def main(requirements_path):
    overrides, reasons = read_overrides()
    optional = {key for key, value in overrides.items() if value == "optional"}
    specs = []
    for spec in read_requirements(requirements_path):
        key = package_name(spec)
        replacement = overrides.get(key)
        if replacement and replacement != "optional":
            replacement = replacement.format(version=spec.partition("==")[2].strip())
            note = f" ({reasons[key]})" if reasons.get(key) else ""
            print(f"    {spec} -> {replacement}{note}")
            spec = replacement
        specs.append(spec)

    print(f"    installing {len(specs)} packages with pip")
    if pip(*specs, show_failure=False):
        return 0

    print("    pip could not install them all at once: installing one by one")
    failed = []
    for spec in specs:
        key = package_name(spec)
        if pip(spec, show_failure=key not in optional):
            continue
        if key in optional:
            print(
                f"    skipping {spec}: it does not install here and these addons "
                f"do not use it ({reasons.get(key) or 'optional'})"
            )
            continue
        replacement = nearest_wheel(spec)
        if replacement:
            print(
                f"    {spec} does not install here; installed {replacement} (a wheel) "
                "instead: add it to scripts/odoo-requirements-overrides.txt"
            )
            continue
        failed.append(spec)
    if failed:
        print(
            "ERROR: these Odoo requirements do not install here, not even as a "
            "wheel of a nearby version: " + ", ".join(failed),
            file=sys.stderr,
        )
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
