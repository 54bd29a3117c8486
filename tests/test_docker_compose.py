"""docker-compose.yml is a valid Compose file, wired as the demo needs.

No Docker engine here: ``docker-compose config`` (Debian's docker-compose,
which validates a file without an engine; `make test` installs it) checks
the file, and these tests check what it cannot see: services, volumes and
files that do not exist, and the demo's wiring.
"""

import os
import re
import shutil
import subprocess
from pathlib import PurePosixPath

import pytest
import yaml
from compose_file import COMPOSE_FILE, load_compose, mounts, on_host
from odoo_server import ROOT


@pytest.fixture(scope="module")
def compose():
    return load_compose()


def compose_config(path):
    """(exit status, output) of ``docker-compose config`` on ``path``."""
    binary = shutil.which("docker-compose")
    assert binary, "docker-compose is missing: make test installs it"
    run = subprocess.run(
        [binary, "--project-directory", str(ROOT), "-f", str(path), "config", "-q"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    return run.returncode, run.stdout + run.stderr


def test_the_check_refuses_what_compose_refuses(compose, tmp_path):
    """The check has teeth: an unknown option and a wrong type are errors."""
    broken = dict(compose, services=dict(compose["services"]))
    broken["services"]["odoo"] = dict(
        compose["services"]["odoo"], colour="red", ports=8069
    )
    path = tmp_path / "docker-compose.yml"
    path.write_text(yaml.safe_dump(broken))
    status, output = compose_config(path)
    assert status != 0
    assert "colour" in output and "ports" in output, output


def test_docker_compose_config_accepts_the_file():
    status, output = compose_config(COMPOSE_FILE)
    assert status == 0, output


def test_services_volumes_and_files_it_names_exist(compose):
    services = compose["services"]
    declared_volumes = set(compose.get("volumes") or {})
    for name, service in services.items():
        for other in service.get("depends_on", []):
            assert other in services, f"{name} depends on an unknown {other}"
        network_mode = service.get("network_mode", "")
        if network_mode.startswith("service:"):
            assert network_mode.split(":", 1)[1] in services, name
        for volume in service.get("volumes", []):
            source = volume.split(":")[0]
            if source.startswith((".", "/")):
                assert (COMPOSE_FILE.parent / source).exists(), (name, volume)
            else:
                assert source in declared_volumes, (name, volume)
        build = service.get("build")
        if build:
            context = COMPOSE_FILE.parent / build["context"]
            assert (context / build.get("dockerfile", "Dockerfile")).is_file(), name


def test_odoo_runs_the_demo_entrypoint_with_what_it_needs(compose):
    """The entrypoint is this repository's, mounted with the scripts it
    sources (found next to it, as here), the addons and odoo.conf."""
    odoo = compose["services"]["odoo"]
    script = next(arg for arg in odoo["entrypoint"] if arg.endswith(".sh"))
    assert on_host(odoo, script) == ROOT / "docker" / "entrypoint.sh"
    root = PurePosixPath(script).parents[1]
    for needed in ("scripts/demo.sh", "scripts/lib.sh", "odoo.conf", "addons"):
        assert on_host(odoo, root / needed) == ROOT / needed, needed
    assert odoo["environment"]["PYTHON"] == "python3"
    assert os.access(ROOT / "docker" / "entrypoint.sh", os.X_OK)


def test_one_localhost_url_for_the_browser_and_the_server(compose):
    """Odoo's public URL and each simulator's are localhost:<port> inside the
    container (make run's); the same ports are published, and the simulators
    listen in the odoo container's network."""
    odoo = compose["services"]["odoo"]
    published = {}
    for port in odoo["ports"]:
        host, container = str(port).split(":")
        published[container] = host
    http_port = odoo["environment"]["HTTP_PORT"]
    ports = {
        "simulator": odoo["environment"]["SIMULATOR_PORT"],
        "lazada-simulator": odoo["environment"]["LAZADA_SIMULATOR_PORT"],
    }
    assert published == {port: port for port in (http_port, *ports.values())}
    for name, port in ports.items():
        simulator = compose["services"][name]
        assert simulator["network_mode"] == "service:odoo"
        command = " ".join(simulator["entrypoint"])
        assert re.search(rf"--port {port}\b", command), command
        assert "--host 0.0.0.0" in command
        assert mounts(simulator) == {
            PurePosixPath(simulator["working_dir"]): ROOT / "simulator"
        }
