"""Compiled loops of the feature code (numba), for the per-character and per-token passes numpy makes many times.

Each kernel was checked against the numpy or Python code it replaced: the same features and
probabilities bit for bit on a sample of the corpus, except that a line's token columns now come
in order of first occurrence (they were sorted), which moves float sums in their last bit.
Kernels are compiled on first use and cached beside this file (``cache=True``), so only the
first process after an install pays the compilation (about 7 s).
"""

from __future__ import annotations

import numpy as np
from numba import njit

UINT64_BITS = 64


@njit(cache=True, nogil=True)
def _mixed_hash(acc, length, hash_len_mult, hash_mix):  # pragma: no cover - compiled
    """The finished 64-bit hash of a span from its polynomial sum and length."""
    h = acc + np.uint64(length) * hash_len_mult
    h ^= h >> np.uint64(31)
    h *= hash_mix
    h ^= h >> np.uint64(29)
    return h


@njit(cache=True, nogil=True)
def scan_lines(cps, code_table, starts, lengths, space_code, n_codes, hash_inv, hash_len_mult, hash_mix):  # pragma: no cover - compiled
    """Per-line character-code counts and the whitespace tokens of lines joined by newlines.

    cps: the joined text's code points; line i is cps[starts[i]:starts[i] + lengths[i]] and the
    newline after it counts as its own (as the flat bincount did). Returns (per-line code counts,
    tokens per line, token starts, token ends, token hashes). A token hash is the polynomial
    sum of cp * hash_inv**j mod 2**64 over the token's code points, plus its length times
    hash_len_mult, mixed (_mixed_hash).
    """
    n = len(starts)
    total = len(cps)
    per_line = np.zeros((n, n_codes), dtype=np.int64)
    counts = np.zeros(n, dtype=np.int64)
    # Count the tokens first: a bound from the text's length alone would be several times too big.
    cap = 0
    for line in range(n):
        inside = False
        for i in range(starts[line], starts[line] + lengths[line]):
            cp = cps[i]
            space = code_table[min(cp, len(code_table) - 1)] == space_code
            if not space and not inside:
                cap += 1
            inside = not space
    tok_start = np.empty(cap, dtype=np.int64)
    tok_end = np.empty(cap, dtype=np.int64)
    tok_hash = np.empty(cap, dtype=np.uint64)
    top = len(code_table) - 1
    k = 0
    for line in range(n):
        begin = starts[line]
        stop = begin + lengths[line]
        inside = False
        acc = np.uint64(0)
        power = np.uint64(1)
        first = 0
        # The newline after the line belongs to it, as in the flat count.
        last = min(stop + 1, total)
        for i in range(begin, last):
            cp = cps[i]
            code = code_table[min(cp, top)]
            per_line[line, code] += 1
            if code != space_code and i < stop:
                if not inside:
                    inside = True
                    first = i
                    acc = np.uint64(0)
                    power = np.uint64(1)
                acc += np.uint64(cp) * power
                power *= hash_inv
            elif inside:
                inside = False
                tok_start[k] = first
                tok_end[k] = i
                tok_hash[k] = _mixed_hash(acc, i - first, hash_len_mult, hash_mix)
                k += 1
                counts[line] += 1
        if inside:
            tok_start[k] = first
            tok_end[k] = stop
            tok_hash[k] = _mixed_hash(acc, stop - first, hash_len_mult, hash_mix)
            k += 1
            counts[line] += 1
    return per_line, counts, tok_start, tok_end, tok_hash


@njit(cache=True, nogil=True)
def find_rows(hashes, keys, vals, bits, slot_mix):  # pragma: no cover - compiled
    """Row of each hash in an open-addressing table (keys, vals; -1 marks an empty slot), -1 where absent."""
    out = np.empty(len(hashes), dtype=np.int64)
    mask = (1 << bits) - 1
    shift = np.uint64(UINT64_BITS - bits)
    for i in range(len(hashes)):
        h = hashes[i]
        slot = np.int64((h * slot_mix) >> shift)
        while True:
            v = vals[slot]
            if v < 0:
                out[i] = -1
                break
            if keys[slot] == h:
                out[i] = v
                break
            slot = (slot + 1) & mask
    return out


