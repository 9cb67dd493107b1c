"""The redactor on its own: each secret shape it must mask, and the error text it must leave readable."""

from __future__ import annotations

import pytest

from connectors.redaction import EXCERPT_CHARS, MASK, excerpt, is_secret_key, redact

JWT = (
    "eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkFkYSJ9"
    ".dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U"
)
HEX = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"
B64 = "QWxhZGRpbjpvcGVuIHNlc2FtZSBzZXNhbWUgb3BlbiBzZXNhbWU+/Zm9v=="

# (case, text, secrets the redactor is told, values that must not survive)
CASES = [
    (
        "form body",
        "bad request: grant_type=refresh_token&refresh_token=rt.1&client_secret=cs!2&code=c-3",
        (),
        ("rt.1", "cs!2", "c-3"),
    ),
    ("form access token", "echo access_token=at_4&token_type=bearer", (), ("at_4",)),
    ("query string", "GET /things?hapikey=k5&limit=10", (), ("k5",)),
    (
        "json secret fields",
        '{"error":"x","refresh_token":"r6","client_secret":"s7","password":"p8","api_key":"k9",'
        '"access_token":"a10","id_token":"i11","code":"c12","Authorization":"Bearer b13"}',
        (),
        ("r6", "s7", "p8", "k9", "a10", "i11", "c12", "b13"),
    ),
    ("escaped json inside json", r'{"detail": "{\"refresh_token\": \"r14 r15\"}"}', (), ("r14", "r15")),
    ("authorization header", "Authorization: Bearer t16-abcdefgh", (), ("t16",)),
    ("bearer value", "sent Bearer ab12CD34ef56 twice", (), ("ab12CD34ef56",)),
    ("basic value", "sent Basic Y2xpZW50OnNlY3JldA== twice", (), ("Y2xpZW50OnNlY3JldA",)),
    ("jwt", f"token {JWT} expired", (), (JWT[:20], JWT[-20:])),
    ("hubspot token", "pat-na1-0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0 is invalid", (), ("0f1e2d3c",)),
    ("hex run", f"refresh {HEX} refused", (), (HEX[:16],)),
    ("base64 run", f"blob {B64} end", (), (B64[:16],)),
    ("known secret, odd shape", "it said: my secret~value is wrong", ("secret~value",), ("secret~value",)),
    ("known secret, url-encoded", "got a%2Fb%20c%2Bd and a%2Fb+c%2Bd", ("a/b c+d",), ("a%2Fb",)),
    ("known secret, json-escaped", r'{"x": "q\"uote"}', ('q"uote',), ("uote",)),
]


@pytest.mark.parametrize(("text", "secrets", "hidden"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_secret_shapes_are_masked(text: str, secrets: tuple[str, ...], hidden: tuple[str, ...]) -> None:
    redacted = redact(text, secrets)
    assert MASK in redacted
    for value in hidden:
        assert value not in redacted, redacted


INNOCENT = [
    '{"status":"error","message":"Property values were not valid: 1234 is not a number",'
    '"correlationId":"5a3f2f6a-9e01-4c1e-8f57-5a3f2f6a9e01","category":"VALIDATION_ERROR"}',
    '{"ErrorNumber":10,"Type":"ValidationException","Message":"A validation exception occurred"}',
    "GET /crm/v3/objects/contacts/batch/read failed: Basic authentication failed, Bearer token missing",
    "<html><body><h1>502 Bad Gateway</h1></body></html>",
]


@pytest.mark.parametrize("text", INNOCENT)
def test_innocent_text_is_left_readable(text: str) -> None:
    assert redact(text) == text


def test_excerpt_is_short_single_line_and_says_it_was_cut() -> None:
    body = "line one\r\n\tline two\x1b[0m " + "word " * 200
    short = excerpt(body)
    assert "\n" not in short and "\r" not in short and "\x1b" not in short
    assert short.startswith("line one line two")
    assert short.endswith(f"(cut; {len(body)} characters in all)")
    assert len(short) < EXCERPT_CHARS + 50
    assert excerpt("short error") == "short error"
    assert excerpt(" \n") == "(empty body)"


def test_a_secret_split_by_the_scan_limit_is_dropped() -> None:
    body = "x " * 1999 + "refresh" + "0123456789abcdef" * 8
    assert "0123" not in excerpt(body, limit=10_000)


@pytest.mark.parametrize(
    ("name", "secret"),
    [
        ("refresh_token", True),
        ("X-Api-Key", True),
        ("Authorization", True),
        ("code", True),
        ("grant_type", False),
        ("errorCode", False),
        ("limit", False),
    ],
)
def test_secret_key_names(name: str, secret: bool) -> None:
    assert is_secret_key(name) is secret
