"""Language detection on short posts without a platform hint (invented examples)."""

from __future__ import annotations

import pytest

from bridge.text.language import UNDETERMINED, detect_language, known_language


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("@AcmeHelp my order still has not turned up", "en"),
        ("do you ship to Portugal?", "en"),
        ("@AcmeHilfe Ich möchte eine Rückerstattung für meine Bestellung", "de"),
        ("@AcmeAyuda ¿hacen envíos a las islas? gracias", "es"),
        ("@AcmeAide ma commande n'est toujours pas arrivée", "fr"),
        ("@AcmeAjuda o meu pedido ainda não chegou", "pt"),
        ("@AcmeAiuto il mio ordine non è ancora arrivato", "it"),
        ("@AcmeHulp mijn pakket is nog steeds niet bezorgd", "nl"),
        ("@AcmeHelp 注文した商品がまだ届きません", "ja"),
    ],
)
def test_short_posts_get_their_language(text: str, code: str) -> None:
    detected = detect_language(text)
    assert detected.code == code
    assert detected.reason.startswith(f"language {code}")


@pytest.mark.parametrize("text", ["@AcmeHelp 👍", "@AcmeHelp ok", "https://example.com/a #tag"])
def test_too_little_text_is_undetermined(text: str) -> None:
    assert detect_language(text).code == UNDETERMINED


def test_a_platform_hint_wins_over_detection() -> None:
    assert detect_language("@AcmeHelp my order still has not turned up", "de").code == "de"


def test_known_languages_are_the_detectors_own() -> None:
    assert known_language("de") and known_language("ja")
    assert not known_language("xx") and not known_language("english")
