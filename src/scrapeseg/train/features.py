"""Text-only features of the lines of scraped documents, computed for a whole batch at once.

A batch is a list of documents, each a list of line texts (stripped, non-empty, no newlines). All
lines are joined by newlines once and read as code points; the per-character and per-token
loops are compiled (:mod:`scrapeseg.train.kernels`, imported on first use so that loading a
model does not import numba), the per-line arithmetic is numpy, and only non-ASCII tokens never
seen before by the process reach Python string methods:

* character classes (upper, lower, other letters, digits, punctuation kinds, spaces and a few
  marks such as ``|``, ``•``, ``©``) are counted per line in one pass over the code points,
  which also finds the whitespace tokens and hashes each one's code points (64 bits);
* tokens are found in a process-wide vocabulary by that hash, normalised (lower case,
  punctuation stripped, digits as ``0``) once per *distinct* token and hashed with murmurhash
  (stable across processes) into token features with unigrams, bigrams and a separate
  namespace for the first word;
* function-word, cue-word (promo, share, comments, app, dates, ...) ratios are lookups on the
  distinct tokens; the teaser-section regexes of :mod:`scrapeseg.corpus.teaser` only run on the
  few short lines whose first word can start them (the promo and date regexes likewise), once
  per distinct line text in the process;
* position, document-relative length, in-document repetition (copies of the case-folded line,
  told apart by a hash; distance to the nearest copy, density of card-shaped lines), "lines
  since the last related-stories header" and the position relative to the main body block
  (:func:`run_features`, from pass-1 probabilities) are index arithmetic per document.

Nothing here is learned, so the same function serves fit and predict.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from itertools import chain, repeat
from operator import itemgetter

import numpy as np

from scrapeseg.corpus.prelabel import DATE_OR_BYLINE, STRONG_PROMO
from scrapeseg.corpus.teaser import PREV_NEXT_LINE, READ_MORE_LINE, is_teaser_header

FEATURE_SET_VERSION = "10"
DEFAULT_N_FEATURES = 2**19
HASH_SEED = 20261125
FIRST_WORD_PREFIX = "^"
BIGRAM_MULT = 1_000_003
BIGRAM_ADD = 7
MAX_SECTION_DISTANCE = 60
MAX_COMMENT_HEADER_WORDS = 8
LENGTH_KEY_BITS = 32
LENGTH_KEY_MAX = 2**LENGTH_KEY_BITS - 1  # lines longer than 4G characters rank as equal

# Small multilingual function-word list (articles, pronouns, prepositions, conjunctions, auxiliaries).
FUNCTION_WORDS = frozenset(
    """
    a an the and or but if of to in on at by for from with about as into over after before than
    that this these those there here which who whom whose what when where why how not no nor so
    is are was were be been being has have had do does did will would shall should can could may
    might must it its it's he she they we you i me him her them us his their our your my one also
    just only very more most such other some any all each both then now said says
    der die das den dem des ein eine einer eines einem und oder aber nicht ist sind war wurde
    werden wird hat haben mit von zu im am auf aus bei nach für über unter vor sich auch es sie er
    wir ich dass wie noch nur
    le la les un une des du de et ou mais est sont été être avoir a ont dans sur pour par avec
    pas ne que qui ce cette ces il elle ils elles nous vous au aux son sa ses leur plus
    el la los las un una unos unas y o pero es son fue ser en con por para del al que se lo su
    sus como más pero sin sobre entre
    o a os as um uma e ou mas é são foi em no na nos nas do da dos das com por para que se não
    il lo gli le un uno una e o ma è sono non che di da in con su per tra fra del della dei delle
    de het een en of maar is zijn was werd met van te op voor niet dat die dit er ook
    och att det som en ett är var för på med av inte den de
    и в не на что с по как это он она они к а но из за от у же так
    """.split()
)
CUE_GROUPS: dict[str, frozenset[str]] = {
    "promo": frozenset(
        "subscribe subscription subscribers newsletter newsletters sign signup login log logout register "
        "account premium offer trial try free membership donate support".split()
    ),
    "app": frozenset("download app apps ios android store play install".split()),
    "share": frozenset(
        "share shares shared tweet twitter facebook whatsapp linkedin pinterest reddit email print "
        "follow instagram youtube telegram copy link".split()
    ),
    "comments": frozenset("comment comments reply replies respond discussion commenting".split()),
    "legal": frozenset(
        "cookie cookies privacy policy terms conditions copyright rights reserved ©".split()
    ),
    "nav": frozenset("home menu search skip top back next previous prev older newer page pages logo logos".split()),
    "related": frozenset(
        "related read more most popular recommended trending latest stories articles also see watch "
        "listen viewed headlines".split()
    ),
    "media": frozenset("photo photos image images picture video videos credit getty reuters afp ap file".split()),
    "ads": frozenset("advertisement advertising sponsored promoted ad ads partner partners".split()),
    "date": frozenset(
        "jan feb mar apr may jun jul aug sep sept oct nov dec january february march april june july "
        "august september october november december monday tuesday wednesday thursday friday saturday "
        "sunday ago updated published posted am pm gmt utc est edt bst hours hour minutes mins days".split()
    ),
    "byline": frozenset("by author written reporter editor correspondent staff".split()),
}
CUE_NAMES = tuple(CUE_GROUPS)
# First words that can start a teaser header, "Read more: ..." or next/previous line, or a comment
# section's header ("Leave a reply", "Join the conversation").
HEADER_STARTERS = frozenset(
    "related more most top latest recent recommended popular trending editor's editors editor also see read "
    "what further you don't dont elsewhere around in other from previously watch listen main « ‹ < "
    "previous prev next older newer leave post add write join reader "
    # the first words of teaser.OTHER_LANGUAGE_HEADER and OTHER_LANGUAGE_READ_ALSO
    "mehr weitere ähnliche meistgelesen meistgelesene die beliebteste beliebtesten empfohlen empfohlene das auch i "
    "lesen neueste verwandte articles article à lire sur les dans vous voir plus dernières derniers noticias "
    "artículos notas relacionados relacionadas también te lee lea lo más últimas recomendados recomendadas ver "
    "leia notícias artigos matérias mais veja você leggi articoli notizie correlati ti potrebbe più ultime vedi "
    "lees gerelateerd gerelateerde meest meer ook zie läs relaterat relaterade mest fler читайте по похожие "
    "самое самые популярное другие последние ещё senaste siste mer les læs "
    "czytaj zobacz najczęściej najpopularniejsze polecamy podobne więcej najnowsze".split()
)
# Words one of which a STRONG_PROMO match needs (download ... app, app store, google play, subscribe,
# sign up, cookies): the regex only runs on lines holding one.
STRONG_PROMO_WORDS = frozenset("app apps google subscribe sign cookies".split())
# Every CHROME_LINE (scrapeseg.train.predict) holds one of these words, a CONTINUES_MARKER without an ad cue
# word one of "continues … weiter" ("Story continues below", "Continua após a publicidade"), a REPLY_BUTTON one
# of "reply … svara", and a SHOP_BUTTON one of the last line's.
CHROME_WORDS = tuple(
    "publicidad publicité publicidade pubblicità anzeige werbung advertentie reclame annons reklam реклама "
    "patrocinado sponsorisé sponsorizzato gesponsert compartir compartilhar partilhar condividi teilen partager delen "
    "поделиться suscríbete suscribirse iscriviti abbonati abonnez-vous abonnieren assine abonneer prenumerera "
    "подписаться share table contents jump inhaltsverzeichnis sommaire tabla índice indice inhoudsopgave "
    "innehållsförteckning оглавление dela copy link kopiera kopier copiar copier copia "
    "continues continua continúa suite weiter reklama udostępnij skopiuj subskrybuj spis "
    "listen escuchar escucha écouter ascolta ouvir ouça posłuchaj anhören vorlesen "
    "reply responder responda beantwoorden reageer ответить odpowiedz odpowiedź rispondi antworten répondre svara "
    "view buy shop check bei auf voir annonse reklame annonce inzerce mainos hirdetés".split()
)
# The other-language imperatives SUBSCRIBE_PROMO (scrapeseg.train.predict) starts with (the English words are promo
# cues already), and the first or second words of its paywall lines ("Already a subscriber?", "Get unlimited access").
SUBSCRIBE_WORDS = tuple(
    "suscríbete suscribete abonnez-vous abbonati iscriviti assine abonnieren already unlimited gift déjà ya già bereits já al уже "
    "regístrate registrate crear crea leído redan you".split()
)
# A SUBSCRIBE_PROMO after a sentence or without a chrome word first holds one of these words (other promo cues,
# "free" or "account", are far more common).
SUBSCRIBE_CUE_WORDS = ("subscribe", "newsletter", "newsletters", "abonnez-vous", "suscríbete", "abbonati", "assine", "abonnieren", "inbox",
                       "subscribers", "abonnenter", "abonnent", "prenumerant")
# Every OTHER_PROMO (scrapeseg.train.predict: affiliate disclosures, WhatsApp and Telegram channel promos) and OTHER_AD_MARKER holds one of these words,
# and every other-language APP_PROMO_HEADER one of the download verbs after them (the app may hide in "Nordkurier-App").
DISCLOSURE_WORDS = ("affiliate", "commission", "whatsapp", "telegram") + tuple(
    "sponsorizzato sponsorizzata sponsorizzati gesponsert sponsorisé sponsorisée patrocinado patrocinada gesponsord gesponsorde "
    "sponsrad sponsrat sponset sponsorowane pubblicità publicidad publicité publicidade anzeige werbung annonse annons reklame "
    "reklama реклама".split()
)
APP_VERBS = tuple(
    "herunterladen téléchargez télécharger télécharge descarga descargá descárgate descargue scarica baixe installez installa "
    "instala ladda hämta läs скачайте установите".split()
)
# Every INLINE_READ_ALSO (scrapeseg.train.predict) starts with one of these words among its first two tokens, and so
# does every TEASER_SECTION_HEADER the teaser_header feature does not flag ("Ces articles peuvent vous intéresser").
READ_ALSO_STARTS = tuple(
    "también te puede mirá mira leé lee leia saiba você potrebbe ti à lire auch das läs les læs lees more czytaj zobacz "
    "čtěte přečtěte čítajte lue ezt ces související nejčtenější you also around trending".split()
)
SENTENCE_END_CHARS = ".!?…\"'”’)»"
STRIP_CHARS = "".join(
    chr(c) for c in range(0x2070) if unicodedata.category(chr(c)).startswith(("P", "S"))
) + "\u2018\u2019\u201c\u201d\u2026\u2013\u2014"
DIGITS_TO_ZERO = str.maketrans("123456789", "000000000")
_TIME_TOKEN = re.compile(r"^\d{1,2}[:.]\d\d$")
_NONZERO_DIGIT = re.compile("[1-9]")
_YEAR_TOKEN = re.compile(r"^(19|20)\d\d$")

# Character class bits for the UTF-32 lookup table.
UPPER, LOWER, OTHER_LETTER, DIGIT, PUNCT, SPACE, SENT_END, COMMA = (1 << i for i in range(8))
MARKS = {"|": 0, "•": 1, "·": 1, "©": 2, "@": 3, "#": 4, "»": 5, "›": 5, ">": 5, ":": 6, "/": 7}
N_MARKS = 8


@lru_cache(maxsize=1)
def _char_table() -> tuple[np.ndarray, np.ndarray]:
    """Class bits and mark ids for every BMP code point (built once, about 0.1 s)."""
    bits = np.zeros(0x10000, dtype=np.uint8)
    marks = np.full(0x10000, 255, dtype=np.uint8)
    for cp in range(0x10000):
        cat = unicodedata.category(chr(cp))
        b = 0
        if cat == "Lu" or cat == "Lt":
            b |= UPPER
        elif cat == "Ll":
            b |= LOWER
        elif cat[0] == "L":
            b |= OTHER_LETTER
        elif cat == "Nd":
            b |= DIGIT
        elif cat[0] in "PS":
            b |= PUNCT
        elif cat[0] == "Z" or chr(cp).isspace():
            b |= SPACE
        bits[cp] = b
    for ch in ".!?…。！？":
        bits[ord(ch)] |= SENT_END
    for ch in ",，、":
        bits[ord(ch)] |= COMMA
    for ch, m in MARKS.items():
        marks[ord(ch)] = m
    return bits, marks


@lru_cache(maxsize=1)
def _fold_table() -> np.ndarray:
    """The case-folded code point of every BMP code point whose fold is a single character (others fold to themselves)."""
    fold = np.arange(0x10000, dtype=np.uint32)
    for cp in range(0x10000):
        folded = chr(cp).casefold()
        if len(folded) == 1:
            fold[cp] = ord(folded)
    return fold


# Exclusive character codes for counting: letters, digits, punctuation kinds, spaces, marks.
C_LOWER, C_UPPER, C_OTHER, C_DIGIT, C_PUNCT, C_SPACE, C_NONE, C_SENT, C_COMMA, C_MARK0 = range(10)
N_CODES = C_MARK0 + N_MARKS


@lru_cache(maxsize=1)
def _code_table() -> np.ndarray:
    """Code of every BMP code point, plus one slot (0x10000) for all astral ones (other letters)."""
    bits, marks = _char_table()
    codes = np.full(0x10001, C_NONE, dtype=np.uint8)
    codes[:0x10000][(bits & PUNCT) != 0] = C_PUNCT
    codes[:0x10000][(bits & SPACE) != 0] = C_SPACE
    codes[:0x10000][(bits & DIGIT) != 0] = C_DIGIT
    codes[:0x10000][(bits & OTHER_LETTER) != 0] = C_OTHER
    codes[:0x10000][(bits & LOWER) != 0] = C_LOWER
    codes[:0x10000][(bits & UPPER) != 0] = C_UPPER
    codes[:0x10000][(bits & SENT_END) != 0] = C_SENT
    codes[:0x10000][(bits & COMMA) != 0] = C_COMMA
    has_mark = marks != 255
    codes[:0x10000][has_mark] = C_MARK0 + marks[has_mark]
    codes[0x10000] = C_OTHER
    return codes


@dataclass
class Batch:
    """Flattened lines of a batch of documents."""

    texts: list[str]
    doc: np.ndarray  # document number of each line
    pos: np.ndarray  # index of the line in its document
    n: np.ndarray  # number of lines of the line's document
    doc_start: np.ndarray  # flat index of each document's first line
    doc_len: np.ndarray  # lines per document
    marks: np.ndarray | None = None  # per line, the word-list token flags its rule prefilters read (line_marks)

    @classmethod
    def from_docs(cls, docs: Sequence[Sequence[str]]) -> "Batch":
        batch = cls.from_lengths(np.fromiter(map(len, docs), dtype=np.int64, count=len(docs)))
        batch.texts = list(chain.from_iterable(docs))
        return batch

    @classmethod
    def from_lengths(cls, doc_len: np.ndarray) -> "Batch":
        """The layout of documents with these numbers of lines, without their texts."""
        doc = np.repeat(np.arange(len(doc_len)), doc_len)
        doc_start = np.zeros(len(doc_len), dtype=np.int64)
        np.cumsum(doc_len[:-1], out=doc_start[1:])
        pos = np.arange(len(doc)) - doc_start[doc]
        return cls([], doc, pos, doc_len[doc], doc_start, doc_len)

    def __len__(self) -> int:
        return len(self.texts)


def _segment_sums(values: np.ndarray, starts: np.ndarray, ends: np.ndarray) -> np.ndarray:
    """Sum of values[starts[i]:ends[i]] for each i, by a cumulative sum."""
    cs = np.zeros(len(values) + 1, dtype=np.float64)
    np.cumsum(values, out=cs[1:])
    return cs[ends] - cs[starts]


def _doc_reduce(ufunc, values: np.ndarray, batch: Batch) -> np.ndarray:
    """Per-document reduction broadcast back to lines (documents are non-empty)."""
    nonempty = batch.doc_len > 0
    out = np.zeros(len(batch.doc_len), dtype=np.float64)
    out[nonempty] = ufunc.reduceat(values, batch.doc_start[nonempty])
    return out[batch.doc]


def _last_flag_index(flag: np.ndarray, batch: Batch) -> np.ndarray:
    """Index of the last line strictly before each line, in its document, with flag set (-1 if none)."""
    idx = np.arange(len(flag))
    last = np.maximum.accumulate(np.where(flag, idx, -1)) if len(flag) else idx
    prev = np.full(len(flag), -1, dtype=np.int64)
    prev[1:] = last[:-1]
    return np.where(prev >= batch.doc_start[batch.doc], prev, -1)


def _last_flag_distance(flag: np.ndarray, batch: Batch) -> np.ndarray:
    """Lines since the last earlier line in the same document with flag set (cap if none)."""
    prev = _last_flag_index(flag, batch)
    dist = np.where(prev >= 0, np.arange(len(flag)) - prev, MAX_SECTION_DISTANCE)
    return np.minimum(dist, MAX_SECTION_DISTANCE).astype(np.float64)


def _doc_cumsum_before(values: np.ndarray, batch: Batch) -> np.ndarray:
    """Sum of values over the earlier lines of the same document."""
    cs = np.cumsum(values) - values
    first = batch.doc_start[batch.doc]
    return cs - cs[first]


class TokenTable:
    """Per-batch table of the tokens of each line with their normalised hash and lexical flags."""

    def __init__(self, n_features: int):
        self.n_features = n_features

    def build(self, texts: list[str]):
        from scrapeseg.train.kernels import scan_lines, token_columns

        chars = char_view(texts)
        # Whitespace tokens (what str.split finds, as no token spans the newline between lines) are
        # runs of non-space codes; a token belongs to the line holding its first character.
        per_line, counts, tok_start, tok_end, hashes = scan_lines(
            chars["cps"], _code_table(), chars["starts"], chars["lengths"], C_SPACE, N_CODES, HASH_BASE_INV, HASH_LEN_MULT, HASH_MIX,
        )
        chars["per_line"] = per_line
        vocab = _vocab(self.n_features)
        codes = vocab.rows(hashes, chars["joined"], tok_start, tok_end)
        # Per token, not per vocabulary row: deriving flags for the whole vocabulary would cost
        # more with every batch as it grows.
        h, h_first, flags, cue_bits = token_columns(codes, vocab.table())
        return dict(counts=counts, codes=codes, h=h, h_first=h_first, flags=flags, cue_bits=cue_bits, chars=chars)


def char_view(texts: list[str]) -> dict:
    """The batch's lines joined by newlines, as code points, with each line's start and length."""
    n = len(texts)
    lengths = np.fromiter(map(len, texts), dtype=np.int64, count=n)
    starts = np.zeros(n, dtype=np.int64)
    if n:
        np.cumsum(lengths[:-1] + 1, out=starts[1:])
    joined = "\n".join(texts)
    cps = np.frombuffer(joined.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    return dict(joined=joined, lengths=lengths, starts=starts, ends=starts + lengths, cps=cps)


# 64-bit polynomial hashing of token code points: equal tokens always hash alike, and two distinct
# tokens of a million-token vocabulary collide with probability ~1e-7, so the vocabulary is keyed by hash.
HASH_BASE = 0x100000001B3
HASH_BASE_INV = np.uint64(pow(HASH_BASE, -1, 2**64))
HASH_LEN_MULT = np.uint64(0x9E3779B97F4A7C15)
HASH_MIX = np.uint64(0xBF58476D1CE4E5B9)
SLOT_MIX = np.uint64(0x94D049BB133111EB)
DOC_MIX = np.uint64(0xD6E8FEB86659FD93)
VOCAB_MIN_BITS = 16
# The vocabulary table is int32 (half the memory its per-token gather reads): columns must fit.
MAX_N_FEATURES = 2**31 - 1


class _Vocab:
    """Token hash -> row id of a growing (hash, first-word hash, flags, cue bits) table.

    An open-addressing hash table in numpy arrays, so a batch's tokens are looked up in a few
    vectorised passes; only unseen tokens reach Python. Row ids depend on the order tokens were
    first seen, but they only index the table, so features do not depend on the history.
    """

    def __init__(self, n_features: int):
        self.n_features = n_features
        self.size = 0
        if n_features > MAX_N_FEATURES:
            raise ValueError(f"n_features must be at most {MAX_N_FEATURES}, not {n_features}")
        self._table = np.zeros((1 << VOCAB_MIN_BITS, 4), dtype=np.int32)
        self._alloc(VOCAB_MIN_BITS)

    def __len__(self) -> int:
        return self.size

    def _alloc(self, bits: int) -> None:
        self.bits = bits
        self.keys = np.zeros(1 << bits, dtype=np.uint64)
        self.vals = np.full(1 << bits, -1, dtype=np.int64)

    def _find(self, hashes: np.ndarray) -> np.ndarray:
        """Row of each hash, -1 where absent."""
        from scrapeseg.train.kernels import find_rows

        return find_rows(hashes, self.keys, self.vals, self.bits, SLOT_MIX)

    def _insert(self, hashes: np.ndarray, rows: np.ndarray) -> None:
        """Add distinct hashes that are not in the table yet."""
        from scrapeseg.train.kernels import insert_rows

        insert_rows(hashes, rows, self.keys, self.vals, self.bits, SLOT_MIX)

    def rows(self, hashes: np.ndarray, joined: str, starts: np.ndarray, ends: np.ndarray) -> np.ndarray:
        """Row ids of the tokens joined[starts[i]:ends[i]] with the given hashes, adding unseen ones."""
        rows = self._find(hashes)
        missing = np.flatnonzero(rows < 0)
        if len(missing):
            new_hashes, first, inverse = np.unique(hashes[missing], return_index=True, return_inverse=True)
            new_tokens = missing[first]
            raws = list(map(joined.__getitem__, map(slice, starts[new_tokens].tolist(), ends[new_tokens].tolist())))
            new_rows = np.arange(self.size, self.size + len(raws), dtype=np.int64)
            if len(self._table) < self.size + len(raws):
                grown = np.zeros((2 * (self.size + len(raws)), 4), dtype=np.int32)
                grown[: self.size] = self._table[: self.size]
                self._table = grown
            self._table[self.size:self.size + len(raws)] = _token_rows(raws, self.n_features)
            self.size += len(raws)
            # Keep the hash table at most half full so probe runs stay short.
            if 2 * self.size > len(self.keys):
                old = np.flatnonzero(self.vals >= 0)
                old_keys, old_vals = self.keys[old], self.vals[old]
                self._alloc(int(np.ceil(np.log2(4 * self.size))))
                self._insert(old_keys, old_vals)
            self._insert(new_hashes, new_rows)
            rows[missing] = new_rows[inverse.ravel()]
        return rows

    def table(self) -> np.ndarray:
        """The (hash, first-word hash, flags, cue bits) rows so far."""
        return self._table[: self.size]


_VOCABS: dict[int, _Vocab] = {}


def _vocab(n_features: int) -> _Vocab:
    vocab = _VOCABS.get(n_features)
    if vocab is None or len(vocab) > TOKEN_CACHE_SIZE:
        _VOCABS.clear()
        vocab = _VOCABS[n_features] = _Vocab(n_features)
    return vocab


TOKEN_CACHE_SIZE = 1_000_000
# Token flag bits: a word (not symbols only), a function word, title case, a possible teaser-header
# starter, a word that a STRONG_PROMO match needs, and the words of the lists the rule passes' prefilters
# look for (WORD_LIST_FLAGS).
(TOKEN_WORD, TOKEN_FUNCTION, TOKEN_TITLE, TOKEN_STARTER, TOKEN_STRONG_PROMO, TOKEN_CHROME_WORD, TOKEN_SUBSCRIBE_CUE,
 TOKEN_COMMENT_WORD, TOKEN_DISCLOSURE_WORD, TOKEN_APP_VERB, TOKEN_COOKIE_WORD, TOKEN_READ_ALSO_START) = (1 << i for i in range(12))
# The flags of the compiled ASCII token pass that are not word-list lookups, in the order it takes them.
ASCII_FLAG_BITS = np.array([TOKEN_WORD, TOKEN_TITLE, TOKEN_STARTER], dtype=np.int64)
# Flags counted per line by dense_features, in the order it unpacks them.
FLAG_COUNT_BITS = np.array([TOKEN_WORD, TOKEN_FUNCTION, TOKEN_TITLE, TOKEN_STRONG_PROMO], dtype=np.int64)
N_CUES = len(CUE_NAMES) + 2
_CUE_BITS: dict[str, int] = {}
for _i, _name in enumerate(CUE_NAMES):
    for _w in CUE_GROUPS[_name]:
        _CUE_BITS[_w] = _CUE_BITS.get(_w, 0) | (1 << _i)


def _token_rows(raws: list[str], n_feat: int) -> np.ndarray:
    """(hash, first-word hash, flags, cue bits) rows of raw whitespace tokens.

    ASCII tokens (nearly all) take one compiled pass, the others Python's string methods: new
    tokens keep coming in steady state, so this is a hot path.
    """
    is_ascii = np.fromiter(map(str.isascii, raws), dtype=bool, count=len(raws))
    out = np.zeros((len(raws), 4), dtype=np.int64)
    for rows, compute in ((np.flatnonzero(is_ascii), _ascii_token_rows), (np.flatnonzero(~is_ascii), _python_token_rows)):
        if len(rows):
            out[rows] = compute([raws[i] for i in rows.tolist()], n_feat)
    return out


def _ascii_token_rows(raws: list[str], n_feat: int) -> np.ndarray:
    """_token_rows of ASCII tokens, in one compiled pass over their bytes."""
    from scrapeseg.train.kernels import ascii_token_rows

    buf, offsets, lengths = _packed([raw.encode() for raw in raws])
    strip, word_keys, word_bits, starter_keys = _ascii_word_tables()
    return ascii_token_rows(
        buf, offsets, lengths, strip, word_keys, word_bits, starter_keys, n_feat, _murmur_constants(HASH_SEED),
        len(CUE_NAMES), ord(FIRST_WORD_PREFIX), ASCII_FLAG_BITS, np.array([flag for flag, _ in WORD_LIST_FLAGS], dtype=np.int64),
    ).astype(np.int64)


def _packed(keys: Sequence[bytes]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Byte strings concatenated, with each one's offset and length."""
    lens = np.fromiter(map(len, keys), dtype=np.int64, count=len(keys))
    offsets = np.zeros(len(keys), dtype=np.int64)
    np.cumsum(lens[:-1], out=offsets[1:])
    return np.frombuffer(b"".join(keys), dtype=np.uint8), offsets, lens


