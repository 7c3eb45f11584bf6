"""Split a page's non-body lines into teaser and boilerplate from its link structure.

A *card* is the smallest element around a headline link that repeats: one or more siblings
share its tag and most of its classes and also hold headline links. A headline link points to
another page of the same site (judged by the page URL, its canonical or og:url link, else its
commonest link domain) and its anchor has at least MIN_HEADLINE_WORDS words and is not a menu or
action phrase. Links in menus, headers and footers need MIN_MENU_HEADLINE_WORDS words. The
climb from the link stops once an element holds more than MAX_CARD_HEADLINES headline links,
MAX_CARD_LINKS distinct links or MAX_CARD_WORDS words, because old table layouts would
otherwise let it reach whole page columns. Every line inside a card is teaser. Headline links to
other sites (MIN_OTHER_SITE_HEADLINE_WORDS words or more) form cards the same way, but only their
headline lines are teaser, since blogrolls and partner promos share those cards. Links to shops
(SHOP_DOMAINS) are never headlines: book and product widgets are boilerplate. So are section
headers such as "Related" or "Most read" with the link-heavy lines that follow them, in-article
"Read more: <headline>" lines and next/previous-post lines. Menus (short anchors), comment
widgets, tag lists, polls, shop widgets, form controls and paid recommendation widgets stay
boilerplate.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from urllib.parse import urlsplit

from scrapeseg.corpus.html import Markup, text_content

MIN_HEADLINE_WORDS = 4
MAX_HEADLINE_WORDS = 40
MAX_CARD_HEADLINES = 3
MAX_CARD_WORDS = 100
MAX_CARD_LINKS = 5
MIN_MENU_HEADLINE_WORDS = 7
MIN_OTHER_SITE_HEADLINE_WORDS = 6  # blogroll entries are names of two to five words; other sites' headlines run longer
MIN_CLASS_OVERLAP = 0.5
MAX_HEADER_WORDS = 8
MAX_HEADER_LINK_SHARE = 0.5
MIN_FOLLOW_LINK_SHARE = 0.6
MAX_FOLLOW_LINES = 60

TEASER_HEADER = re.compile(
    r"^(related|more|most|top|latest|recent|recommended|popular|trending|editor'?s?|also|see also|read next|"
    r"what to read|further reading|you (may|might) (also )?like|don'?t miss|elsewhere|around the|"
    r"in other news|read more|more stories|other stories|from the archive|previously)\b"
    r"(?!.*\b(ads?|sponsored|promoted|partners?)\b)",
    re.I,
)
HEADER_KEYWORDS = re.compile(
    r"\b(related|stories|articles|news|posts|read|popular|recommended|like|next|more|latest|headlines|"
    r"viewed|shared|commented|emailed|reading|picks|posts)\b",
    re.I,
)
NOT_HEADER = re.compile(r"\b(tags?|topics?|categories|archives?|about|authors?|ads?|sponsored|partners?)\b", re.I)
# The same headers in the other languages the function-word list covers (German, French, Spanish,
# Portuguese, Italian, Dutch, Swedish, Russian): whole phrases, specific enough to need no keyword.
OTHER_LANGUAGE_HEADER = re.compile(
    r"^(mehr (zum thema|aus|zu|von|artikel|nachrichten)|weitere (artikel|nachrichten|themen|beiträge)|ähnliche (artikel|beiträge|themen)|"
    r"meistgelesen\w*|(die )?beliebteste\w*|empfohlene?( artikel)?|das könnte sie (auch )?interessieren|auch interessant|"
    r"lesen sie (auch|mehr)|neueste (artikel|nachrichten|beiträge)|verwandte (artikel|themen)|"
    r"articles? (similaires|liés|recommandés|connexes)|(à )?lire aussi|à lire|sur le même (sujet|thème)|"
    r"les (articles )?plus (lus|populaires|partagés|commentés)|dans la même rubrique|vous (aimerez|pourriez aimer) aussi|"
    r"voir aussi|plus d'articles|dernières (actualités|nouvelles|infos)|derniers articles|"
    r"(noticias|artículos|notas) relacionad[oa]s|relacionad[oa]s|(también )?te puede interesar|lee también|lea también|"
    r"(lo )?más (leído|leídas|visto|vistas|popular|populares)|últimas noticias|más noticias|recomendad[oa]s|"
    r"leia (também|mais)|(notícias|artigos|matérias) relacionad[oa]s|mais (lidas|lidos|vistas|populares)|veja também|"
    r"você (também )?pode gostar|últimas notícias|mais notícias|"
    r"leggi anche|(articoli|notizie) correlat[ie]|correlati|(ti )?potrebbe (anche )?interessar(ti|e)|(i )?più (letti|lette|popolari)|"
    r"ultime notizie|vedi anche|"
    r"lees (ook|meer)|gerelateerde? (artikelen|berichten|nieuws)|gerelateerd|meest gelezen|meer nieuws|ook interessant|"
    r"läs (också|även|mer)|relaterat|relaterade artiklar|mest lästa|fler nyheter|"
    r"mest (läst|lest|leste|læste)|senaste nytt|siste nytt|mer (från|fra)|les også|læs også|"
    r"читайте также|по теме|похожие (статьи|новости|материалы)|самое (популярное|читаемое|интересное)|"
    r"самые (читаемые|популярные)|популярное|другие новости|последние новости|ещё новости|ещё по теме|"
    r"czytaj (także|też|również)|zobacz (także|też|również)|najczęściej (czytane|komentowane)|najpopularniejsze|"
    r"polecamy|podobne artykuły|więcej (wiadomości|artykułów)|najnowsze (wiadomości|artykuły)|te recomendamos)\b"
    r"(?!.*\b(anzeige|werbung|publicité|sponsorisé|publicidad|patrocinado|publicidade|pubblicità|advertentie|annons|реклама)\b)",
    re.I,
)
# "Read also" in the other languages of OTHER_LANGUAGE_HEADER, for the in-article lines below.
OTHER_LANGUAGE_READ_ALSO = (
    r"lesen sie auch|lesen sie mehr|auch lesen|mehr zum thema|(à )?lire aussi|voir aussi|lee también|lea también|ver también|"
    r"leia também|veja também|leggi anche|vedi anche|lees ook|zie ook|läs också|läs även|читайте также|"
    r"czytaj także|czytaj też|czytaj również|zobacz także|zobacz też|zobacz również"
)
READ_MORE_LINE = re.compile(
    r"^(read more|read also|also read|see also|read next|related|more|read|watch|listen|related story|related article|"
    r"related (stories|articles|posts?|content|reading)|recommended reading|recommended|further reading|main article|"
    + OTHER_LANGUAGE_READ_ALSO + r")"
    r"\s*[:|»>\-–—]\s*\S+(\s+\S+){2,}",
    re.I,
)
# The guidelines' in-article "Read more: <headline>" and "RELATED: …" lines: a stricter READ_MORE_LINE
# (no "More:", "Watch:" or "Recommended:" that may caption the article's own media or advice, no
# "|"-separated tag lists) that holds a headline, not a paragraph.
IN_ARTICLE_TEASER = re.compile(
    r"^(read more|read also|also read|see also|read next|read|related(\s+(story|stories|article|articles|content|reading|posts?))?|"
    r"recommended reading|further reading|" + OTHER_LANGUAGE_READ_ALSO + r")\s*[:»>\-–—]\s*[^|\s]+(\s+[^|\s]+){2,}$",
    re.I,
)
MAX_IN_ARTICLE_TEASER_WORDS = 25
PREV_NEXT_LINE = re.compile(r"^(«|‹|<|previous|prev|next|older|newer)\b.*\S+(\s+\S+){2,}", re.I)
MENU_ANCHOR = re.compile(
    r"^(read more|continue reading|more|comments?|log ?in|sign (in|up)|subscribe|home|share|reply|"
    r"view all|see all|click here|next|previous)\b",
    re.I,
)
EXCLUDED_HREF = re.compile(r"^(#|javascript:|mailto:|tel:)|#comment|/(tags?|category|categories|topics?|author|authors|users?|search)/", re.I)
MENU_CONTAINER = re.compile(r"\bnav|menu|dropdown|breadcrumb|footer|masthead|header", re.I)
# Not state flags that merely mention a widget ("has-comments", "summary-item-has-tags", Drupal's
# "node--promoted" for front-page stories), nor "most commented" story lists, which are teasers.
EXCLUDED_CONTAINER = re.compile(
    r"(?<!has-)(?<!most_)(?<!most-)(?<!most)comment|outbrain|taboola|revcontent|zergnet|sponsor|(?<!node--)promoted|advert|"
    r"\bads?\b|tag-?cloud|(?<!has-)tags|catlinks|navbox|poll|survey|cart|product|\bshop\b|shopping",
    re.I,
)
NEVER_TEASER_TAGS = frozenset({"option", "select", "button"})
MULTI_PART_SUFFIXES = frozenset("co com org net ac gov edu ne or go gob nic mil".split())
SHOP_DOMAINS = frozenset("amazon.com amazon.co.uk amazon.de amazon.fr amazon.ca ebay.com barnesandnoble.com apple.com indiebound.org bookshop.org".split())
# Blogs on these hosts are separate sites, so the host's own name is part of the site.
SHARED_HOSTS = frozenset("blogspot.com wordpress.com typepad.com blogs.com tumblr.com squarespace.com livejournal.com posterous.com".split())


def registered_domain(host: str) -> str:
    """An approximate registered domain (eTLD+1) without the public-suffix list."""
    labels = host.lower().split(":")[0].strip(".").split(".")
    if len(labels) >= 3 and (len(labels[-1]) == 2 and labels[-2] in MULTI_PART_SUFFIXES or ".".join(labels[-2:]) in SHARED_HOSTS):
        return ".".join(labels[-3:])
    return ".".join(labels[-2:])


def _link_domain(href: str) -> str | None:
    """The registered domain of an absolute link, '' for a relative one, None for non-web links."""
    parts = urlsplit(href.strip())
    if parts.scheme and parts.scheme not in ("http", "https"):
        return None
    return registered_domain(parts.netloc) if parts.netloc else ""


def site_domain(tree, url: str | None) -> str | None:
    """The page's own registered domain: its URL, its canonical or og:url link, else its commonest link domain."""
    declared = [link.get("href") for link in tree.iter("link") if (link.get("rel") or "").lower() == "canonical"]
    declared += [meta.get("content") for meta in tree.iter("meta") if meta.get("property") == "og:url"]
    for candidate in (url, *declared):
        host = urlsplit(candidate or "").netloc
        if host:
            return registered_domain(host)
    counts: dict[str, int] = {}
    for a in tree.iter("a"):
        domain = _link_domain(a.get("href") or "")
        if domain:
            counts[domain] = counts.get(domain, 0) + 1
    return max(counts, key=counts.get) if counts else None


