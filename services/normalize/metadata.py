"""Page metadata from a parsed HTML tree, each field with its provenance.

Sources, in order of trust: JSON-LD (the article node, ``@graph`` and lists included), then
``<meta>`` (OpenGraph, Twitter, ``name=author``, ``article:*``, Dublin Core, ``itemprop``),
then the markup itself (``<title>``, ``<h1>``, ``<time>``, ``<html lang>``, ``rel=canonical``),
then the URL (dates in the path, the host). Every field keeps where it came from and, for
dates, the raw value in ``provenance``. Dates after ingestion time are rejected.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

from courlan import normalize_url
from lxml.html import HtmlElement

from pressline.record import Provenance
from services.normalize.staff import is_staff_name

# --- JSON-LD ---------------------------------------------------------------------------------

ARTICLE_TYPES = frozenset({
    "article", "newsarticle", "blogposting", "report", "reportagenewsarticle",
    "analysisnewsarticle", "opinionnewsarticle", "reviewnewsarticle", "backgroundnewsarticle",
    "askpublicnewsarticle", "livebloposting", "liveblogposting", "scholarlyarticle",
    "techarticle", "socialmediaposting", "discussionforumposting", "satiricalarticle",
    "advertisercontentarticle", "medicalscholarlyarticle", "review", "posting",
})
PAGE_TYPES = frozenset({"webpage", "itempage", "collectionpage", "aboutpage", "faqpage",
                        "qapage", "medicalwebpage"})
ORG_TYPES = frozenset({"organization", "newsmediaorganization", "corporation",
                       "website", "onlinebusiness", "localbusiness"})

_LD_TRAILING_COMMA = re.compile(r",\s*([}\]])")
_LD_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def _load_json(text: str) -> Any:
    text = text.strip()
    if text.startswith("<!--"):
        text = text[4:]
    if text.endswith("-->"):
        text = text[:-3]
    text = text.strip().removeprefix("//<![CDATA[").removesuffix("//]]>").strip()
    text = text.removeprefix("<![CDATA[").removesuffix("]]>").strip()
    for candidate in (text, _LD_TRAILING_COMMA.sub(r"\1", _LD_CONTROL.sub(" ", text))):
        try:
            return json.loads(candidate, strict=False)
        except ValueError:
            continue
    return None


def _types(node: dict[str, Any]) -> set[str]:
    raw = node.get("@type")
    values = raw if isinstance(raw, list) else [raw]
    out: set[str] = set()
    for v in values:
        if isinstance(v, str):
            out.add(v.rsplit("/", 1)[-1].rsplit(":", 1)[-1].strip().lower())
    return out


def _walk(obj: Any, depth: int = 0) -> Iterator[dict[str, Any]]:
    """Every typed node: top level, ``@graph`` members, list items and nested values."""
    if depth > 8:
        return
    if isinstance(obj, list):
        for item in obj:
            yield from _walk(item, depth + 1)
    elif isinstance(obj, dict):
        if "@type" in obj:
            yield obj
        for key, value in obj.items():
            if key == "@context":
                continue
            if isinstance(value, dict | list):
                yield from _walk(value, depth + 1)


def jsonld_nodes(tree: HtmlElement) -> list[dict[str, Any]]:
    nodes: list[dict[str, Any]] = []
    for script in tree.iter("script"):
        kind = (script.get("type") or "").strip().lower()
        if kind != "application/ld+json" or not script.text:
            continue
        data = _load_json(script.text)
        if data is not None:
            nodes.extend(_walk(data))
    return nodes


def _text(value: Any) -> str | None:
    """A string out of a JSON-LD value: strings, ``{"name"|"@value"|"url": ...}`` and lists."""
    if isinstance(value, str):
        value = _WS.sub(" ", html.unescape(value)).strip()
        return value or None
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    if isinstance(value, dict):
        for key in ("name", "@value", "url", "contentUrl", "@id"):
            if key in value:
                return _text(value[key])
    if isinstance(value, list):
        for item in value:
            found = _text(item)
            if found:
                return found
    return None


# --- helpers ---------------------------------------------------------------------------------

_WS = re.compile(r"\s+")


def _clean(value: str | None) -> str | None:
    if value is None:
        return None
    value = _WS.sub(" ", html.unescape(value) if "&" in value else value).strip()
    return value or None


def _meta_index(tree: HtmlElement) -> dict[str, list[str]]:
    """``<meta>`` contents keyed by lowercased property / name / itemprop / http-equiv."""
    index: dict[str, list[str]] = {}
    for meta in tree.iter("meta"):
        content = meta.get("content")
        if content is None:
            content = meta.get("datetime")
        content = _clean(content)
        if not content:
            continue
        for attr in ("property", "name", "itemprop", "http-equiv"):
            key = meta.get(attr)
            if key:
                for k in key.lower().split():
                    index.setdefault(k.strip(), []).append(content)
    return index


def _first(index: dict[str, list[str]], keys: Iterable[str]) -> tuple[str, str] | None:
    for key in keys:
        for value in index.get(key, []):
            if value:
                return key, value
    return None


def _absolute(base: str | None, value: str | None) -> str | None:
    value = _clean(value)
    if not value or value.startswith(("data:", "javascript:")):
        return None
    if base:
        try:
            value = urljoin(base, value)
        except ValueError:
            return None
    return value if value.startswith(("http://", "https://")) else None


# --- URLs ------------------------------------------------------------------------------------

_TRACKING = re.compile(
    r"^(?:utm_\w*|fbclid|gclid|gclsrc|dclid|msclkid|yclid|twclid|igshid|mc_cid|mc_eid|_ga|_gl|"
    r"_hsenc|_hsmi|mkt_tok|oly_anon_id|oly_enc_id|vero_id|wickedid|rb_clickid|s_cid|cmpid|"
    r"icid|ncid|ocid|sr_share|spm|ref_src|ref_url|share|smid|at_medium|at_campaign|"
    r"at_custom\d*|xtor|ito|cid)$",
    re.IGNORECASE,
)


def canonicalize_url(url: str) -> str | None:
    """Scheme and host lowercased, default port, fragment and tracking parameters removed."""
    url = url.strip()
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        return None
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True)
             if not _TRACKING.match(k)]
    url = urlunsplit((parts.scheme, parts.netloc, parts.path, urlencode(query), ""))
    try:
        normalized = normalize_url(url)
    except (ValueError, AttributeError):
        normalized = url
    parts = urlsplit(normalized)
    return urlunsplit((parts.scheme.lower(), parts.netloc.lower(), parts.path or "/",
                       parts.query, ""))


def domain_of(url: str | None) -> str | None:
    if not url:
        return None
    try:
        host = (urlsplit(url).hostname or "").lower()
    except ValueError:
        return None
    return host.removeprefix("www.") or None


# --- dates -----------------------------------------------------------------------------------

FUTURE_SKEW = timedelta(minutes=10)
_NAIVE_SKEW = timedelta(hours=14)  # a date without an offset may be local time anywhere
_EARLIEST = datetime(1990, 1, 1)
_URL_DATE = re.compile(
    r"(?<![0-9])((?:19|20)\d{2})[/_.-]?(0[1-9]|1[0-2])[/_.-]?(0[1-9]|[12]\d|3[01])(?![0-9])"
)
_URL_DATE_SEP = re.compile(
    r"/((?:19|20)\d{2})/(0?[1-9]|1[0-2])/(0?[1-9]|[12]\d|3[01])(?:/|$)"
)
_ISO_BASIC_OFFSET = re.compile(r"([+-]\d{2})(\d{2})$")
_DMY = re.compile(r"^(\d{1,2})\.(\d{1,2})\.((?:19|20)\d{2})(?:[ ,T]+(\d{1,2}):(\d{2}))?$")


def parse_date(raw: str | None) -> datetime | None:
    """An aware datetime when the value carries an offset, else a naive one; None if unparsable."""
    value = _clean(raw)
    if not value:
        return None
    if value.isdigit() and len(value) in (10, 13):  # unix epoch seconds or milliseconds
        try:
            return datetime.fromtimestamp(int(value[:10]), UTC)
        except (OverflowError, OSError, ValueError):
            return None
    iso = value.replace(" ", "T", 1) if re.match(r"^\d{4}-\d{2}-\d{2} \d", value) else value
    if iso.endswith(("Z", "z")):
        iso = iso[:-1] + "+00:00"
    iso = _ISO_BASIC_OFFSET.sub(r"\1:\2", iso) if "T" in iso else iso
    try:
        return datetime.fromisoformat(iso)
    except ValueError:
        pass
    m = _DMY.match(value)
    if m:
        day, month, year, hour, minute = m.groups()
        try:
            return datetime(int(year), int(month), int(day), int(hour or 0), int(minute or 0))
        except ValueError:
            return None
    try:
        return parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        pass
    try:
        from dateutil import parser as dateparser

        parsed: datetime = dateparser.parse(value, fuzzy=False)
        return parsed
    except (ValueError, OverflowError, TypeError):
        return None


def plausible(value: datetime, now: datetime) -> bool:
    """Not after ingestion time (plus a small skew) and not before the web's news era."""
    if value.tzinfo is None:
        naive_now = now.astimezone(UTC).replace(tzinfo=None)
        return _EARLIEST <= value <= naive_now + _NAIVE_SKEW + FUTURE_SKEW
    return _EARLIEST.replace(tzinfo=UTC) <= value <= now + FUTURE_SKEW


