"""The independent SCIM compliance checker (scim2-tester) against a live server, with a token made in the product.

Every check it runs must pass; the ones it reports as skipped are listed with the reason
in docs/scim.md. Traffic stays on the loopback address of pytest-django's live server.
"""

from collections import Counter

import httpx2
import pytest
from scim2_client.engines.httpx2 import SyncSCIMClient
from scim2_tester import Status, check_server

from scim.services import token_create

PASSING = {Status.SUCCESS, Status.COMPLIANT, Status.ACCEPTABLE}


def run_checker(live_server, harper):
    _, raw = token_create(name="compliance checker", actor=harper)
    assert live_server.url.startswith("http://localhost") or live_server.url.startswith("http://127.0.0.1")
    http = httpx2.Client(base_url=f"{live_server.url}/scim/v2", headers={"Authorization": f"Bearer {raw}"}, timeout=20)
    try:
        return check_server(SyncSCIMClient(http), raise_exceptions=False)
    finally:
        http.close()


@pytest.mark.django_db(transaction=True)
def test_it_passes_every_applicable_check_of_scim2_tester(live_server, harper):
    results = run_checker(live_server, harper)
    counts = Counter(result.status.name for result in results)
    print("scim2-tester:", dict(counts))
    for result in results:
        print(f"  {result.status.name:8} {result.title} {result.resource_type or ''}".rstrip())
    problems = [
        f"{result.status.name} {result.title}: {result.reason}"
        for result in results
        if result.status not in PASSING and result.status is not Status.SKIPPED
    ]
    for result in results:
        if result.status is Status.SKIPPED:
            print("skipped:", result.title, "-", result.reason)
    assert not problems, "\n".join(problems)
    assert counts["SUCCESS"] >= 20