def _words(text: str) -> int:
    """Number of whitespace-separated words."""
    return len(text.split())


def _excluded_container(el) -> bool:
    """Whether an element sits in a comment widget, tag list or paid recommendation widget (body's own classes describe the page)."""
    while el is not None and isinstance(el.tag, str) and el.tag not in ("body", "html"):
        attrs = f"{el.get('class', '')} {el.get('id', '')}"
        if attrs.strip() and EXCLUDED_CONTAINER.search(attrs):
            return True
        el = el.getparent()
    return False


def _in_menu(el) -> bool:
    """Whether an element sits in a navigation menu, header or footer."""
    while el is not None and isinstance(el.tag, str):
        if el.tag in ("nav", "header", "footer") or el.get("role") == "navigation":
            return True
        attrs = f"{el.get('class', '')} {el.get('id', '')}"
        if attrs.strip() and MENU_CONTAINER.search(attrs):
            return True
        el = el.getparent()
    return False


def headline_links(tree, site: str | None, other_sites: bool = False) -> list:
    """Links whose anchor text reads like a headline: to other pages of the site, or with other_sites to other sites."""
    found = []
    for a in tree.iter("a"):
        href = a.get("href") or ""
        if not href or EXCLUDED_HREF.search(href):
            continue
        domain = _link_domain(href)
        if domain is None or domain in SHOP_DOMAINS or bool(domain and domain != site) != other_sites:
            continue
        text = " ".join(text_content(a).split())
        words = _words(text)
        fewest = MIN_OTHER_SITE_HEADLINE_WORDS if other_sites else MIN_HEADLINE_WORDS
        if not fewest <= words <= MAX_HEADLINE_WORDS or MENU_ANCHOR.match(text):
            continue
        if words < MIN_MENU_HEADLINE_WORDS and _in_menu(a):
            continue
        found.append(a)
    return [a for a in found if not _excluded_container(a)]