def date_from_url(url: str | None) -> tuple[datetime, str] | None:
    if not url:
        return None
    try:
        path = urlsplit(url).path
    except ValueError:
        return None
    for pattern in (_URL_DATE_SEP, _URL_DATE):
        m = pattern.search(path)
        if m:
            try:
                return datetime(int(m.group(1)), int(m.group(2)), int(m.group(3))), m.group(0)
            except ValueError:
                continue
    return None


# --- authors ---------------------------------------------------------------------------------

_BY = re.compile(
    r"^(?:(?:written|posted|reported|published|text|story|words|photos?)\s+)?"
    r"(?:by|von|par|por|di|da|door|af|av|przez|autor(?:in)?|author|redaktion)\s*[:\-]?\s+",
    re.IGNORECASE,
)
_EMAIL = re.compile(r"\S+@\S+\.\w+|(?<!\w)@\w+")
_DOMAINISH = re.compile(r"^[\w-]+(?:\.[\w-]+)*\.[a-z]{2,}$", re.IGNORECASE)
_URLISH = re.compile(r"https?://\S+|www\.\S+")
# connectors are lowercase words, so an initial ("John E. Smith") is never a separator; the
# separator is kept (capturing group) to tell "Jane Doe, London" from "Jane Doe, John Smith"
_SPLIT = re.compile(
    r"(\s*,?\s+(?:and|And|AND|und|et|y|e|i|oraz)\s+|\s*(?:;|\||/|,|&)\s*)")
