"""Exit 0 when every pinned requirement is installed at its pinned version."""

import sys
from importlib import metadata


def pins(path):
    with open(path, encoding="utf-8") as lines:
        for line in lines:
            line = line.split("#", 1)[0].strip()
            if "==" in line:
                name, version = line.split("==", 1)
                yield name.strip(), version.strip()


def main(paths):
    missing = []
    for path in paths:
        for name, version in pins(path):
            try:
                installed = metadata.version(name)
            except metadata.PackageNotFoundError:
                installed = None
            if installed != version:
                missing.append(f"{name}=={version} (installed: {installed})")
    for requirement in missing:
        print(f"missing {requirement}")
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
