import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from advocacy.settings.env import browsable_url, envbool, envint, parse_database_url, validate_redis_url

BASE_DIR = Path(__file__).resolve().parents[2]
GOOD_SECRET = "x7$kq" * 12


def _run_django(args, **env):
    environment = {
        key: value
        for key, value in os.environ.items()
        if key
        not in (
            "DATABASE_URL",
            "REDIS_URL",
            "SECRET_KEY",
            "DEBUG",
            "DJANGO_SETTINGS_MODULE",
            "DJANGO_ALLOW_ASYNC_UNSAFE",
            "SITE_URL",
            "ADDRPORT",
            "EMAIL_BACKEND",
        )
    }
    environment.update(env)
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=BASE_DIR, env=environment, capture_output=True, text=True, timeout=120
    )


def test_it_rejects_a_boolean_that_is_not_one(monkeypatch):
    monkeypatch.setenv("DEBUG", "maybe")
    with pytest.raises(ImproperlyConfigured, match="DEBUG='maybe' is not a boolean"):
        envbool("DEBUG", True)


@pytest.mark.parametrize("raw,expected", [("1", True), ("off", False), ("YES", True), ("", False)])
def test_it_reads_booleans(monkeypatch, raw, expected):
    monkeypatch.setenv("SOME_FLAG", raw)
    assert envbool("SOME_FLAG", not expected) is expected


def test_it_rejects_numbers_out_of_range(monkeypatch):
    monkeypatch.setenv("SOME_NUMBER", "-3")
    with pytest.raises(ImproperlyConfigured, match="below the minimum"):
        envint("SOME_NUMBER", 1, minimum=0)
    monkeypatch.setenv("SOME_NUMBER", "three")
    with pytest.raises(ImproperlyConfigured, match="not a whole number"):
        envint("SOME_NUMBER", 1)


def test_it_parses_sqlite_urls():
    relative = parse_database_url("sqlite:///var/db.sqlite3", base_dir=BASE_DIR)
    assert relative.engine == "django.db.backends.sqlite3"
    assert relative.name == str(BASE_DIR / "var/db.sqlite3")
    assert parse_database_url("sqlite:////tmp/x.db", base_dir=BASE_DIR).name == "/tmp/x.db"


def test_it_parses_postgres_urls():
    url = parse_database_url("postgres://ann:p%40ss@db.internal:6543/advocacy?sslmode=require", base_dir=BASE_DIR)
    config = url.as_django()
    assert config["ENGINE"] == "django.db.backends.postgresql"
    assert (config["NAME"], config["USER"], config["PASSWORD"]) == ("advocacy", "ann", "p@ss")
    assert (config["HOST"], config["PORT"]) == ("db.internal", "6543")
    assert config["OPTIONS"]["sslmode"] == "require"


@pytest.mark.parametrize(
    "url",
    [
        "",
        "not a url",
        "mysql://root@localhost/db",
        "postgres://",
        "postgres://host-without-db",
        "postgres://user@host:notaport/db",
        "sqlite://relative-without-third-slash",
    ],
)
def test_it_rejects_malformed_database_urls(url):
    with pytest.raises(ImproperlyConfigured, match="DATABASE_URL"):
        parse_database_url(url, base_dir=BASE_DIR)


@pytest.mark.parametrize("url", ["http://localhost:6379", "redis://", "redis://host:port/0"])
def test_it_rejects_malformed_redis_urls(url):
    with pytest.raises(ImproperlyConfigured, match="REDIS_URL"):
        validate_redis_url("REDIS_URL", url)


def test_it_refuses_to_start_with_nonsense_in_the_environment():
    result = _run_django(["check"], DEBUG="maybe")
    assert result.returncode != 0
    assert "DEBUG='maybe' is not a boolean" in result.stderr
    result = _run_django(["check"], DATABASE_URL="postgres://nohost")
    assert result.returncode != 0
    assert "DATABASE_URL is malformed" in result.stderr


def test_production_refuses_to_start_without_a_secret_key():
    result = _run_django(["check"], DJANGO_SETTINGS_MODULE="advocacy.settings.production")
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_production_refuses_to_start_without_saying_where_mail_goes():
    result = _run_django(["check"], DJANGO_SETTINGS_MODULE="advocacy.settings.production", SECRET_KEY=GOOD_SECRET)
    assert result.returncode != 0
    assert "EMAIL_BACKEND must be set in production" in result.stderr


