"""The language a page is shown in: English or Japanese, from `?lang=`, else `Accept-Language`."""

from urllib.parse import urlencode

from flask import request

LANGUAGES = ("en", "ja")
"""The languages pages are written in; the first is the default."""


def page_language() -> str:
    """Return the request's page language: an explicit `?lang=en|ja` wins, then the best `Accept-Language` match."""
    asked = request.args.get("lang")
    if asked in LANGUAGES:
        return asked
    best = request.accept_languages.best_match(LANGUAGES)
    return best or LANGUAGES[0]


def switch_url(language: str) -> str:
    """Return this page's URL in `language`, keeping the other query arguments (the visible language switch)."""
    arguments = request.args.to_dict(flat=False)
    arguments["lang"] = [language]
    return f"{request.path}?{urlencode(arguments, doseq=True)}"