@njit(cache=True, nogil=True)
def insert_rows(hashes, rows, keys, vals, bits, slot_mix):  # pragma: no cover - compiled
    """Add distinct hashes absent from the table, with their rows, probing linearly."""
    mask = (1 << bits) - 1
    shift = np.uint64(UINT64_BITS - bits)
    for i in range(len(hashes)):
        slot = np.int64((hashes[i] * slot_mix) >> shift)
        while vals[slot] >= 0:
            slot = (slot + 1) & mask
        keys[slot] = hashes[i]
        vals[slot] = rows[i]


@njit(cache=True, nogil=True)
def counted_columns(counts, h, h_first, n_features, bigram_mult, bigram_add):  # pragma: no cover - compiled
    """Per line, its distinct token columns (unigrams, then within-line bigrams, then the first word) with their counts.

    Returns int32 (rows, columns, repeats): rows in order, each line's columns in order of first
    occurrence. Duplicates are found with a small open-addressing table per line, sized to the
    line and so kept in cache, rather than by sorting.
    """
    n = len(counts)
    total = len(h)
    cap = 2 * total + n
    rows = np.empty(cap, dtype=np.int32)
    cols = np.empty(cap, dtype=np.int32)
    reps = np.empty(cap, dtype=np.int32)
    longest = 1
    for line in range(n):
        longest = max(longest, counts[line])
    size = 1
    while size < 4 * longest:
        size *= 2
    slots = np.empty(size, dtype=np.int32)
    # Columns are non-negative, so a power-of-two modulus is a mask, many times cheaper than %.
    mask = n_features - 1 if n_features & (n_features - 1) == 0 else -1
    k = 0
    t = 0
    for line in range(n):
        m = counts[line]
        if m == 0:
            continue
        width = 4
        while width < 4 * m:
            width *= 2
        slots[:width] = -1
        for j in range(t, t + 2 * m):
            if j < t + m:
                col = h[j]
            elif j < t + 2 * m - 1:
                i = j - m
                col = h[i] * bigram_mult + h[i + 1] + bigram_add
                col = col & mask if mask >= 0 else col % n_features
            else:
                col = h_first[t]
            # Columns are hashes already, so their low bits spread them over the slots.
            slot = col & (width - 1)
            while True:
                e = slots[slot]
                if e < 0:
                    slots[slot] = k
                    rows[k] = line
                    cols[k] = col
                    reps[k] = 1
                    k += 1
                    break
                if cols[e] == col:
                    reps[e] += 1
                    break
                slot = (slot + 1) & (width - 1)
        t += m
    return rows[:k].copy(), cols[:k].copy(), reps[:k].copy()


@njit(cache=True, nogil=True)
def sparse_scores(rows, cols, values, coef, n_lines):  # pragma: no cover - compiled
    """Sum over entries of values * coef[cols] per row, in entry order and float32, as scipy's CSR product adds.

    rows must be grouped (each row's entries together). With three columns (the labels) a row's
    sums stay in registers until the row ends: adding into memory would make every entry wait
    on the previous store.
    """
    k = coef.shape[1]
    out = np.zeros((n_lines, k), dtype=np.float32)
    if k != 3:
        for e in range(len(rows)):
            for j in range(k):
                out[rows[e], j] += values[e] * coef[cols[e], j]
        return out
    e = 0
    n = len(rows)
    while e < n:
        r = rows[e]
        a0 = np.float32(0)
        a1 = np.float32(0)
        a2 = np.float32(0)
        while e < n and rows[e] == r:
            c = cols[e]
            v = values[e]
            a0 += v * coef[c, 0]
            a1 += v * coef[c, 1]
            a2 += v * coef[c, 2]
            e += 1
        out[r, 0] = a0
        out[r, 1] = a1
        out[r, 2] = a2
    return out