# "Jane Doe for The Mail on Sunday": the outlet after a person's name goes
_FOR_OUTLET = re.compile(r"\s+(?:for|For|FOR|für|para|pour)\s+\S.*$")
_PERSON = re.compile(r"^(?:[^\W\d_][\w'’.-]*\s+){1,3}[^\W\d_][\w'’.-]*$")
_SUFFIX = re.compile(r"\b(?:Jr|Sr)$")
# Nouns an organisation's name puts before "for" ("National Center for Health Statistics").
_BODY_NOUNS = frozenset({
    "center", "centre", "centers", "institute", "institution", "society", "association",
    "alliance", "coalition", "committee", "council", "foundation", "office", "department",
    "ministry", "agency", "campaign", "partnership", "fund", "commission", "network",
    "bureau", "service", "union", "league", "board", "forum", "trust", "project",
    "zentrum", "institut", "bundesamt", "ministerium", "verband", "stiftung", "amt",
    "centro", "instituto", "ministerio", "fundación", "comité", "conseil", "ministère",
})
_GENERATION = re.compile(r"^(?:Jr|Sr|II|III|IV)\.?$")


def _name(part: str) -> str:
    """One byline part as a bare name: no "By", no outlet after "for", no stray punctuation
    (but "Jr." keeps its period). "Center for ...", "Institut für ..." are one name."""
    name = _BY.sub("", _WS.sub(" ", part).strip(" -–—:·•|.,"))
    head = _FOR_OUTLET.sub("", name)
    if (head != name and _PERSON.match(head) and all(w[0].isupper() for w in head.split())
            and head.split()[-1].casefold() not in _BODY_NOUNS):
        name = head
    return name + "." if _SUFFIX.search(name) and part.rstrip().endswith(".") else name


