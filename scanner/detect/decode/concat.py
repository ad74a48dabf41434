"""Keys split across string literals: ``"pk_" + "…"``, template literals, ``[…].join("")``.

The gate is a fragment that ends in a prefix of a key (``p``, ``pk``, ``pk_``, ``pk_3f…``)
right before a joint (a closing quote then ``+``/``,``/``}``, or a template ``${``). From
the opening quote of that fragment a tiny tokenizer follows the chain of literals.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence

from plugins.pattern import BODY, KEY_RE, MAX_KEY_LENGTH
from scanner.detect.decode.base import DecodedHit
from scanner.detect.decode.gate import CONCAT, Gates


def split_gate(quote: bytes) -> re.Pattern[bytes]:
    """A fragment ending in ``p`` / ``pk`` / ``pk_…`` whose next fragment carries on the key.

    *quote* matches a string delimiter: a plain quote in code, an escaped one in code that
    sits inside a JSON string (a source map's ``sourcesContent``).
    """
    q = quote
    return re.compile(
        rb"p(?:(?=" + q + rb"\s*[+,]\s*" + q + rb"k|\$\{\s*" + q + rb"k)"
        rb"|k(?:(?=" + q + rb"\s*[+,]\s*" + q + rb"_|\$\{\s*" + q + rb"_)"
        rb"|_[0-9A-Za-z_]{0,42}(?=" + q + rb"\s*[+,}]|\$\{)))"
    )


#: Quotes may be escaped: that is code inside a JSON string (a source map's sources).
_GATE = split_gate(rb"\\?[\"'`]")
#: The name under which find_concatenated reports the first escaped split it saw.
ESCAPED_SPLIT = "escaped-split"
_QUOTES = "\"'`"
_WS = " \t\r\n"
#: How far back from the gate the fragment's opening quote may be, and how far a chain runs.
_BACK = 48
_AHEAD = 1024
#: How far before a one-pass gate's end its fragment may start (``pk_`` + 42, a joint).
_NEAR = 160
#: Value characters at the end of a parsed chain that a later gate may parse again.
_KEEP = MAX_KEY_LENGTH + 1
#: Escapes a fragment may spell key characters with (code points past 0x10ffff excluded).
_LITERAL_ESCAPE = re.compile(r"\\(?:x([0-9A-Fa-f]{2})|u([0-9A-Fa-f]{4})|u\{0*([0-9A-Fa-f]{1,5})\})")
#: The fragment's closing quote, or the next one in ``${…}``, is escaped (``\\"``).
_ESCAPED_JOINT = re.compile(rb"(?:\$\{\s*)?\\[\"'`]")
#: Every byte a joint is made of (quotes, ``+``, ``,``, ``${``, ``}``, backslash, spaces):
#: none is a key character, so a blob with them all deleted holds a key (boundaries aside)
#: if any chain of literals in it does. ``bytes.translate`` deletes them at C speed.
_JOINT_BYTES = b"\"'`+,${}\\ \t\r\n"
_LOOSE_KEY = re.compile(BODY.encode("ascii"))
_COMMA_JOINT = re.compile(rb"[\"'`]\s*,")
_JOIN = re.compile(r"\s*\]\s*\.\s*join\(\s*(?:\"\"|''|``)\s*\)")


class _Chain:
    """Characters of a concatenated value and the window offset each came from."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.chars: list[str] = []
        self.origin: list[int] = []
        self.joints: list[int] = []  # value indexes where a new literal starts
        self.kinds: set[str] = set()

    def skip_ws(self, i: int) -> int:
        while i < len(self.text) and self.text[i] in _WS:
            i += 1
        return i

    def literal(self, i: int) -> int:
        """Read a quoted literal at *i*; the index after it, or -1 when it does not close."""
        quote = self.text[i]
        if quote == "`":
            return self.template(i + 1)
        i += 1
        while i < len(self.text):
            c = self.text[i]
            if c == quote:
                return i + 1
            if c == "\n":
                return -1
            if c == "\\":
                # A fragment written with escapes (``"pk_"+"\\x33\\x66…"``): its characters.
                m = _LITERAL_ESCAPE.match(self.text, i)
                if m is None:
                    return -1
                self.chars.append(chr(int(m.group(1) or m.group(2) or m.group(3), 16)))
                self.origin.append(i)
                i = m.end()
                continue
            self.chars.append(c)
            self.origin.append(i)
            i += 1
        return -1

    def template(self, i: int) -> int:
        """Template text from *i* up to the closing backtick, splicing ``${"literal"}``."""
        self.kinds.add("template")
        while i < len(self.text):
            c = self.text[i]
            if c == "`":
                return i + 1
            if c == "\\":
                return -1
            if self.text.startswith("${", i):
                self.joints.append(len(self.chars))
                i = self.expression(self.skip_ws(i + 2))
                if i < 0 or i >= len(self.text) or self.text[i] != "}":
                    return -1
                self.joints.append(len(self.chars))
                i += 1
                continue
            self.chars.append(c)
            self.origin.append(i)
            i += 1
        return -1

    def expression(self, i: int) -> int:
        """``literal (+ literal)*``; the index after it, or -1."""
        while True:
            if i >= len(self.text) or self.text[i] not in _QUOTES:
                return -1
            i = self.literal(i)
            if i < 0:
                return -1
            j = self.skip_ws(i)
            if j < len(self.text) and self.text[j] == "+":
                self.kinds.add("concat")
                self.joints.append(len(self.chars))
                i = self.skip_ws(j + 1)
                continue
            return j


def _chain_at(text: str, start: int) -> _Chain | None:
    chain = _Chain(text)
    i = start
    before_list: tuple[int, int] | None = None  # (chars, joints) when the first comma came
    while True:
        i = chain.expression(i)
        if i < 0:
            break
        if i < len(text) and text[i] == ",":
            if before_list is None:
                before_list = (len(chain.chars), len(chain.joints))
            chain.joints.append(len(chain.chars))
            chain.kinds.add("join")
            i = chain.skip_ws(i + 1)
            continue
        if i < len(text) and text[i] == "}" and "`" in text[:start]:
            # The fragment sat inside ``${…}``: carry on with the template's text.
            chain.joints.append(len(chain.chars))
            i = chain.template(i + 1)
            if i < 0:
                break
            continue
        break
    if "join" in chain.kinds and (i < 0 or _JOIN.match(text, i) is None):
        if before_list is None or "concat" not in chain.kinds:
            return None
        # Not a joined list but an argument or property list (``f("pk_"+"…", x)``,
        # ``{a: "pk_"+"…", b: 1}``): the value is the concatenation before the comma.
        chars, joints = before_list
        del chain.chars[chars:], chain.origin[chars:], chain.joints[joints:]
        chain.kinds.discard("join")
    return chain if len(chain.joints) > 0 else None


def _gates_near(data: bytes, ends: Sequence[int]) -> Iterator[re.Match[bytes]]:
    """The fragment gates around the one-pass gate's end offsets, each once, in order."""
    after = -1
    for end in ends:
        for gate in _GATE.finditer(data, max(after, end - _NEAR), min(len(data), end + 2)):
            if gate.start() > after:
                after = gate.start()
                yield gate


def find_concatenated(
    data: bytes, gates: Gates, signals: dict[str, int] | None = None
) -> list[DecodedHit]:
    """Keys split across literals. A split whose quotes are escaped (``\\"pk_\\" + …``) is
    not parsed here: its offset goes to ``signals[ESCAPED_SPLIT]`` so that a source map's
    decoded sources get read (one regex pass serves both)."""
    hits: list[DecodedHit] = []
    done_upto = -1
    if CONCAT in gates.dense:
        # Joints by the hundred thousand: first ask, at C speed, whether the blob with every
        # joint taken out holds a key at all. Only if it does are the joints followed.
        if not _LOOSE_KEY.search(data.translate(None, _JOINT_BYTES)):
            return hits
        candidates: Iterator[re.Match[bytes]] = _GATE.finditer(data)
    else:
        candidates = _gates_near(data, gates[CONCAT])
    for gate in candidates:
        start = gate.start()
        if start < done_upto:
            continue
        if _ESCAPED_JOINT.match(data, gate.end()):  # code inside a JSON string
            if signals is not None:
                signals.setdefault(ESCAPED_SPLIT, start)
            continue
        if (
            _COMMA_JOINT.match(data, gate.end())
            and data.find(b".join(", start, start + _AHEAD) == -1
        ):
            continue  # a list of strings nobody joins (``["step", "key"]``): not one value
        lo = max(0, start - _BACK)
        text = data[lo : start + _AHEAD].decode("latin-1")
        p = start - lo
        opening = max(text.rfind(q, 0, p) for q in _QUOTES)
        if opening < 0:
            continue
        chain = _chain_at(text, opening)
        if chain is None:
            continue
        value = "".join(chain.chars)
        if len(value) > _KEEP:
            # Gates inside this chain would read a suffix of the same value: skip them,
            # but for its last characters (the window may have cut the chain there).
            done_upto = max(done_upto, lo + chain.origin[len(value) - _KEEP])
        for m in KEY_RE.finditer(value):
            if not any(m.start() < j < m.end() for j in chain.joints):
                continue  # one literal holds the whole key: the plain matcher owns it
            kind = (
                "join"
                if "join" in chain.kinds
                else ("template" if "template" in chain.kinds else "concat")
            )
            start = lo + chain.origin[m.start()]
            end = lo + chain.origin[m.end() - 1] + 1
            hits.append(DecodedHit(m.group(), start, end, kind))
            done_upto = max(done_upto, end)
    return hits
