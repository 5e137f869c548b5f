"""Internal endpoints and their HMAC signatures (reference section 5.3, with its example vectors)."""

from __future__ import annotations

import base64

import pytest

from genesis_worker.rest.signature import SIGNATURE_ALGORITHM_HEADER, SIGNATURE_HEADER, sign
from tests.unit.rest.conftest import SINK, SOURCE, MakeClient
from tests.unit.rest.fake_herder import FakeHerder

KEY = bytes(range(32))
BODY = b'[{"task.class":"org.example.MyTask","topic":"t1"}]'


def test_reference_vectors() -> None:
    assert base64.b64encode(KEY).decode() == "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8="
    assert sign(KEY, BODY) == "QkWhInsKxp6Fp/AHWtguKHCI9fQDlDhU8oxVM2oFh5o="
    assert sign(KEY, b"") == "04tCCW2A9F+Ca0Sp1WB95ySWpBXT9KGoyI47udqNwcs="
    assert sign(KEY, b"", "hmacsha256") == sign(KEY, b"")


def signed(body: bytes, key: bytes = KEY, alg: str = "HmacSHA256") -> dict[str, str]:
    return {SIGNATURE_HEADER: sign(key, body, "HmacSHA256"), SIGNATURE_ALGORITHM_HEADER: alg}


@pytest.fixture
def sessioned() -> FakeHerder:
    herder = FakeHerder()
    herder.configs["src"] = {"connector.class": SOURCE, "name": "src"}
    herder.configs["snk"] = {"connector.class": SINK, "name": "snk"}
    herder.task_counts.update(src=0, snk=0)
    herder.signature_required = True
    herder.signing_key = KEY
    return herder


async def test_task_configs_signed(sessioned: FakeHerder, make_client: MakeClient) -> None:
    client = await make_client(sessioned)
    resp = await client.post("/connectors/src/tasks", data=BODY, headers=signed(BODY))
    assert resp.status == 204
    assert sessioned.received_task_configs["src"] == [{"task.class": "org.example.MyTask", "topic": "t1"}]
    # any content type is accepted on internal endpoints
    resp = await client.post(
        "/connectors/src/tasks", data=BODY, headers={**signed(BODY), "Content-Type": "application/octet-stream"}
    )
    assert resp.status == 204


async def test_signature_errors(sessioned: FakeHerder, make_client: MakeClient) -> None:
    client = await make_client(sessioned)

    async def post(headers: dict[str, str]) -> tuple[int, dict]:
        resp = await client.post("/connectors/src/tasks", data=BODY, headers=headers)
        return resp.status, await resp.json()

    assert await post({}) == (400, {"error_code": 400, "message": "Internal request missing required signature"})
    status, body = await post(signed(BODY, alg="HmacSHA512"))
    assert status == 400
    assert body["message"].startswith("This worker does not support the 'HmacSHA512' key signing algorithm")
    assert "This worker is currently configured to use: [HmacSHA256]." in body["message"]
    status, body = await post(signed(BODY, alg="HmacNope"))
    assert (status, body["message"]) == (400, "Algorithm HmacNope not available")
    status, body = await post({SIGNATURE_HEADER: "!!notbase64", SIGNATURE_ALGORITHM_HEADER: "HmacSHA256"})
    assert status == 400
    status, body = await post(signed(BODY, key=b"wrong key"))
    assert (status, body["message"]) == (403, "Internal request contained invalid signature.")
    sessioned.signing_key = None
    status, body = await post(signed(BODY))
    assert status == 503
    assert body["message"] == (
        "This worker is still starting up and has not been able to read a session key from the config topic yet"
    )


async def test_unsigned_allowed_without_sessioned_protocol(sessioned: FakeHerder, make_client: MakeClient) -> None:
    sessioned.signature_required = False
    client = await make_client(sessioned)
    assert (await client.post("/connectors/src/tasks", data=BODY)).status == 204
    # malformed body -> 400, unknown connector -> 404
    resp = await client.post("/connectors/src/tasks", data=b'{"not":"a list"}')
    assert resp.status == 400
    resp = await client.post("/connectors/zz/tasks", data=BODY)
    assert resp.status == 404


async def test_fence(sessioned: FakeHerder, make_client: MakeClient) -> None:
    client = await make_client(sessioned)
    resp = await client.put("/connectors/src/fence", headers=signed(b""))
    assert resp.status == 204
    assert sessioned.fenced == ["src"]
    resp = await client.put("/connectors/snk/fence", headers=signed(b""))
    assert resp.status == 400
    assert (await resp.json())["message"] == "Connector snk is not a source connector"
    resp = await client.put("/connectors/src/fence", headers=signed(b"x"))
    assert resp.status == 403


async def test_internal_routes_forward_to_leader(sessioned: FakeHerder, make_client: MakeClient) -> None:
    sessioned.signature_required = False
    leader = await make_client(sessioned)
    follower_herder = FakeHerder()
    follower_herder.leader_url = str(leader.make_url("/"))
    follower = await make_client(follower_herder)
    resp = await follower.post("/connectors/src/tasks", data=BODY)
    assert resp.status == 204
    assert sessioned.received_task_configs["src"][0]["topic"] == "t1"