@lru_cache(maxsize=1)
def _ascii_word_tables() -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """What the compiled ASCII token pass looks up: strippable bytes, word-list hashes with their bits, starter hashes."""
    from scrapeseg.train.kernels import byte_hashes

    strip = np.array([chr(c) in STRIP_CHARS for c in range(128)], dtype=np.bool_)
    bits: dict[str, int] = {}
    for word, cue in _CUE_BITS.items():
        bits[word] = bits.get(word, 0) | cue
    for k, (_, words) in enumerate(WORD_LIST_FLAGS):
        for word in words:
            bits[word] = bits.get(word, 0) | (1 << (len(CUE_NAMES) + 2 + k))
    words = sorted(w for w in bits if w.isascii())
    starters = sorted(w for w in HEADER_STARTERS if w.isascii())
    word_hashes = byte_hashes(*_packed([w.encode() for w in words]))
    starter_hashes = byte_hashes(*_packed([w.encode() for w in starters]))
    order = np.argsort(word_hashes)
    return strip, word_hashes[order], np.array([bits[w] for w in words], dtype=np.int64)[order], np.sort(starter_hashes)


def _python_token_rows(raws: list[str], n_feat: int) -> np.ndarray:
    """_token_rows of any tokens, with Python's string methods."""
    lows = list(map(str.lower, raws))
    stripped = list(map(str.strip, lows, repeat(STRIP_CHARS)))
    word = np.fromiter(map(bool, stripped), dtype=bool, count=len(raws))

    def flag(test, values) -> np.ndarray:
        return np.fromiter(map(bool, map(test, values)), dtype=bool, count=len(raws)) & word

    # Title case: an upper-case first character, or the first one after leading punctuation.
    title = np.fromiter(map(str.isupper, map(itemgetter(0), raws)), dtype=bool, count=len(raws))
    lead = np.flatnonzero(~title & ~np.fromiter(map(str.isalpha, map(itemgetter(0), raws)), dtype=bool, count=len(raws)))
    title[lead] = [raws[i].strip(STRIP_CHARS)[:1].isupper() for i in lead.tolist()]
    cue = np.fromiter(map(_CUE_BITS.get, stripped, repeat(0)), dtype=np.int64, count=len(raws))
    # Times and years start with a digit: their regexes only run on the few tokens that do.
    digit_first = np.flatnonzero(np.fromiter(map(str.isdigit, map(itemgetter(slice(0, 1)), stripped)), dtype=bool, count=len(raws)))
    numeric = [stripped[i] for i in digit_first.tolist()]
    cue[digit_first] |= np.fromiter(map(bool, map(_TIME_TOKEN.match, numeric)), dtype=np.int64, count=len(numeric)) << len(CUE_NAMES)
    cue[digit_first] |= np.fromiter(map(bool, map(_YEAR_TOKEN.match, numeric)), dtype=np.int64, count=len(numeric)) << (len(CUE_NAMES) + 1)
    cue[~word] = 0
    # Digits become 0 in the hashed form; symbols-only tokens such as | • » hash as they are.
    norms = stripped.copy()
    for i in np.flatnonzero(flag(_NONZERO_DIGIT.search, stripped)).tolist():
        norms[i] = stripped[i].translate(DIGITS_TO_ZERO)
    for i in np.flatnonzero(~word).tolist():
        norms[i] = raws[i]
    flags = (
        word * TOKEN_WORD + title * word * TOKEN_TITLE
        + (np.fromiter(map(HEADER_STARTERS.__contains__, lows), dtype=bool, count=len(raws))
           | np.fromiter(map(HEADER_STARTERS.__contains__, norms), dtype=bool, count=len(raws))) * TOKEN_STARTER
        + sum(flag(words.__contains__, stripped) * bit for bit, words in WORD_LIST_FLAGS)
    )
    encoded = list(map(str.encode, norms))
    return np.stack(
        [
            murmurhash3_32(encoded, HASH_SEED) % n_feat,
            murmurhash3_32(list(map(FIRST_WORD_PREFIX.encode().__add__, encoded)), HASH_SEED) % n_feat,
            flags.astype(np.int64),
            cue,
        ],
        axis=1,
    )


