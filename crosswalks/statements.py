"""What the policy says about a dataset, in the words and vocabularies every crosswalk shares (English, Japanese).

Each statement is a language map `{"en": …, "ja": …}`, so a format can write both with `xml:lang`. The Japanese
follows the original policy's wording (`../shared/policy/isas-data-policy.ja.txt`).
"""

from collections.abc import Mapping
from types import MappingProxyType

from catalog.policy import MANDATORY_CREDIT, MANDATORY_CREDIT_JA
from catalog.records import UNDETERMINED, Access, Dataset, LangMap
from catalog.view import View
from catalog.vocab import AccessRight, AfterDeadline, RestrictionReason, Visibility
from crosswalks.urls import DatasetUrls

COAR_ACCESS_RIGHTS: Mapping[AccessRight, str] = MappingProxyType(
    {
        AccessRight.OPEN: "http://purl.org/coar/access_right/c_abf2",
        AccessRight.EMBARGOED: "http://purl.org/coar/access_right/c_f1cf",
        AccessRight.RESTRICTED: "http://purl.org/coar/access_right/c_16ec",
        AccessRight.METADATA_ONLY: "http://purl.org/coar/access_right/c_14cb",
    }
)
COAR_LABELS: Mapping[AccessRight, str] = MappingProxyType(
    {
        AccessRight.OPEN: "open access",
        AccessRight.EMBARGOED: "embargoed access",
        AccessRight.RESTRICTED: "restricted access",
        AccessRight.METADATA_ONLY: "metadata only access",
    }
)
EU_REPO_ACCESS: Mapping[AccessRight, str] = MappingProxyType(
    {
        AccessRight.OPEN: "info:eu-repo/semantics/openAccess",
        AccessRight.EMBARGOED: "info:eu-repo/semantics/embargoedAccess",
        AccessRight.RESTRICTED: "info:eu-repo/semantics/restrictedAccess",
        AccessRight.METADATA_ONLY: "info:eu-repo/semantics/closedAccess",
    }
)

LICENSE_URLS: Mapping[str, str] = MappingProxyType(
    {
        "CC-BY-4.0": "https://creativecommons.org/licenses/by/4.0/",
        "CC0-1.0": "https://creativecommons.org/publicdomain/zero/1.0/",
        "CC-BY-SA-4.0": "https://creativecommons.org/licenses/by-sa/4.0/",
    }
)
GOJ_TERMS_URL = "https://cio.go.jp/sites/default/files/uploads/documents/opendata_nijiriyou_betten1.pdf"
"""The Government of Japan Standard Terms of Use (Version 2.0), as the policy's note 4 cites them."""


DOI_RESOLVER = "https://doi.org/"


def doi_url(doi: str) -> str:
    """The resolver URL of a DOI, given bare, as `doi:…`, or already as its URL."""
    bare = doi[4:] if doi.lower().startswith("doi:") else doi
    return DOI_RESOLVER + bare.removeprefix(DOI_RESOLVER)


def cite_as(dataset: Dataset, urls: DatasetUrls) -> str:
    """The URL to cite a dataset by: its DOI's resolver URL, else its landing page."""
    return doi_url(dataset.doi) if dataset.doi else urls.landing


NO_STATED_LICENSE = "NOASSERTION"
"""The licence of a harvested record whose rights name no SPDX licence (its statements are its `restrictions`)."""


def license_url(spdx: str) -> str | None:
    """The licence's own page where known, else its SPDX page; None for no stated licence, which has no page."""
    if spdx == NO_STATED_LICENSE:
        return None
    return LICENSE_URLS.get(spdx, f"https://spdx.org/licenses/{spdx}.html")


def _both(en: str, ja: str) -> LangMap:
    return MappingProxyType({"en": en, "ja": ja})


REASONS: Mapping[RestrictionReason, LangMap] = MappingProxyType(
    {
        RestrictionReason.PRIVACY_OR_SAFETY: _both(
            "publishing it would harm the protection of personal information or public safety",
            "公開すると個人情報の保護や公共の安全等に支障があるため",
        ),
        RestrictionReason.INCOMPLETE_PROCESSING: _both(
            "its processing is incomplete, and publishing it could lead to wrong results being published",
            "データ処理が不完全であり、公開すると間違った結果が発表される可能性があるため",
        ),
        RestrictionReason.PROPRIETARY_PERIOD: _both(
            "the team that acquired or made it holds it for a proprietary period",
            "データの取得や作成を行った研究チームが一定期間占有利用するため",
        ),
        RestrictionReason.RIGHTS_GRANTED: _both(
            "usage rights have been given to a specific other institution",
            "データの利用権を特定の他機関等に付与しているため",
        ),
    }
)
"""The four reasons of §4 in words: the reason is always disclosed with the data's existence."""

AFTER_DEADLINE: Mapping[AfterDeadline, LangMap] = MappingProxyType(
    {
        AfterDeadline.RELEASE: _both("it becomes public", "公開に移行します"),
        AfterDeadline.REVIEW: _both(
            "ISAS decides whether to release it, keep it closed or discard it",
            "公開に移行するか、非公開を続けるか、廃棄するかを判断します",
        ),
        AfterDeadline.DISCARD: _both("ISAS decides whether to discard it", "廃棄するかを判断します"),
    }
)

