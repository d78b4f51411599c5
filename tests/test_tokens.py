"""The secret, the tokens and the personal unsubscribe links."""

from __future__ import annotations

from pathlib import Path

import pytest

from lettre.errors import SecretError
from lettre.tokens import (
    decode_address,
    encode_address,
    load_secret,
    parse_link,
    personal_mailto,
    personal_url,
    token,
    valid,
)


def test_the_secret_is_made_once_private_and_kept(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("LETTRE_SECRET", raising=False)
    state = tmp_path / "state"
    with pytest.raises(SecretError, match="no secret yet"):
        load_secret(state)  # the endpoint never makes one
    first = load_secret(state, create=True)
    assert len(first) == 64 and oct((state / "secret").stat().st_mode & 0o777) == "0o600"
    assert load_secret(state, create=True) == first == load_secret(state)
    (state / "secret").chmod(0o644)
    with pytest.raises(SecretError) as caught:
        load_secret(state)
    assert str(caught.value) == (
        f"{state / 'secret'}: the secret is readable by others: run 'chmod 600' on it "
        "(anyone who reads it can unsubscribe any reader)"
    )
    monkeypatch.setenv("LETTRE_SECRET", "une phrase secrète assez longue")
    assert load_secret(state) == "une phrase secrète assez longue".encode()
    monkeypatch.setenv("LETTRE_SECRET", "court")
    with pytest.raises(SecretError, match="too short"):
        load_secret(state)


def test_tokens_bind_the_list_and_the_address() -> None:
    secret = b"k" * 64
    lea = token(secret, "hebdo.example.org", "lea@example.net")
    assert lea == token(secret, "hebdo.example.org", "Lea@Example.NET ")  # compared in lower case
    assert lea != token(secret, "autre.example.org", "lea@example.net")
    assert lea != token(b"j" * 64, "hebdo.example.org", "lea@example.net")
    assert valid(secret, "hebdo.example.org", "lea@example.net", lea)
    assert not valid(secret, "hebdo.example.org", "paul@example.net", lea)
    assert len(lea) == 43 and "=" not in lea


def test_links_and_parsing_them_back() -> None:
    encoded = encode_address("léa@example.net")
    assert decode_address(encoded) == "léa@example.net" and decode_address("%%") is None
    url = personal_url("https://www.example.org/desabonnement", encoded, "TOK")
    assert url == f"https://www.example.org/desabonnement?a={encoded}&t=TOK"
    assert personal_url("https://x.example.org/?liste=hebdo", encoded, "T").endswith(
        f"?liste=hebdo&a={encoded}&t=T"
    )
    mailto = personal_mailto("desabonnement@example.org", encoded, "TOK")
    assert (
        mailto == f"mailto:desabonnement@example.org?subject=unsubscribe%20a%3D{encoded}%26t%3DTOK"
    )
    for text in (url, mailto, f"unsubscribe a={encoded}&t=TOK"):
        assert parse_link(text) == ("léa@example.net", "TOK")
    assert parse_link("lea@example.net") is None
