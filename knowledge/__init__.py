"""The FAQ as data, Japanese/English text normalisation, and the matcher.

`kb` loads an FAQ file into entries, `normalize` and `tokens` turn text into comparable
words (fugashi with unidic-lite, loaded on the first tokenisation so importing this
package stays cheap), `index`, `signals` and `matcher` rank entries and decide whether
to answer. It imports neither `bot` nor `analyzers`, nor Slack or a database.
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