@njit(cache=True, nogil=True)
def token_columns(rows, table):  # pragma: no cover - compiled
    """The vocabulary table's columns for each token row, as one (columns x tokens) block of contiguous rows."""
    out = np.empty((table.shape[1], len(rows)), dtype=table.dtype)
    for i in range(len(rows)):
        r = rows[i]
        for j in range(table.shape[1]):
            out[j, i] = table[r, j]
    return out


@njit(cache=True, nogil=True)
def line_flag_counts(counts, flags, bits):  # pragma: no cover - compiled
    """Per line, how many of its tokens have each of the given flag bits set, as float64 rows (one per bit)."""
    out = np.zeros((len(bits), len(counts)), dtype=np.float64)
    tally = np.zeros(len(bits), dtype=np.int64)
    t = 0
    for line in range(len(counts)):
        tally[:] = 0
        for j in range(t, t + counts[line]):
            for b in range(len(bits)):
                tally[b] += (flags[j] & bits[b]) != 0
        for b in range(len(bits)):
            out[b, line] = tally[b]
        t += counts[line]
    return out


@njit(cache=True, nogil=True)
def line_flag_marks(counts, flags, anywhere, first, first_tokens):  # pragma: no cover - compiled
    """Per line, the anywhere bits set on any of its tokens and the first bits set on one of its first first_tokens tokens."""
    out = np.zeros(len(counts), dtype=np.int64)
    t = 0
    for line in range(len(counts)):
        mark = 0
        for j in range(t, t + counts[line]):
            mark |= flags[j] & anywhere
            if j < t + first_tokens:
                mark |= flags[j] & first
        out[line] = mark
        t += counts[line]
    return out


@njit(cache=True, nogil=True)
def line_hashes(cps, starts, lengths, fold, hash_inv, hash_len_mult, hash_mix):  # pragma: no cover - compiled
    """A 64-bit hash of each line's case-folded code points (fold maps BMP code points; others stay)."""
    out = np.empty(len(starts), dtype=np.uint64)
    top = len(fold)
    for line in range(len(starts)):
        acc = np.uint64(0)
        power = np.uint64(1)
        for i in range(starts[line], starts[line] + lengths[line]):
            cp = cps[i]
            if cp < top:
                cp = fold[cp]
            acc += np.uint64(cp) * power
            power *= hash_inv
        h = _mixed_hash(acc, lengths[line], hash_len_mult, hash_mix)
        out[line] = h
    return out


# Every operand unsigned 64-bit: numba turns mixed signed and unsigned 64-bit arithmetic into floats.
MASK32 = np.uint64(0xFFFFFFFF)
FIVE = np.uint64(5)
FNV_OFFSET = np.uint64(0xCBF29CE484222325)
FNV_PRIME = np.uint64(0x100000001B3)


@njit(cache=True, nogil=True)
def _rotl32(x, r):  # pragma: no cover - compiled
    return ((x << np.uint64(r)) | (x >> np.uint64(32 - r))) & MASK32


