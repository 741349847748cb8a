"""The FAQ as data, Japanese/English text normalisation, and the matcher.

Importing this package is cheap: fugashi loads on the first tokenisation.
"""

from knowledge.kb import DEFAULT_KB, Entry, KnowledgeBase, KnowledgeBaseError, load_kb
from knowledge.matcher import Matcher, MatchResult, Scored
from knowledge.normalize import detect_lang, normalize

__all__ = [
    "DEFAULT_KB",
    "Entry",
    "KnowledgeBase",
    "KnowledgeBaseError",
    "MatchResult",
    "Matcher",
    "Scored",
    "detect_lang",
    "load_kb",
    "normalize",
]
