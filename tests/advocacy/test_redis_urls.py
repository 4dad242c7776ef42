"""REDIS_URL naming a Sentinel group: parsing, and the cache and beat lock following the master."""

import shutil
import subprocess
import time

import pytest

from advocacy.redis_urls import SentinelPool, parse_sentinel_url, redis_from_url
from tests.batteries.conftest import FaultsRedisServer, faults_free_port, faults_wait_for_port
from tests.conftest import missing_service


def test_it_parses_hosts_group_database_and_password():
    parsed = parse_sentinel_url("redis+sentinel://:s3cr%40t@sentinel1:26380,sentinel2/mymaster/3")
    assert parsed.sentinels == (("sentinel1", 26380), ("sentinel2", 26379))
    assert (parsed.service_name, parsed.db, parsed.password) == ("mymaster", 3, "s3cr@t")
    assert parsed.kombu_broker_url() == (
        "sentinel://:s3cr%40t@sentinel1:26380/3;sentinel://:s3cr%40t@sentinel2:26379/3"
    )
    assert parse_sentinel_url("redis+sentinel://h:1/group").db == 0


@pytest.mark.parametrize(
    "url,message",
    [
        ("redis://h:6379/0", "starts with redis"),
        ("redis+sentinel://h:26379", "name the Sentinel group"),
        ("redis+sentinel://h:26379/mymaster/zero", "must be a number"),
        ("redis+sentinel://h:port/mymaster", "not a number"),
        ("redis+sentinel://h:1,/mymaster", "needs a host name"),
    ],
)
def test_it_says_what_is_wrong_with_a_sentinel_url(url, message):
    with pytest.raises(ValueError, match=message):
        parse_sentinel_url(url)


@pytest.fixture
def sentinel_group(tmp_path):
    if not shutil.which("redis-server"):
        missing_service("redis-server is not installed")
    master = FaultsRedisServer(tmp_path)
    master.start()
    port = faults_free_port()
    config = tmp_path / "sentinel.conf"
    config.write_text(
        f"port {port}\nbind 127.0.0.1\ndir {tmp_path}\n"
        f"sentinel monitor testgroup 127.0.0.1 {master.port} 1\n"
        "sentinel down-after-milliseconds testgroup 1000\n"
    )
    sentinel = subprocess.Popen(
        ["redis-server", str(config), "--sentinel"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    faults_wait_for_port(port)
    time.sleep(0.3)
    yield f"redis+sentinel://127.0.0.1:{port}/testgroup/2", master
    sentinel.kill()
    sentinel.wait(5)
    master.kill()


@pytest.mark.slow
def test_clients_and_the_cache_reach_the_master_through_the_sentinel(sentinel_group):
    from django.core.cache.backends.redis import RedisCache

    url, master = sentinel_group
    client = redis_from_url(url, socket_timeout=2, socket_connect_timeout=2)
    client.set("probe", "through-sentinel")
    direct = redis_from_url(f"redis://127.0.0.1:{master.port}/2")
    assert direct.get("probe") == b"through-sentinel"
    # As settings configure it when REDIS_URL names a Sentinel group.
    cache = RedisCache(
        "redis+sentinel:///testgroup/2",
        {"OPTIONS": {"pool_class": "advocacy.redis_urls.SentinelPool", "sentinel_url": url, "socket_timeout": 2}},
    )
    cache.set("cached", {"answer": 42}, 30)
    assert cache.get("cached") == {"answer": 42}
    assert isinstance(cache._cache._get_connection_pool(write=True), SentinelPool)
    assert direct.exists(":1:cached")