@njit(cache=True, nogil=True)
def _murmur(buf, start, n, mc):  # pragma: no cover - compiled
    """MurmurHash3 (x86, 32 bit) of buf[start:start + n]; mc holds seed, c1, c2, add, fmix1, fmix2 as np.uint64."""
    seed, c1, c2, add, fmix1, fmix2 = mc[0], mc[1], mc[2], mc[3], mc[4], mc[5]
    h = seed
    blocks = n // 4
    for b in range(blocks):
        p = start + 4 * b
        k = np.uint64(buf[p]) | (np.uint64(buf[p + 1]) << np.uint64(8)) | (np.uint64(buf[p + 2]) << np.uint64(16)) | (np.uint64(buf[p + 3]) << np.uint64(24))
        k = (k * c1) & MASK32
        k = _rotl32(k, 15)
        k = (k * c2) & MASK32
        h ^= k
        h = _rotl32(h, 13)
        h = (h * FIVE + add) & MASK32
    tail = start + 4 * blocks
    rest = n & 3
    k = np.uint64(0)
    if rest >= 3:
        k ^= np.uint64(buf[tail + 2]) << np.uint64(16)
    if rest >= 2:
        k ^= np.uint64(buf[tail + 1]) << np.uint64(8)
    if rest >= 1:
        k ^= np.uint64(buf[tail])
        k = (k * c1) & MASK32
        k = _rotl32(k, 15)
        k = (k * c2) & MASK32
        h ^= k
    h ^= np.uint64(n) & MASK32
    h ^= h >> np.uint64(16)
    h = (h * fmix1) & MASK32
    h ^= h >> np.uint64(13)
    h = (h * fmix2) & MASK32
    h ^= h >> np.uint64(16)
    return np.int64(h)


@njit(cache=True, nogil=True)
def murmurhash3_32(buf, offsets, lengths, mc):  # pragma: no cover - compiled
    """MurmurHash3 (x86, 32 bit) of each byte string buf[offsets[i]:offsets[i] + lengths[i]], as unsigned ints.

    Numba widens 32-bit integer arithmetic to 64 bits, so every product is masked back to 32;
    the seed and constants (mc, see _murmur) come as np.uint64.
    """
    out = np.empty(len(offsets), dtype=np.int64)
    for s in range(len(offsets)):
        out[s] = _murmur(buf, offsets[s], lengths[s], mc)
    return out


@njit(cache=True, nogil=True)
def byte_hash(buf, start, end):  # pragma: no cover - compiled
    """A 64-bit FNV-1a hash of buf[start:end], for looking words up in the word tables."""
    h = FNV_OFFSET
    for i in range(start, end):
        h ^= np.uint64(buf[i])
        h *= FNV_PRIME
    return h


@njit(cache=True, nogil=True)
def byte_hashes(buf, offsets, lengths):  # pragma: no cover - compiled
    """byte_hash of each byte string buf[offsets[i]:offsets[i] + lengths[i]]."""
    out = np.empty(len(offsets), dtype=np.uint64)
    for i in range(len(offsets)):
        out[i] = byte_hash(buf, offsets[i], offsets[i] + lengths[i])
    return out


@njit(cache=True, nogil=True)
def _word_bits(keys, bits, h):  # pragma: no cover - compiled
    """bits of h in the sorted keys, 0 if absent."""
    i = np.searchsorted(keys, h)
    return bits[i] if i < len(keys) and keys[i] == h else 0


@njit(cache=True, nogil=True)
def _has(keys, h):  # pragma: no cover - compiled
    """Whether h is in the sorted keys."""
    i = np.searchsorted(keys, h)
    return i < len(keys) and keys[i] == h


@njit(cache=True, nogil=True)
def _digit(c):  # pragma: no cover - compiled
    """Whether the byte c is an ASCII digit."""
    return 48 <= c <= 57


