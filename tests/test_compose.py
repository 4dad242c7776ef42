"""docker-compose.yml cannot run here (no Docker engine), so its shape is checked instead."""

import re
from pathlib import Path

import yaml

BASE_DIR = Path(__file__).resolve().parents[1]


def _compose():
    return yaml.safe_load((BASE_DIR / "docker-compose.yml").read_text())


def _command(service) -> str:
    command = service.get("command", "")
    return " ".join(command) if isinstance(command, list) else command


def test_it_defines_the_five_services():
    assert set(_compose()["services"]) == {"postgres", "redis", "web", "worker", "beat"}


def test_web_runs_migrations_then_gunicorn():
    web = _compose()["services"]["web"]
    command = _command(web)
    assert command.index("migrate") < command.index("gunicorn advocacy.wsgi:application")
    assert "8000:8000" in web["ports"]


def test_worker_and_beat_run_celery():
    services = _compose()["services"]
    assert re.search(r"celery -A advocacy worker", _command(services["worker"]))
    assert re.search(r"celery -A advocacy beat", _command(services["beat"]))


def test_app_services_use_postgres_redis_and_production_settings():
    services = _compose()["services"]
    for name in ("web", "worker", "beat"):
        environment = services[name]["environment"]
        assert environment["DJANGO_SETTINGS_MODULE"] == "advocacy.settings.production"
        assert (
            environment["DATABASE_URL"].startswith("postgres://") and "@postgres:5432/" in environment["DATABASE_URL"]
        )
        assert environment["REDIS_URL"] == "redis://redis:6379/0"
        assert "SECRET_KEY" in environment and "?" in environment["SECRET_KEY"], "SECRET_KEY must be required"
        assert services[name]["depends_on"]["postgres"]["condition"] == "service_healthy"
        assert services[name]["depends_on"]["redis"]["condition"] == "service_healthy"


def test_databases_keep_their_data_in_volumes():
    compose = _compose()
    assert "pgdata:/var/lib/postgresql/data" in compose["services"]["postgres"]["volumes"]
    assert {"pgdata", "media"} <= set(compose["volumes"])


def test_the_dockerfile_installs_the_pinned_requirements_and_collects_static_files():
    dockerfile = (BASE_DIR / "Dockerfile").read_text()
    assert "pip install --no-cache-dir -r requirements/base.txt" in dockerfile
    assert "collectstatic --noinput" in dockerfile
    assert re.search(r"^USER advocacy$", dockerfile, re.MULTILINE)
