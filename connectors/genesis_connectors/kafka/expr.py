"""``filter.condition``: a small, safe expression language over a record's fields and metadata.

The text is tokenised and parsed once (recursive descent) into a tree of closures; nothing is ever
passed to ``eval``. A compiled condition is called as ``test(record, value)`` where ``value`` is the
record's value parsed once by the caller (:func:`parse_value`) — or anything at all when
:attr:`Expression.reads_value` is false, so a condition on metadata never pays for parsing.
``Expression(view)`` evaluates against a :class:`RecordView` (parses lazily) for convenience.

Grammar (keywords are case-sensitive; ``&&``, ``||`` and ``!`` are accepted for ``and``, ``or``, ``not``)::

    condition  := or_expr EOF
    or_expr    := and_expr ( ("or" | "||") and_expr )*
    and_expr   := not_expr ( ("and" | "&&") not_expr )*
    not_expr   := ("not" | "!") not_expr | comparison
    comparison := operand [ ("==" | "!=" | "<" | "<=" | ">" | ">=") operand
                          | ["not"] "in" ( list | path )
                          | ("=~" | "matches") STRING ]
    operand    := literal | path | "exists" "(" path ")" | "(" or_expr ")"
    list       := "[" [ literal ( "," literal )* ] "]"
    literal    := NUMBER | STRING | "true" | "false" | "null"
    path       := "value" ( "." NAME | "[" (STRING | INTEGER) "]" )*
                | "header" "." NAME | "header" "[" STRING "]"
                | "key" | "topic" | "partition" | "offset" | "timestamp"

``NAME`` is letters, digits, ``_``, ``$`` and ``-`` (so ``value.items.0`` indexes a list);
``STRING`` is single- or double-quoted with JSON escapes; ``NUMBER`` is a JSON number.

Semantics (``null`` below means "missing or JSON null"):

* a path that does not resolve (missing key, index out of range, not an object) is null;
* ``==`` / ``!=`` are strict equality: numbers compare by value (``1 == 1.0``), strings, booleans,
  lists and objects only equal the same type; ``null == null`` is true, ``x != null`` is true iff x is
  present and not null; ``!=`` is always ``not ==``;
* ``<  <= > >=`` compare two numbers or two strings; any other pair (including null) is false;
* ``x in [..]`` is true iff ``x == e`` for some element (so ``null in [null]`` is true);
  ``x in value.list`` does the same against a list field (false if the field is not a list);
  ``not in`` is always the negation of ``in``;
* ``x =~ "re"`` (or ``matches``) is Python ``re.search`` on a string; false for non-strings;
* ``exists(path)`` is true iff the path resolves, even to JSON null;
* an operand used as a condition on its own (``value.is_test``) is true iff it is boolean ``true``;
* ``key`` is the record key, UTF-8-decoded when it is bytes; ``header.x`` is the value of the last
  header named ``x`` as the header converter decoded it (bytes are UTF-8-decoded); ``timestamp`` is the
  record's timestamp in epoch milliseconds (null when it has none).

A syntax error raises :class:`ExpressionError` whose message ends with ``at position N`` (0-based
offset into the text).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import orjson

from genesis_connectors.kafka.expr_values import (
    COMPARATORS,
    MISSING,
    Cond,
    Getter,
    RecordView,
    eq,
    header_getter,
    is_num,
    meta_getter,
    ne,
    value_getter,
)
from genesis_worker.api.records import SinkRecord

__all__ = ["Expression", "ExpressionError", "compile_condition"]


class ExpressionError(ValueError):
    """A condition that does not parse; ``position`` is the 0-based offset of the error."""

    def __init__(self, message: str, position: int) -> None:
        super().__init__(f"{message} at position {position}")
        self.position = position


@dataclass(frozen=True)
class Expression:
    """A compiled condition.

    ``value_fields`` is the set of top-level value fields read (None when the whole value is read);
    ``reads_value`` says whether evaluation needs the value at all (if not, it is never parsed).
    """

    text: str
    test: Cond
    reads_value: bool
    value_fields: frozenset[str] | None
    reads_headers: bool

    def __call__(self, view: RecordView) -> bool:
        return self.test(view.record, view.parsed if self.reads_value else None)


def compile_condition(text: str) -> Expression:
    """Parse ``text``; raises :class:`ExpressionError` with the position of the first error."""
    parser = _Parser(text)
    cond = parser.parse()
    fields = None if parser.whole_value else frozenset(parser.value_fields)
    return Expression(text, cond, parser.reads_value, fields, parser.reads_headers)


# --- tokens -------------------------------------------------------------------------------------

_TOKEN_RE = re.compile(
    r"""
    (?P<ws>\s+)
  | (?P<number>-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?(?![A-Za-z0-9_$]))
  | (?P<string>"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*')
  | (?P<op>==|!=|<=|>=|=~|&&|\|\||[<>!()\[\],.])
  | (?P<name>[A-Za-z_$][A-Za-z0-9_$\-]*|[0-9][A-Za-z0-9_$\-]*)
    """,
    re.VERBOSE,
)


@dataclass(frozen=True, slots=True)
class _Tok:
    kind: str  # number, string, op, name, eof
    text: str
    pos: int
    value: Any = None


def _tokenize(text: str) -> list[_Tok]:
    toks: list[_Tok] = []
    pos = 0
    n = len(text)
    while pos < n:
        m = _TOKEN_RE.match(text, pos)
        if m is None:
            ch = text[pos]
            if ch in "\"'":
                raise ExpressionError("unterminated string", pos)
            if ch == "=":
                raise ExpressionError("unexpected '=' (use '==' to compare)", pos)
            raise ExpressionError(f"unexpected character {ch!r}", pos)
        kind = m.lastgroup
        assert kind is not None
        s = m.group()
        if kind == "number":
            toks.append(_Tok(kind, s, pos, orjson.loads(s)))
        elif kind == "string":
            toks.append(_Tok(kind, s, pos, _unquote(s, pos)))
        elif kind != "ws":
            toks.append(_Tok(kind, s, pos))
        pos = m.end()
    toks.append(_Tok("eof", "", n))
    return toks


def _unquote(s: str, pos: int) -> str:
    body = s[1:-1]
    if s[0] == "'":
        body = body.replace("\\'", "'").replace('"', '\\"')
    try:
        out = orjson.loads(('"' + body + '"').encode())
    except orjson.JSONDecodeError:
        raise ExpressionError("invalid escape in string", pos) from None
    assert isinstance(out, str)
    return out


_META = ("key", "topic", "partition", "offset", "timestamp")
_KEYWORDS = {"and", "or", "not", "in", "matches", "true", "false", "null", "exists"}


@dataclass(frozen=True, slots=True)
class _Operand:
    get: Getter
    const: bool
    is_path: bool = False
    field: str | None = None  # set for a top-level value field (value.x): lets comparisons read the dict directly


class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.toks = _tokenize(text)
        self.i = 0
        self.reads_value = False
        self.whole_value = False
        self.reads_headers = False
        self.value_fields: set[str] = set()

    # helpers
    @property
    def tok(self) -> _Tok:
        return self.toks[self.i]

    def _next(self) -> _Tok:
        t = self.toks[self.i]
        self.i += 1
        return t

    def _is(self, kind: str, *texts: str) -> bool:
        t = self.tok
        return t.kind == kind and (not texts or t.text in texts)

    def _expect(self, kind: str, text: str, what: str) -> _Tok:
        if not self._is(kind, text):
            raise self._error(f"expected {what}")
        return self._next()

    def _error(self, message: str, tok: _Tok | None = None) -> ExpressionError:
        t = tok or self.tok
        found = "end of input" if t.kind == "eof" else repr(t.text)
        return ExpressionError(f"{message} but found {found}", t.pos)

    # grammar
    def parse(self) -> Cond:
        if self.tok.kind == "eof":
            raise ExpressionError("empty condition", 0)
        cond = self._or()
        if self.tok.kind != "eof":
            raise self._error("expected 'and', 'or' or end of condition")
        return cond

    def _or(self) -> Cond:
        parts = [self._and()]
        while self._is("name", "or") or self._is("op", "||"):
            self._next()
            parts.append(self._and())
        if len(parts) == 1:
            return parts[0]
        if len(parts) == 2:
            a, b = parts
            return lambda r, d: a(r, d) or b(r, d)
        ps = tuple(parts)
        return lambda r, d: any(p(r, d) for p in ps)

    def _and(self) -> Cond:
        parts = [self._not()]
        while self._is("name", "and") or self._is("op", "&&"):
            self._next()
            parts.append(self._not())
        if len(parts) == 1:
            return parts[0]
        if len(parts) == 2:
            a, b = parts
            return lambda r, d: a(r, d) and b(r, d)
        ps = tuple(parts)
        return lambda r, d: all(p(r, d) for p in ps)

    def _not(self) -> Cond:
        if (self._is("name", "not") and not self._is_not_in()) or self._is("op", "!"):
            self._next()
            inner = self._not()
            return lambda r, d: not inner(r, d)
        return self._comparison()

    def _is_not_in(self) -> bool:
        nxt = self.toks[self.i + 1]
        return nxt.kind == "name" and nxt.text == "in"

    def _comparison(self) -> Cond:
        start = self.tok
        left = self._operand()
        t = self.tok
        if t.kind == "op" and t.text in COMPARATORS:
            self._next()
            right = self._operand()
            return _binary(COMPARATORS[t.text], left, right)
        if t.kind == "name" and t.text in ("in", "not"):
            negate = t.text == "not"
            self._next()
            if negate:
                self._expect("name", "in", "'in' after 'not'")
            member = self._membership(left)
            return (lambda r, d: not member(r, d)) if negate else member
        if (t.kind == "op" and t.text == "=~") or (t.kind == "name" and t.text == "matches"):
            self._next()
            st = self.tok
            if st.kind != "string":
                raise self._error("expected a quoted regular expression")
            self._next()
            try:
                rx = re.compile(st.value)
            except re.error as e:
                raise ExpressionError(f"invalid regular expression: {e.msg}", st.pos + 1 + (e.pos or 0)) from None
            get = left.get
            search = rx.search
            return lambda r, d: type(x := get(r, d)) is str and search(x) is not None
        if left.const and not left.is_path:
            val = left.get(None, None)  # type: ignore[arg-type]
            if type(val) is not bool:
                raise ExpressionError("a literal is not a condition; compare it with a field", start.pos)
        get = left.get
        return lambda r, d: get(r, d) is True

    def _membership(self, left: _Operand) -> Cond:
        get = left.get
        if self._is("op", "["):
            items = self._list()
            hashable = all(x is None or type(x) in (str, int, float, bool) for x in items)
            if hashable and not any(type(x) is bool for x in items) and not any(is_num(x) for x in items):
                # strings (and null) only: a set lookup, type-exact
                strs = frozenset(x for x in items if type(x) is str)
                has_null = None in items
                field = left.field
                if field is not None and not has_null:

                    def in_strs_field(r: SinkRecord, d: Any) -> bool:
                        x = d.get(field) if type(d) is dict else get(r, d)
                        return type(x) is str and x in strs

                    return in_strs_field

                def in_strs(r: SinkRecord, d: Any) -> bool:
                    x = get(r, d)
                    if type(x) is str:
                        return x in strs
                    return has_null and (x is None or x is MISSING)

                return in_strs
            tup = tuple(items)
            return lambda r, d: any(eq(get(r, d), e) for e in tup)
        if self._is("name") and self.tok.text in ("value", "header"):
            right = self._path()

            def in_field(r: SinkRecord, d: Any) -> bool:
                coll = right.get(r, d)
                if not isinstance(coll, list):
                    return False
                x = get(r, d)
                return any(eq(x, e) for e in coll)

            return in_field
        raise self._error("expected '[' or a field after 'in'")

    def _list(self) -> list[Any]:
        self._expect("op", "[", "'['")
        items: list[Any] = []
        if self._is("op", "]"):
            self._next()
            return items
        while True:
            items.append(self._literal_value("a literal in the list"))
            if self._is("op", ","):
                self._next()
                continue
            self._expect("op", "]", "',' or ']'")
            return items

    def _literal_value(self, what: str) -> Any:
        t = self.tok
        if t.kind in ("number", "string"):
            self._next()
            return t.value
        if t.kind == "name" and t.text in ("true", "false", "null"):
            self._next()
            return {"true": True, "false": False, "null": None}[t.text]
        raise self._error(f"expected {what}")

    def _operand(self) -> _Operand:
        t = self.tok
        if t.kind in ("number", "string") or (t.kind == "name" and t.text in ("true", "false", "null")):
            val = self._literal_value("a literal")
            return _Operand(lambda r, d: val, True)
        if t.kind == "op" and t.text == "(":
            self._next()
            inner = self._or()
            self._expect("op", ")", "')'")
            return _Operand(inner, False)
        if t.kind == "name" and t.text == "exists":
            self._next()
            self._expect("op", "(", "'(' after 'exists'")
            if not (self._is("name") and self.tok.text in ("value", "header", *_META)):
                raise self._error("expected a field path in exists()")
            path = self._path()
            self._expect("op", ")", "')'")
            pget = path.get
            return _Operand(lambda r, d: pget(r, d) is not MISSING, False)
        if t.kind == "name" and t.text in ("value", "header", *_META):
            return self._path()
        if t.kind == "eof":
            raise self._error("expected a field, a literal or '('")
        if t.kind == "name" and t.text not in _KEYWORDS:
            raise ExpressionError(
                f"unknown field {t.text!r} (fields start with value., header., or are key, topic, partition, "
                "offset, timestamp)",
                t.pos,
            )
        raise self._error("expected a field, a literal or '('")

    def _path(self) -> _Operand:
        root = self._next()
        if root.text in _META:
            return _Operand(meta_getter(root.text), False, True)
        if root.text == "header":
            self.reads_headers = True
            if self._is("op", "."):
                self._next()
                name_tok = self.tok
                if name_tok.kind != "name":
                    raise self._error("expected a header name after 'header.'")
                self._next()
                return _Operand(header_getter(name_tok.text), False, True)
            if self._is("op", "["):
                self._next()
                st = self.tok
                if st.kind != "string":
                    raise self._error("expected a quoted header name")
                self._next()
                self._expect("op", "]", "']'")
                return _Operand(header_getter(st.value), False, True)
            raise self._error("expected '.' or '[' after 'header'")
        # value
        self.reads_value = True
        segments: list[str | int] = []
        while True:
            if self._is("op", "."):
                self._next()
                seg = self.tok
                if seg.kind == "name":
                    self._next()
                    segments.append(seg.text)
                elif seg.kind == "number" and type(seg.value) is int and seg.value >= 0:
                    self._next()
                    segments.append(seg.value)
                else:
                    raise self._error("expected a field name after '.'")
            elif self._is("op", "["):
                self._next()
                seg = self.tok
                if seg.kind == "string" or (seg.kind == "number" and type(seg.value) is int):
                    self._next()
                    segments.append(seg.value)
                else:
                    raise self._error("expected a quoted field name or an index")
                self._expect("op", "]", "']'")
            else:
                break
        if segments:
            first = segments[0]
            if isinstance(first, str):
                self.value_fields.add(first)
            else:
                self.whole_value = True
        else:
            self.whole_value = True
        field = segments[0] if len(segments) == 1 and isinstance(segments[0], str) else None
        return _Operand(value_getter(segments), False, True, field)


def _binary(op: Callable[[Any, Any], bool], left: _Operand, right: _Operand) -> Cond:
    lg, rg = left.get, right.get
    if right.const:
        c = rg(None, None)  # type: ignore[arg-type]
        field = left.field
        if type(c) is str and field is not None and op in (eq, ne):
            # value.x == "s": only an equal str can be == a str, so no type check is needed
            if op is eq:
                return lambda r, d: d.get(field) == c if type(d) is dict else eq(lg(r, d), c)
            return lambda r, d: d.get(field) != c if type(d) is dict else ne(lg(r, d), c)
        if op is eq and type(c) is str:

            def eq_str(r: SinkRecord, d: Any) -> bool:
                x = lg(r, d)
                return type(x) is str and x == c

            return eq_str
        return lambda r, d: op(lg(r, d), c)
    if left.const:
        c = lg(None, None)  # type: ignore[arg-type]
        return lambda r, d: op(c, rg(r, d))
    return lambda r, d: op(lg(r, d), rg(r, d))
