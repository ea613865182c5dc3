# cython: language_level=3, boundscheck=False, wraparound=False
"""The compiled path of ``text.analyse`` for a text whose words are all ASCII (most are).

``text.analyse_python`` is the reference: for such a text it splits on ``[A-Za-z0-9]+``
with a regex, which builds a string for every word and for every gap between words,
then sums the pieces' lengths for the offsets. Here one typed loop over the characters
finds the words, and only the words become strings. Built where a C compiler is at hand
(setup.py); without it text.py runs the pure-Python path, which gives the same result.
"""

from cpython.dict cimport PyDict_GetItemWithError
from cpython.ref cimport PyObject
from cpython.unicode cimport (
    Py_UNICODE_ISALNUM,
    PyUnicode_DATA,
    PyUnicode_GetLength,
    PyUnicode_KIND,
    PyUnicode_READ,
    PyUnicode_Substring,
)


cdef extern from "Python.h":
    bint PyUnicode_IS_ASCII(object o)


cdef inline bint _in_word(Py_UCS4 ch) noexcept:
    # A word character of the ASCII path: [A-Za-z0-9], as text._SPLIT_ASCII has it.
    return (
        (ch >= 0x61 and ch <= 0x7A)  # a-z first: most letters are lower case
        or (ch >= 0x41 and ch <= 0x5A)  # A-Z
        or (ch >= 0x30 and ch <= 0x39)  # 0-9
    )


# The offsets as int objects made once and shared (an int is immutable): most offsets
# are above the 256 that Python keeps, and making two new ones a word took about 4 of 14
# µs on an abstract of 177 words. Grown to the longest text seen, up to the limit;
# beyond it, new ints.
cdef list _offsets = [0]
cdef Py_ssize_t _OFFSETS_LIMIT = 1 << 16  # abstracts run to a few thousand characters


cdef inline object _offset(Py_ssize_t i):
    return _offsets[i] if i < len(_offsets) else i


def ascii_words(source, memo):
    """``(canons, starts, ends, joined)`` of ``source`` as ``text.analyse_python`` has them,
    or None when a character beyond ASCII is a word character (``str.isalnum``: é, µ, ²,
    CJK): that text needs the general pattern, which stays in Python.

    ``memo`` is ``text._CANONICAL``: a word found in it is read from the dict directly; a
    word it lacks goes through ``memo[word]``, so its ``__missing__`` fills it (and
    empties it at its limit) exactly as the pure-Python path's lookups would.
    """
    # Typed as objects and checked here: a typed argument would refuse a subclass (and the
    # memo is one), and ``memo[word]`` must reach its ``__missing__``.
    if not isinstance(source, str) or not isinstance(memo, dict):
        raise TypeError("ascii_words(str, dict)")
    # PyUnicode_GetLength, not len(): the string's own length whatever a subclass says,
    # and it readies a string still in the legacy form (Python < 3.12) before the macros
    # below read its kind and data.
    cdef Py_ssize_t length = PyUnicode_GetLength(source)
    cdef int kind = PyUnicode_KIND(source)
    cdef void *data = PyUnicode_DATA(source)
    cdef Py_ssize_t i, start
    cdef Py_UCS4 ch
    cdef PyObject *found

    # The decision comes first, before any lookup: the memo must see the same words, in
    # the same order, as in the pure-Python path, which splits a text that fails it
    # another way. (An ASCII text has no character to check: its flag says so.)
    if not PyUnicode_IS_ASCII(source):
        for i in range(length):
            ch = PyUnicode_READ(kind, data, i)
            if ch > 0x7F and Py_UNICODE_ISALNUM(ch):
                return None

    if length >= len(_offsets) and len(_offsets) < _OFFSETS_LIMIT:
        _offsets.extend(range(len(_offsets), min(length, _OFFSETS_LIMIT) + 1))

    canons = []
    starts = []
    ends = []
    i = 0
    while i < length:
        if not _in_word(PyUnicode_READ(kind, data, i)):
            i += 1
            continue
        start = i
        i += 1
        while i < length and _in_word(PyUnicode_READ(kind, data, i)):
            i += 1
        word = PyUnicode_Substring(source, start, i)
        found = PyDict_GetItemWithError(memo, word)
        canons.append(<object>found if found is not NULL else memo[word])
        starts.append(_offset(start))
        ends.append(_offset(i))

    joined = " " + " ".join(canons) + " " if canons else " "
    return tuple(canons), tuple(starts), tuple(ends), joined