def _shape(el) -> tuple[str, frozenset[str]]:
    """An element's tag and class tokens, ignoring numbered and state classes."""
    classes = frozenset(c for c in (el.get("class") or "").split() if not any(ch.isdigit() for ch in c))
    return el.tag, classes


def _same_shape(a: tuple[str, frozenset[str]], b: tuple[str, frozenset[str]]) -> bool:
    """Whether two shapes have one tag and mostly the same classes."""
    if a[0] != b[0]:
        return False
    if not a[1] and not b[1]:
        return True
    return len(a[1] & b[1]) / len(a[1] | b[1]) >= MIN_CLASS_OVERLAP


def find_cards(links: Sequence) -> set:
    """The card elements around headline links, by the climb in this module's docstring."""
    holds: dict = {}
    for a in links:
        el = a
        while el is not None:
            holds[el] = holds.get(el, 0) + 1
            el = el.getparent()
    word_counts: dict = {}

    def words_in(el) -> int:
        if el not in word_counts:
            word_counts[el] = _words(text_content(el))
        return word_counts[el]

    link_counts: dict = {}

    def links_in(el) -> int:
        if el not in link_counts:
            link_counts[el] = len({a.get("href") for a in el.iter("a")})
        return link_counts[el]

    cards: set = set()
    for a in links:
        el = a
        while True:
            parent = el.getparent()
            if parent is None or el.tag in ("body", "html"):
                break
            if holds.get(el, 0) > MAX_CARD_HEADLINES or words_in(el) > MAX_CARD_WORDS or links_in(el) > MAX_CARD_LINKS:
                break
            shape = _shape(el)
            if any(s is not el and holds.get(s, 0) and isinstance(s.tag, str) and _same_shape(shape, _shape(s)) for s in parent):
                cards.add(el)
                break
            el = parent
    return cards


