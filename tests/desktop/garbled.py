"""A server whose answers the desktop cannot read, with a phone number in them (import the fixture you use).

Every request gets 200 and `{"unexpected": PHONE}`: parsing it as a case, a
session or a page fails with a pydantic error whose text quotes the phone.
That is the unexpected error the desktop must not put on screen or in the log.
"""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from desktop.api.client import ApiClient

PHONE = "13812340003"
GARBLED_URL = "http://no1window.test"


def raised(exc: BaseException) -> BaseException:
    """`exc` with a traceback, as the task runner hands it over."""
    try:
        raise exc
    except BaseException as caught:  # noqa: BLE001 - the caller wants it back
        return caught


@pytest.fixture
def garbled_api() -> Iterator[ApiClient]:
    """An `ApiClient` on a server that answers everything with 200 and a body nothing can read."""

    def handler(_request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json={"unexpected": PHONE})

    client = ApiClient(GARBLED_URL, transport=httpx.MockTransport(handler))
    yield client
    client.close()