def test_production_settings_pass_the_deploy_check(tmp_path):
    result = _run_django(
        ["check", "--deploy", "--fail-level", "WARNING"],
        DJANGO_SETTINGS_MODULE="advocacy.settings.production",
        SECRET_KEY=GOOD_SECRET,
        EMAIL_BACKEND="smtp",
        ALLOWED_HOSTS="advocacy.example.com",
        DATABASE_URL=f"sqlite:///{tmp_path / 'deploy.sqlite3'}",
        VAR_DIR=str(tmp_path / "var"),
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_it_configures_sqlite_for_several_writing_processes(tmp_path):
    options = parse_database_url(f"sqlite:///{tmp_path / 'db.sqlite3'}", base_dir=BASE_DIR).as_django()["OPTIONS"]
    assert options["transaction_mode"] == "IMMEDIATE"
    assert options["timeout"] == 20
    assert options["init_command"] == "PRAGMA journal_mode=WAL;PRAGMA synchronous=NORMAL"
    assert "init_command" not in parse_database_url("sqlite:///:memory:", base_dir=BASE_DIR).as_django()["OPTIONS"]


# One process of the embedded setup (web or worker): threads that each read, then write, in one
# transaction, as a Share does (look for an existing share, then insert one) and as a metrics pull does.
_SQLITE_WRITER = """
import sys, threading
import django
django.setup()
from django.db import connection, transaction

errors = []

def writer(name):
    try:
        for number in range(40):
            with transaction.atomic():
                with connection.cursor() as cursor:
                    cursor.execute("SELECT COUNT(*) FROM writes WHERE who = %s", [name])
                    cursor.fetchone()
                    cursor.execute("INSERT INTO writes (who, n) VALUES (%s, %s)", [name, number])
    except Exception as exc:
        errors.append(repr(exc))
    finally:
        connection.close()

threads = [threading.Thread(target=writer, args=(f"{sys.argv[1]}-{i}",)) for i in range(4)]
for thread in threads:
    thread.start()
for thread in threads:
    thread.join()
print("\\n".join(errors))
sys.exit(1 if errors else 0)
"""


@pytest.mark.slow
def test_concurrent_web_and_worker_writers_on_sqlite_never_see_database_is_locked(tmp_path):
    import sqlite3

    path = tmp_path / "shared.sqlite3"
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE writes (id INTEGER PRIMARY KEY, who TEXT, n INTEGER)")
    environment = {
        key: value
        for key, value in os.environ.items()
        if key not in ("DATABASE_URL", "REDIS_URL", "DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE")
    }
    environment.update(
        DATABASE_URL=f"sqlite:///{path}", DJANGO_SETTINGS_MODULE="advocacy.settings.base", VAR_DIR=str(tmp_path)
    )
    writers = [
        subprocess.Popen(
            [sys.executable, "-c", _SQLITE_WRITER, role],
            cwd=BASE_DIR,
            env=environment,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        for role in ("web", "worker-1", "worker-2")
    ]
    outputs = [writer.communicate(timeout=120)[0] for writer in writers]
    assert [writer.returncode for writer in writers] == [0, 0, 0], "\n".join(outputs)
    with sqlite3.connect(path) as db:
        assert db.execute("SELECT COUNT(*) FROM writes").fetchone() == (3 * 4 * 40,)
        assert db.execute("PRAGMA journal_mode").fetchone() == ("wal",)


def test_a_sentinel_redis_url_sets_up_the_cache_and_the_broker(tmp_path):
    import json

    show = (
        "import json, django; django.setup(); from django.conf import settings as s;"
        "print(json.dumps([s.CACHES['default'], s.CELERY_BROKER_URL, s.CELERY_BROKER_TRANSPORT_OPTIONS]))"
    )
    environment = {key: value for key, value in os.environ.items() if key not in ("DATABASE_URL", "CELERY_BROKER_URL")}
    environment.update(
        DJANGO_SETTINGS_MODULE="advocacy.settings.base",
        VAR_DIR=str(tmp_path),
        REDIS_URL="redis+sentinel://:pw@10.0.0.1:26379,10.0.0.2:26379/mymaster/4",
    )
    result = subprocess.run(
        [sys.executable, "-c", show], cwd=BASE_DIR, env=environment, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    cache, broker, transport = json.loads(result.stdout.strip().splitlines()[-1])
    assert "," not in cache["LOCATION"], "Django would split the location into several servers"
    assert cache["OPTIONS"]["pool_class"] == "advocacy.redis_urls.SentinelPool"
    assert cache["OPTIONS"]["sentinel_url"] == environment["REDIS_URL"]
    assert broker == "sentinel://:pw@10.0.0.1:26379/4;sentinel://:pw@10.0.0.2:26379/4"
    assert transport["master_name"] == "mymaster"


def test_it_refuses_a_sentinel_url_without_a_group():
    with pytest.raises(ImproperlyConfigured, match="REDIS_URL is malformed: name the Sentinel group"):
        validate_redis_url("REDIS_URL", "redis+sentinel://10.0.0.1:26379")


def test_it_refuses_an_earned_media_currency_that_is_not_a_currency_code():
    result = _run_django(["check"], EARNED_MEDIA_CURRENCY="euros")
    assert result.returncode != 0
    assert "EARNED_MEDIA_CURRENCY='euros' is not a three-letter currency code" in result.stderr


def _settings(*names, **env) -> list[str]:
    code = "from django.conf import settings; " + "; ".join(f"print(settings.{name})" for name in names)
    result = _run_django(["shell", "--no-imports", "-c", code], **env)
    assert result.returncode == 0, result.stderr
    return result.stdout.split()


@pytest.mark.parametrize(
    ("addrport", "url"),
    [
        ("127.0.0.1:8000", "http://127.0.0.1:8000"),
        ("8001", "http://127.0.0.1:8001"),
        ("0.0.0.0:8002", "http://127.0.0.1:8002"),
        ("localhost:8003", "http://localhost:8003"),
    ],
)
def test_it_opens_the_address_runserver_binds(addrport, url):
    assert browsable_url(addrport) == url


@pytest.mark.parametrize("addrport", ["127.0.0.1:http", "127.0.0.1", "0", "70000"])
def test_it_refuses_an_address_without_a_port(addrport):
    with pytest.raises(ImproperlyConfigured, match="must be a port or host:port"):
        browsable_url(addrport)


def test_a_first_run_links_to_its_port_writes_emails_under_var_and_names_a_broker_host(tmp_path):
    names = ("SITE_URL", "EMAIL_BACKEND", "EMAIL_FILE_PATH", "CELERY_BROKER_URL")
    assert _settings(*names, VAR_DIR=str(tmp_path), ADDRPORT="0.0.0.0:8002") == [
        "http://127.0.0.1:8002",
        "django.core.mail.backends.filebased.EmailBackend",
        str(tmp_path / "emails"),
        "filesystem://localhost/",
    ]
    explicit = _settings("SITE_URL", VAR_DIR=str(tmp_path), ADDRPORT="8001", SITE_URL="https://advocacy.example.com/")
    assert explicit == ["https://advocacy.example.com"]