def _inside(el, marked: set, memo: dict) -> bool:
    """Whether el or one of its ancestors is in marked."""
    path = []
    result = False
    while el is not None:
        if el in memo:
            result = memo[el]
            break
        if el in marked:
            result = True
            break
        path.append(el)
        el = el.getparent()
    for p in path:
        memo[p] = result
    return result


def teaser_lines(
    tree,
    lines: Sequence[str],
    elements: Sequence,
    markup: Sequence[Markup],
    candidates: Sequence[bool],
    url: str | None = None,
) -> list[bool]:
    """For each line, whether it is teaser; only lines flagged in candidates (the non-body ones) can be."""
    site = site_domain(tree, url)
    cards = find_cards(headline_links(tree, site))
    memo: dict = {}
    in_card = [bool(el is not None and _inside(el, cards, memo)) for el in elements]
    # Other sites' cards hold blogrolls' blurbs and partners' promos too, so only their headline lines count.
    other = headline_links(tree, site, other_sites=True)
    other_cards = find_cards(other)
    other_links = set(other)
    other_memo: dict = {}
    for i, el in enumerate(elements):
        if el is not None and not in_card[i] and _inside(el, other_cards, other_memo):
            in_card[i] = any(a in other_links for a in el.iter("a"))  # iter includes el itself
    teaser = [False] * len(lines)
    follow = 0
    for i, text in enumerate(lines):
        if not candidates[i]:
            follow = 0
            continue
        if is_teaser_header(text) and markup[i].link_share < MAX_HEADER_LINK_SHARE:
            teaser[i] = True
            follow = MAX_FOLLOW_LINES
            continue
        if markup[i].tag in NEVER_TEASER_TAGS:
            follow = 0
            continue
        if in_card[i] or READ_MORE_LINE.match(text) or PREV_NEXT_LINE.match(text) and markup[i].link_share > 0:
            teaser[i] = True
            continue
        if (
            follow
            and markup[i].link_share >= MIN_FOLLOW_LINK_SHARE
            and _words(text) >= MIN_HEADLINE_WORDS
            and not _excluded_container(elements[i])
        ):
            teaser[i] = True
            follow -= 1
            continue
        follow = 0
    return teaser


def in_article_teaser(text: str) -> bool:
    """Whether a line is an in-article link to another story: "Read more: <headline>", "RELATED: <headline>"."""
    return _words(text) <= MAX_IN_ARTICLE_TEASER_WORDS and IN_ARTICLE_TEASER.match(text) is not None


def is_teaser_header(text: str) -> bool:
    """Whether a short line is a header over other stories, such as "Related Articles" or "Most read"."""
    if _words(text) > MAX_HEADER_WORDS or NOT_HEADER.search(text):
        return False
    return bool(TEASER_HEADER.match(text) and HEADER_KEYWORDS.search(text)) or bool(OTHER_LANGUAGE_HEADER.match(text))
