"""Session keys and internal request signatures against the JDK-computed examples of the REST spec §5.3."""

from __future__ import annotations

import base64

import pytest

from genesis_worker.herder.errors import BadRequestException, ConnectRestException
from genesis_worker.herder.session_keys import (
    SIGNATURE_ALGORITHM_HEADER,
    SIGNATURE_HEADER,
    InternalRequestSignature,
    check_internal_request,
    generate_session_key,
    sign_request,
)
from genesis_worker.model.session_key import SessionKey

KEY = SessionKey(bytes(range(32)), "HmacSHA256", 1730000000000)
BODY = b'[{"task.class":"org.example.MyTask","topic":"t1"}]'


def test_signature_matches_jdk_examples() -> None:
    assert sign_request(KEY, "HmacSHA256", BODY) == {
        SIGNATURE_HEADER: "QkWhInsKxp6Fp/AHWtguKHCI9fQDlDhU8oxVM2oFh5o=",
        SIGNATURE_ALGORITHM_HEADER: "HmacSHA256",
    }
    assert sign_request(KEY, "HmacSHA256", b"")[SIGNATURE_HEADER] == "04tCCW2A9F+Ca0Sp1WB95ySWpBXT9KGoyI47udqNwcs="


def test_round_trip_and_tampering() -> None:
    headers = sign_request(KEY, "HmacSHA256", BODY)
    sig = InternalRequestSignature.from_headers(BODY, {k.lower(): v for k, v in headers.items()})
    assert sig is not None and sig.is_valid(KEY)
    check_internal_request(sig, KEY, ["HmacSHA256"])
    tampered = InternalRequestSignature.from_headers(BODY + b" ", headers)
    assert tampered is not None and not tampered.is_valid(KEY)
    with pytest.raises(ConnectRestException) as e:
        check_internal_request(tampered, KEY, ["HmacSHA256"])
    assert e.value.status == 403 and e.value.message == "Internal request contained invalid signature."
    other = generate_session_key()
    assert len(other.key) == 32 and not sig.is_valid(other)


def test_rejections_in_java_order() -> None:
    assert InternalRequestSignature.from_headers(BODY, {SIGNATURE_HEADER: "AAAA"}) is None
    with pytest.raises(BadRequestException, match="missing required signature"):
        check_internal_request(None, KEY, ["HmacSHA256"])
    sha1 = InternalRequestSignature.from_headers(BODY, sign_request(KEY, "HmacSHA1", BODY))
    with pytest.raises(BadRequestException, match="does not support the 'HmacSHA1' key signing algorithm"):
        check_internal_request(sha1, KEY, ["HmacSHA256"])
    good = InternalRequestSignature.from_headers(BODY, sign_request(KEY, "HmacSHA256", BODY))
    with pytest.raises(ConnectRestException) as e:
        check_internal_request(good, None, ["HmacSHA256"])
    assert e.value.status == 503
    with pytest.raises(BadRequestException, match="Algorithm HmacFoo not available"):
        InternalRequestSignature.from_headers(BODY, {SIGNATURE_HEADER: "AAAA", SIGNATURE_ALGORITHM_HEADER: "HmacFoo"})
    with pytest.raises(BadRequestException):
        InternalRequestSignature.from_headers(BODY, {SIGNATURE_HEADER: "@@@", SIGNATURE_ALGORITHM_HEADER: "HmacSHA256"})


def test_expiry_and_repr_hides_key() -> None:
    assert KEY.expired(1000, now_ms=KEY.creation_timestamp + 1000)
    assert not KEY.expired(1000, now_ms=KEY.creation_timestamp + 999)
    assert base64.b64encode(KEY.key).decode() not in repr(KEY)