def clean_authors(values: Iterable[str], *, site: str | None = None,
                  domain: str | None = None) -> list[str]:
    """Names only: no "By", no emails or URLs, no site names, places or user handles;
    "A, B and C" split; deduplicated, and a name that only repeats another with junk
    around it ("SHOW ALL ARTICLES OFHeiko Sauer") dropped."""
    banned = {s.casefold() for s in (site, domain) if s}
    if domain:
        banned.add(domain.split(".")[0].casefold())
    out: list[str] = []
    seen: set[str] = set()
    for value in values:
        value = _clean(value) or ""
        value = _URLISH.sub(" ", _EMAIL.sub(" ", value))
        value = re.sub(r"[()\[\]<>\"“”„«»]", " ", value)
        value = _BY.sub("", value.strip(" -–—:·•|"))
        pieces = _SPLIT.split(value)
        parts, seps = pieces[::2], ["", *pieces[1::2]]
        if (len(parts) == 2 and "," in value and all(len(p.split()) == 1 for p in parts)):
            parts, seps = [value], [""]  # "Smith, John" is one name, not two
        before = 0  # words of the previous part
        for part, sep in zip(parts, seps, strict=True):
            if _GENERATION.match(part.strip()) and "," in sep and out and before >= 2:
                out[-1] = f"{out[-1]} {part.strip()}"  # "John Smith, Jr."
                seen.add(out[-1].casefold())
                continue
            name = _name(part)
            key = name.casefold()
            words = key.split()
            after_name, before = before >= 2, len(words)
            if not name or key in seen or key in banned or is_staff_name(key):
                continue
            if len(name) < 3 or len(words) > 5 or any(ch.isdigit() for ch in name):
                continue
            if _DOMAINISH.match(name):
                continue  # "facebook.com": a site, not a person
            if not any(ch.isalpha() for ch in name):
                continue
            if len(words) == 1 and (name.isupper() or name.islower()):
                continue  # "DPA", "STAFF": an acronym; "jdoe", "site-admin": a user handle
            if len(words) == 1 and "," in sep and after_name:
                continue  # "Jane Doe, London": the place the byline was filed from
            seen.add(key)
            out.append(name)
    return [n for n in out if not any(o != n and _repeats(o, n) for o in out)]


def _repeats(name: str, longer: str) -> bool:
    """``longer`` is ``name`` after words in capitals, glued on or not ("SHOW ALL ARTICLES
    OFHeiko Sauer"): a widget's label, not another person ("Mary Ann Lee", "DeShawn Lee")."""
    if not longer.casefold().endswith(name.casefold()):
        return False
    before = longer[: len(longer) - len(name)]
    letters = [c for c in before if c.isalpha()]
    return len(letters) >= 2 and all(c.isupper() for c in letters)


# --- the result ------------------------------------------------------------------------------


@dataclass
class PageMeta:
    canonical_url: str | None = None
    site: str | None = None
    domain: str | None = None
    title: str | None = None
    authors: list[str] = field(default_factory=list)
    published_at: datetime | None = None
    modified_at: datetime | None = None
    language: str | None = None
    description: str | None = None
    image: str | None = None
    tags: list[str] = field(default_factory=list)
    paywalled: bool = False
    word_count: int | None = None
    article_body: str | None = None  # JSON-LD articleBody, raw: the text the page declares
    provenance: dict[str, Provenance] = field(default_factory=dict)

    def set(self, name: str, value: Any, source: str, raw: str | None = None) -> None:
        setattr(self, name, value)
        self.provenance[name] = Provenance(source=source, raw=raw)


def _is_false(value: Any) -> bool:
    if isinstance(value, bool):
        return value is False
    if isinstance(value, str):
        return value.strip().lower() in ("false", "no", "0", "https://schema.org/false",
                                         "http://schema.org/false")
    return False


def _free_false(node: dict[str, Any]) -> bool:
    if _is_false(node.get("isAccessibleForFree")):
        return True
    parts = node.get("hasPart")
    for part in parts if isinstance(parts, list) else [parts]:
        if isinstance(part, dict) and _is_false(part.get("isAccessibleForFree")):
            return True
    return False


def _pick_article(nodes: list[dict[str, Any]], url: str | None) -> dict[str, Any] | None:
    articles = [n for n in nodes if _types(n) & ARTICLE_TYPES]
    if not articles:
        return None
    if len(articles) > 1 and url:
        target = canonicalize_url(url)
        for node in articles:
            for key in ("url", "mainEntityOfPage", "@id"):
                ref = _text(node.get(key))
                if ref and target and canonicalize_url(ref.split("#")[0]) == target:
                    return node
    # the richest one: a headline and a body or a date
    return max(articles, key=lambda n: (bool(n.get("headline")), bool(n.get("datePublished")),
                                        len(str(n.get("articleBody", "")))))


