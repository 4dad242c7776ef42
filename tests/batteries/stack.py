"""The production web tier on loopback ports: nginx (deploy/nginx.conf's log format) in front of gunicorn.

Used by the scale battery and the privacy battery's access-log scan. Every process is this
test's own, on a free 127.0.0.1 port, with its logs in the test's temporary folder.
"""

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

from .conftest import FAULTS_BASE_DIR, faults_free_port, faults_wait_for_port

NGINX_CONF = FAULTS_BASE_DIR / "deploy" / "nginx.conf"
GUNICORN_CONF = FAULTS_BASE_DIR / "deploy" / "gunicorn.conf.py"


def nginx_binary() -> str | None:
    return shutil.which("nginx") or next((p for p in ("/usr/sbin/nginx",) if os.path.exists(p)), None)


def deploy_log_format() -> tuple[str, str]:
    """The (name, format) of deploy/nginx.conf's log_format: the battery logs exactly as production does."""
    match = re.search(r"^\s*log_format\s+(\w+)\s+([^;]+);", NGINX_CONF.read_text(), re.MULTILINE)
    assert match, "deploy/nginx.conf defines a log_format"
    return match.group(1), match.group(2)


class Gunicorn:
    def __init__(self, *, environment: dict, directory: Path, name: str, workers: int = 2):
        self.port = faults_free_port()
        self.access_log = directory / f"{name}-access.log"
        self.error_log = directory / f"{name}-error.log"
        env = dict(
            environment,
            GUNICORN_BIND=f"127.0.0.1:{self.port}",
            WEB_CONCURRENCY=str(workers),
            GUNICORN_ACCESS_LOG=str(self.access_log),
            GUNICORN_ERROR_LOG=str(self.error_log),
        )
        self.process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "--config", str(GUNICORN_CONF), "advocacy.wsgi:application"],
            cwd=FAULTS_BASE_DIR,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        faults_wait_for_port(self.port, timeout=60)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            self.process.wait(30)


class Nginx:
    def __init__(self, *, upstream_ports: list[int], directory: Path):
        self.port = faults_free_port()
        self.access_log = directory / "nginx-access.log"
        self.error_log = directory / "nginx-error.log"
        name, log_format = deploy_log_format()
        temp = directory / "nginx-temp"
        temp.mkdir(exist_ok=True)
        servers = "\n".join(f"        server 127.0.0.1:{port} max_fails=3 fail_timeout=5s;" for port in upstream_ports)
        conf = directory / "nginx.conf"
        conf.write_text(
            f"""daemon off;
{"user root;" if os.geteuid() == 0 else ""}
worker_processes 2;
pid {directory}/nginx.pid;
error_log {self.error_log} crit;
events {{ worker_connections 4096; }}
http {{
    log_format {name} {log_format};
    access_log {self.access_log} {name};
    client_body_temp_path {temp}/body;
    proxy_temp_path {temp}/proxy;
    fastcgi_temp_path {temp}/fastcgi;
    uwsgi_temp_path {temp}/uwsgi;
    scgi_temp_path {temp}/scgi;
    upstream web {{
{servers}
        keepalive 64;
    }}
    server {{
        listen 127.0.0.1:{self.port} backlog=4096;
        location / {{
            proxy_pass http://web;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_set_header Host $host;
            proxy_set_header X-Forwarded-For $remote_addr;
            proxy_next_upstream error timeout http_502;
        }}
    }}
}}
"""
        )
        self.process = subprocess.Popen(
            [nginx_binary(), "-p", str(directory), "-c", str(conf), "-e", str(self.error_log)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        faults_wait_for_port(self.port, timeout=20)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            self.process.wait(30)