MURMUR_C1, MURMUR_C2 = 0xCC9E2D51, 0x1B873593
MURMUR_ADD = 0xE6546B64
MURMUR_FMIX1, MURMUR_FMIX2 = 0x85EBCA6B, 0xC2B2AE35


def _murmur_constants(seed: int) -> np.ndarray:
    """The seed and MurmurHash3 constants as the compiled hash takes them."""
    return np.array([seed, MURMUR_C1, MURMUR_C2, MURMUR_ADD, MURMUR_FMIX1, MURMUR_FMIX2], dtype=np.uint64)


def murmurhash3_32(keys: Sequence[bytes], seed: int) -> np.ndarray:
    """MurmurHash3 (x86, 32 bit) of each byte string; as sklearn's murmurhash3_32(key, seed, positive=True)."""
    from scrapeseg.train.kernels import murmurhash3_32 as murmur

    return murmur(*_packed(keys), _murmur_constants(seed))


def token_entries(batch: Batch, table: dict, n_features: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(row, column, value) of the hashed unigrams + within-line bigrams + first word, log-scaled
    and L2-normalised per line, without duplicates: rows in order, a line's columns in order of first occurrence."""
    from scrapeseg.train.kernels import counted_columns

    n = len(batch)
    rows, cols, repeats = counted_columns(table["counts"], table["h"], table["h_first"], n_features, BIGRAM_MULT, BIGRAM_ADD)
    values = np.log1p(repeats.astype(np.float32))
    per_row = np.bincount(rows, minlength=n)
    norms = np.zeros(n, dtype=np.float32)
    has = per_row > 0
    if len(values):
        norms[has] = np.sqrt(np.add.reduceat(values * values, (np.cumsum(per_row) - per_row)[has]))
    norms[norms == 0] = 1.0
    values *= (1.0 / norms)[rows]
    return rows, cols, values


def _csr(entries: tuple[np.ndarray, np.ndarray, np.ndarray], n_lines: int, n_features: int):
    """The CSR matrix of row-ordered, duplicate-free token entries, without scipy sorting them."""
    import scipy.sparse as sp  # imported on first use: loading a model for prediction stays fast

    rows, cols, values = entries
    indptr = np.zeros(n_lines + 1, dtype=np.int64)
    np.cumsum(np.bincount(rows, minlength=n_lines), out=indptr[1:])
    return sp.csr_matrix((values, cols, indptr), shape=(n_lines, n_features))


def token_matrix(batch: Batch, table: dict, n_features: int):
    """Sparse hashed unigrams + within-line bigrams + first word, log-scaled and L2-normalised (CSR)."""
    return _csr(token_entries(batch, table, n_features), len(batch), n_features)


def token_scores(entries: tuple[np.ndarray, np.ndarray, np.ndarray], coef: np.ndarray, n_lines: int) -> np.ndarray:
    """token_matrix(...) @ coef from the matrix's entries, added in entry order as scipy's CSR product adds them."""
    from scrapeseg.train.kernels import sparse_scores

    rows, cols, values = entries
    return sparse_scores(rows, cols, values, np.ascontiguousarray(coef, dtype=np.float32), n_lines)


DENSE_NAMES: list[str] = []


def _names() -> list[str]:
    names = [
        "log_chars", "log_words", "log_word_tokens", "mean_word_len", "fw_ratio", "log_fw",
        "upper_ratio", "lower_ratio", "other_letter_ratio", "digit_ratio", "punct_ratio",
        "title_ratio", "first_upper", "first_digit", "first_punct", "last_sentence_end", "last_colon",
        "last_punct", "log_sentence_ends", "log_commas", "all_caps",
    ]
    names += [f"mark_{i}" for i in range(N_MARKS)]
    names += [f"cue_{c}" for c in CUE_NAMES] + ["cue_time", "cue_year"]
    names += ["teaser_header", "read_more_line", "prev_next_line", "strong_promo", "date_byline"]
    names += [
        "rel_pos", "log_pos", "log_pos_from_end", "log_n_lines", "char_share_before", "is_first", "is_last",
        "len_vs_max", "log_len_vs_median", "len_rank", "dist_longest", "dist_centroid", "abs_dist_centroid",
        "log_copies", "occurrence", "is_repeat", "later_copy", "next_same", "prev_same",
        "since_teaser_header", "since_promo", "since_long", "until_long", "doc_long_share",
        "log_copy_gap", "card_density", "header_before", "header_share_before",
        "covers_prev", "covered_next", "comment_header", "since_comment_header", "comments_after_article",
    ]
    return names


DENSE_NAMES = _names()
# Columns whose neighbours' values the window passes use.
WINDOW_COLUMNS = [
    "log_chars", "log_words", "fw_ratio", "upper_ratio", "title_ratio", "last_sentence_end",
    "digit_ratio", "log_copies", "teaser_header", "cue_date", "cue_related", "punct_ratio",
]


TEASER_HEADER_BIT, READ_MORE_BIT, PREV_NEXT_BIT = 1, 2, 4
LINE_CACHE_SIZE = 100_000  # line texts whose regex results a process keeps, per test (short lines: under 20 MB)
_LINE_RESULTS: dict = {}


def _teaser_line_bits(text: str) -> int:
    """Whether a line is a teaser header, a "Read more" line, a next/previous line, as bits."""
    return (
        is_teaser_header(text) * TEASER_HEADER_BIT
        + (READ_MORE_LINE.match(text) is not None) * READ_MORE_BIT
        + (PREV_NEXT_LINE.match(text) is not None) * PREV_NEXT_BIT
    )


def _strong_promo_line(text: str) -> int:
    """Whether a line holds a strong promo phrase (app download, cookie consent, ...)."""
    return int(STRONG_PROMO.search(text) is not None)


_COMMENT_HEADER = re.compile(
    r"^(\d+\s+(comments?|responses?|replies|thoughts)\b|(leave|post|add|write) (a|your) (reply|comment|response)|"
    r"comments?\s*(\(\d+\)|:)?$|discussion$|join the (discussion|conversation)|comments are closed|reader comments|"
    r"what do you think)",
    re.I,
)


def _comment_header_line(text: str) -> int:
    """Whether a short line opens a comment section ("12 Comments", "Leave a Reply", ...)."""
    return _COMMENT_HEADER.search(text.strip()) is not None


# The openers the predictor's comment pass trusts: a counted or invited comment header (bare
# "Comments" or "Discussion" also head an article's own sections) or a comment's author line.
# The other languages of the function-word list count their comments ("Comentarios (2)", "23 commenti") and
# invite them in WordPress's translations of "Leave a Reply"; their bare words, like "Comments", are not trusted.
_OTHER_LANGUAGE_COMMENTS = (
    r"(comentarios?|commenti|commento|kommentare?|commentaires?|comentários?|reacties|reactie|kommentarer|комментари\w*|"
    r"komentarze|komentarzy|komentáře|komentářů|diskuse|diskuze)"
)
_COMMENT_OPENER = re.compile(
    r"^(\d+\s+(comments?|responses?|replies|thoughts)\b|(leave|post|add|write) (a|your) (reply|comment|response)$|"
    r"reader comments|comments are closed|join the (discussion|conversation)|"
    rf"{_OTHER_LANGUAGE_COMMENTS}\s*\((?!0\)?$)\d+\)?$|\d+\s+{_OTHER_LANGUAGE_COMMENTS}$|"
    r"(deja|dejar) (un|tu|su) comentario|lascia un commento|(schreibe|schreiben sie) einen kommentar|"
    r"kommentar schreiben|laiss(er|ez) un commentaire|deixe (um|seu|o seu) comentário|laat een reactie achter|"
    r"lämna en kommentar|(оставить|добавить) комментарий|(dodaj|napisz) komentarz|(přidat|napsat) komentář|vstoupit do diskuse|"
    r"(be the first|s[ée] el primero|soyez le premier|sii il primo|seja o primeiro) (to|en|à|a) (comment|comentar|comm))",
    re.I,
)
_COMMENT_AUTHOR = re.compile(r"^\S+(\s+\S+){0,3}\s+(said,|says:)$", re.I)
# WordPress names the post in its comment header ("12 Responses to “<headline>”", "3 thoughts on
# …"), so this form opens comments at any length. Only lines with a digit first or a comments cue
# word are tested, so "One comment on …" is seen and "One Response to …" is not.
_COMMENT_TITLED = re.compile(r"^(\d+|one|no)\s+(comments?|responses?|replies|thoughts)\s+(to|on)\s", re.I)
OPENER_STRIP = " {}()[]<>-–—:|•*#…"
# Every other-language opener holds one of these words.
OTHER_LANGUAGE_COMMENT_WORDS = tuple(
    "comentario comentarios comentar comentário comentários commento commenti commentare commentaire commentaires "
    "commenter kommentar kommentare kommentarer reactie reacties комментарий комментарии комментариев "
    "komentarz komentarze komentarzy komentář komentáře komentářů diskuse diskuze".split()
)
MAX_OTHER_LANGUAGE_OPENER_WORDS = 8  # "Soyez le premier à commenter cet article."
# The token flags that mark a word of a list, looked up on the lower-case token stripped of STRIP_CHARS.
WORD_LIST_FLAGS = (
    (TOKEN_FUNCTION, FUNCTION_WORDS),
    (TOKEN_STRONG_PROMO, STRONG_PROMO_WORDS),
    (TOKEN_CHROME_WORD, frozenset(CHROME_WORDS + SUBSCRIBE_WORDS)),
    (TOKEN_SUBSCRIBE_CUE, frozenset(SUBSCRIBE_CUE_WORDS)),
    (TOKEN_COMMENT_WORD, frozenset(OTHER_LANGUAGE_COMMENT_WORDS)),
    (TOKEN_DISCLOSURE_WORD, frozenset(DISCLOSURE_WORDS)),
    (TOKEN_APP_VERB, frozenset(APP_VERBS)),
    (TOKEN_COOKIE_WORD, frozenset(("cookie", "cookies"))),
    (TOKEN_READ_ALSO_START, frozenset(READ_ALSO_STARTS)),
)
# Per line, the rule prefilters' words: a chrome word or a read-also start among the first CHROME_FIRST_TOKENS
# tokens, the others anywhere (their lines are short).
CHROME_FIRST_TOKENS = 2  # the word, or a dash and the word: "— Publicidad —"
MARK_ANYWHERE = TOKEN_SUBSCRIBE_CUE | TOKEN_COMMENT_WORD | TOKEN_DISCLOSURE_WORD | TOKEN_APP_VERB | TOKEN_COOKIE_WORD
MARK_FIRST = TOKEN_CHROME_WORD | TOKEN_READ_ALSO_START
OPENER_EXTRA_TOKENS = 2  # "{ 167 comments }" and "— Leave a reply —" are headers too


def _comment_opener_line(text: str) -> int:
    """Whether a short line surely opens user comments: "{ 12 comments }", "Leave a Reply", "Jane says:"."""
    text, header = text.strip(), text.strip(OPENER_STRIP)
    if len(header.split()) > MAX_COMMENT_HEADER_WORDS:
        return 0
    return int(_COMMENT_OPENER.search(header) is not None or _COMMENT_AUTHOR.match(text) is not None)


def _comment_titled_line(text: str) -> int:
    """Whether a line is a comment header naming the post ("4 Responses to “…”"), at any length."""
    return int(_COMMENT_TITLED.match(text.strip(OPENER_STRIP)) is not None)


def comment_openers(texts: Sequence[str], dense: np.ndarray, marks: np.ndarray) -> np.ndarray:
    """Which lines surely open user comments (see _comment_opener_line and _comment_titled_line), from the batch's texts, dense features and line marks (line_marks)."""
    column = DENSE_NAMES.index
    # Tokens, not words: brackets and ellipses may count. log_words is float32: compare halfway to the next count.
    short = dense[:, column("log_words")] < np.log1p(MAX_COMMENT_HEADER_WORDS + OPENER_EXTRA_TOKENS + 0.5)
    counted = (dense[:, column("cue_comments")] > 0) | (dense[:, column("first_digit")] > 0)
    cued = counted | (dense[:, column("last_colon")] > 0) | (dense[:, column("last_punct")] > 0)
    undated = dense[:, column("date_byline")] == 0
    # Another language's header ("Lascia un commento") has no English cue word: a short line holding its comment word is tested too.
    worded = np.flatnonzero(undated & ~cued & (dense[:, column("log_words")] < np.log1p(MAX_OTHER_LANGUAGE_OPENER_WORDS + 0.5))
                            & ((marks & TOKEN_COMMENT_WORD) != 0))
    rows = np.union1d(np.flatnonzero(short & cued & undated), worded)
    # The headline a titled header names may be long and may hold a date.
    titled = np.flatnonzero(counted)
    return (_line_tests(_comment_opener_line, texts, rows, len(dense)) != 0) | (_line_tests(_comment_titled_line, texts, titled, len(dense)) != 0)


def _date_or_byline_line(text: str) -> int:
    """Whether a line holds a date, time or byline."""
    return int(DATE_OR_BYLINE.search(text) is not None)


def _line_tests(test, texts: list[str], rows: np.ndarray, n: int) -> np.ndarray:
    """test(texts[i]) for the lines i in rows, 0 for the others, remembered by line text across batches.

    The regexes cost microseconds a line, and the short lines they run on (bylines, dates, share
    and promo lines, section headers) recur across the pages of a site: about half of them in the
    corpus's scrapes were seen on an earlier page.
    """
    cache = _LINE_RESULTS.setdefault(test, {})
    if len(cache) > LINE_CACHE_SIZE:
        cache.clear()
    subset = [texts[i] for i in rows.tolist()]
    found = list(map(cache.get, subset))
    for k in [k for k, value in enumerate(found) if value is None]:
        found[k] = cache[subset[k]] = test(subset[k])
    out = np.zeros(n, dtype=np.int64)
    out[rows] = found
    return out


def dense_features(batch: Batch, table: dict, order: str = "C") -> np.ndarray:
    """The DENSE_NAMES columns for every line of the batch, float32, C-contiguous or with order="F" column by column."""
    texts = batch.texts
    n = len(texts)
    cols: dict[str, np.ndarray] = {}
    if n == 0:
        return np.zeros((0, len(DENSE_NAMES)), dtype=np.float32)
    from scrapeseg.train.kernels import line_flag_counts, line_hashes, next_line_overlap

    chars = table["chars"]
    lengths, starts, ends, cps = (chars[k] for k in ("lengths", "starts", "ends", "cps"))
    bits_t, marks_t = _char_table()
    per_line = chars["per_line"].astype(np.float64)
    mark_counts = per_line[:, C_MARK0:]
    punct_all = per_line[:, C_PUNCT] + per_line[:, C_SENT] + per_line[:, C_COMMA] + mark_counts.sum(axis=1)
    counts_bits = np.zeros((n, 8))
    for bit, cols_ in ((UPPER, C_UPPER), (LOWER, C_LOWER), (OTHER_LETTER, C_OTHER), (DIGIT, C_DIGIT),
                       (SPACE, C_SPACE), (SENT_END, C_SENT), (COMMA, C_COMMA)):
        counts_bits[:, bit.bit_length() - 1] = per_line[:, cols_]
    counts_bits[:, PUNCT.bit_length() - 1] = punct_all
    safe_first = np.minimum(starts, max(len(cps) - 1, 0))
    first_cp = np.where(lengths > 0, cps[safe_first], 0) if len(cps) else np.zeros(n, np.uint32)
    first_bits = bits_t[np.minimum(first_cp, 0xFFFF)]
    last_cp = cps[np.maximum(ends - 1, 0)] if len(cps) else np.zeros(n, np.uint32)
    last_bits = bits_t[np.minimum(last_cp, 0xFFFF)]

    def count(bit):
        return counts_bits[:, bit.bit_length() - 1]

    chars = np.maximum(lengths, 1).astype(np.float64)
    upper, lower, other, digit, punct = (count(b) for b in (UPPER, LOWER, OTHER_LETTER, DIGIT, PUNCT))
    letters = np.maximum(upper + lower, 1)
    words = table["counts"].astype(np.float64)
    flags = table["flags"]
    line_of = np.repeat(np.arange(n), table["counts"])
    word_tokens, fw, title, promo_words = line_flag_counts(table["counts"], flags, FLAG_COUNT_BITS)
    cols["log_chars"] = np.log1p(lengths)
    cols["log_words"] = np.log1p(words)
    cols["log_word_tokens"] = np.log1p(word_tokens)
    cols["mean_word_len"] = (upper + lower + other + digit) / np.maximum(words, 1)
    cols["fw_ratio"] = fw / np.maximum(word_tokens, 1)
    cols["log_fw"] = np.log1p(fw)
    cols["upper_ratio"] = upper / letters
    cols["lower_ratio"] = lower / chars
    cols["other_letter_ratio"] = other / chars
    cols["digit_ratio"] = digit / chars
    cols["punct_ratio"] = punct / chars
    cols["title_ratio"] = title / np.maximum(word_tokens, 1)
    cols["first_upper"] = (first_bits & UPPER) != 0
    cols["first_digit"] = (first_bits & DIGIT) != 0
    cols["first_punct"] = (first_bits & PUNCT) != 0
    end_set = np.array([ord(c) for c in SENTENCE_END_CHARS + "。！？"], dtype=np.uint32)
    cols["last_sentence_end"] = np.isin(last_cp, end_set)
    cols["last_colon"] = last_cp == ord(":")
    cols["last_punct"] = ((last_bits & PUNCT) != 0) & ~cols["last_sentence_end"]
    cols["log_sentence_ends"] = np.log1p(count(SENT_END))
    cols["log_commas"] = np.log1p(count(COMMA))
    cols["all_caps"] = (upper > 1) & (lower == 0)
    for m in range(N_MARKS):
        cols[f"mark_{m}"] = np.minimum(mark_counts[:, m], 3)
    # Cue words are rare: count (line, cue) pairs of the few tokens that have any cue bit.
    cue_tok = np.flatnonzero(table["cue_bits"] != 0)
    cue_hits = ((table["cue_bits"][cue_tok, None] >> np.arange(N_CUES)) & 1).astype(bool)
    hit_tok, hit_cue = np.nonzero(cue_hits)
    cue_counts = np.bincount(line_of[cue_tok[hit_tok]] * N_CUES + hit_cue, minlength=n * N_CUES)
    cue_counts = cue_counts.reshape(n, N_CUES).astype(np.float64)
    cue_share = cue_counts / np.maximum(word_tokens, 1)[:, None]
    for j, name in enumerate(CUE_NAMES):
        cols[f"cue_{name}"] = cue_share[:, j]
    cols["cue_time"] = cue_counts[:, len(CUE_NAMES)] > 0
    cols["cue_year"] = cue_counts[:, len(CUE_NAMES) + 1] > 0
    # Regexes only on the few short lines that can match them.
    first_idx = np.cumsum(table["counts"]) - table["counts"]
    has = table["counts"] > 0
    cand = np.zeros(n, dtype=bool)
    cand[has] = (flags[first_idx[has]] & TOKEN_STARTER) != 0
    cand &= words <= 40
    teaser = _line_tests(_teaser_line_bits, texts, np.flatnonzero(cand), n)
    header = (teaser & TEASER_HEADER_BIT) != 0
    read_more = (teaser & READ_MORE_BIT) != 0
    cols["teaser_header"] = header
    cols["read_more_line"] = read_more
    cols["prev_next_line"] = (teaser & PREV_NEXT_BIT) != 0
    promo_cand = np.flatnonzero(promo_words > 0)
    strong = _line_tests(_strong_promo_line, texts, promo_cand, n) != 0
    cols["strong_promo"] = strong
    date_cand = np.flatnonzero(((cue_counts[:, CUE_NAMES.index("date")] + cue_counts[:, len(CUE_NAMES)]
                                 + cue_counts[:, len(CUE_NAMES) + 1] + cue_counts[:, CUE_NAMES.index("byline")]) > 0)
                               & (words <= 20))
    date = _line_tests(_date_or_byline_line, texts, date_cand, n) != 0
    cols["date_byline"] = date

    # Position and document-relative shape.
    pos = batch.pos.astype(np.float64)
    nl = batch.n.astype(np.float64)
    cols["rel_pos"] = pos / np.maximum(nl - 1, 1)
    cols["log_pos"] = np.log1p(pos)
    cols["log_pos_from_end"] = np.log1p(nl - 1 - pos)
    cols["log_n_lines"] = np.log1p(nl)
    flen = lengths.astype(np.float64)
    cum = np.cumsum(flen) - flen
    doc_first_cum = cum[np.minimum(batch.doc_start, n - 1)][batch.doc]
    doc_total = _doc_reduce(np.add, flen, batch)
    cols["char_share_before"] = (cum - doc_first_cum) / np.maximum(doc_total, 1)
    cols["is_first"] = pos == 0
    cols["is_last"] = pos == nl - 1
    doc_max = _doc_reduce(np.maximum, flen, batch)
    cols["len_vs_max"] = flen / np.maximum(doc_max, 1)
    # Rank of the length within the document (0 shortest .. 1 longest).
    # One stable sort by (document, length): lengths fit in the low 32 bits of the key.
    by_length = np.argsort((batch.doc.astype(np.int64) << LENGTH_KEY_BITS) | np.minimum(lengths, LENGTH_KEY_MAX), kind="stable")
    rank = np.empty(n, dtype=np.float64)
    rank[by_length] = np.arange(n)
    rank -= batch.doc_start[batch.doc]
    cols["len_rank"] = rank / np.maximum(nl - 1, 1)
    median_idx = batch.doc_start + (batch.doc_len - 1) // 2
    doc_median = flen[by_length[median_idx[batch.doc_len > 0]]]
    med = np.zeros(len(batch.doc_len))
    med[batch.doc_len > 0] = doc_median
    cols["log_len_vs_median"] = np.log1p(flen) - np.log1p(med[batch.doc])
    is_max = flen == doc_max
    longest_pos = np.zeros(len(batch.doc_len))
    # first longest line per document
    cand_idx = np.flatnonzero(is_max)
    firsts = np.unique(batch.doc[cand_idx], return_index=True)
    longest_pos[firsts[0]] = batch.pos[cand_idx[firsts[1]]]
    cols["dist_longest"] = (pos - longest_pos[batch.doc]) / np.maximum(nl, 1)
    w = np.maximum(word_tokens - 8, 0) ** 2
    wsum = _doc_reduce(np.add, w, batch)
    centroid = _doc_reduce(np.add, w * pos, batch) / np.maximum(wsum, 1e-9)
    centroid = np.where(wsum > 0, centroid, (nl - 1) / 2)
    cols["dist_centroid"] = (pos - centroid) / np.maximum(nl, 1)
    cols["abs_dist_centroid"] = np.abs(cols["dist_centroid"])

    # Repetition of the exact (case-folded) line inside its document: lines are told apart by a
    # 64-bit hash of their case-folded code points, mixed with the document number.
    folded = line_hashes(cps, starts, lengths, _fold_table(), HASH_BASE_INV, HASH_LEN_MULT, HASH_MIX)
    folded += batch.doc.astype(np.uint64) * DOC_MIX
    # One stable sort groups the copies, in document order within a group; group ids follow the keys' order.
    order_k = np.argsort(folded, kind="stable")
    sorted_k = np.zeros(n, dtype=np.int64)
    if n > 1:
        np.cumsum(folded[order_k][1:] != folded[order_k][:-1], out=sorted_k[1:])
    key_codes = np.empty(n, dtype=np.int64)
    key_codes[order_k] = sorted_k
    copies = np.bincount(key_codes)[key_codes].astype(np.float64)
    group_start = np.r_[0, np.flatnonzero(sorted_k[1:] != sorted_k[:-1]) + 1]
    gs = np.zeros(len(sorted_k), dtype=np.int64)
    gs[group_start] = group_start
    gs = np.maximum.accumulate(gs) if len(gs) else gs
    occ = np.empty(n, dtype=np.float64)
    occ[order_k] = np.arange(n) - gs
    cols["log_copies"] = np.log1p(copies - 1)
    cols["occurrence"] = np.minimum(occ, 5)
    cols["is_repeat"] = copies > 1
    cols["later_copy"] = occ > 0
    same_next = np.zeros(n, dtype=bool)
    if n > 1:
        same_next[:-1] = (key_codes[1:] == key_codes[:-1])
    same_prev = np.zeros(n, dtype=bool)
    same_prev[1:] = same_next[:-1]
    cols["next_same"] = same_next
    cols["prev_same"] = same_prev
    # Distance to the nearest other copy of the line (teaser cards repeat their headline nearby).
    gap = np.full(n, MAX_SECTION_DISTANCE, dtype=np.int64)
    if n > 1:
        same_k = sorted_k[1:] == sorted_k[:-1]
        d = (order_k[1:] - order_k[:-1])[same_k]
        np.minimum.at(gap, order_k[1:][same_k], d)
        np.minimum.at(gap, order_k[:-1][same_k], d)
    gap = np.minimum(gap, MAX_SECTION_DISTANCE)
    cols["log_copy_gap"] = np.log1p(gap)
    # Card-shaped lines around: near copies, very short lines (sources, "• CNA") and dates.
    card = (gap <= 6) | (words <= 3) | date
    cols["card_density"] = window_mean(card[:, None].astype(np.float64), batch, 6)[:, 0]

    # Sections: lines since a related-stories header, a promo/comment line, a long body-like line.
    # Headers only: an in-article "Read more: …" line is not a section header, and the guidelines
    # keep the paragraphs after it in the article (read_more_line marks the line itself).
    cols["since_teaser_header"] = np.log1p(_last_flag_distance(header, batch))
    hdr = header.astype(np.float64)
    hdr_before = _doc_cumsum_before(hdr, batch)
    cols["header_before"] = hdr_before > 0
    cols["header_share_before"] = hdr_before / np.maximum(_doc_reduce(np.add, hdr, batch), 1)
    promo_line = (cue_share[:, CUE_NAMES.index("promo")] + cue_share[:, CUE_NAMES.index("comments")]
                  + cue_share[:, CUE_NAMES.index("app")] > 0.2) | strong
    cols["since_promo"] = np.log1p(_last_flag_distance(promo_line, batch))
    long_line = (word_tokens >= 15) & cols["last_sentence_end"] & (cols["fw_ratio"] > 0.15)
    cols["since_long"] = np.log1p(_last_flag_distance(long_line, batch))
    # Lines until the next long line: same trick on the reversed order.
    rev = np.arange(n)[::-1]
    rev_batch = Batch([], batch.doc[::-1].copy(), None, None, None, None)
    rev_starts = np.zeros(len(batch.doc_len), dtype=np.int64)
    # In the reversed order, document d starts at n - (doc_start + doc_len).
    rev_starts[:] = n - (batch.doc_start + batch.doc_len)
    rev_batch.doc_start = rev_starts
    cols["until_long"] = np.log1p(_last_flag_distance(long_line[rev], rev_batch)[::-1])
    cols["doc_long_share"] = _doc_reduce(np.add, long_line.astype(np.float64), batch) / np.maximum(nl, 1)

    # Comment sections: user comments read like the article, but follow a header such as
    # "12 Comments" or "Leave a Reply" that comes after the article's paragraphs; a
    # related-stories header ends the section. The regex only runs on short lines whose words can
    # start such a header.
    comment_cand = np.flatnonzero((words <= MAX_COMMENT_HEADER_WORDS)
                                  & ((cue_counts[:, CUE_NAMES.index("comments")] > 0) | cols["first_digit"] | cand))
    comment_header = _line_tests(_comment_header_line, texts, comment_cand, n) != 0
    cols["comment_header"] = comment_header
    cols["since_comment_header"] = np.log1p(_last_flag_distance(comment_header, batch))
    after_article = comment_header & (_doc_cumsum_before(long_line.astype(np.float64), batch) > 0)
    last_comments = _last_flag_index(after_article, batch)
    cols["comments_after_article"] = (last_comments >= 0) & (last_comments > _last_flag_index(header | read_more, batch))

    # Shared words with the neighbours: a card's snippet retells the headline right before it.
    codes = table["codes"]
    content = ((flags & TOKEN_WORD) != 0) & ((flags & TOKEN_FUNCTION) == 0)
    first_of_doc = batch.pos == 0
    distinct, shared = next_line_overlap(table["counts"], codes, content, first_of_doc, int(codes.max()) + 1 if len(codes) else 0)
    covered = shared / np.maximum(distinct, 1)
    cols["covered_next"] = covered
    covers_prev = np.zeros(n)
    covers_prev[1:] = covered[:-1]
    cols["covers_prev"] = covers_prev

    # Filled column by column as rows of the transpose: contiguous writes, then one transposing copy
    # unless the caller takes the columns as they are.
    out = np.empty((len(DENSE_NAMES), n), dtype=np.float32)
    for j, name in enumerate(DENSE_NAMES):
        out[j] = cols[name]
    return out.T if order == "F" else np.ascontiguousarray(out.T)


def window(values: np.ndarray, batch: Batch, offsets: Sequence[int], fill: float = -1.0, out: np.ndarray | None = None) -> np.ndarray:
    """Neighbour values at each offset within the same document (fill outside), side by side (into out if given)."""
    from scrapeseg.train import kernels

    n, k = values.shape
    if out is None:
        out = np.empty((n, k * len(offsets)), dtype=np.float32)
    return kernels.window(values, batch.pos, batch.n, np.asarray(offsets, dtype=np.int64), fill, out)


def window_mean(values: np.ndarray, batch: Batch, radius: int | None) -> np.ndarray:
    """Mean of values over lines [i-radius, i+radius] of the same document (whole document if None), float32."""
    from scrapeseg.train import kernels

    first = batch.doc_start[batch.doc]
    return kernels.window_mean(np.asarray(values, dtype=np.float64), first, first + batch.n, -1 if radius is None else radius)


def prefix_suffix_mean(values: np.ndarray, batch: Batch) -> np.ndarray:
    """Means of values over the lines before and after each line in its document, float32."""
    from scrapeseg.train import kernels

    first = batch.doc_start[batch.doc]
    return kernels.prefix_suffix_mean(np.asarray(values, dtype=np.float64), first, first + batch.n)


def run_features(probs: np.ndarray, batch: Batch) -> np.ndarray:
    """Where each line sits relative to its document's main body block.

    The main block is the longest run of lines whose body probability (column 0, smoothed over
    ±2 lines) exceeds 0.5. Columns: log lines before the block starts, log lines after it ends (0
    inside), inside flag, block length over document length.
    """
    n = len(probs)
    out = np.zeros((n, 4), dtype=np.float32)
    if n == 0:
        return out
    body = window_mean(probs[:, :1].astype(np.float64), batch, 2)[:, 0] > 0.5
    prev = np.zeros(n, dtype=bool)
    prev[1:] = body[:-1]
    prev &= batch.pos > 0
    start = body & ~prev
    starts = np.flatnonzero(start)
    nl = batch.n.astype(np.float64)
    pos = batch.pos
    s_doc = np.full(len(batch.doc_len), -1, dtype=np.int64)
    e_doc = np.full(len(batch.doc_len), -1, dtype=np.int64)
    if len(starts):
        run_id = np.cumsum(start) - 1
        lengths = np.bincount(run_id[body], minlength=len(starts))
        run_doc = batch.doc[starts]
        order = np.lexsort((starts, -lengths, run_doc))
        first = np.ones(len(order), dtype=bool)
        first[1:] = run_doc[order][1:] != run_doc[order][:-1]
        best = order[first]
        s_doc[run_doc[best]] = pos[starts[best]]
        e_doc[run_doc[best]] = pos[starts[best]] + lengths[best] - 1
    s, e = s_doc[batch.doc], e_doc[batch.doc]
    has = s >= 0
    out[:, 0] = np.log1p(np.where(has, np.maximum(s - pos, 0), nl))
    out[:, 1] = np.log1p(np.where(has, np.maximum(pos - e, 0), nl))
    out[:, 2] = has & (pos >= s) & (pos <= e)
    out[:, 3] = np.where(has, e - s + 1, 0) / np.maximum(nl, 1)
    return out


def line_marks(table: dict) -> np.ndarray:
    """Per line, the MARK_FIRST flags of its first CHROME_FIRST_TOKENS tokens and the MARK_ANYWHERE flags of any of its tokens."""
    from scrapeseg.train.kernels import line_flag_marks

    return line_flag_marks(table["counts"], table["flags"], MARK_ANYWHERE, MARK_FIRST, CHROME_FIRST_TOKENS)


def featurize(docs: Sequence[Sequence[str]], n_features: int = DEFAULT_N_FEATURES, sparse: bool = True, order: str = "C"):
    """(batch, dense features, hashed token matrix) for a list of documents of line texts.

    With sparse=False the tokens come as token_entries (row, column, value) arrays instead, which
    predict scores directly: building the matrix costs more than using it once. order="F" gives
    the dense features column by column (Fortran order), which the stacked pass copies fastest.
    """
    batch = Batch.from_docs(docs)
    table = TokenTable(n_features).build(batch.texts)
    batch.marks = line_marks(table)
    dense = dense_features(batch, table, order)
    tokens = (token_matrix if sparse else token_entries)(batch, table, n_features)
    return batch, dense, tokens