def _resolve(value: Any, by_id: dict[str, dict[str, Any]]) -> Any:
    if isinstance(value, dict) and "@id" in value and len(value) <= 2 and "name" not in value:
        return by_id.get(str(value["@id"]), value)
    if isinstance(value, list):
        return [_resolve(v, by_id) for v in value]
    return value


def _ld_authors(value: Any, by_id: dict[str, dict[str, Any]]) -> list[str]:
    value = _resolve(value, by_id)
    items = value if isinstance(value, list) else [value]
    names: list[str] = []
    for item in items:
        item = _resolve(item, by_id)
        if isinstance(item, str):
            names.append(item)
        elif isinstance(item, dict):
            if _types(item) & ORG_TYPES:
                continue
            name = _text(item.get("name"))
            if not name and (item.get("givenName") or item.get("familyName")):
                name = " ".join(filter(None, (_text(item.get("givenName")),
                                              _text(item.get("familyName")))))
            if name:
                names.append(name)
    return names


TITLE_SEP = re.compile(r"\s+[|–—·:»\-]\s+")  # "Headline | Site", "Site – Headline"


def _strip_site_suffix(title: str, site: str | None, domain: str | None) -> str:
    parts = TITLE_SEP.split(title)
    if len(parts) < 2:
        return title
    names = {s.casefold() for s in (site, domain) if s}
    if domain:
        names.add(domain.split(".")[0].casefold())
    last, first = parts[-1].strip().casefold(), parts[0].strip().casefold()
    if last in names or any(n in last.replace(" ", "") for n in names if len(n) > 3):
        return TITLE_SEP.split(title, maxsplit=len(parts) - 2)[0] if len(parts) > 2 else \
            parts[0].strip()
    if first in names:
        return title[len(parts[0]):].lstrip(" |–—·:»-")
    return title


def _lang_code(value: str | None) -> str | None:
    if not value:
        return None
    code = value.strip().lower().replace("_", "-").split("-")[0]
    return code if len(code) == 2 and code.isalpha() else None


def _split_tags(value: Any) -> list[str]:
    if isinstance(value, list):
        out: list[str] = []
        for v in value:
            out.extend(_split_tags(v))
        return out
    text = _text(value)
    if not text:
        return []
    return [t.strip() for t in re.split(r"[,;]", text) if t.strip()]


def _published_markup(el: HtmlElement) -> bool:
    """``//time[@itemprop="datePublished" or @pubdate] | //*[@itemprop="datePublished"]``."""
    return el.get("itemprop") == "datePublished" or (el.tag == "time"
                                                     and el.get("pubdate") is not None)


def _modified_markup(el: HtmlElement) -> bool:
    """``//*[@itemprop="dateModified"]``."""
    return el.get("itemprop") == "dateModified"