@njit(cache=True, nogil=True)
def ascii_token_rows(buf, offsets, lengths, strip, word_keys, word_bits, starter_keys, n_features, mc, cue_shift, prefix, flag_bits,
                     list_flags):  # pragma: no cover - compiled
    """(hash, first-word hash, flags, cue bits) rows of ASCII tokens, as features._token_rows computes them.

    strip: which of the 128 ASCII bytes str.strip(STRIP_CHARS) removes. word_keys/word_bits: byte
    hashes of the lower-case words of the cue lists and of the word lists with their bits (cue
    bits, then bit cue_shift + 2 + k for a word of the list whose token flag is list_flags[k]);
    starter_keys: those of the header starters. flag_bits: the word, title-case and starter flags.
    prefix is the first-word prefix byte.
    """
    word_flag, title_flag, starter_flag = flag_bits[0], flag_bits[1], flag_bits[2]
    n = len(offsets)
    out = np.zeros((n, 4), dtype=np.int32)
    longest = 0
    for t in range(n):
        longest = max(longest, lengths[t])
    low = np.empty(longest + 1, dtype=np.uint8)
    norm = np.empty(longest + 1, dtype=np.uint8)
    for t in range(n):
        start = offsets[t]
        size = lengths[t]
        for i in range(size):
            c = buf[start + i]
            low[i] = c + 32 if 65 <= c <= 90 else c
        lo = 0
        while lo < size and strip[low[lo]]:
            lo += 1
        hi = size
        while hi > lo and strip[low[hi - 1]]:
            hi -= 1
        word = hi > lo
        flags = 0
        cue = 0
        if word:
            flags |= word_flag
            first = buf[start + lo]
            if 65 <= first <= 90:
                flags |= title_flag
            found = _word_bits(word_keys, word_bits, byte_hash(low, lo, hi))
            cue = found & ((1 << cue_shift) - 1)
            for k in range(len(list_flags)):
                if found >> (cue_shift + 2 + k) & 1:
                    flags |= list_flags[k]
            m = hi - lo
            d0 = low[lo]
            if _digit(d0):
                # ^\d{1,2}[:.]\d\d$ and ^(19|20)\d\d$ on the stripped token.
                sep = low[lo + m - 3] if m >= 4 else 0
                if (m == 4 or (m == 5 and _digit(low[lo + 1]))) and (sep == 58 or sep == 46) and _digit(low[hi - 1]) and _digit(low[hi - 2]):
                    cue |= 1 << cue_shift
                if m == 4 and _digit(low[lo + 1]) and _digit(low[lo + 2]) and _digit(low[lo + 3]):
                    if (d0 == 49 and low[lo + 1] == 57) or (d0 == 50 and low[lo + 1] == 48):
                        cue |= 1 << (cue_shift + 1)
            for i in range(m):
                c = low[lo + i]
                norm[i + 1] = 48 if 49 <= c <= 57 else c
        else:
            m = size
            for i in range(m):
                norm[i + 1] = buf[start + i]
        if _has(starter_keys, byte_hash(low, 0, size)) or _has(starter_keys, byte_hash(norm, 1, m + 1)):
            flags |= starter_flag
        norm[0] = prefix
        out[t, 0] = _murmur(norm, 1, m, mc) % n_features
        out[t, 1] = _murmur(norm, 0, m + 1, mc) % n_features
        out[t, 2] = flags
        out[t, 3] = cue
    return out


@njit(cache=True, nogil=True)
def chain_posterior(emit, doc_start, doc_len, start, transitions, rescale_every):  # pragma: no cover - compiled
    """Per-line posteriors of a forward-backward over each document's lines, given per-line emissions (float64).

    Messages are rescaled every rescale_every lines: a step shrinks them by at most the smallest
    transition times the largest emission, so float64 has room for many steps between.
    """
    n, k = emit.shape
    post = np.empty((n, k), dtype=np.float64)
    forward = np.empty(k)
    backward = np.empty(k)
    ahead = np.empty(k)
    for d in range(len(doc_start)):
        s = doc_start[d]
        m = doc_len[d]
        if m == 0:
            continue
        for j in range(k):
            forward[j] = start[j] * emit[s, j]
            post[s, j] = forward[j]
        for t in range(1, m):
            for j in range(k):
                acc = 0.0
                for i in range(k):
                    acc += forward[i] * transitions[i, j]
                post[s + t, j] = acc * emit[s + t, j]
            if t % rescale_every == 0:
                total = 0.0
                for j in range(k):
                    total += post[s + t, j]
                for j in range(k):
                    post[s + t, j] /= total
            for j in range(k):
                forward[j] = post[s + t, j]
        for j in range(k):
            backward[j] = 1.0
        for t in range(m - 1, -1, -1):
            if t < m - 1:
                for j in range(k):
                    ahead[j] = emit[s + t + 1, j] * backward[j]
                total = 0.0
                for i in range(k):
                    acc = 0.0
                    for j in range(k):
                        acc += transitions[i, j] * ahead[j]
                    backward[i] = acc
                    total += acc
                if t % rescale_every == 0:
                    for i in range(k):
                        backward[i] /= total
            total = 0.0
            for j in range(k):
                post[s + t, j] *= backward[j]
                total += post[s + t, j]
            for j in range(k):
                post[s + t, j] /= total
    return post


