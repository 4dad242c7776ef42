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


def test_it_defines_the_six_services():
    assert set(_compose()["services"]) == {"proxy", "postgres", "redis", "web", "worker", "beat"}


def test_web_runs_migrations_then_gunicorn_with_the_deploy_config():
    web = _compose()["services"]["web"]
    command = _command(web)
    assert command.index("migrate") < command.index("gunicorn advocacy.wsgi:application")
    assert "--config deploy/gunicorn.conf.py" in command


def test_only_the_proxy_publishes_ports():
    services = _compose()["services"]
    assert [name for name, service in services.items() if service.get("ports")] == ["proxy"]
    assert all("expose" not in service or name == "web" for name, service in services.items())


def test_the_proxy_is_nginx_with_the_deploy_config():
    proxy = _compose()["services"]["proxy"]
    assert proxy["image"].startswith("nginx:")
    assert "./deploy/nginx.conf:/etc/nginx/nginx.conf:ro" in proxy["volumes"]
    assert proxy["depends_on"]["web"]["condition"] == "service_healthy"


def test_web_trusts_exactly_the_one_proxy():
    # Scaled web replicas (--scale web=3) need no fixed name, port or container_name.
    web = _compose()["services"]["web"]
    assert web["environment"]["TRUSTED_PROXY_COUNT"] == "1"
    assert "container_name" not in web


def test_every_service_restarts_and_has_a_healthcheck():
    for name, service in _compose()["services"].items():
        assert service["restart"] == "unless-stopped", name
        assert service["healthcheck"]["test"], name


def test_the_broker_redis_persists_and_never_evicts():
    command = _command(_compose()["services"]["redis"])
    assert "--appendonly yes" in command
    assert "--maxmemory-policy noeviction" in command


def _nginx_conf() -> str:
    return (BASE_DIR / "deploy" / "nginx.conf").read_text()


def test_nginx_sets_x_forwarded_for_itself_and_logs_no_client_address():
    conf = _nginx_conf()
    assert "proxy_set_header X-Forwarded-For $remote_addr;" in conf
    assert "$proxy_add_x_forwarded_for" not in conf, "appending keeps what the client sent"
    formats = re.findall(r"log_format\s+(\w+)\s+([^;]+);", conf)
    assert formats, "nginx.conf defines its own log_format"
    for _name, log_format in formats:
        assert "$remote_addr" not in log_format
        assert "$http_x_forwarded_for" not in log_format
        assert "$binary_remote_addr" not in log_format and "$realip_remote_addr" not in log_format
    used = re.findall(r"^\s*access_log\s+\S+\s+(\w+);", conf, re.MULTILINE)
    assert used and set(used) <= {name for name, _ in formats}, "every access_log uses the private format"


def test_gunicorn_logs_no_client_address():
    namespace: dict = {}
    exec((BASE_DIR / "deploy" / "gunicorn.conf.py").read_text(), namespace)  # noqa: S102 - our own config file
    log_format = namespace["access_log_format"]
    for atom in ("%(h)s", "%(r)s", "%(q)s", "%(f)s", "%(a)s", "%({x-forwarded-for}i)s"):
        assert atom not in log_format
    assert namespace["accesslog"] == "-"


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
    assert 'CMD ["gunicorn", "advocacy.wsgi:application", "--config", "deploy/gunicorn.conf.py"]' in dockerfile