def extract_metadata(tree: HtmlElement, url: str | None = None,
                     *, now: datetime | None = None) -> PageMeta:
    """Every metadata field the page offers, with provenance; the tree is not modified."""
    now = now or datetime.now(UTC)
    meta = PageMeta()
    nodes = jsonld_nodes(tree)
    by_id = {str(n["@id"]): n for n in nodes if isinstance(n.get("@id"), str)}
    art = _pick_article(nodes, url) or {}
    pages = [n for n in nodes if _types(n) & PAGE_TYPES]
    page_node = pages[0] if pages else {}
    index = _meta_index(tree)

    # canonical URL and domain
    canonical: tuple[str, str] | None = None
    for link in tree.iter("link"):
        rel = (link.get("rel") or "").lower().split()
        if "canonical" in rel and link.get("href"):
            canonical = (link.get("href") or "", "html")
            break
    if canonical is None:
        found = _first(index, ["og:url", "twitter:url"])
        if found:
            canonical = (found[1], "meta")
    if canonical is None:
        ref = _text(art.get("url")) or _text(art.get("mainEntityOfPage"))
        if ref:
            canonical = (ref, "json-ld")
    chosen: str | None = None
    if canonical:
        absolute = _absolute(url, canonical[0])
        normalized = canonicalize_url(absolute) if absolute else None
        page_path = urlsplit(url).path.strip("/") if url else ""
        if normalized and not (urlsplit(normalized).path.strip("/") == "" and page_path):
            chosen = normalized
            meta.set("canonical_url", normalized, canonical[1], canonical[0])
    if chosen is None and url:
        normalized = canonicalize_url(url)
        if normalized:
            meta.set("canonical_url", normalized, "request", url)
    domain = domain_of(url) or domain_of(meta.canonical_url)
    if domain:
        meta.set("domain", domain, "url" if url else "html", domain)

    # site name
    publisher = _resolve(art.get("publisher"), by_id)
    websites = [n for n in nodes if "website" in _types(n)]
    site_ld = _text(publisher) if not isinstance(publisher, str) or publisher else None
    if not site_ld and websites:
        site_ld = _text(websites[0].get("name"))
    if site_ld and not site_ld.startswith("http"):
        meta.set("site", site_ld, "json-ld", site_ld)
    else:
        found = _first(index, ["og:site_name", "application-name", "twitter:app:name:iphone"])
        if found:
            meta.set("site", found[1], "meta", found[1])
        elif domain:
            meta.set("site", domain, "url", domain)

    # title
    title_ld = _text(art.get("headline")) or _text(art.get("name"))
    if title_ld:
        meta.set("title", title_ld, "json-ld", title_ld)
    else:
        found = _first(index, ["og:title", "twitter:title", "dc.title", "headline"])
        if found:
            meta.set("title", _strip_site_suffix(found[1], meta.site, domain), "meta", found[1])
        else:
            h1s = [_clean(h.text_content()) for h in tree.iter("h1")]
            h1s = [h for h in h1s if h]
            title_el = tree.find(".//title")
            raw = _clean(title_el.text_content()) if title_el is not None else None
            if len(h1s) == 1:
                meta.set("title", h1s[0], "html", h1s[0])
            elif raw:
                meta.set("title", _strip_site_suffix(raw, meta.site, domain), "html", raw)

    # authors
    raw_authors: list[str] = []
    source = ""
    if art.get("author") or art.get("creator"):
        raw_authors, source = _ld_authors(art.get("author") or art.get("creator"), by_id), "json-ld"
    if not raw_authors:
        for key in ("author", "article:author", "dc.creator", "dcterms.creator",
                    "sailthru.author", "parsely-author", "byl", "twitter:creator:name"):
            values = [v for v in index.get(key, []) if not v.startswith(("http", "@"))]
            if values:
                raw_authors, source = values, "meta"
                break
    # One walk of the tree (in C) finds every element the markup fallbacks below look at:
    # microdata (itemprop), <time pubdate> and rel=author; document order is kept.
    marked = tree.xpath("//*[@itemprop or @pubdate or @rel]")
    if not raw_authors:
        for el in marked:
            if el.get("itemprop") == "author" or "author" in (el.get("rel") or "").split():
                inner = el.find('.//*[@itemprop="name"]')
                text = _clean((inner if inner is not None else el).text_content())
                if text and len(text) < 80:
                    raw_authors.append(text)
        source = "html"
    authors = clean_authors(raw_authors, site=meta.site, domain=domain)
    if authors:
        meta.set("authors", authors, source, "; ".join(raw_authors)[:500])

    # dates
    def pick_date(name: str, ld_keys: tuple[str, ...], meta_keys: tuple[str, ...],
                  html_match: Callable[[HtmlElement], bool] | None) -> None:
        candidates: list[tuple[str, str]] = []
        for node in (art, page_node):
            for key in ld_keys:
                value = _text(node.get(key))
                if value:
                    candidates.append(("json-ld", value))
        for key in meta_keys:
            for value in index.get(key, []):
                candidates.append(("meta", value))
        if html_match:
            for el in filter(html_match, marked):
                value = el.get("datetime") or el.get("content") or el.text_content()
                if value:
                    candidates.append(("html", value))
        for src, raw in candidates:
            parsed = parse_date(raw)
            if parsed is not None and plausible(parsed, now):
                meta.set(name, parsed, src, raw)
                return
            if parsed is not None:
                meta.provenance[f"{name}_rejected"] = Provenance(source=src, raw=raw)

    pick_date("published_at", ("datePublished", "dateCreated", "uploadDate"),
              ("article:published_time", "og:article:published_time", "published_time",
               "datepublished", "pubdate", "publishdate", "publish-date", "date",
               "dc.date.issued", "dcterms.issued", "dc.date", "dcterms.date", "dcterms.created",
               "sailthru.date", "parsely-pub-date", "article.published", "og:published_time",
               "datecreated",
               # CMS conventions: Advance Local's newspapers, cXense-tagged sites
               "article_date_original", "cxenseparse:recs:publishtime"),
              _published_markup)
    pick_date("modified_at", ("dateModified",),
              ("article:modified_time", "og:updated_time", "og:article:modified_time",
               "modified_time", "datemodified", "last-modified", "dcterms.modified",
               "article.updated", "lastmod", "article_date_updated"),
              _modified_markup)
    if meta.published_at is None:
        found_url = date_from_url(url) or date_from_url(meta.canonical_url)
        if found_url and plausible(found_url[0], now):
            meta.set("published_at", found_url[0], "url", found_url[1])
    if meta.published_at is None:
        # the first <time datetime> in the page, when it is the only one
        times = tree.xpath("//time[@datetime]")
        if len(times) == 1:
            raw = times[0].get("datetime")
            parsed = parse_date(raw)
            if parsed is not None and plausible(parsed, now):
                meta.set("published_at", parsed, "html", raw)

    # language
    lang_ld = _lang_code(_text(art.get("inLanguage")))
    root = tree.getroottree().getroot()
    lang_attr = root.get("lang") or root.get("{http://www.w3.org/XML/1998/namespace}lang")
    found_lang = _first(index, ["content-language", "og:locale", "language", "dc.language"])
    if _lang_code(lang_attr):
        meta.set("language", _lang_code(lang_attr), "html", lang_attr)
    elif lang_ld:
        meta.set("language", lang_ld, "json-ld", _text(art.get("inLanguage")))
    elif found_lang and _lang_code(found_lang[1]):
        meta.set("language", _lang_code(found_lang[1]), "meta", found_lang[1])

    # description
    desc_ld = _text(art.get("description"))
    if desc_ld:
        meta.set("description", desc_ld, "json-ld", desc_ld)
    else:
        found = _first(index, ["og:description", "description", "twitter:description",
                               "dc.description"])
        if found:
            meta.set("description", found[1], "meta", found[1])

    # image
    image_ld = _text(_resolve(art.get("image"), by_id)) or _text(art.get("thumbnailUrl"))
    image_abs = _absolute(url, image_ld)
    if image_abs:
        meta.set("image", image_abs, "json-ld", image_ld)
    else:
        found = _first(index, ["og:image", "og:image:url", "og:image:secure_url",
                               "twitter:image", "twitter:image:src", "thumbnail", "image"])
        image_abs = _absolute(url, found[1]) if found else None
        if found and image_abs:
            meta.set("image", image_abs, "meta", found[1])
        else:
            for link in tree.iter("link"):
                if "image_src" in (link.get("rel") or "").lower().split():
                    image_abs = _absolute(url, link.get("href"))
                    if image_abs:
                        meta.set("image", image_abs, "html", link.get("href"))
                        break

    # tags
    tags: list[str] = []
    tag_source = ""
    for value in (art.get("keywords"), art.get("articleSection")):
        tags = _split_tags(value)
        if tags:
            tag_source = "json-ld"
            break
    if not tags:
        for key in ("article:tag", "news_keywords", "keywords", "parsely-tags", "sailthru.tags"):
            values = index.get(key, [])
            if values:
                tags = [t for v in values for t in _split_tags(v)]
                tag_source = "meta"
                break
    deduped: list[str] = []
    seen: set[str] = set()
    for tag in tags:
        if tag.casefold() not in seen and len(tag) <= 80:
            seen.add(tag.casefold())
            deduped.append(tag)
    if deduped:
        meta.set("tags", deduped[:30], tag_source, ", ".join(deduped)[:500])

    # paywall, as the page declares it
    if any(_free_false(n) for n in ([art] if art else []) + pages):
        meta.set("paywalled", True, "json-ld", "isAccessibleForFree=false")
    count = art.get("wordCount")
    if isinstance(count, int | str) and str(count).isdigit():
        meta.word_count = int(count)
    body = art.get("articleBody")
    if isinstance(body, str) and body.strip():
        meta.article_body = body
    return meta