@njit(cache=True, nogil=True)
def _prefix_sums(values):  # pragma: no cover - compiled
    """Cumulative sums of the rows of values (float64), with a leading row of zeros."""
    n, k = values.shape
    cs = np.zeros((n + 1, k))
    for i in range(n):
        for j in range(k):
            cs[i + 1, j] = cs[i, j] + values[i, j]
    return cs


@njit(cache=True, nogil=True)
def window_mean(values, first, last, radius):  # pragma: no cover - compiled
    """Mean of the rows [i - radius, i + radius] clipped to [first[i], last[i]) of each row i (radius < 0: the whole range), as float32."""
    n, k = values.shape
    cs = _prefix_sums(values)
    out = np.empty((n, k), dtype=np.float32)
    for i in range(n):
        lo, hi = first[i], last[i]
        if radius >= 0:
            lo = max(i - radius, lo)
            hi = min(i + radius + 1, hi)
        width = max(hi - lo, 1)
        for j in range(k):
            out[i, j] = (cs[hi, j] - cs[lo, j]) / width
    return out


@njit(cache=True, nogil=True)
def prefix_suffix_mean(values, first, last):  # pragma: no cover - compiled
    """Means of the rows before and after each row i within [first[i], last[i]), side by side, as float32."""
    n, k = values.shape
    cs = _prefix_sums(values)
    out = np.empty((n, 2 * k), dtype=np.float32)
    for i in range(n):
        before = max(i - first[i], 1)
        after = max(last[i] - i - 1, 1)
        for j in range(k):
            out[i, j] = (cs[i, j] - cs[first[i], j]) / before
            out[i, k + j] = (cs[last[i], j] - cs[i + 1, j]) / after
    return out


@njit(cache=True, nogil=True)
def window(values, pos, n_lines, offsets, fill, out):  # pragma: no cover - compiled
    """Write each row's neighbour at each offset within its document (fill outside) into out, offset block by offset block."""
    n, k = values.shape
    for b in range(len(offsets)):
        off = offsets[b]
        for c in range(k):
            col = b * k + c
            for i in range(n):
                inside = 0 <= pos[i] + off < n_lines[i]
                out[i, col] = values[i + off, c] if inside else fill
    return out


@njit(cache=True, nogil=True)
def next_line_overlap(counts, codes, content, first_of_doc, n_codes):  # pragma: no cover - compiled
    """Per line, its distinct content tokens and how many of them the next line of its document holds.

    counts: tokens per line; codes: each token's vocabulary row; content: whether a token counts;
    first_of_doc: whether a line starts a document. A token's last line so far tells in one pass
    whether the line before held it, so the pass is linear in the tokens.
    """
    n = len(counts)
    last = np.full(n_codes, -1, dtype=np.int64)
    distinct = np.zeros(n, dtype=np.int64)
    shared = np.zeros(n, dtype=np.int64)
    t = 0
    for i in range(n):
        for _ in range(counts[i]):
            if content[t]:
                c = codes[t]
                seen = last[c]
                if seen != i:
                    distinct[i] += 1
                    if seen == i - 1 and not first_of_doc[i]:
                        shared[i - 1] += 1
                    last[c] = i
            t += 1
    return distinct, shared
