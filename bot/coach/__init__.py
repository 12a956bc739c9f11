"""The coach: spots directive drafts, offers a modelling rewrite that is safe to post, tags
barrier themes, and coaches a leader's answer to a teammate.

Pure functions over plain data; every pattern and user-facing word lives in prompts/coach/.
"""
from bot.coach.answers import AnswerCheck, check_answer
from bot.coach.check import check_draft, check_fields
from bot.coach.llm import reframe_with_llm
from bot.coach.model import DraftCheck, Finding
from bot.coach.reframe import FIELDS, reframe, reframe_text
from bot.coach.themes import THEMES, classify_themes, theme_label, theme_labels

__all__ = [
    "FIELDS",
    "AnswerCheck",
    "THEMES",
    "DraftCheck",
    "Finding",
    "check_answer",
    "check_draft",
    "check_fields",
    "classify_themes",
    "reframe",
    "reframe_text",
    "reframe_with_llm",
    "theme_label",
    "theme_labels",
]
