"""The prompt gives the model the utterance in plain ASCII, whatever was typed."""

from __future__ import annotations

from shared.understanding import PROMPT_PREFIX, build_prompt


def test_typed_marks_and_accents_reach_the_model_as_ascii() -> None:
    typed = "He\u2019s fallen \u2014 \u201cat the caf\u00e9\u201d, \u4f60\u597d  help"

    prompt = build_prompt(typed)

    assert prompt == f'{PROMPT_PREFIX}Said: He\'s fallen - "at the cafe", help\nJSON:'
    assert prompt.isascii()