TERMS_OF_USE = _both(
    "Public data of ISAS/JAXA may be copied, transmitted and modified, commercially or not, free of charge, under "
    "the Government of Japan Standard Terms of Use (Version 2.0), which are compatible with the Creative Commons "
    "Attribution 4.0 International licence (CC BY 4.0). ISAS bears no responsibility for what users do with the data.",
    "宇宙科学研究所の公開データは、政府標準利用規約（第2.0版）に準じ、営利目的、非営利目的を問わず、複製、送信、加工も含め"
    "無償で利用できます。このルールはクリエイティブ・コモンズ表示 4.0 国際 (CC BY 4.0) と互換性があります。"
    "宇宙科学研究所は、利用者がデータを用いて行う一切の行為について何ら責任を負うものではありません。",
)

MODIFICATION_DUTY = _both(
    "Users who modify the data must state that they did and, where possible, how.",
    "公開データを加工して利用する場合には、加工したという事実を明記するとともに、できる限り、どのような加工を行ったかを示してください。",
)


def credit_line(dataset: Dataset) -> LangMap:
    """The credit users must give (§6.2): "ISAS/JAXA", then the further credits this data requires."""
    extra = "; ".join(dataset.rights.credit)
    en = f"Credit: {MANDATORY_CREDIT}" + (f"; {extra}" if extra else "")
    ja = f"出典：{MANDATORY_CREDIT_JA}（{MANDATORY_CREDIT}）" + (f"；{extra}" if extra else "")
    return _both(en, ja)


def restriction(dataset: Dataset, view: View) -> LangMap | None:
    """Why restricted data is not public, who may use it meanwhile, until when, and what then (§4).

    Only while the view is restricted: data released by the clock, or withdrawn, is no longer "not public".
    """
    if view.visibility is not Visibility.RESTRICTED:
        return None
    return restriction_of(dataset.access)


def restriction_of(access: Access) -> LangMap | None:
    """The words of a restriction from its access alone: reason, scope, deadline and what then (§4).

    None without a reason. It does not ask whether the restriction is in force: callers state it only for data
    restricted at their moment (`restriction` for a dataset's view, the STAC mapping for a restricted item).
    """
    if access.reason is None:
        return None
    reason = REASONS[access.reason]
    deadline = access.until.date().isoformat() if access.until is not None else None
    after = AFTER_DEADLINE[access.after]
    en = f"Not public, because {reason['en']}."
    ja = f"非公開：{reason['ja']}。"
    if access.scope:
        en += f" Meanwhile it may be used by: {access.scope}."
        ja += f"利用範囲：{access.scope}。"
    if deadline:
        en += f" Non-public until {deadline}; then {after['en']}."
        ja += f"非公開期限：{deadline}。期限後は{after['ja']}。"
    return _both(en, ja)


def rolling_proprietary(dataset: Dataset) -> LangMap | None:
    """For public data under a rolling proprietary period: each observation opens that many months after."""
    months = dataset.access.proprietary_months
    if months is None or dataset.access.restricted:
        return None
    return _both(
        f"Each observation is proprietary for {months} months after it is acquired, and public after that.",
        f"各観測データは取得後{months}か月間の占有利用期間を経て公開されます。",
    )


def withdrawal(dataset: Dataset, view: View) -> LangMap | None:
    """For deleted data: when it was withdrawn or discarded, and why if the record says."""
    if view.visibility is not Visibility.DELETED:
        return None
    when = view.withdrawn.date().isoformat() if view.withdrawn is not None else None
    reason = dataset.lifecycle.reason
    en = "This data is no longer available" + (f" (since {when})" if when else "") + "."
    ja = "このデータは現在提供されていません" + (f"（{when}以降）" if when else "") + "。"
    if reason is not None:
        en += f" Reason: {text_in(reason, 'en')}"
        ja += f"理由：{text_in(reason, 'ja')}"
    return _both(en, ja)


def text_in(text: LangMap, language: str) -> str:
    """The text in `language`, else in English, else in whatever language it has."""
    for key in (language, "en", UNDETERMINED):
        if key in text:
            return text[key]
    return next(iter(text.values()))


VIDEO_FORMATS = frozenset({"MP4", "AVI", "MOV", "MPEG", "MPG", "WEBM", "MKV"})
IMAGE_FORMATS = frozenset({"JPEG", "JPG", "PNG", "TIFF", "TIF", "GIF", "BMP", "WEBP"})


def media_kinds(dataset: Dataset) -> frozenset[str]:
    """Which of `video` and `image` a dataset's formats (names or media types) say it holds."""
    names = {fmt.upper() for fmt in dataset.formats}
    media = {fmt.split("/", 1)[0].lower() for fmt in dataset.formats if "/" in fmt}
    kinds = set()
    if names & VIDEO_FORMATS or "video" in media:
        kinds.add("video")
    if names & IMAGE_FORMATS or "image" in media:
        kinds.add("image")
    return frozenset(kinds)


def is_data_link(url: str, dataset: Dataset) -> bool:
    """Whether a URL is, or lies under, one of the dataset's assets (a readme in its data directory is)."""
    return any(url == a.href or (a.href.endswith("/") and url.startswith(a.href)) for a in dataset.assets)


def may_link(url: str, dataset: Dataset, view: View) -> bool:
    """Whether a format may show this URL: data links only while the public may use the data."""
    return view.shows_data_links or not is_data_link(url, dataset)
