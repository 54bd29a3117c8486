"""docker-compose.yml as data, and where its containers' paths are here.

Shared by the compose file's checks and the entrypoint's run outside Docker.
"""

from pathlib import PurePosixPath

import yaml
from odoo_server import ROOT

COMPOSE_FILE = ROOT / "docker-compose.yml"


def load_compose():
    with open(COMPOSE_FILE, encoding="utf-8") as compose:
        return yaml.safe_load(compose)


def mounts(service):
    """{container path: host path} of the service's bind mounts (short
    syntax, source relative to the compose file)."""
    found = {}
    for volume in service.get("volumes", []):
        source, target = volume.split(":")[:2]
        if source.startswith((".", "/")):
            found[PurePosixPath(target)] = (ROOT / source).resolve()
    return found


def on_host(service, container_path):
    """The file of this repository that ``container_path`` is in the
    service's container, through its bind mounts; None when no mount has it."""
    path = PurePosixPath(container_path)
    for target, source in mounts(service).items():
        if path == target or target in path.parents:
            return source / path.relative_to(target)
    return None
