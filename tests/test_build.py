"""The normalize core as a plain function: word counts, hashes, headline handling."""

from __future__ import annotations

from services.normalize.build import count_words, extract, normalized_text


def test_cjk_characters_count_as_words() -> None:
    """Scripts without spaces are counted per character, so short CJK articles survive."""
    assert count_words("one two three") == 3
    assert count_words("東京で橋が開通した") == 9
    assert count_words("東京 Tokyo") == 3
    text = "東京で新しい橋が開通した。住民は長い間この日を待っていた。"
    record = extract(f"<html><body><article><p>{text}</p></article></body></html>",
                     source="ja.html")
    assert record.word_count >= 20


def test_content_hash_ignores_case_and_spacing() -> None:
    """The content hash is taken over NFKC, case-folded, whitespace-collapsed text."""
    assert normalized_text("Ｈello   World\n") == normalized_text("hello world")
    body = [
        "The harbour authority said the repairs to the old quay were finished on time, and "
        "fishing boats could tie up there again from Monday morning.",
        "Residents gathered outside the town hall on Tuesday to hear the council explain how "
        "the work had been paid for and what would come next.",
    ]
    shouty = [body[0].upper().replace("HARBOUR", "Ｈarbour"), body[1].replace(" the ", " THE ")]
    plain = extract("\n\n".join(body), source="a.txt")
    same = extract("\n\n".join(shouty), source="a.txt")
    other = extract("\n\n".join(body).replace("Tuesday", "Wednesday"), source="a.txt")
    assert same.text != plain.text
    assert same.content_hash == plain.content_hash
    assert other.content_hash != plain.content_hash
