"""Prediction with a fitted segment classifier, in numpy and compiled loops, and loading one without scikit-learn.

:class:`LinePredictor` holds the predict code of :class:`~scrapeseg.train.model.SegmentClassifier`
(which inherits it). :func:`load_predictor` unpickles a saved classifier's fitted state into a
:class:`SavedPredictor` instead, with stand-ins for the scikit-learn objects inside it: importing
scikit-learn (and the pandas and scipy.stats it pulls in) costs more than the rest of start-up.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from itertools import chain
from pathlib import Path
from typing import NamedTuple

import numpy as np
from threadpoolctl import threadpool_limits

from scrapeseg.corpus.gold import copy_run
from scrapeseg.corpus.prelabel import (
    BYLINE_OR_TIME, BYLINE_WINDOW, DATE_OR_BYLINE, MAX_HEADLINE_WORDS, MIN_HEADLINE_WORDS, headline_shaped,
)
from scrapeseg.corpus.teaser import OTHER_LANGUAGE_READ_ALSO, PREV_NEXT_LINE, in_article_teaser
from scrapeseg.labels import Label
from scrapeseg.train import features as F
from scrapeseg.train.markup import MARKUP_WIDTH


def log_count_below(count: int) -> float:
    """The log1p threshold that a log-scaled count column stays under for counts up to count."""
    # The columns are float32: comparing halfway to the next count keeps rounding out of it.
    return float(np.log1p(count + 0.5))


DENSE_CLIP = 6.0
EMISSION_FLOOR = 1e-12  # keeps a line the stacker rules out entirely from zeroing its document's chain
NO_EVIDENCE = 1.0  # the emission of a gap line in the chain pass, the same for every label
RESCALE_EVERY = 16  # forward-backward steps between rescalings of the messages
# Documents featurised and stacked together in predict: at 64 (about 12k lines) the arrays stay
# in cache and under malloc's mmap threshold, 5-10% faster than 256 in the benchmark.
PREDICT_CHUNK_DOCS = 64
SKLEARN_MODULE = "sklearn"
PREV_SAME_COLUMN = F.DENSE_NAMES.index("prev_same")
STRONG_PROMO_COLUMN = F.DENSE_NAMES.index("strong_promo")
LOG_WORDS_COLUMN = F.DENSE_NAMES.index("log_words")
LOG_CHARS_COLUMN = F.DENSE_NAMES.index("log_chars")
# The rule passes after the chain pass, in the order they run; SegmentClassifier.context_passes picks among them.
# "site" runs only when the batch names each page's site (sites=).
(LONG_PASS, READ_MORE_PASS, PROMO_PASS, PAID_PASS, TAGS_PASS, KICKER_PASS, HEADLINE_PASS, HEAD_PASS, STICKY_PASS,
 HEADER_PASS, COMMENTS_PASS, BIO_PASS, TAIL_PASS, LONE_PASS, RELATED_PASS, SITE_PASS) = CONTEXT_PASSES = (
    "long", "readmore", "promo", "paid", "tags", "kicker", "headline", "head", "sticky", "header", "comments", "bio",
    "tail", "lone", "related", "site",
)
# Menus, breadcrumbs and "Home | News" bars are cut by these; a headline rarely is.
MENU_SEPARATORS = re.compile(r"[|»•>/]")
READ_MORE_COLUMN = F.DENSE_NAMES.index("read_more_line")
DATE_BYLINE_COLUMN = F.DENSE_NAMES.index("date_byline")
AT_COLUMN = F.DENSE_NAMES.index(f"mark_{F.MARKS['@']}")
MAX_CONTACT_WORDS = 24  # "Write to A at a@example.com and B at b@example.com"
CONTACT_LOG_WORDS = log_count_below(MAX_CONTACT_WORDS)
CONTACT_CUE_COLUMNS = [F.DENSE_NAMES.index("cue_byline"), F.DENSE_NAMES.index("cue_share")]
# The guidelines' "Reach the reporter at …" lines: contact lines for the article's author.
CONTACT_LINE = re.compile(
    r"^(reach|contact|email|e-mail|write to)\s+((the\s+)?(reporter|writer|author|editor|columnist|correspondent)s?\b|"
    r"[A-Z][\w.'-]+(\s+[A-Z][\w.'-]+){0,2}\s+at\s+\S+@)|"
    r"^(have|got)\s+an?\s+(news\s+|story\s+)?(tip|story idea)\b|"
    r"^¿?(har du (ett |et )?(nyhets)?tips|haben sie (einen )?(hinweis|tipp)|hast du (einen )?tipp|tienes (una )?(pista|noticia)|"
    r"vous avez une info|avez-vous une info|hai una (segnalazione|notizia)|heb je (een )?(nieuws)?tip|tem (uma )?(sugestão|denúncia))\b",
    re.I,
)
AD_CUE_COLUMN = F.DENSE_NAMES.index("cue_ads")
# The guidelines' ads: "Advertisement" markers inside the article, "Sponsored by: …" lines, paid widgets' headers.
AD_MARKER = re.compile(
    r"^[-–—\s]*(?:(?:advertisement|advertising|sponsored|promoted|paid content|paid post|partner content)"
    r"(?:\s+(?:stories|content|links|posts|articles))?(?:\s*(?:by\b|[:|·•\-–—])\s*.{0,60})?|ads?(?:\s*[|·•]\s*.{1,60})?|\(ad\))\s*[-–—:.]?\s*$"
    r"|^.{1,60}?\s*[|·•\-–—]\s*(?:sponsored|promoted|ad)$",
    re.I,
)
# A marker that the article goes on below an ad: "Story continues below advertisement", "Advertisement - Page continues
# below", "Continua após a publicidade", "La suite après cette publicité", "Weiter nach der Anzeige".
CONTINUES_MARKER = re.compile(
    r"^[-–—\s]*(?:advertisements?\s*[-–—:|]*\s*)?(?:(?:the\s+)?(?:story|article|page|report|text)\s+)?continues\s+(?:below|after)"
    r"(?:\s+(?:this|the|an))?(?:\s+(?:advertisements?|ads?))?\W*$|"
    r"^[-–—\s]*(?:continua\s+(?:após|depois\s+d)[oa]?\s+(?:a\s+)?publicidade|contin[uú]a\s+(?:después\s+de|tras)\s+(?:la\s+)?publicidad|"
    r"la\s+suite\s+(?:après|sous)\s+(?:cette|la)\s+publicité|weiter\s+nach\s+der\s+(?:anzeige|werbung)|"
    r"(?:l'articolo\s+)?continua\s+dopo\s+la\s+pubblicità)\W*$",
    re.I,
)
MAX_CONTINUES_WORDS = 6  # "Advertisement - Page continues below"
CONTINUES_LOG_WORDS = log_count_below(MAX_CONTINUES_WORDS)
# The header of a paid recommendation widget ("Promoted Stories", "Sponsored links", "Paid content").
OTHER_SPONSORED_HEADER = (
    r"contenuti sponsorizzati|contenido patrocinado|contenu sponsorisé|conteúdo patrocinado|gesponserte inhalte|"
    r"gesponsorde inhoud|sponsrat innehåll|sponset innhold|treści sponsorowane"
)
PAID_WIDGET_HEADER = re.compile(
    r"^[-–—\s]*(?:(?:sponsored|promoted)\s+(?:stories|content|links|posts|articles)|paid content|partner content|"
    + OTHER_SPONSORED_HEADER + r")(?:\s+(?:by|from|von|di|de|par|door|av|od)\s+\S+(?:\s+\S+)?)?\s*[-–—:.]?\s*$",
    re.I,
)
# A sponsored widget's header and card markers in the other languages of the function-word list ("Contenuti
# sponsorizzati", "Assicura Oggi | Sponsorizzato"), which join AD_MARKER's for the paid widget pass.
OTHER_AD_MARKER = re.compile(
    r"^[-–—\s]*(?:" + OTHER_SPONSORED_HEADER + r")\s*[-–—:.]?\s*$|"
    r"^.{1,60}?\s*[|·•\-–—]\s*(?:sponsorizzat[oa]|gesponsert|sponsorisée?|patrocinad[oa]|gesponsord|sponsrad|sponset|sponsorowane|"
    r"pubblicità|publicidad|publicité|publicidade|anzeige|werbung|annonse|annons|reklame|reklama|реклама)$",
    re.I,
)
MAX_PAID_WIDGET_LINES = 12  # a widget's cards run from its header to its last ad marker within this many lines
# Ad markers, share and subscribe buttons in the other languages of the function-word list, as whole
# short lines, English "Share this post", and a table of contents' header in each language (the
# guidelines' navigation). The cue-word features stay English (translating them cost teaser F1 on
# the benchmarks, README), so these are matched after the stacked pass, like AD_MARKER.
CHROME_LINE = re.compile(
    r"^[-–—\s]*(?:"
    r"publicidad|publicité|pubblicità|anzeige|werbung|publicidade|advertentie|reclame|annons|annonse|reklame|annonce|inzerce|"
    r"mainos|hirdetés|reklama|reklam|реклама|"
    r"(?:contenido|contenu|contenuto|conteúdo|inhalt)\s+(?:patrocinado|sponsorisé|sponsorizzato|gesponsert)|"
    r"patrocinado|sponsorisé|sponsorizzato|gesponsert|"
    r"(?:(?:artikel|beitrag)\s+teilen|dela\s+artikeln|del\s+artikkelen|compartir|condividi|teilen|partager|compartilhar|partilhar|"
    r"delen|dela|udostępnij|поделиться)(?:\s+(?:en|su|auf|sur|no|na|op|på|в)\s+\S+)?|"
    r"copy\s+link|skopiuj\s+link|kopiera\s+länk(?:en)?|kopier\s+lenke(?:n)?|link\s+kopieren|copiar\s+(?:el\s+)?enlace|copier\s+le\s+lien|copia\s+link|"
    r"suscríbete|suscribirse|iscriviti|abbonati|abonnez-vous|(?:jetzt\s+)?abonnieren|assine(?:\s+já)?|abonneer|"
    r"prenumerera|subskrybuj|подписаться|share (?:this|the) (?:post|article|story|page)|"
    # an audio player's button: "Listen to this article", "Artikel anhören" (a reading time, "9 min read", is not
    # here: the labels make it body beside a byline and teaser on a card)
    r"(?:listen\s+to|escuchar?|écouter|ascolta|ouvir|ouça|posłuchaj)\s+(?:(?:this|the|el|la|este|esta|l'|cet|questo|a|o)\s*)?"
    r"(?:article|story|artículo|noticia|nota|articolo|notícia|artigo|artykułu)|artikel\s+(?:vor)?(?:anhören|lesen\s+lassen)|"
    r"(?:table of )?contents|jump to|inhaltsverzeichnis|sommaire|table des matières|tabla de contenidos?|"
    r"índice de contenidos?|indice dei contenuti|inhoudsopgave|innehållsförteckning|spis treści|оглавление"
    r")\s*[-–—:.!]?\s*$",
    re.I,
)
MAX_CHROME_WORDS = 4  # "Compartir en WhatsApp", "Contenido patrocinado"
CHROME_LOG_WORDS = log_count_below(MAX_CHROME_WORDS)
APP_CUE_COLUMN = F.DENSE_NAMES.index("cue_app")
# The header of an app promo that names the site's app instead of "Download the app" ("Get the DailyFeed app"),
# and the app download in the other languages of the function-word list ("Jetzt die Nordkurier-App herunterladen",
# "Läs e-tidningen i appen").
APP_PROMO_HEADER = re.compile(
    r"^(?:get|download|install|try)\s+(?:the|our)\s+(?:\S+\s+){0,3}app\s*[.!]?$|"
    r"\bapps?\b.*\b(?:herunterladen|laden sie|télécharge[rz]?|descarga|descárgate|scarica|baixe|download)\b|"
    r"\b(?:herunterladen|télécharge[rz]?|descarga|descárgate|scarica|baixe|installez|installa|instala)\b.*\bapps?\b|"
    r"\b(?:ladda ner|ladda hem|hämta|läs)\b.{0,40}\bappen\b|(?<!\w)(?:скачайте|установите)(?!\w).{0,40}приложени[ея]",
    re.I,
)
MAX_APP_PROMO_WORDS = 20  # "Baixe o app do O Pedraltense e receba alertas das notícias mais importantes da sua cidade."
APP_PROMO_LOG_WORDS = log_count_below(MAX_APP_PROMO_WORDS)
# A paywall's sign-in ("Already a subscriber? Log in", "Er du allerede abonnent? Logg inn", "Redan Plus-medlem?") and
# its subscribers-only badge ("This article is for subscribers", "Denne saken er for abonnenter").
PAYWALL_SIGN_IN = (
    r"already\s+(?:a\s+|an\s+)?(?:subscriber|member)|already\s+have\s+an?\s+(?:account|subscription)|"
    r"déjà abonnée?|ya eres suscriptora?|ya tienes (?:una )?cuenta|già abbonata?|bereits abonnent(?:in)?|já é assinante|al abonnee|"
    r"уже подписаны|(?:er du )?allerede abonnent|(?:är du )?redan (?:\S+-)?(?:prenumerant|medlem)"
)
PAYWALL_BADGE = (
    r"^\W*(?:(?:this|the)\s+(?:article|story)\s+is\s+)?(?:only\s+|exclusively\s+)?(?:available\s+)?for\s+(?:paying\s+)?subscribers"
    r"(?:\s+only)?\W*$|^\W*subscribers?[- ]only\W*$|^\W*denne (?:saken|artikkelen) er for abonnenter\W*$"
)
PAYWALL_SIGN_IN_LINE = re.compile(rf"^[^\w]*(?:{PAYWALL_SIGN_IN})(?!\w)", re.I)
PAYWALL_BADGE_LINE = re.compile(PAYWALL_BADGE, re.I)
MAX_PAYWALL_LINES = 6  # a box from its badge to its sign-in: offer, price, button
# The guidelines' newsletter and subscription promos: a line that starts with "Subscribe" (or its
# imperative in the other languages of the function-word list), or asks the reader to get, join or
# sign up for a newsletter, as the line's first words or after a sentence ("…: iscriviti alla newsletter").
SUBSCRIBE_PROMO = re.compile(
    r"^[^\w]*(?:subscribe|suscr[ií]bete|abonnez-vous|abbonati|iscriviti|assine|abonnieren sie)\b|"
    r"^(?=.*\bnewsletters?\b)(?:.*[:.!?]\s+)?[^\w]*"
    r"(?:get|sign[- ]?up|subscribe|join|suscr[ií]bete|inscr[ií]bete|abonnez-vous|inscrivez-vous|iscriviti|assine|"
    r"recevez|recibe|ricevi|receba|erhalten sie|ontvang|abonnieren sie|abonneer|prenumerera|zapisz się|подпишитесь)\b|"
    # the same offer by its promise: "Get the day's top headlines in your inbox every morning."
    r"^(?=.*\b(?:in|to)\s+your\s+inbox\b)(?:.*[:.!?]\s+)?[^\w]*(?:get|sign[- ]?up|subscribe|join)\b|"
    # a paywall's offer, sign-in and meter ("You have 3 free articles left"), and the subscriber's gift button
    rf"^[^\w]*(?:{PAYWALL_SIGN_IN}|"
    r"(?:get|unlock|enjoy)\s+unlimited\s+(?:digital\s+)?access|gift\s+(?:this|the)\s+(?:article|story)|"
    r"reg[ií]strate|crea(?:r)? (?:tu |una )?cuenta|has leído \d+ de|"
    r"you(?:'ve| have)\s+(?:read\s+)?(?:\d+|one|two|three|four|five)\s+(?:of\s+(?:your\s+)?\d+\s+)?free\s+(?:articles?|stories))(?!\w)|"
    rf"{PAYWALL_BADGE}|"
    r"[.!?]\s+(?:subscribe|abonnez-vous|suscr[ií]bete|abbonati|assine|abonnieren sie)\s+(?:to|pour|para|per|um)\s+"
    r"(?:continue|keep|continuer|seguir|continuare|continuar|weiterzulesen)\b",
    re.I,
)
MAX_SUBSCRIBE_WORDS = 30  # "Sign-up to the Daily Blog Tips newsletter and you will be able to download …"
SUBSCRIBE_LOG_WORDS = log_count_below(MAX_SUBSCRIBE_WORDS)
# The guidelines' other promos: affiliate disclosures ("This post contains affiliate links", "… we may earn an
# affiliate commission"; not an article about affiliate marketing) and invitations to join a site's WhatsApp or
# Telegram channel.
OTHER_PROMO = re.compile(
    r"\b(?:this|the|our|some|these|all)\s+(?:\S+\s+){0,2}(?:may\s+)?(?:contains?|includes?|uses?|use)\s+(?:\S+\s+)?affiliate\s+links?\b|"
    r"\b(?:we|i|(?:\S+\s+)?(?:may|might|will|could))\s+(?:also\s+)?(?:may\s+|might\s+)?(?:earn|receive|get|make)\s+"
    r"(?:us\s+)?(?:a\s+|an\s+)?(?:small\s+)?(?:share|commission|affiliate\s+commission)\b|"
    r"^\W*disclosure\s*:.*\baffiliate\b|"
    r"(?:\b(?:join|follow|s[uú]mate|únete|entre|entra|siga|segue|folge|folgen|rejoignez|suivez|volg|unisciti|seguici)\b|"
    r"(?<!\w)(?:подписывайтесь|подпишитесь)(?!\w))"
    r"(?=.*\b(?:whatsapp|telegram)\b).*(?<![\w-])(?:canal|channel|kanal|chaîne|kanaal|канал[еау]?)(?!\w)",
    re.I,
)
MAX_OTHER_PROMO_WORDS = 40  # a disclosure of two or three sentences
OTHER_PROMO_LOG_WORDS = log_count_below(MAX_OTHER_PROMO_WORDS)
# The guidelines' cookie notices in any language of the function-word list: "This site uses cookies to …", "Avec votre
# accord, nous et nos partenaires utilisons des cookies …", "Utilizamos cookies propias …", "By continuing you accept cookies".
COOKIE_NOTICE = re.compile(
    r"\b(?:utilisons|usamos|utilizamos|utilizziamo|usiamo|gebruiken|använder|bruker|используем|"
    # the site as the subject: "Questo sito utilizza cookie tecnici", "Diese Website verwendet Cookies"
    r"utilise|utiliza|utilizza|usa|verwendet|nutzt|gebruikt|bruger|używa|używamy|использует|používá|používáme)\b.{0,60}\bcookies?\b|"
    r"\b(?:we|this (?:web)?site|our (?:web)?site|wir|nous|partners|partenaires)\b.{0,40}\b(?:use|uses|store|verwenden|nutzen)\b"
    r".{0,60}\bcookies?\b|"
    r"\b(?:accept|agree to|consent to|acceptez|akzeptieren|aceptas|aceptar|accetti|accetta|accepteer|godkänner|соглашаетесь)\b"
    r".{0,40}\bcookies?\b|\bcookies?\s+(?:consent|policy|settings|preferences|einstellungen|paramètres|configuración|impostazioni|instellingen)\b",
    re.I,
)
MAX_COOKIE_NOTICE_WORDS = 90  # a consent banner's paragraph
COOKIE_NOTICE_LOG_WORDS = log_count_below(MAX_COOKIE_NOTICE_WORDS)
MAX_COOKIE_BUTTON_WORDS = 3  # "Alle akzeptieren", "Hantera inställningar", "Accept all cookies"
COOKIE_BUTTON_LOG_WORDS = log_count_below(MAX_COOKIE_BUTTON_WORDS)
MAX_COOKIE_BUTTONS = 3  # accept, reject, settings
# An affiliate box, which the guidelines count among the ads: a shop's offer, one or several to a line ("$150 at
# Amazon", "649 € chez Hexamarché", "$150 at Amazon$150 at Zappos"), a shop's button ("Bei Amazon ansehen*", "View
# at Walmart"), and right beside either a bare button ("View deal", "Voir l'offre"). A bare price stays: in product
# round-ups the benchmark labels count it with the product's own lines as body.
PRICE = r"(?:[$£€¥]\s?\d[\d.,]*|\d[\d.,]*\s?(?:€|£|\$|eur\b|usd\b|kr\b|zł|kč|chf\b))"
SHOP_OFFER = re.compile(
    rf"^\W{{0,2}}(?:{PRICE}\*?\s+(?:at|chez|bei|en|su|på|hos|bij|@)\s+[^\s$£€¥]+(?:\s+[^\s$£€¥\d]+){{0,2}}?\s*)+\W*$",
    re.I,
)
SHOP_BUTTON = re.compile(
    r"^\W*(?:(?:view|buy|shop|check\s+price)\s+(?:it\s+)?(?:at|on)\s+\S+(?:\s+\S+)?|"
    r"(?:bei|auf)\s+\S+(?:\s+\S+)?\s+(?:ansehen|kaufen|bestellen)|voir\s+(?:l'offre|le\s+prix)\s+(?:chez|sur)\s+\S+(?:\s+\S+)?)\W*$",
    re.I,
)
BARE_SHOP = re.compile(
    r"^\W*(?:(?:view|see)\s+(?:deal|offer)|check\s+price|buy\s+now|shop\s+now|voir\s+l'offre|"
    r"voir\s+le\s+prix|zum\s+angebot|jetzt\s+kaufen|ver\s+oferta|ver\s+precio|vedi\s+offerta|bekijk\s+aanbieding|till\s+erbjudandet)\W*$",
    re.I,
)
MAX_SHOP_WORDS = 8  # "$149.99 at Best Buy $159 at Target"
SHOP_LOG_WORDS = log_count_below(MAX_SHOP_WORDS)
DIGIT_RATIO_COLUMN = F.DENSE_NAMES.index("digit_ratio")
FIRST_DIGIT_COLUMN = F.DENSE_NAMES.index("first_digit")
FIRST_PUNCT_COLUMN = F.DENSE_NAMES.index("first_punct")
# A line of zero-width joiners, byte-order marks and the like shows the reader nothing: the
# segmenter keeps it (str.strip leaves format characters), the guidelines have nothing to call it but boilerplate.
INVISIBLE_LINE = re.compile(r"^[\s\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u3164\ufeff]+$")
WORD_LENGTH_COLUMN = F.DENSE_NAMES.index("mean_word_len")
MAX_INVISIBLE_CHARS = 8  # the corpus's longest is two zero-width spaces
INVISIBLE_LOG_CHARS = log_count_below(MAX_INVISIBLE_CHARS)
COMMENTS_CUE_COLUMN = F.DENSE_NAMES.index("cue_comments")
# The guidelines' recent-comment lists: a "Recent Comments" widget's header and its entries
# ("Ann on Post title", "Ann commented on Post title", a pingback's blog title "on Post title";
# "Ann in Post title" and "Ann: Great post" with names of at most four words), other readers' comments on other posts.
RECENT_COMMENTS_HEADER = re.compile(r"^\W*(?:recent|latest|newest|top)\s+(?:comments|replies|responses)\W*$", re.I)
COMMENT_LIST_ENTRY = re.compile(
    r"^\S.{0,80}?\s(?:commented\s+)?on\s+\S|^(?:\S+\s+){0,3}\S+\s+in\s+\S|^(?:[^:\s]+\s+){0,3}[^:\s]+:\s*\S", re.I
)
MAX_COMMENT_LIST_LINES = 12  # WordPress's widget shows five by default
# A comment's reply button, alone on its line, in the languages of the function-word list ("Reply", "[reply]", "Reply ↓").
REPLY_BUTTON = re.compile(
    r"^\W*(?:reply|responder|responda|beantwoorden|reageer|ответить|odpowiedz|odpowiedź|rispondi|antworten|répondre|svara)"
    r"(?:\s+to\s+this\s+comment)?\W*$",
    re.I,
)
MAX_REPLY_WORDS = 4  # "Reply to this comment"
REPLY_LOG_WORDS = log_count_below(MAX_REPLY_WORDS)
REPLY_REACH = 3  # lines on each side of a reply button that belong to its comment (author, time, text, votes)
# The guidelines' breadcrumbs: "Home › Regio › Hemmerdam", "Companies › Transport & Logistics", "Home » Blog » <headline>":
# short trail items between "›" or "»" separators, the last item short or, after two separators, the page's title.
BREADCRUMB_SEPARATOR = re.compile(r"\s+[›»]\s+")
MAX_CRUMB_WORDS = 3
MAX_LAST_CRUMB_WORDS = 4
MIN_TITLED_CRUMBS = 3
ARROW_COLUMN = F.DENSE_NAMES.index(f"mark_{F.MARKS['›']}")
TEASER_HEADER_COLUMN = F.DENSE_NAMES.index("teaser_header")
# An in-article read-also header on a line of its own, over the other story's headline on the next line
# ("LEIA TAMBÉM", "Lees ook", "See also:"); a bare "Read more" or "Related" may be a button or a menu's.
READ_ALSO_HEADER = re.compile(
    r"^\W*(?:read also|also read|see also|read next|related (?:stories|articles|coverage|content|reading)|"
    r"recommended reading|further reading|" + OTHER_LANGUAGE_READ_ALSO + r")\s*[:.!»>\-–—]?\s*$",
    re.I,
)
MAX_READ_ALSO_WORDS = 3  # "Lesen Sie auch", "Related Stories:"
# A teaser section's header alone on its line, in the wordings that name nothing else ("Related Articles", "You might
# also like", "Most read", "Te puede interesar", "Ces articles peuvent vous intéresser", "Mest lest"): the guidelines
# make it teaser even when empty. "More on …" is not here: the benchmark labels often make it an article's subheading.
TEASER_SECTION_HEADER = re.compile(
    r"^\W*(?:related(?: articles| stories| posts| news| content| links| coverage| reading)?|you (?:may|might) also like|"
    r"you (?:may|might) (?:also )?be interested in|recommended(?: for you| stories| articles| reading)?|"
    r"most (?:read|popular|viewed|shared)|more (?:from|in) .{1,30}|more (?:stories|news|articles)|latest (?:news|stories|articles)|"
    r"read next|what to read next|also on .{1,20}|around the web|trending (?:stories|now|news)|top stories|"
    r"(?:también )?te puede interesar|lo más (?:visto|leído)|más noticias|noticias relacionadas|"
    r"ces articles peuvent vous intéresser|à lire aussi|sur le même sujet|les plus lus|dans la même rubrique|"
    r"veja também|mais lidas|leia também|notícias relacionadas|das könnte sie auch interessieren|mehr zum thema|meistgelesen|"
    r"auch interessant|leggi anche|potrebbe interessarti(?: anche)?|i più letti|articoli correlati|lees ook|meest gelezen|"
    r"gerelateerde artikelen|läs också|mest lästa|mest lest|les også|zobacz także|najczęściej czytane|czytaj także|"
    r"související články|nejčtenější|читайте также|самое читаемое)\W*$",
    re.I,
)
MAX_SECTION_HEADER_WORDS = 6  # "Ces articles peuvent vous intéresser"
SECTION_HEADER_LOG_WORDS = log_count_below(MAX_SECTION_HEADER_WORDS)
MAX_READ_ALSO_HEADLINES = 5
# More in-article "read also" lead-ins than the features' READ_MORE_LINE knows, before the other story's headline:
# "Te puede interesar: …", "Mirá también: …", "Leia mais: …", "Läs mer: …", "Auch interessant: …", and a tabloid's
# capital "MORE: …" (a "More:" may caption the article's own media).
INLINE_READ_ALSO = re.compile(
    r"^(?:también te puede interesar|te puede interesar|puede interesarte|te recomendamos|mir[áa] también|le[ée] también|"
    r"leia mais|saiba mais|você pode gostar|potrebbe interessarti|ti potrebbe interessare|à lire également|lire également|"
    r"à voir aussi|auch interessant|das könnte sie auch interessieren|läs mer|les også|les mer|læs også|læs mere|lees meer|"
    r"czytaj (?:także|też|również)|zobacz (?:także|też|również)|čtěte (?:také|též|více)|přečtěte si (?:také|též)|"
    r"čítajte (?:aj|tiež)|lue myös|ezt is olvassa el|"
    r"(?-i:MORE))"
    r"\s*[:»\-–—]\s*[^|\s]+(?:\s+[^|\s]+){2,}$",
    re.I,
)
MAX_INLINE_READ_ALSO_WORDS = 25
# "ALSO READ | <headline>": the read-also lead-in with a bar, as Indian news sites write it; the features' read-more
# line takes the bar, but the in-article test after it does not, since "Read more | Share | Print" is a menu.
PIPED_READ_ALSO = re.compile(r"^(?:also read|read also)\s*\|\s*[^|\s]+(?:\s+[^|\s]+){2,}$", re.I)
INLINE_READ_ALSO_LOG_WORDS = log_count_below(MAX_INLINE_READ_ALSO_WORDS)
MENU_SEPARATOR = "|"
INNER_SENTENCE = re.compile(r"[.!?]\s+\S|[:;]\s*$")
READ_ALSO_LOG_WORDS = log_count_below(MAX_READ_ALSO_WORDS)
COLON_COLUMN = F.DENSE_NAMES.index(f"mark_{F.MARKS[':']}")
FIRST_UPPER_COLUMN = F.DENSE_NAMES.index("first_upper")
# The guidelines' tag lists: "Tags: a, b, c", "Filed under: Banking", "Topics:", and the same in the
# other languages of the function-word list ("Temas:", "Schlagwörter:", "Mots-clés :", "Argomenti:").
TAG_LINE = re.compile(
    r"^(tags?|tagged( with)?|topics?|filed under|categories|category|keywords|related (tags|topics)|"
    r"temas|etiquetas|palabras clave|schlagwörter|schlagworte|stichwörter|themen|mots[- ]clés|thèmes|"
    r"argomenti|etichette|parole chiave|assuntos|tópicos|palavras-chave|onderwerpen|trefwoorden|ämnen|taggar|"
    r"nyckelord|tagi|теги|темы|метки|ключевые слова)"
    r"(\s+(i|in|en|im|in diesem|dans|nel|no|na)\s+(artikeln|artikkelen|artiklen|this article|the article|este artículo|"
    r"el artículo|artikel|cet article|l'article|questo articolo|l'articolo|artigo|este artigo|dit artikel|deze artikel))?\s*:",
    re.I,
)
# The guidelines' trending bars that link to topic pages: "Trending: Election 2024 | Climate | Markets".
TOPIC_BAR = re.compile(r"^(trending( now| topics)?|hot topics|popular topics)\s*:\s*(?P<items>.+)$", re.I)
TAG_OR_TOPIC = re.compile(f"{TAG_LINE.pattern}|{TOPIC_BAR.pattern}", re.I)  # one pass over the candidates
TOPIC_SEPARATORS = re.compile(r"\s*[|•·,]\s*")
MAX_TOPIC_WORDS = 3  # a topic's name; a longer item is a story's headline, which makes the bar a ticker (teaser)
# The guidelines' repeated headline copies below the headline: "Currently reading: <headline>", "Home » <headline>",
# "4 thoughts on “<headline>”", "Jane commented on <headline>".
# A one-word "More" or a "more »" / "More →" line is a link to a list, not a section's header.
MIN_SECTION_HEADER_WORDS = 2
LINK_ENDINGS = ("»", "›", "→", ">", "...", "…")
MAX_STICKY_PREFIX_WORDS = 4
MAX_STICKY_PREFIX_CHARS = 48  # four words and the quotes around the headline
HEADLINE_SUFFIX_STRIP = " \"'”’»).:"
# The guidelines' author bio boxes: "Jane Doe is a senior reporter covering …", "Rand Fishkin is the CEO & co-founder of …".
AUTHOR_BIO = re.compile(
    r"^[A-Z][\w.'’-]+(\s+[A-Z][\w.'’-]+){0,3},?\s+(is|was|has been)\s+(a|an|the)?\b.{0,80}?"
    r"\b(reporter|writer|editor|correspondent|journalist|columnist|contributor|author|blogger|producer|"
    r"founder|co-founder|ceo)\b"
)
MAX_KICKER_WORDS = 1  # "Politics", a site's name; two-word lines above a dek are often short headlines
MIN_BIO_WORDS = 8  # shorter lines are captions and bylines
MAX_BIO_WORDS = 80
BIO_LAST_BODY_LINES = 3  # a bio box follows the article: only its last body lines are looked at
SENTENCE_END_COLUMN = F.DENSE_NAMES.index("last_sentence_end")
MIN_PARAGRAPH_WORDS = 10  # the article's last paragraph, below which its tail starts
MIN_LONG_WORDS = 30  # a paragraph whose own words outweigh its neighbours' in the chain pass
MAX_TAIL_WORDS = 5  # alt texts, buttons and widget titles; an author's sign-off ends a sentence
TAIL_LOG_WORDS = log_count_below(MAX_TAIL_WORDS)
SENTENCE_END = re.compile(r"[.!?…。！？][\"'”’]?\s*$")
MIN_ARTICLE_WORDS = 50  # a comment header closes an article, so it needs one above it
MAX_GAP_AFTER_BODY = 15  # lines between the article's last body line and its comment header (share bars, tags, bio, next-post links)
MAX_PROMO_WORDS = 12  # a longer line that mentions an app store or a newsletter may be an article's sentence
PROMO_LOG_WORDS = log_count_below(MAX_PROMO_WORDS)
# A comment's time stamp: "4 March 2026 at 8:14 am", "October 22, 2021 at 8:55 am".
CLOCK_TIME = re.compile(r"\b\d{1,2}[:.h]\d\d\b")
MAX_STAMP_WORDS = 7
TRUNCATION = "…"  # a card's cut-off headline or snippet; commenters type three dots
# A comment ends like a sentence; a truncated headline ends with an ellipsis.
FULL_STOP_END = re.compile(r"(?<![.])[.!?][\"'”’)]*\s*$")
# A repeated headline may ask or exclaim ("How much house can you get?"); a full stop makes it a sentence.
STATEMENT_END = re.compile(r"[.…]$")


def _matching(find: Callable[[str], object], texts: Sequence[str], rows: np.ndarray, n: int) -> np.ndarray:
    """One flag per line of the batch (n lines): whether find (a pattern's match or search) finds something in the text, tested on rows only."""
    out = np.zeros(n, dtype=bool)
    out[rows] = [find(texts[i]) is not None for i in rows.tolist()]
    return out


def _ends_sentence(texts: Sequence[str], dense: np.ndarray) -> np.ndarray:
    """Which short lines end a sentence: a full stop, question or exclamation mark, maybe quoted (not a bracket or "»")."""
    rows = np.flatnonzero((dense[:, SENTENCE_END_COLUMN] > 0) & (dense[:, LOG_WORDS_COLUMN] < TAIL_LOG_WORDS))
    return _matching(SENTENCE_END.search, texts, rows, len(dense))


def _ad_markers(texts: Sequence[str], dense: np.ndarray, marks: np.ndarray) -> np.ndarray:
    """Which short lines are ad markers: AD_MARKER among lines with an ad cue word, OTHER_AD_MARKER among those with an ad word (features.DISCLOSURE_WORDS)."""
    short = dense[:, LOG_WORDS_COLUMN] < PROMO_LOG_WORDS
    out = _matching(AD_MARKER.match, texts, np.flatnonzero(short & (dense[:, AD_CUE_COLUMN] > 0)), len(dense))
    rows = np.flatnonzero(short & ((marks & F.TOKEN_DISCLOSURE_WORD) != 0) & ~out)
    return out | _matching(OTHER_AD_MARKER.match, texts, rows, len(dense))


def _promo_lines(texts: Sequence[str], dense: np.ndarray, ads: np.ndarray, marks: np.ndarray) -> np.ndarray:
    """Which short lines are strong promos, app promos, contact lines for the author or ads.

    STRONG_PROMO and APP_PROMO_HEADER (the latter up to MAX_APP_PROMO_WORDS with a download verb);
    CONTACT_LINE among byline- or share-cued lines and, up to MAX_CONTACT_WORDS, lines with an "@".
    """
    short = dense[:, LOG_WORDS_COLUMN] < PROMO_LOG_WORDS
    out = ((dense[:, STRONG_PROMO_COLUMN] > 0) & short) | ads
    cued = (dense[:, CONTACT_CUE_COLUMNS] > 0).any(axis=1)
    rows = np.flatnonzero(((short & cued) | ((dense[:, LOG_WORDS_COLUMN] < CONTACT_LOG_WORDS) & (dense[:, AT_COLUMN] > 0))) & ~out)
    out |= _matching(CONTACT_LINE.match, texts, rows, len(dense))
    verbs = (dense[:, LOG_WORDS_COLUMN] < APP_PROMO_LOG_WORDS) & ((marks & F.TOKEN_APP_VERB) != 0)
    rows = np.flatnonzero(((short & (dense[:, APP_CUE_COLUMN] > 0)) | verbs) & ~out)
    out |= _matching(APP_PROMO_HEADER.search, texts, rows, len(dense))
    return out


def _worded_lines(dense: np.ndarray, marks: np.ndarray) -> np.ndarray:
    """The lines of at most MAX_SUBSCRIBE_WORDS words whose first tokens hold one of CHROME_WORDS or SUBSCRIBE_WORDS (features.line_marks).

    One prefilter for _chrome_lines and _subscribe_lines: most lines are ruled out without their text.
    """
    return np.flatnonzero((dense[:, LOG_WORDS_COLUMN] < SUBSCRIBE_LOG_WORDS) & ((marks & F.TOKEN_CHROME_WORD) != 0))


def _subscribe_lines(texts: Sequence[str], dense: np.ndarray, marks: np.ndarray, worded: np.ndarray, doc: np.ndarray) -> np.ndarray:
    """Which lines of at most MAX_SUBSCRIBE_WORDS words are newsletter or subscription promos (SUBSCRIBE_PROMO), among the worded ones (_worded_lines) and those holding a subscribe cue word (features.SUBSCRIBE_CUE_WORDS), or inside a paywall box (_paywall_boxes)."""
    cued = np.flatnonzero((dense[:, LOG_WORDS_COLUMN] < SUBSCRIBE_LOG_WORDS) & ((marks & F.TOKEN_SUBSCRIBE_CUE) != 0))
    out = _matching(SUBSCRIBE_PROMO.search, texts, np.union1d(cued, worded), len(dense))
    return _paywall_boxes(texts, out, doc)


def _paywall_boxes(texts: Sequence[str], promos: np.ndarray, doc: np.ndarray) -> np.ndarray:
    """promos with the lines between a paywall's badge and its sign-in (at most MAX_PAYWALL_LINES apart) added: the box's offer, price and button, in any wording."""
    out = promos.copy()
    found = np.flatnonzero(promos).tolist()
    badges = [i for i in found if PAYWALL_BADGE_LINE.match(texts[i])]
    sign_ins = [i for i in found if PAYWALL_SIGN_IN_LINE.match(texts[i])]
    for badge in badges:
        end = next((i for i in sign_ins if badge < i <= badge + MAX_PAYWALL_LINES and doc[i] == doc[badge]), None)
        if end is not None:
            out[badge:end] = True
    return out


def _other_promos(texts: Sequence[str], dense: np.ndarray, marks: np.ndarray) -> np.ndarray:
    """Which lines of at most MAX_OTHER_PROMO_WORDS words holding a disclosure word (features.DISCLOSURE_WORDS) are OTHER_PROMO lines."""
    rows = np.flatnonzero((dense[:, LOG_WORDS_COLUMN] < OTHER_PROMO_LOG_WORDS) & ((marks & F.TOKEN_DISCLOSURE_WORD) != 0))
    return _matching(OTHER_PROMO.search, texts, rows, len(dense))


def _cookie_notices(texts: Sequence[str], dense: np.ndarray, marks: np.ndarray) -> np.ndarray:
    """Which lines of at most MAX_COOKIE_NOTICE_WORDS words holding "cookie" or "cookies" are cookie notices (COOKIE_NOTICE)."""
    rows = np.flatnonzero(((marks & F.TOKEN_COOKIE_WORD) != 0) & (dense[:, LOG_WORDS_COLUMN] < COOKIE_NOTICE_LOG_WORDS))
    return _matching(COOKIE_NOTICE.search, texts, rows, len(dense))


def _cookie_banners(texts: Sequence[str], dense: np.ndarray, marks: np.ndarray, doc: np.ndarray, ends: np.ndarray) -> np.ndarray:
    """Which lines are cookie notices (_cookie_notices) or the buttons right below one.

    A banner's buttons ("Godkänn alla", "Einstellungen") are named in whatever language the site
    uses, so they are found by place, not by word: up to MAX_COOKIE_BUTTONS lines of at most
    MAX_COOKIE_BUTTON_WORDS words that end no sentence (ends), right below the notice.
    """
    notices = _cookie_notices(texts, dense, marks)
    out = notices.copy()
    short = (dense[:, LOG_WORDS_COLUMN] < COOKIE_BUTTON_LOG_WORDS) & ~ends
    for i in np.flatnonzero(notices).tolist():
        j = i + 1
        while j < len(texts) and j - i <= MAX_COOKIE_BUTTONS and doc[j] == doc[i] and short[j] and not notices[j]:
            out[j] = True
            j += 1
    return out


def _shop_buttons(texts: Sequence[str], dense: np.ndarray, marks: np.ndarray, doc: np.ndarray) -> np.ndarray:
    """Which lines are an affiliate box's offers or shop buttons (SHOP_OFFER, SHOP_BUTTON), or a bare button (BARE_SHOP) right beside one."""
    short = dense[:, LOG_WORDS_COLUMN] < SHOP_LOG_WORDS
    # An offer opens with its price: a digit or a currency sign.
    opens = (dense[:, FIRST_DIGIT_COLUMN] > 0) | (dense[:, FIRST_PUNCT_COLUMN] > 0)
    out = _matching(SHOP_OFFER.match, texts, np.flatnonzero(short & opens & (dense[:, DIGIT_RATIO_COLUMN] > 0)), len(dense))
    out |= _matching(SHOP_BUTTON.match, texts, np.flatnonzero(short & ((marks & F.TOKEN_CHROME_WORD) != 0)), len(dense))
    for i in np.flatnonzero(out).tolist():
        for j in (i - 1, i + 1):
            if 0 <= j < len(texts) and doc[j] == doc[i] and not out[j] and BARE_SHOP.match(texts[j]):
                out[j] = True
    return out


def _invisible_lines(texts: Sequence[str], dense: np.ndarray) -> np.ndarray:
    """Which lines of at most MAX_INVISIBLE_CHARS characters hold nothing visible (INVISIBLE_LINE)."""
    # No letter or digit, so no word length: most short lines are ruled out without their text.
    rows = np.flatnonzero((dense[:, LOG_CHARS_COLUMN] < INVISIBLE_LOG_CHARS) & (dense[:, WORD_LENGTH_COLUMN] == 0))
    return _matching(INVISIBLE_LINE.match, texts, rows, len(dense))


def _chrome_lines(texts: Sequence[str], dense: np.ndarray, worded: np.ndarray) -> np.ndarray:
    """Which lines are other-language ad markers, share or subscribe buttons (CHROME_LINE), or say the story goes on below an ad.

    CHROME_LINE is tried on the worded lines (_worded_lines) of at most MAX_CHROME_WORDS words,
    CONTINUES_MARKER on those and the ad-cued lines of at most MAX_CONTINUES_WORDS words.
    """
    words = dense[:, LOG_WORDS_COLUMN]
    out = _matching(CHROME_LINE.match, texts, worded[words[worded] < CHROME_LOG_WORDS], len(dense))
    cued = np.flatnonzero((dense[:, AD_CUE_COLUMN] > 0) & (words < CONTINUES_LOG_WORDS))
    return out | _matching(CONTINUES_MARKER.match, texts, np.union1d(cued, worded[words[worded] < CONTINUES_LOG_WORDS]), len(dense))


def _comment_lists(texts: Sequence[str], dense: np.ndarray, doc: np.ndarray) -> np.ndarray:
    """Which lines are a recent-comments widget: its header (RECENT_COMMENTS_HEADER) and the run of entries below it (COMMENT_LIST_ENTRY)."""
    rows = np.flatnonzero((dense[:, COMMENTS_CUE_COLUMN] > 0) & (dense[:, LOG_WORDS_COLUMN] < CHROME_LOG_WORDS))
    out = _matching(RECENT_COMMENTS_HEADER.match, texts, rows, len(dense))
    for header in np.flatnonzero(out).tolist():
        line = header + 1
        while (line < len(texts) and line - header <= MAX_COMMENT_LIST_LINES and doc[line] == doc[header]
               and COMMENT_LIST_ENTRY.match(texts[line])):
            out[line] = True
            line += 1
    return out


def _reply_buttons(texts: Sequence[str], dense: np.ndarray, worded: np.ndarray) -> np.ndarray:
    """Which worded lines (_worded_lines) of at most MAX_REPLY_WORDS words are a comment's reply button (REPLY_BUTTON)."""
    return _matching(REPLY_BUTTON.match, texts, worded[dense[worded, LOG_WORDS_COLUMN] < REPLY_LOG_WORDS], len(dense))


def _teaser_section_headers(texts: Sequence[str], dense: np.ndarray, marks: np.ndarray) -> np.ndarray:
    """Which lines of at most MAX_SECTION_HEADER_WORDS words are TEASER_SECTION_HEADER lines, among the teaser headers and the lines opening with a read-also word."""
    rows = np.flatnonzero((dense[:, LOG_WORDS_COLUMN] < SECTION_HEADER_LOG_WORDS)
                          & ((dense[:, TEASER_HEADER_COLUMN] > 0) | ((marks & F.TOKEN_READ_ALSO_START) != 0)))
    return _matching(TEASER_SECTION_HEADER.match, texts, rows, len(dense))


def _breadcrumb(text: str) -> bool:
    """Whether a line is a breadcrumb trail (BREADCRUMB_SEPARATOR between short items), not a sentence or a French quote."""
    if "«" in text or SENTENCE_END.search(text):
        return False
    items = BREADCRUMB_SEPARATOR.split(text)
    return (len(items) >= 2 and all(items) and all(len(item.split()) <= MAX_CRUMB_WORDS for item in items[:-1])
            and (len(items[-1].split()) <= MAX_LAST_CRUMB_WORDS or len(items) >= MIN_TITLED_CRUMBS))


def _breadcrumbs(texts: Sequence[str], dense: np.ndarray) -> np.ndarray:
    """Which lines are breadcrumb trails (_breadcrumb), among those holding an arrow mark."""
    # The arrow mark counts ">" too: the separator's search rules out most of its lines before the split.
    rows = [i for i in np.flatnonzero(dense[:, ARROW_COLUMN] > 0).tolist() if BREADCRUMB_SEPARATOR.search(texts[i])]
    out = np.zeros(len(dense), dtype=bool)
    out[rows] = [_breadcrumb(texts[i]) for i in rows]
    return out


def _tag_line(text: str) -> bool:
    """Whether a line is a tag list (TAG_LINE) or a trending bar of topics (TOPIC_BAR, every item at most MAX_TOPIC_WORDS words)."""
    if TAG_LINE.match(text):
        return True
    bar = TOPIC_BAR.match(text)
    return bar is not None and all(len(item.split()) <= MAX_TOPIC_WORDS for item in TOPIC_SEPARATORS.split(bar["items"]))


def _tag_lines(texts: Sequence[str], dense: np.ndarray) -> np.ndarray:
    """Which lines are tag lists or trending bars (_tag_line), among the lines that open with a capital and hold a colon."""
    rows = np.flatnonzero((dense[:, COLON_COLUMN] > 0) & (dense[:, FIRST_UPPER_COLUMN] > 0)).tolist()
    out = np.zeros(len(dense), dtype=bool)
    # The combined pattern rules out nearly every candidate at its first characters; _tag_line judges the rest.
    hits = [i for i, found in zip(rows, map(TAG_OR_TOPIC.match, map(texts.__getitem__, rows))) if found]
    out[hits] = [_tag_line(texts[i]) for i in hits]
    return out


def _block_headline(text: str) -> bool:
    """Whether a line reads like one headline of a list: headline-shaped, one sentence, not a lead-in to what follows nor a menu."""
    return headline_shaped(text, SENTENCE_END) and not INNER_SENTENCE.search(text) and MENU_SEPARATOR not in text


def _in_article_teasers(texts: Sequence[str], dense: np.ndarray, doc: np.ndarray, marks: np.ndarray) -> np.ndarray:
    """Which lines are in-article links to other stories ("Read more: …"), or a read-also header and its headlines.

    Those the read_more_line feature flags that in_article_teaser accepts, INLINE_READ_ALSO lines,
    and a read-also header alone on its line (READ_ALSO_HEADER) with the headline-shaped line below
    it and the next ones (up to MAX_READ_ALSO_HEADLINES in all) that sit over another headline.
    """
    rows = np.flatnonzero(dense[:, READ_MORE_COLUMN] > 0)
    out = np.zeros(len(dense), dtype=bool)
    out[rows] = [in_article_teaser(texts[i]) or (PIPED_READ_ALSO.match(texts[i]) is not None
                                                and dense[i, LOG_WORDS_COLUMN] < INLINE_READ_ALSO_LOG_WORDS) for i in rows.tolist()]
    rows = np.flatnonzero((dense[:, COLON_COLUMN] > 0) & (dense[:, LOG_WORDS_COLUMN] < INLINE_READ_ALSO_LOG_WORDS)
                          & ((marks & F.TOKEN_READ_ALSO_START) != 0))
    out |= _matching(INLINE_READ_ALSO.match, texts, rows, len(dense))
    headers = np.flatnonzero((dense[:-1, TEASER_HEADER_COLUMN] > 0) & (dense[:-1, LOG_WORDS_COLUMN] < READ_ALSO_LOG_WORDS)
                             & (doc[1:] == doc[:-1]) & (dense[1:, TEASER_HEADER_COLUMN] == 0))
    for h in headers.tolist():
        if READ_ALSO_HEADER.match(texts[h]) and headline_shaped(texts[h + 1], STATEMENT_END):
            out[h] = out[h + 1] = True
            # More headlines follow in a block; the last headline-shaped line over a paragraph is the article's subheading.
            k = h + 2
            while (k + 1 < len(texts) and k - h <= MAX_READ_ALSO_HEADLINES and doc[k + 1] == doc[h]
                   and _block_headline(texts[k]) and _block_headline(texts[k + 1])):
                out[k] = True
                k += 1
    return out


class LineFacts(NamedTuple):
    """What the context passes read of each line, flat over a batch's documents."""

    repeat: np.ndarray  # the (case-folded) text equals the line before's
    promo: np.ndarray  # a short strong promo, contact line or ad marker (see promo_lines)
    ad: np.ndarray  # a short ad marker (AD_MARKER)
    opener: np.ndarray  # surely opens user comments (features.comment_openers)
    stop: np.ndarray  # a teaser header, which ends a comment section
    sentence_end: np.ndarray  # a short line that ends a sentence (_ends_sentence)
    words: np.ndarray  # word count
    chars: np.ndarray  # character count
    read_more: np.ndarray  # an in-article link to another story, or a read-also header and its headline (_in_article_teasers)
    dated: np.ndarray  # holds a date, time or byline (scrapeseg.corpus.prelabel.DATE_OR_BYLINE)
    tags: np.ndarray  # a tag list (TAG_LINE)
    reply: np.ndarray  # a comment's reply button (_reply_buttons)
    related: np.ndarray  # a teaser section's header alone on its line (TEASER_SECTION_HEADER)

    @classmethod
    def empty(cls, n: int) -> LineFacts:
        """Facts for n lines, all false and zero, to be filled chunk by chunk."""
        return cls(**{name: np.zeros(n, dtype=np.int64 if name in ("words", "chars") else bool) for name in cls._fields})

    def fill(self, row: int, chunk: LineFacts) -> None:
        """Copy a chunk's facts in from row on."""
        for mine, theirs in zip(self, chunk):
            mine[row:row + len(theirs)] = theirs


def _column(classes: np.ndarray, label: Label) -> int:
    """The probability column of a label in classes."""
    return int(np.flatnonzero(classes == label.text)[0])


def _all_to(probs: np.ndarray, rows: np.ndarray, label: Label, classes: np.ndarray) -> np.ndarray:
    """probs with the whole score of the given rows moved to label, in place."""
    if len(rows):
        total = probs[rows].sum(axis=1)
        probs[rows] = 0.0
        probs[rows, _column(classes, label)] = total
    return probs


def _body_to_boilerplate(probs: np.ndarray, rows, classes: np.ndarray) -> None:
    """Move the body score of the given rows to boilerplate, in place."""
    body, boilerplate = _column(classes, Label.BODY), _column(classes, Label.BOILERPLATE)
    probs[rows, boilerplate] += probs[rows, body]
    probs[rows, body] = 0.0


def long_paragraphs(probs: np.ndarray, stacked: np.ndarray, facts: LineFacts, classes: np.ndarray) -> np.ndarray:
    """probs with each long line that the stacker calls body and the chain pass boilerplate given back its stacker scores.

    The chain pass weighs every line's evidence alike, so a lone article paragraph between menu
    and share lines (a one-paragraph news item) is outvoted by its one-word neighbours. A line of
    at least MIN_LONG_WORDS words carries more evidence than they do. Lines the chain makes teaser,
    or ranks teaser above body, stay as they are: a related story's snippet reads like body on its
    own, and the last snippet of a teaser block often leans to the boilerplate below it.
    """
    body, teaser, boilerplate = (_column(classes, label) for label in (Label.BODY, Label.TEASER, Label.BOILERPLATE))
    rows = np.flatnonzero(
        (facts.words >= MIN_LONG_WORDS) & (stacked.argmax(axis=1) == body) & (probs.argmax(axis=1) == boilerplate)
        & (probs[:, body] >= probs[:, teaser])
    )
    probs[rows] = stacked[rows]
    return probs


def read_more_lines(probs: np.ndarray, read_more: np.ndarray, classes: np.ndarray) -> np.ndarray:
    """probs with every in-article "Read more: <headline>" or "RELATED: <headline>" line made teaser.

    The guidelines make such lines teaser wherever they sit; inside an article the sequence passes
    pull them into the body around them. read_more flags them (see LineFacts.read_more); all their
    scores move to teaser.
    """
    return _all_to(probs, np.flatnonzero(read_more), Label.TEASER, classes)


def promo_lines(probs: np.ndarray, promos: np.ndarray, classes: np.ndarray) -> np.ndarray:
    """probs with every short promo line ("Download the app", "Subscribe now", cookie notices, "Reach the reporter at …", "Advertisement") made boilerplate.

    The guidelines make app, newsletter and subscription promos, ads, cookie notices and "Reach
    the reporter at …" lines boilerplate wherever they sit; the sequence passes otherwise pull
    such a line into the teaser block or article around it. promos flags lines of at most
    MAX_PROMO_WORDS words that match scrapeseg.corpus.prelabel.STRONG_PROMO, CONTACT_LINE or
    AD_MARKER (_promo_lines), other-language chrome (_chrome_lines), newsletter or subscription
    promos of at most MAX_SUBSCRIBE_WORDS words (_subscribe_lines), lines with nothing visible
    (_invisible_lines), recent-comments widgets (_comment_lists), breadcrumbs (_breadcrumbs), affiliate
    disclosures and WhatsApp-channel promos (_other_promos) and cookie banners (_cookie_banners). Their body and teaser
    scores move to boilerplate.
    """
    return _all_to(probs, np.flatnonzero(promos), Label.BOILERPLATE, classes)


def _dateline(lines: Sequence[str], i: int) -> bool:
    """Whether line i is a date or byline line, and not a repeated headline that names a year ("Paris 2024: …")."""
    if BYLINE_OR_TIME.search(lines[i]):
        return True
    if DATE_OR_BYLINE.search(lines[i]) is None:
        return False
    start, end = copy_run(lines, i)
    return end - start < 2


def _above_datelines(lines: Sequence[str], first: int) -> int:
    """The nearest line above line first that is not one of at most BYLINE_WINDOW date or byline lines right above it (-1 if none)."""
    head = first - 1
    while head >= 0 and first - head <= BYLINE_WINDOW and _dateline(lines, head):
        head -= 1
    return head


def _headline_run(lines: Sequence[str], first: int) -> tuple[int, int] | None:
    """(start, end) of the run of adjacent copies that is the document's headline, in document lines.

    It is the run around the first body line, else a headline-shaped run ending just before it
    with at most BYLINE_WINDOW date or byline lines between. None when neither has two copies.
    """
    start, end = copy_run(lines, first)
    if end - start > 1:
        return start, end
    head = _above_datelines(lines, first)
    if head < 0 or not headline_shaped(lines[head], STATEMENT_END) or _dateline(lines, head):
        return None
    start, end = copy_run(lines, head)
    return (start, end) if end - start > 1 else None


def paid_widgets(probs: np.ndarray, facts: LineFacts, docs: Sequence[Sequence[str]], doc_len: np.ndarray, classes: np.ndarray) -> np.ndarray:
    """probs with the teaser lines of a paid recommendation widget made boilerplate.

    The guidelines make paid widgets ("Promoted stories" from ad networks) boilerplate, but their
    cards look like the site's own related stories. A widget runs from its header
    (PAID_WIDGET_HEADER) to the last ad marker ("Sponsored by Acme", "Acme | Sponsored") at most
    MAX_PAID_WIDGET_LINES lines below it, with no teaser header between; a header without such a
    marker below it ends nothing, since the lines under it may be the site's own stories. The
    teaser lines inside move all their score to boilerplate; body lines stay.
    """
    if not facts.ad.any():
        return probs
    teaser = _column(classes, Label.TEASER)
    doc_start = np.cumsum(doc_len) - doc_len
    ads = np.flatnonzero(facts.ad)
    for h, d in zip(ads.tolist(), _docs_of(ads, doc_start).tolist()):
        if not PAID_WIDGET_HEADER.match(docs[d][h - doc_start[d]]):
            continue
        end = min(h + MAX_PAID_WIDGET_LINES, int(doc_start[d] + doc_len[d]) - 1)
        stops = np.flatnonzero(facts.stop[h + 1:end + 1])
        end = h + int(stops[0]) if len(stops) else end
        markers = np.flatnonzero(facts.ad[h + 1:end + 1])
        if len(markers):
            section = h + 1 + np.arange(int(markers[-1]))
            _all_to(probs, section[probs[section].argmax(axis=1) == teaser], Label.BOILERPLATE, classes)
    return probs


def tag_lines(probs: np.ndarray, tags: np.ndarray, classes: np.ndarray) -> np.ndarray:
    """probs with every tag list ("Tags: a, b", "Filed under: Banking") and trending bar ("Trending: Climate | Markets") made boilerplate.

    The guidelines make tag lists and trending bars that link to topic pages boilerplate; the
    sequence passes pull such a line into the article above it or the related stories below it.
    tags flags them (_tag_lines); all their scores move to boilerplate.
    """
    return _all_to(probs, np.flatnonzero(tags), Label.BOILERPLATE, classes)


def headline_copies(probs: np.ndarray, repeats: np.ndarray, docs: Sequence[Sequence[str]], classes: np.ndarray) -> np.ndarray:
    """probs with each document's repeated headline resolved: its first copy is body and the other copies boilerplate.

    The guidelines make the first copy of a repeated headline body and the other copies
    boilerplate; the copies read alike, so a model tells them apart by position alone and often
    gets it backwards or calls them all boilerplate. repeats flags the lines whose (case-folded)
    text equals the line before in the same document, so only documents with copies are read;
    the headline is the run of copies found by _headline_run, with the corpus's copy_run. Its first line takes the scores of the first body line; the body score of the
    run's other body lines moves to boilerplate. Copies further down (equal table cells, say)
    stay as predicted.
    """
    rows = np.flatnonzero(repeats)
    body = _column(classes, Label.BODY)
    is_body = probs.argmax(axis=1) == body
    body_rows = np.flatnonzero(is_body)
    if len(rows) == 0 or len(body_rows) == 0:
        return probs
    doc_len = np.fromiter(map(len, docs), dtype=np.int64, count=len(docs))
    doc_start = np.cumsum(doc_len) - doc_len
    with_copies = np.unique(_docs_of(rows, doc_start))
    firsts = np.append(body_rows, len(probs))[np.searchsorted(body_rows, doc_start[with_copies])]
    for d, first in zip(with_copies.tolist(), firsts.tolist()):
        start = int(doc_start[d])
        if first >= start + doc_len[d]:
            continue
        run = _headline_run(docs[d], first - start)
        if run is None:
            continue
        head, last = start + run[0], start + run[1]
        probs[head] = probs[first]
        copies = [k for k in range(head + 1, last) if k == first or is_body[k]]
        _body_to_boilerplate(probs, copies, classes)
    return probs


def _headline_over_byline(lines: Sequence[str], first: int, dated: np.ndarray) -> int | None:
    """The line that heads an article whose first body line is first: a headline right above its byline or date lines.

    dated flags the document's short date or byline lines (LineFacts.dated); a year alone does not make one a byline.
    """
    head = _above_datelines(lines, first)
    if head < 0 or not headline_shaped(lines[head], STATEMENT_END) or _dateline(lines, head) or MENU_SEPARATORS.search(lines[head]):
        return None
    if not any(dated[k] and BYLINE_OR_TIME.search(lines[k]) for k in range(head + 1, first + 1)):
        return None
    return head


def article_head(probs: np.ndarray, dated: np.ndarray, docs: Sequence[Sequence[str]], classes: np.ndarray) -> np.ndarray:
    """probs with each article's headline and its byline and date lines made body, when the model left them out.

    The guidelines make an article's headline, byline and date lines body; a single headline
    reads like a menu item or a section title, and the model often calls it boilerplate. Above a
    document's first body line, past at most BYLINE_WINDOW date or byline lines, a headline-shaped
    line (MENU_SEPARATORS excluded) heads the article when a byline, time or dated line ("By Jane
    Doe", "Updated 3 hours ago", "May 5") lies between it and that body line, or is that line.
    The headline and the lines between take the first body line's scores. dated flags the short
    lines DATE_OR_BYLINE matches (LineFacts.dated): only documents with one at or just above their
    first body line are read.
    """
    body = _column(classes, Label.BODY)
    body_rows = np.flatnonzero(probs.argmax(axis=1) == body)
    if len(body_rows) == 0:
        return probs
    doc_len = np.fromiter(map(len, docs), dtype=np.int64, count=len(docs))
    doc_start = np.cumsum(doc_len) - doc_len
    firsts = np.append(body_rows, len(probs))[np.searchsorted(body_rows, doc_start)]
    found = firsts < doc_start + doc_len
    near = np.zeros(len(docs), dtype=bool)
    for back in range(BYLINE_WINDOW + 1):
        row = firsts - back
        near |= found & (row >= doc_start) & dated[np.clip(row, 0, max(len(dated) - 1, 0))]
    for d in np.flatnonzero(near).tolist():
        start, first = int(doc_start[d]), int(firsts[d])
        head = _headline_over_byline(docs[d], first - start, dated[start:start + int(doc_len[d])])
        if head is not None:
            probs[start + head:first] = probs[first]
    return probs


def comment_sections(probs: np.ndarray, facts: LineFacts, docs: Sequence[Sequence[str]], doc_len: np.ndarray, classes: np.ndarray) -> np.ndarray:
    """probs with the body lines of user comment sections made boilerplate.

    Comments read like the article, often more so than its captions, and the guidelines make them
    boilerplate. A section opens at a line facts.opener flags ("{ 12 comments }", "Leave a Reply",
    "Jane says:") when at least MIN_ARTICLE_WORDS body words lie above it and its nearest body line
    is at most MAX_GAP_AFTER_BODY lines up: the article has just ended there, where a byline's
    "4 Comments" or a list of links further down have no article right above. The section runs
    to the next teaser header (facts.stop), which starts the related stories after the comments,
    or to the document's end. Its body lines' body scores move to boilerplate. So do all the scores
    of its teaser lines (commenters' names and times, replies the teaser block above pulled in) up
    to the first headline-shaped one that neither ends like a sentence (FULL_STOP_END) nor is a
    comment's time stamp (CLOCK_TIME), or the first truncated snippet (TRUNCATION) or next/previous
    post link (PREV_NEXT_LINE): a list of other stories after the comments.
    """
    rows = np.flatnonzero(facts.opener)
    if len(rows) == 0:
        return probs
    body = _column(classes, Label.BODY)
    teaser = _column(classes, Label.TEASER)
    doc_start = np.cumsum(doc_len) - doc_len
    doc_of = _docs_of(rows, doc_start)
    for d in np.unique(doc_of).tolist():
        start, end = int(doc_start[d]), int(doc_start[d] + doc_len[d])
        is_body = probs[start:end].argmax(axis=1) == body
        words = facts.words[start:end]
        closed = start
        for h in rows[doc_of == d].tolist():
            if h < closed or probs[h].argmax() == teaser:
                continue
            above = np.flatnonzero(is_body[:h - start])
            if len(above) == 0 or h - start - above[-1] - 1 > MAX_GAP_AFTER_BODY or words[above].sum() < MIN_ARTICLE_WORDS:
                continue
            stops = np.flatnonzero(facts.stop[h + 1:end])
            closed = h + 1 + int(stops[0]) if len(stops) else end
            section = h + np.flatnonzero(is_body[h - start:closed - start])
            _body_to_boilerplate(probs, section, classes)
            is_body[section - start] = False
            chatter = []
            for k in (h + 1 + np.flatnonzero(probs[h + 1:closed].argmax(axis=1) == teaser)).tolist():
                text = docs[d][k - start]
                if (headline_shaped(text, FULL_STOP_END) and not (facts.words[k] <= MAX_STAMP_WORDS and CLOCK_TIME.search(text))
                        or TRUNCATION in text or PREV_NEXT_LINE.match(text)):
                    break
                chatter.append(k)
            probs = _all_to(probs, np.array(chatter, dtype=np.int64), Label.BOILERPLATE, classes)
    return probs


def reply_threads(probs: np.ndarray, facts: LineFacts, doc_len: np.ndarray, classes: np.ndarray) -> np.ndarray:
    """probs with the teaser lines around a comment's reply button made boilerplate.

    A comment thread below a block of related stories reads like more cards to the sequence
    passes (a name, a time, a line of text), but the guidelines make user comments boilerplate, and
    a reply button ("Reply", "Beantwoorden", "Ответить", facts.reply) marks one wherever it sits:
    in the corpus's labels, 13 of the 27,198 lines within three lines of one are teaser. The
    teaser-predicted lines within REPLY_REACH lines of a reply button, not past a teaser header
    (facts.stop) or the document's edge, move all their score to boilerplate; body lines stay.
    """
    rows = np.flatnonzero(facts.reply)
    if len(rows) == 0:
        return probs
    teaser = _column(classes, Label.TEASER)
    doc_start = np.cumsum(doc_len) - doc_len
    of_doc = _docs_of(rows, doc_start)
    near: set[int] = set()
    for r, d in zip(rows.tolist(), of_doc.tolist()):
        first, end = int(doc_start[d]), int(doc_start[d] + doc_len[d])
        near.add(r)
        for step, stop in ((-1, max(first, r - REPLY_REACH) - 1), (1, min(end, r + REPLY_REACH + 1))):
            for k in range(r + step, stop, step):
                if facts.stop[k]:
                    break
                near.add(k)
    near_rows = np.array(sorted(near), dtype=np.int64)
    return _all_to(probs, near_rows[probs[near_rows].argmax(axis=1) == teaser], Label.BOILERPLATE, classes)


def author_bios(probs: np.ndarray, facts: LineFacts, docs: Sequence[Sequence[str]], doc_len: np.ndarray, classes: np.ndarray) -> np.ndarray:
    """probs with an author bio ("Jane Doe is a senior reporter covering …") among a document's last body lines made boilerplate.

    The guidelines make author bio boxes boilerplate, but a bio reads like the article's last
    paragraph. Among the last BIO_LAST_BODY_LINES body lines of each document, below at least
    MIN_ARTICLE_WORDS words of body, a line of MIN_BIO_WORDS to MAX_BIO_WORDS words that opens
    with a name and a journalist's or founder's role (AUTHOR_BIO) loses its body score to
    boilerplate.
    """
    body = _column(classes, Label.BODY)
    is_body = probs.argmax(axis=1) == body
    rows = np.flatnonzero(is_body & (facts.words >= MIN_BIO_WORDS) & (facts.words <= MAX_BIO_WORDS))
    seen = np.cumsum(is_body)
    body_words = np.cumsum(np.where(is_body, facts.words, 0))
    doc_start = np.cumsum(doc_len) - doc_len
    of_doc = _docs_of(rows, doc_start)
    first, end = doc_start[of_doc], doc_start[of_doc] + doc_len[of_doc]
    words_before_doc = np.where(first > 0, body_words[np.maximum(first, 1) - 1], 0)
    keep = ((seen[end - 1] - seen[rows] < BIO_LAST_BODY_LINES)
            & (body_words[rows] - facts.words[rows] - words_before_doc >= MIN_ARTICLE_WORDS))
    rows, of_doc = rows[keep], of_doc[keep]
    bios = [i for i, d in zip(rows.tolist(), of_doc.tolist()) if AUTHOR_BIO.match(docs[d][i - doc_start[d]])]
    _body_to_boilerplate(probs, bios, classes)
    return probs


def sticky_copies(probs: np.ndarray, facts: LineFacts, docs: Sequence[Sequence[str]], doc_len: np.ndarray, classes: np.ndarray) -> np.ndarray:
    """probs with the lines below the headline that end with it after a short prefix made boilerplate.

    The guidelines make later copies of the headline boilerplate: sticky "Currently reading:
    <headline>" bars, breadcrumbs ("Home » <headline>"), and comment widgets' titles ("4 thoughts
    on “<headline>”", "Jane commented on <headline>"). The headline is a document's first body
    line if it is headline-shaped; a line below it that ends with it (case-folded, closing quotes
    and punctuation aside) after at most MAX_STICKY_PREFIX_WORDS words moves all its score to
    boilerplate.
    """
    body = _column(classes, Label.BODY)
    is_body = probs.argmax(axis=1) == body
    n = len(probs)
    first = _first_per_doc(is_body, doc_len)
    head = np.minimum(first, n - 1)
    has_head = (first < n) & (doc_len > 0) & (facts.words[head] >= MIN_HEADLINE_WORDS) & (facts.words[head] <= MAX_HEADLINE_WORDS)
    doc_of = np.repeat(np.arange(len(doc_len)), doc_len)
    extra_chars = facts.chars - np.repeat(facts.chars[head], doc_len)
    rows = np.flatnonzero((extra_chars >= 2) & (extra_chars <= MAX_STICKY_PREFIX_CHARS))
    extra = facts.words[rows] - facts.words[head][doc_of[rows]]
    rows = rows[has_head[doc_of[rows]] & (rows > first[doc_of[rows]]) & (extra >= 1) & (extra <= MAX_STICKY_PREFIX_WORDS)]
    doc_start = np.cumsum(doc_len) - doc_len
    of_doc = doc_of[rows]
    heads = {}
    with_candidates = np.unique(of_doc)
    for d, line in zip(with_candidates.tolist(), (first[with_candidates] - doc_start[with_candidates]).tolist()):
        text = docs[d][line]
        if headline_shaped(text, STATEMENT_END):
            heads[d] = text.casefold().rstrip(HEADLINE_SUFFIX_STRIP)
    copies = [row for row, d, line in zip(rows.tolist(), of_doc.tolist(), (rows - doc_start[of_doc]).tolist())
              if d in heads and docs[d][line].casefold().rstrip(HEADLINE_SUFFIX_STRIP).endswith(heads[d])]
    return _all_to(probs, np.array(copies, dtype=np.int64), Label.BOILERPLATE, classes)


def section_headers(probs: np.ndarray, facts: LineFacts, docs: Sequence[Sequence[str]], doc_len: np.ndarray, classes: np.ndarray) -> np.ndarray:
    """probs with each related-stories header ("Most Read", "Recent Posts") right above a teaser line made teaser.

    The guidelines make such headers teaser, but one at the top of a page or under a menu is
    pulled into the boilerplate around it. A line the features flag as a teaser header
    (LineFacts.stop) of at least MIN_SECTION_HEADER_WORDS words, not ending like a link ("more
    »", "More →"), whose next line in the same document is teaser, moves all its score to teaser.
    """
    teaser = _column(classes, Label.TEASER)
    top = probs.argmax(axis=1)
    next_teaser = np.zeros(len(probs), dtype=bool)
    next_teaser[:-1] = top[1:] == teaser
    next_teaser[np.cumsum(doc_len)[doc_len > 0] - 1] = False  # a document's last line has no next line
    rows = np.flatnonzero(facts.stop & next_teaser & (top != teaser) & (facts.words >= MIN_SECTION_HEADER_WORDS))
    if len(rows):
        doc_start = np.cumsum(doc_len) - doc_len
        of_doc = _docs_of(rows, doc_start)
        rows = [row for row, d in zip(rows.tolist(), of_doc.tolist())
                if not docs[d][row - doc_start[d]].rstrip().endswith(LINK_ENDINGS)]
    return _all_to(probs, np.array(rows, dtype=np.int64), Label.TEASER, classes)


def kickers(probs: np.ndarray, facts: LineFacts, docs: Sequence[Sequence[str]], doc_len: np.ndarray, classes: np.ndarray) -> np.ndarray:
    """probs with a one-word line that opens a document's body right above its headline made boilerplate.

    The guidelines make logos and section kickers boilerplate, but a site's name or a section
    word ("Daily8", "Politics") right above the headline is pulled into the article by the chain
    pass. When a document's first body line has at most MAX_KICKER_WORDS words, holds no date or
    byline, ends no sentence, and the line right below it is body and headline-shaped, its body
    score moves to boilerplate.
    """
    body = _column(classes, Label.BODY)
    is_body = probs.argmax(axis=1) == body
    first = _first_per_doc(is_body, doc_len)
    doc_start = np.cumsum(doc_len) - doc_len
    found = np.flatnonzero((first < len(probs)) & (doc_len > 0))
    f = first[found]
    nxt = np.minimum(f + 1, len(probs) - 1)
    keep = ((facts.words[f] <= MAX_KICKER_WORDS) & ~facts.dated[f] & ~facts.sentence_end[f]
            & (nxt < doc_start[found] + doc_len[found]) & is_body[nxt])
    heads = [row for row, d in zip(f[keep].tolist(), found[keep].tolist())
             if headline_shaped(docs[d][row + 1 - doc_start[d]], STATEMENT_END)]
    _body_to_boilerplate(probs, heads, classes)
    return probs


def _first_per_doc(flags: np.ndarray, doc_len: np.ndarray) -> np.ndarray:
    """The first flagged row of each document (len(flags) for a document with none)."""
    n = len(flags)
    return -_last_per_doc(np.where(flags, -np.arange(n), -n), doc_len)


def _docs_of(rows: np.ndarray, doc_start: np.ndarray) -> np.ndarray:
    """The document each of the given flat rows belongs to (empty documents share their start with the next)."""
    return np.searchsorted(doc_start, rows, side="right") - 1


def _last_per_doc(values: np.ndarray, doc_len: np.ndarray) -> np.ndarray:
    """The largest of values within each document (-1 for an empty one)."""
    out = np.full(len(doc_len), -1, dtype=np.int64)
    filled = doc_len > 0
    if filled.any():
        out[filled] = np.maximum.reduceat(values, (np.cumsum(doc_len) - doc_len)[filled])
    return out


def article_tail(probs: np.ndarray, facts: LineFacts, doc_len: np.ndarray, classes: np.ndarray) -> np.ndarray:
    """probs with the short lines after a document's last long body line made boilerplate.

    An article ends with its last paragraph; short lines after it that read as body are image
    alt texts, promo buttons and widget titles ("Orange background", "Try our features"), which
    the guidelines make boilerplate. Lines of at most MAX_TAIL_WORDS words that do not end a
    sentence, below the last body line of at least MIN_PARAGRAPH_WORDS words, lose their body score to
    boilerplate (jusText's context pass, run at the article's end).
    """
    body = _column(classes, Label.BODY)
    is_body = probs.argmax(axis=1) == body
    rows = np.arange(len(probs))
    last_long = _last_per_doc(np.where(is_body & (facts.words >= MIN_PARAGRAPH_WORDS), rows, -1), doc_len)
    end = np.repeat(last_long, doc_len)  # -1 in a document without a paragraph: no tail
    tail = np.flatnonzero(is_body & (facts.words <= MAX_TAIL_WORDS) & ~facts.sentence_end & (rows > end) & (end >= 0))
    _body_to_boilerplate(probs, tail, classes)
    return probs


def lone_paragraph(probs: np.ndarray, facts: LineFacts, doc_len: np.ndarray, classes: np.ndarray) -> np.ndarray:
    """probs with one body line in each document that has none: the paragraph most likely to be its article.

    The kit's scrapes are article pages, and an extractor that returns nothing scores nothing; a
    short article (a photo post, a video page) can leave every line under the body threshold. The
    line with the highest body score times word count, if it has at least MIN_PARAGRAPH_WORDS
    words, becomes body: its body score swaps places with its top score.
    """
    body = _column(classes, Label.BODY)
    rows = np.arange(len(probs))
    is_body = probs.argmax(axis=1) == body
    doc_start = np.cumsum(doc_len) - doc_len
    empty = np.flatnonzero((_last_per_doc(np.where(is_body, rows, -1), doc_len) < 0) & (doc_len > 0))
    for d in empty.tolist():
        start, end = int(doc_start[d]), int(doc_start[d] + doc_len[d])
        expected = probs[start:end, body] * facts.words[start:end]
        best = start + int(expected.argmax())
        if facts.words[best] < MIN_PARAGRAPH_WORDS or expected.max() <= 0:
            continue
        top = int(probs[best].argmax())
        probs[best, body], probs[best, top] = probs[best, top], probs[best, body]
    return probs


def site_templates(probs: np.ndarray, seen: np.ndarray, facts: LineFacts, docs: Sequence[Sequence[str]], doc_len: np.ndarray,
                   classes: np.ndarray) -> np.ndarray:
    """probs with the body lines that recur on other pages of the same site moved to teaser or boilerplate.

    A site's template (its description, an "about" box, sidebars, menus) recurs on its pages, and
    the guidelines keep only this page's article as body. seen flags the lines another page of the
    site holds (scrapeseg.train.site.site_seen). Date and byline lines stay (an author's other
    stories share the byline), and so does a headline-shaped first body line (other pages list
    the headline). The others' body score moves to teaser or boilerplate, whichever is higher.
    """
    body, teaser, boilerplate = (_column(classes, label) for label in (Label.BODY, Label.TEASER, Label.BOILERPLATE))
    is_body = probs.argmax(axis=1) == body
    rows = np.flatnonzero(seen & is_body & ~facts.dated)
    if len(rows) == 0:
        return probs
    doc_start = np.cumsum(doc_len) - doc_len
    of_doc = _docs_of(rows, doc_start)
    heads = rows == _first_per_doc(is_body, doc_len)[of_doc]
    keep = [not (head and headline_shaped(docs[d][r - doc_start[d]], STATEMENT_END))
            for r, d, head in zip(rows.tolist(), of_doc.tolist(), heads.tolist())]
    rows = rows[np.asarray(keep, dtype=bool)]
    to = np.where(probs[rows, teaser] >= probs[rows, boilerplate], teaser, boilerplate)
    probs[rows, to] += probs[rows, body]
    probs[rows, body] = 0.0
    return probs


def related_headers(probs: np.ndarray, related: np.ndarray, classes: np.ndarray) -> np.ndarray:
    """probs with each teaser section's header (LineFacts.related) that the model calls body made teaser.

    The stacker reads such a header by its neighbours, so one between an article's paragraphs, or
    over cards of headline and snippet, comes out body; the guidelines make it teaser even when
    its section is empty. Only the header moves: the lines below keep the model's call.
    """
    rows = np.flatnonzero(related & (probs.argmax(axis=1) == _column(classes, Label.BODY)))
    return _all_to(probs, rows, Label.TEASER, classes)


def mlp_forward(weights: list[tuple[np.ndarray, np.ndarray]], clip_lo: np.ndarray, clip_hi: np.ndarray, X, overwrite_x: bool = False) -> np.ndarray:
    """Class probabilities of a ReLU network with softmax output over inputs clipped to [clip_lo, clip_hi].

    overwrite_x=True clips a float32 X in place: a fresh copy of the widest array costs its page
    faults again in every batch.
    """
    X = np.asarray(X, dtype=np.float32)
    h = np.maximum(X, clip_lo, out=X if overwrite_x else None)  # np.clip, but several times faster
    np.minimum(h, clip_hi, out=h)
    for k, (w, b) in enumerate(weights):
        h = h @ w
        h += b
        if k < len(weights) - 1:
            np.maximum(h, 0, out=h)
    h -= h.max(axis=1, keepdims=True)
    np.exp(h, out=h)
    h /= h.sum(axis=1, keepdims=True)
    return h


class LinePredictor:
    """Per-line probabilities from the fitted attributes of a segment classifier."""

    def _scaled(self, dense):
        z = dense - self.dense_mean_
        z /= self.dense_scale_
        # minimum/maximum in place: the same as np.clip, several times faster.
        np.maximum(z, -DENSE_CLIP, out=z)
        np.minimum(z, DENSE_CLIP, out=z)
        return z.astype(np.float32, copy=False)

    def _linear_proba(self, dense, token_entries):
        """Pass-1 probabilities from the token entries and dense inputs, without stacking them (as predict_proba)."""
        model = self.linear_
        coef = self.linear_coef_
        nf = self.n_features
        dec = F.token_scores(token_entries, coef[:nf], len(dense)) + self._scaled(dense) @ coef[nf:] + model.intercept_.astype(np.float32)
        p = 1.0 / (1.0 + np.exp(-np.clip(dec, -30, 30)))
        p /= p.sum(axis=1, keepdims=True)
        out = np.zeros((len(dense), len(self.classes_)), dtype=np.float32)
        out[:, model.classes_] = p
        return out

    def _uses_markup(self) -> bool:
        """Whether the model reads markup columns (classifiers saved before the markup option did not)."""
        return bool(getattr(self, "markup", False))

    def _with_markup(self, docs, dense, markup):
        """The dense features with each line's markup columns appended when the model uses markup."""
        if not self._uses_markup():
            return dense  # a text-only model ignores markup, so callers may always pass what they have
        if markup is None:
            raise ValueError(
                "this classifier was fitted with markup=True and needs markup=: one (lines x "
                f"{MARKUP_WIDTH}) array per document, from scrapeseg.train.markup.page_markup(render_html(page).markup)"
            )
        if len(markup) != len(docs):
            raise ValueError(f"markup holds {len(markup)} documents for {len(docs)}")
        blocks = []
        for k, (lines, facts) in enumerate(zip(docs, markup)):
            block = np.asarray(facts, dtype=np.float32)
            if block.shape != (len(lines), MARKUP_WIDTH):
                raise ValueError(f"markup of document {k} has shape {block.shape}, expected ({len(lines)}, {MARKUP_WIDTH})")
            blocks.append(block)
        return np.hstack([dense, np.concatenate(blocks) if blocks else np.zeros((0, MARKUP_WIDTH), dtype=np.float32)])

    def _context(self, batch, dense, probs, order="C"):
        """Inputs of a stacked pass: dense + neighbour dense + probabilities and their context (in numpy's order)."""
        offsets = [o for o in range(-self.window, self.window + 1) if o != 0]
        cols = [F.DENSE_NAMES.index(c) for c in F.WINDOW_COLUMNS]
        # Markup columns sit after the text columns; their neighbours' values are windowed too.
        windowed = [dense[:, cols], *([dense[:, -MARKUP_WIDTH:]] if self._uses_markup() else [])]
        context = [
            F.window_mean(probs, batch, 5),
            F.window_mean(probs, batch, 15),
            F.window_mean(probs, batch, None),
            F.prefix_suffix_mean(probs, batch),
            F.run_features(probs, batch),
        ]
        widths = [dense.shape[1], *(v.shape[1] * len(offsets) for v in windowed), probs.shape[1],
                  probs.shape[1] * len(offsets), *(part.shape[1] for part in context)]
        # One preallocated float32 block that the windows are written into: no np.hstack type
        # promotion, and no copies of the wide parts. In Fortran order (with dense in Fortran
        # order too) every window is a few long contiguous copies instead of one short one per line.
        out = np.empty((len(dense), sum(widths)), dtype=np.float32, order=order)
        blocks = iter(np.split(out, np.cumsum(widths)[:-1], axis=1))
        next(blocks)[...] = dense
        for values in windowed:
            F.window(values, batch, offsets, out=next(blocks))
        next(blocks)[...] = probs
        F.window(probs, batch, offsets, out=next(blocks))
        for part in context:
            next(blocks)[...] = part
        return out

    @staticmethod
    def _proba(model, X, n_classes, overwrite_x=False):
        """Probabilities in enum order even if a fold lacked a class (overwrite_x: an MLP stacker may clip X in place)."""
        p = model.predict_proba(X, overwrite_x=True) if overwrite_x else model.predict_proba(X)
        out = np.zeros((X.shape[0], n_classes), dtype=np.float32)
        out[:, model.classes_] = p
        return out

    def _predict_flat(self, docs, markup=None, sites=None):
        with threadpool_limits(limits=self.n_threads):
            return self._predict_flat_unlimited(docs, markup, sites)

    def _predict_flat_unlimited(self, docs, markup=None, sites=None):
        """(doc_len per document, flat probabilities), stacked PREDICT_CHUNK_DOCS documents at a time, then chained.

        Features do not depend on the batch, so chunking changes nothing but float rounding (BLAS
        blocks its products by the number of rows) and keeps the working set in cache and memory
        bounded. Nor does the chain pass, which runs over groups of documents of similar length
        (see _chained).
        """
        docs = docs if isinstance(docs, list) else list(docs)
        doc_len = np.fromiter(map(len, docs), dtype=np.int64, count=len(docs))
        n_classes = len(self.classes_)
        out = np.zeros((int(doc_len.sum()), n_classes))
        facts = LineFacts.empty(len(out))
        row = 0
        for start in range(0, len(docs), PREDICT_CHUNK_DOCS):
            chunk = docs[start:start + PREDICT_CHUNK_DOCS]
            p, chunk_facts = self._stacked(chunk, None if markup is None else markup[start:start + PREDICT_CHUNK_DOCS])
            out[row:row + len(p)] = p
            facts.fill(row, chunk_facts)
            row += len(p)
        # The read-more pass labels in-article read-more lines, so the chain may pass over them.
        gaps = facts.read_more if READ_MORE_PASS in self._chosen_passes() else None
        probs = self._context_passes(self._chained(doc_len, out, gaps), out, facts, docs, doc_len, sites)
        return doc_len, self._recalled(docs, probs)

    def _chosen_passes(self):
        """The rule passes this classifier runs (classifiers saved before the context_passes param ran them all)."""
        return getattr(self, "context_passes", CONTEXT_PASSES)

    def _context_passes(self, probs, stacked, facts: LineFacts, docs, doc_len, sites=None):
        """probs after the rule passes named in context_passes, always in CONTEXT_PASSES order (stacked: before the chain pass).

        The site pass needs sites, one site key (or None) per document; without them it does not run.
        """
        chosen = self._chosen_passes()
        classes = self.classes_
        if LONG_PASS in chosen:
            probs = long_paragraphs(probs, stacked, facts, classes)
        if READ_MORE_PASS in chosen:
            probs = read_more_lines(probs, facts.read_more, classes)
        if PROMO_PASS in chosen:
            probs = promo_lines(probs, facts.promo, classes)
        if PAID_PASS in chosen:
            probs = paid_widgets(probs, facts, docs, doc_len, classes)
        if TAGS_PASS in chosen:
            probs = tag_lines(probs, facts.tags, classes)
        if KICKER_PASS in chosen:
            probs = kickers(probs, facts, docs, doc_len, classes)
        if HEADLINE_PASS in chosen:
            probs = headline_copies(probs, facts.repeat, docs, classes)
        if HEAD_PASS in chosen:
            probs = article_head(probs, facts.dated, docs, classes)
        if STICKY_PASS in chosen:
            probs = sticky_copies(probs, facts, docs, doc_len, classes)
        if HEADER_PASS in chosen:
            probs = section_headers(probs, facts, docs, doc_len, classes)
        if COMMENTS_PASS in chosen:
            probs = reply_threads(comment_sections(probs, facts, docs, doc_len, classes), facts, doc_len, classes)
        if BIO_PASS in chosen:
            probs = author_bios(probs, facts, docs, doc_len, classes)
        if TAIL_PASS in chosen:
            probs = article_tail(probs, facts, doc_len, classes)
        if LONE_PASS in chosen:
            probs = lone_paragraph(probs, facts, doc_len, classes)
        if RELATED_PASS in chosen:
            probs = related_headers(probs, facts.related, classes)
        if SITE_PASS in chosen and sites is not None:
            from scrapeseg.train.site import site_seen

            probs = site_templates(probs, site_seen(docs, sites), facts, docs, doc_len, classes)
        return probs

    def _recalled(self, docs, probs):
        """probs with every line whose text the memory holds set to its remembered label."""
        memory = getattr(self, "memory_", None)  # classifiers saved before the memory have none
        if not memory:
            return probs
        found = list(map(memory.get, chain.from_iterable(docs)))
        rows = [i for i, code in enumerate(found) if code is not None]
        if rows:
            probs[rows] = 0.0
            probs[rows, [found[i] for i in rows]] = 1.0
        return probs

    def _stacked(self, docs, markup=None):
        """The last stacked pass's probabilities of the lines of docs (before the chain pass) and the LineFacts the context passes read."""
        # Fortran order: the stacked pass's inputs are built column by column (the same values, and
        # the same products, bit for bit).
        batch, dense, tokens = F.featurize(docs, self.n_features, sparse=False, order="F")
        dense = self._with_markup(docs, dense, markup)
        n_classes = len(self.classes_)
        if len(batch) == 0:
            return np.zeros((0, n_classes)), LineFacts.empty(0)
        ads = _ad_markers(batch.texts, dense, batch.marks)
        worded = _worded_lines(dense, batch.marks)
        ends = _ends_sentence(batch.texts, dense)
        facts = LineFacts(
            repeat=dense[:, PREV_SAME_COLUMN] > 0,
            promo=(_promo_lines(batch.texts, dense, ads, batch.marks) | _chrome_lines(batch.texts, dense, worded)
                   | _subscribe_lines(batch.texts, dense, batch.marks, worded, batch.doc) | _invisible_lines(batch.texts, dense)
                   | _comment_lists(batch.texts, dense, batch.doc) | _breadcrumbs(batch.texts, dense)
                   | _other_promos(batch.texts, dense, batch.marks) | _cookie_banners(batch.texts, dense, batch.marks, batch.doc, ends)
                   | _shop_buttons(batch.texts, dense, batch.marks, batch.doc)),
            ad=ads,
            opener=F.comment_openers(batch.texts, dense, batch.marks),
            stop=dense[:, TEASER_HEADER_COLUMN] > 0,
            sentence_end=ends,
            words=np.rint(np.expm1(dense[:, LOG_WORDS_COLUMN])).astype(np.int64),
            chars=np.rint(np.expm1(dense[:, LOG_CHARS_COLUMN])).astype(np.int64),
            read_more=_in_article_teasers(batch.texts, dense, batch.doc, batch.marks),
            dated=dense[:, DATE_BYLINE_COLUMN] > 0,
            tags=_tag_lines(batch.texts, dense),
            reply=_reply_buttons(batch.texts, dense, worded),
            related=_teaser_section_headers(batch.texts, dense, batch.marks),
        )
        p1 = self._linear_proba(dense, tokens)
        X = self._context(batch, dense, p1, order="F")
        # X is rebuilt for every pass, so an MLP stacker may clip it in place.
        scratch = getattr(self, "stacker", None) == "mlp"
        if self.passes == 3:
            p2 = self._proba(self.stackers_[0], X, n_classes, scratch)
            X = np.hstack([self._context(batch, dense, p2), p1])
        return self._proba(self.stackers_[-1], X, n_classes, scratch), facts

    def _chained(self, doc_len, probs, gaps=None):
        """probs (flat, documents of doc_len lines in order) after the chain pass, when the model has one.

        The pass is a forward-backward over each document with probs / prior**prior_power as
        emissions (floored so that a line the stacker rules out cannot zero its document's chain).
        Lines flagged in gaps (a bool array, or None) give no evidence: the chain passes over them
        from the line above to the line below, so an in-article "Read more: …" line does not turn
        the paragraphs after it into teasers (the read-more pass labels the line itself).
        """
        from scrapeseg.train.kernels import chain_posterior

        power = getattr(self, "transition_power", None)
        if power is None or getattr(self, "transitions_", None) is None:
            return probs  # classifiers saved before the chain pass have none
        transitions = self.transitions_**power
        transitions /= transitions.sum(axis=1, keepdims=True)
        doc_start = np.cumsum(doc_len) - doc_len
        emit = probs / self.class_prior_**self.prior_power + EMISSION_FLOOR
        if gaps is not None and gaps.any():
            emit[gaps] = NO_EVIDENCE
        return chain_posterior(emit, doc_start, doc_len, self.start_, transitions, RESCALE_EVERY).astype(np.float32)

    def predict_proba(self, docs: Sequence[Sequence[str]], markup: Sequence | None = None, sites: Sequence | None = None) -> np.ndarray:
        """Per-line probabilities (columns in classes_ order) for all lines of all docs, concatenated.

        sites, one key per document (its domain, say; None for a page alone), lets the site pass
        compare the pages of each site in the batch.
        """
        return self._predict_flat(docs, markup, sites)[1]

    def predict(self, docs: Sequence[Sequence[str]], markup: Sequence | None = None, sites: Sequence | None = None) -> np.ndarray:
        """Per-line label strings for all lines of all docs, concatenated."""
        return self.classes_[self.predict_proba(docs, markup, sites).argmax(axis=1)]

    def predict_proba_docs(self, docs: Sequence[Sequence[str]], markup: Sequence | None = None, sites: Sequence | None = None) -> list[np.ndarray]:
        """One (lines x classes) probability array per document."""
        doc_len, p = self._predict_flat(docs, markup, sites)
        return np.split(p, np.cumsum(doc_len)[:-1]) if len(doc_len) else []

    def predict_docs(self, docs: Sequence[Sequence[str]], markup: Sequence | None = None, sites: Sequence | None = None) -> list[np.ndarray]:
        """One array of label strings per document."""
        return [self.classes_[p.argmax(axis=1)] if len(p) else self.classes_[:0] for p in self.predict_proba_docs(docs, markup, sites)]


class _State:
    """Attributes restored from a pickle, whatever their class was."""

    def __init__(self, *args, **kwargs):
        self.args = args

    def __setstate__(self, state):
        if isinstance(state, tuple) and len(state) == 2 and isinstance(state[1], dict):
            state = {**(state[0] or {}), **state[1]}  # (dict, slots) state
        if isinstance(state, dict):
            self.__dict__.update(state)
        else:
            self.state = state


class SavedPredictor(_State, LinePredictor):
    """A saved SegmentClassifier's fitted state, restored without scikit-learn, for prediction only."""


class SavedMLP(_State):
    """A saved MLP stacker's folded float32 weights, restored without scikit-learn."""

    def predict_proba(self, X, overwrite_x: bool = False) -> np.ndarray:
        """Class probabilities of the rows of X (clipped in place with overwrite_x=True)."""
        return mlp_forward(self.weights_, self.clip_lo_, self.clip_hi_, X, overwrite_x)


# Classes of a saved SegmentClassifier replaced on loading; everything from scikit-learn becomes _State.
STAND_INS = {
    ("scrapeseg.train.model", "SegmentClassifier"): SavedPredictor,
    ("scrapeseg.train.model", "_ScaledMLP"): SavedMLP,
}


def load_predictor(path: Path):
    """The classifier saved at path as a SavedPredictor, or None if it needs scikit-learn to predict."""
    from joblib.numpy_pickle import NumpyUnpickler

    try:
        from joblib.numpy_pickle_utils import _validate_fileobject_and_memmap
    except ImportError:  # a joblib without this private helper: the caller loads the ordinary way
        return None

    class Unpickler(NumpyUnpickler):
        def find_class(self, module, name):
            if (module, name) in STAND_INS:
                return STAND_INS[module, name]
            if module == SKLEARN_MODULE or module.startswith(SKLEARN_MODULE + "."):
                return _State
            return super().find_class(module, name)

    with open(path, "rb") as handle, _validate_fileobject_and_memmap(handle, str(path)) as (stream, _):
        obj = Unpickler(str(path), stream, ensure_native_byte_order=True).load()
    usable = isinstance(obj, SavedPredictor) and all(isinstance(s, SavedMLP) for s in getattr(obj, "stackers_", [None]))
    return obj if usable else None
