"""Acceptance test on the five seed captures: hand-labelled body, headline and boilerplate.

Each seed lists its body lines (by a unique prefix) as labelled by hand; the kept lines must
be exactly these, in order. Everything else in the capture is boilerplate.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from services.normalize.cleaner import clean_capture

SEEDS = Path(__file__).resolve().parents[1] / "seeds"

# file -> (expected title, body line prefixes in order)
EXPECTED: dict[str, tuple[str | None, list[str]]] = {
    "000_bf3ce4bf6489a09f.txt": (
        None,
        [
            "China sent its highest-level visit to North Kore",
            "Zhao Leji, China's third-highest ranked official",
            "The delegation, which includes officials from bo",
            'The three-day visit was a "momentous occasion" i',
            "Zhao hailed the China-North Korea relationship a",
            "Zhao is the highest-ranking Chinese visitor to t",
            "The trip comes as both countries are wary of wha",
            "The delegation also visits amid heightened globa",
            "Those geopolitical fault lines are underscored a",
            "US President Joe Biden hosted a trilateral summi",
            "In an interview with CNN ahead of that meeting, ",
            "As the ruling Chinese Communist Party's No. 3 of",
            "The visit is not expected to usher in diplomatic",
            '"(At a time) when the United States is trying to',
        ],
    ),
    "001_03152ef5be3191d2.txt": (
        "China's High-Level Visit Strengthens Relations With North Korea",
        [
            "China's highest-level visit to North Korea in ne",
            "Zhao Leji, China’s third-highest ranked official",
            "The three-day visit, at North Korea’s invitation",
            "It also affords a top Chinese official the oppor",
            "Zhao is the highest-ranking Chinese visitor to t",
            "The trip comes as both countries are wary of wha",
            "The delegation will also arrive amid heightened ",
            "Those geopolitical fault lines are underscored a",
            "US President Joe Biden is hosting a trilateral s",
            "In an interview with CNN ahead of that meeting, ",
        ],
    ),
    "002_fbc8137f2d954ad1.txt": (
        (
            "China to ‘intensify high-level exchanges’ with North Korea, "
            "No 3 official Zhao Leji says in marking 75 years of ties"
        ),
        [
            "Beijing was “willing to … take the ‘China-DPRK F",
            "The meeting came shortly after Zhao and his dele",
            "Zhao is the third-ranked official in the ruling ",
            "Vice-Premier Liu Guozhong, foreign vice-minister",
            "The string of high-level exchanges have prompted",
            "Senior officials in the large delegation accompa",
            "Zhang Baoqun, deputy director of the Chinese mil",
            "KCNA said Zhao’s talks with Choe included issues",
            "The pair also exchanged views on the Korean peni",
            "Zhao’s visit coincided with a US-Japan-South Kor",
            "The US and Japan signed around 70 agreements, in",
            "In response, the Chinese foreign ministry said i",
            "Kim, who inspected a model of Seoul earlier this",
            "Meanwhile, Kim has stepped up engagement with bo",
            "Zhao and Choe also signed several agreements, in",
            "The Chinese delegation is also expected to atten",
            "South Korea’s JoongAng Daily cited a diplomatic ",
            "The Chosun Daily, also a trusted Korean paper, s",
            "The long-awaited annual summit between the three",
        ],
    ),
    "003_1e8fafeeda8606d8.txt": (
        "China's High-Level Meeting in Pyongyang Strengthens Ties with North Korea",
        [
            "In a significant diplomatic encounter, a top-ran",
            "According to reports from China's state media, Z",
            "During the three-day visit, Zhao Leji emphasized",
            "Notably, China's support for North Korea extends",
            "Despite international sanctions imposed on North",
            "The visit also included discussions between Zhao",
            "The timing of Zhao Leji's visit is notable, as i",
            "The meeting between Zhao Leji and Kim Jong-un ma",
            "Looking ahead, China and North Korea are expecte",
            "North Korea's efforts to strengthen its cooperat",
            "While accusations of North Korea supplying weapo",
            "In conclusion, Zhao Leji's visit to North Korea ",
        ],
    ),
    "004_136dd19050d60c65.txt": (
        "North Korea Welcomes China's Top Delegation for a 'Friendship Year' Launch",
        [
            "North Korea's efforts to enhance relations with ",
            "China is gearing up for its highest-level visit ",
            "Zhao Leji, China's third-highest ranked official",
            "According to a Chinese Foreign Ministry spokespe",
            "Analysts say that this visit provides a rare cha",
            "Zhao, who currently leads China's national legis",
            "The trip comes at a time when both countries are",
            "The delegation is coming at a time when there is",
            "These tensions are highlighted as the Chinese de",
            "US President Joe Biden is currently hosting a tr",
            "In a recent interview with CNN before the meetin",
            'Zhao\'s "goodwill" mission holds more significanc',
            "The visit is not anticipated to bring about dipl",
            "According to Liu Dongshu, an assistant professor",
            "The trip presents a valuable chance for top Chin",
            "Since North Korea relaxed pandemic restrictions ",
            "Liu suggested that China should try to understan",
            "For North Korea, the visit presents a chance to ",
            "Balance of power",
            "China has long walked a thin line in its relatio",
            "North Korea heavily relies on China for economic",
            "Beijing sees an advantage in diverting US attent",
            "\"When China's regional geopolitical situation wo",
            'Conversely, "When China perceives less geopoliti',
            "China is also closely monitoring the increased c",
            "Beijing has strengthened its economic, diplomati",
            "Furthermore, Beijing abstained from a recent Uni",
            "While the three authoritarian countries have com",
            "According to Sun, China is hesitant to go back t",
            "“But China plays a critical and irreplaceable ro",
            "Editor's P/S:",
            "The upcoming visit of China's third-highest rank",
            "While China has long maintained a delicate balan",
        ],
    ),
}

# Boilerplate that must not reach the text (hand-labelled, one entry per kind at least).
MUST_DROP: dict[str, list[str]] = {
    "000_bf3ce4bf6489a09f.txt": [
        "Keep reading about Zhao's visit.",
        "More on Beijing and Pyongyang's complex relationship:",
        "No hay comentarios:",
        "Publicar un comentario",
    ],
    "001_03152ef5be3191d2.txt": [
        "Get all your news in one place.",
        "One app.",
        "Start reading",
        "Top News",
        "China's High-Level Visit Strengthens Relations With North Korea",
        "North Korea fires cruise missiles into sea, South Korea says",
        "Sign up to read this article",
        "Read news from 100’s of titles, curated specifically for you.",
        "Already a member? Sign in here",
        "Related Stories",
        "One subscription that gives you access to news from hundreds of sites",
        "Download the app",
        "100+ trusted global sources.",
    ],
    "002_fbc8137f2d954ad1.txt": [
        "‘At all levels’: China, N Korea vow deeper ties amid no let-up in missile tests",
        "02:43",
        "04:28",
        "North Korean leader Kim Jong-un says he has lawful right to annihilate South Korea",
        "South China Morning Post",
        "Related posts",
        "Leave a Comment",
    ],
    "003_1e8fafeeda8606d8.txt": [
        "China's High-Level Meeting in Pyongyang Strengthens Ties with North Korea",
        "Post a Comment",
        "Previous Post Next Post",
        "Contact Form",
    ],
    "004_136dd19050d60c65.txt": [
        "North Korea Welcomes China's Top Delegation for a 'Friendship Year' Launch",
        "Sign up for CNN’s Meanwhile in China newsletter",
        "President Joe Biden and Japanese Prime Minister Fumio Kishida walk on the colonnade",
        "President Joe Biden and Japanese Prime Minister Fumio Kishida stroll along",
        "Andrew Harnik/Pool/Getty Images",
        "Related article",
        "Biden lauds US-Japan alliance at state dinner",
        "As Donald Trump and President Joe Biden gear up",
        "As Donald Trump and President Joe Biden ramp up",
        "Clipped From Video",
        "Related video",
        "North Korea’s leader watches US presidential race",
        "The United Nations Security Council",
        "Andrew Kelly/Reuters/File",
        "Russia protects North Korea in the UN with veto",
    ],
}


def _clean(name: str):  # type: ignore[no-untyped-def]
    return clean_capture((SEEDS / name).read_text(encoding="utf-8"))


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_seed_kept_lines_are_exactly_the_body(name: str) -> None:
    """The kept lines are exactly the hand-labelled body lines, in order."""
    kept = _clean(name).paragraphs
    expected = EXPECTED[name][1]
    assert len(kept) == len(expected), [k[:48] for k in kept]
    for line, prefix in zip(kept, expected, strict=True):
        assert line.startswith(prefix)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_seed_title(name: str) -> None:
    """The headline is found (None when the capture starts with body text) and not in text."""
    cleaned = _clean(name)
    assert cleaned.title == EXPECTED[name][0]
    if cleaned.title:
        assert all(p != cleaned.title for p in cleaned.paragraphs)


@pytest.mark.parametrize("name", sorted(MUST_DROP))
def test_seed_boilerplate_dropped(name: str) -> None:
    """No hand-labelled boilerplate line survives in the text."""
    text = "\n".join(_clean(name).paragraphs)
    for snippet in MUST_DROP[name]:
        assert snippet not in text


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_seed_removals_are_audited(name: str) -> None:
    """Every removal carries a known category and at least one signal."""
    cats = {"paywall", "promo", "comments", "related", "caption", "media", "share",
            "navigation", "site", "duplicate", "headline", "other"}  # fmt: skip
    for r in _clean(name).removed:
        assert r.category in cats
        assert r.signals and all(isinstance(s, str) and s for s in r.signals)


def test_seed_subheading_and_editor_summary_kept() -> None:
    """Sub-heading 'Balance of power' and the "Editor's P/S:" summary stay in seed 004."""
    kept = _clean("004_136dd19050d60c65.txt").paragraphs
    assert "Balance of power" in kept
    assert "Editor's P/S:" in kept
