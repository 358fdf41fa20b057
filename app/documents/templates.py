"""A small, safe template language for drafting 公文 from the ledger's data.

The office edits the templates (text with placeholders and repeated sections); nothing in them is
ever evaluated as Python. What a template can do:

    {{ round.name }}                      a value from the data (dotted names; list items by
                                          number: ``items.0``)
    {{ items | count }}                   filters: count, join("、"), map("name"), first, last,
                                          default("无")
    {% for d in departments %}…{% else %}…{% endfor %}
                                          repeat for each item (``loop.index`` 1, 2, …,
                                          ``loop.first``, ``loop.last``, ``loop.length``);
                                          the ``else`` part when the list is empty
    {% if totals.overdue > 0 and not late %}…{% elif … %}…{% else %}…{% endif %}
                                          comparisons == != < > <= >=, and / or / not
    {# a note for whoever edits the template #}

Strings are written "…", '…' or “…”. A line holding only ``{% … %}`` or ``{# … #}`` tags leaves
no empty line behind. A name that is not in the data, a filter that does not exist, a tag that is
not closed … each is a ``TemplateError`` whose Chinese message names the template's line; rendering
any text whatever raises nothing else (tests/documents/test_templates.py checks that with
hypothesis). Work is bounded: ``MAX_TEMPLATE_CHARS`` of template, ``MAX_NESTING`` levels of
sections, ``MAX_ITERATIONS`` repetitions and ``MAX_OUTPUT_CHARS`` of output per rendering.

The result of ``render`` is a list of ``Piece``: text from the template itself (``literal``) or
from the data. app/documents/markup.py reads markup (headings, tables, fields) only in literal
text, so a value such as a problem description with "|" or a line starting "#" stays plain text:
that is the language's escaping.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

MAX_TEMPLATE_CHARS = 200_000
MAX_OUTPUT_CHARS = 2_000_000
MAX_ITERATIONS = 1_000_000
MAX_NESTING = 32
MAX_EXPRESSION_CHARS = 500

_FILTERS = ("count", "join", "map", "first", "last", "default")
_KEYWORDS = ("and", "or", "not", "in")
_QUOTES = {'"': '"', "'": "'", "“": "”", "‘": "’"}


class TemplateError(ValueError):
    """A template that cannot be rendered: ``line`` (1-based, None when no one line is at
    fault) and a Chinese ``reason``; ``str()`` is the whole message."""

    def __init__(self, line: int | None, reason: str) -> None:
        self.line = line
        self.reason = reason
        super().__init__(f"模板第 {line} 行：{reason}" if line else f"模板：{reason}")


@dataclass(frozen=True)
class Piece:
    """A run of rendered text: from the template itself (``literal``: markup counts) or a value
    from the data (always plain text), and the template line it came from."""

    text: str
    literal: bool
    line: int


def render(source: str, context: Mapping[str, Any]) -> list[Piece]:
    """Render ``source`` with ``context`` (dicts, lists, text, numbers, booleans, None)."""
    return parse(source).render(context)


def render_text(source: str, context: Mapping[str, Any]) -> str:
    return "".join(piece.text for piece in render(source, context))


def parse(source: str) -> Template:
    if not isinstance(source, str):
        raise TemplateError(None, "模板应是文字。")
    if len(source) > MAX_TEMPLATE_CHARS:
        raise TemplateError(None, f"模板太长（最多 {MAX_TEMPLATE_CHARS} 字），请删去不需要的部分。")
    return Template(_Parser(_lex(source)).parse())


# ---- Lexing ------------------------------------------------------------------------------------


@dataclass
class _Token:
    kind: str  # "text", "output", "block", "comment"
    text: str  # the text, or the tag's inside
    line: int


_OPENERS = {"{{": ("output", "}}"), "{%": ("block", "%}"), "{#": ("comment", "#}")}
_OPENING = re.compile(r"\{[{%#]")


def _lex(source: str) -> list[_Token]:
    tokens: list[_Token] = []
    position, line = 0, 1
    while position < len(source):
        found = _OPENING.search(source, position)
        end_of_text = found.start() if found else len(source)
        if end_of_text > position:
            text = source[position:end_of_text]
            tokens.append(_Token("text", text, line))
            line += text.count("\n")
        if not found:
            break
        kind, closer = _OPENERS[found.group()]
        close = source.find(closer, found.end())
        if close < 0:
            shown = {"output": "{{ … }}", "block": "{% … %}", "comment": "{# … #}"}[kind]
            raise TemplateError(line, f"“{found.group()}”没有对应的结尾，请写完整的 {shown}。")
        inside = source[found.end() : close]
        tokens.append(_Token(kind, inside, line))
        line += inside.count("\n")
        position = close + len(closer)
    _trim_standalone_tags(tokens)
    return tokens


def _trim_standalone_tags(tokens: list[_Token]) -> None:
    """A block tag or comment alone on its line takes the line with it (its indentation and
    its line break), so sections can be written one tag per line."""
    cuts: dict[int, list[int]] = {}  # text token index -> [keep_from, keep_to]
    for index, token in enumerate(tokens):
        if token.kind not in ("block", "comment"):
            continue
        before = tokens[index - 1] if index > 0 else None
        after = tokens[index + 1] if index + 1 < len(tokens) else None
        if before is not None and before.kind != "text":
            continue
        if after is not None and after.kind != "text":
            continue
        if before is not None:
            head = before.text.rsplit("\n", 1)
            line_start = head[-1]
            if line_start.strip(" \t\u3000") or (len(head) == 1 and index - 1 > 0):
                continue
        if after is not None:
            rest = after.text.split("\n", 1)
            if rest[0].strip(" \t\u3000\r") or (len(rest) == 1 and index + 2 < len(tokens)):
                continue
        if before is not None:
            keep = cuts.setdefault(index - 1, [0, len(before.text)])
            keep[1] = min(keep[1], before.text.rfind("\n") + 1)
        if after is not None:
            keep = cuts.setdefault(index + 1, [0, len(after.text)])
            newline = after.text.find("\n")
            keep[0] = max(keep[0], newline + 1 if newline >= 0 else len(after.text))
    for index, (start, end) in cuts.items():
        token = tokens[index]
        removed = token.text[:start]
        token.text = token.text[start:end] if start < end else ""
        token.line += removed.count("\n")


# ---- Expressions -------------------------------------------------------------------------------


_EXPRESSION_TOKEN = re.compile(
    r"\s*(?:"
    r"(?P<number>\d+(?:\.\d+)?)"
    r"|(?P<name>[A-Za-z_][A-Za-z0-9_]*)"
    r"|(?P<op>==|!=|<=|>=|<|>|\.|\||\(|\)|,)"
    r"|(?P<quote>[\"'“‘])"
    r")"
)


_INDEX = re.compile(r"(?P<number>\d+)|(?P<name>[A-Za-z_][A-Za-z0-9_]*)")


@dataclass(frozen=True)
class _Lexeme:
    kind: str  # number, name, op, string, end
    value: Any


def _expression_lexemes(text: str, line: int) -> list[_Lexeme]:
    if len(text) > MAX_EXPRESSION_CHARS:
        raise TemplateError(line, f"一个标记中的内容太长（最多 {MAX_EXPRESSION_CHARS} 字）。")
    result: list[_Lexeme] = []
    position = 0
    while True:
        while position < len(text) and text[position] in " \t\r\n\u3000":
            position += 1
        if position >= len(text):
            break
        after_dot = bool(result) and result[-1] == _Lexeme("op", ".")
        match = (_INDEX if after_dot else _EXPRESSION_TOKEN).match(text, position)
        if match is None or match.end() == position:
            raise TemplateError(line, f"看不懂“{text[position:][:10]}”：{_HELP}")
        if match.group("number") is not None:
            raw = match.group("number")
            result.append(_Lexeme("number", float(raw) if "." in raw else int(raw)))
            position = match.end()
        elif match.group("name") is not None:
            result.append(_Lexeme("name", match.group("name")))
            position = match.end()
        elif match.groupdict().get("op") is not None:
            result.append(_Lexeme("op", match.group("op")))
            position = match.end()
        else:
            opening = match.group("quote")
            closing = _QUOTES[opening]
            end = text.find(closing, match.end())
            if end < 0:
                raise TemplateError(line, f"文字缺少结尾的引号 {closing}。")
            result.append(_Lexeme("string", text[match.end() : end]))
            position = end + 1
    result.append(_Lexeme("end", None))
    return result


_HELP = "占位符写作 {{ 名称 }} 或 {{ 名称.子项 }}，名称用英文字母、数字和下划线。"


@dataclass(frozen=True)
class _Path:
    parts: tuple[str | int, ...]

    @property
    def label(self) -> str:
        return ".".join(str(part) for part in self.parts)


@dataclass(frozen=True)
class _Literal:
    value: Any


@dataclass(frozen=True)
class _Filter:
    subject: Any
    name: str
    arguments: tuple[Any, ...]


@dataclass(frozen=True)
class _Compare:
    left: Any
    op: str
    right: Any


@dataclass(frozen=True)
class _Logic:
    op: str  # and, or
    left: Any
    right: Any


@dataclass(frozen=True)
class _Not:
    operand: Any


class _ExpressionParser:
    def __init__(self, text: str, line: int) -> None:
        self.lexemes = _expression_lexemes(text, line)
        self.position = 0
        self.line = line
        self.text = text.strip()
        self.depth = 0

    def parse(self) -> Any:
        if self._peek().kind == "end":
            raise TemplateError(self.line, f"标记中缺少内容。{_HELP}")
        expression = self._or()
        if self._peek().kind != "end":
            raise TemplateError(self.line, f"“{self.text}”后面多了内容，请检查写法。")
        return expression

    def _peek(self) -> _Lexeme:
        return self.lexemes[self.position]

    def _take(self) -> _Lexeme:
        lexeme = self.lexemes[self.position]
        if lexeme.kind != "end":
            self.position += 1
        return lexeme

    def _is(self, kind: str, value: Any = None) -> bool:
        lexeme = self._peek()
        return lexeme.kind == kind and (value is None or lexeme.value == value)

    def _expect(self, kind: str, value: Any, what: str) -> None:
        if not self._is(kind, value):
            raise TemplateError(self.line, f"“{self.text}”中缺少{what}。")
        self._take()

    def _or(self) -> Any:
        left = self._and()
        while self._is("name", "or"):
            self._take()
            left = _Logic("or", left, self._and())
        return left

    def _and(self) -> Any:
        left = self._not()
        while self._is("name", "and"):
            self._take()
            left = _Logic("and", left, self._not())
        return left

    def _not(self) -> Any:
        if self._is("name", "not"):
            self._take()
            self._deeper()
            return _Not(self._not())
        return self._compare()

    def _deeper(self) -> None:
        self.depth += 1
        if self.depth > MAX_NESTING:
            raise TemplateError(self.line, f"“{self.text[:20]}…”中的括号或 not 太多，请简化。")

    def _compare(self) -> Any:
        left = self._filtered()
        if self._peek().kind == "op" and self._peek().value in ("==", "!=", "<", ">", "<=", ">="):
            op = self._take().value
            return _Compare(left, op, self._filtered())
        return left

    def _filtered(self) -> Any:
        subject = self._primary()
        while self._is("op", "|"):
            self._take()
            name = self._take()
            if name.kind != "name":
                raise TemplateError(self.line, "“|”后面应写过滤器的名称，如 count、join(“、”)。")
            if name.value not in _FILTERS:
                raise TemplateError(
                    self.line, f"没有名为“{name.value}”的过滤器，可用的有：{'、'.join(_FILTERS)}。"
                )
            arguments: list[Any] = []
            if self._is("op", "("):
                self._take()
                while not self._is("op", ")"):
                    arguments.append(self._or())
                    if self._is("op", ","):
                        self._take()
                    elif not self._is("op", ")"):
                        raise TemplateError(self.line, f"过滤器 {name.value} 的括号没有闭合。")
                self._take()
            subject = _Filter(subject, name.value, tuple(arguments))
        return subject

    def _primary(self) -> Any:
        lexeme = self._take()
        if lexeme.kind in ("number", "string"):
            return _Literal(lexeme.value)
        if lexeme.kind == "op" and lexeme.value == "(":
            self._deeper()
            inner = self._or()
            self._expect("op", ")", "右括号“)”")
            return inner
        if lexeme.kind == "name" and lexeme.value not in _KEYWORDS:
            if lexeme.value in ("true", "false", "none"):
                return _Literal({"true": True, "false": False, "none": None}[lexeme.value])
            parts: list[str | int] = [lexeme.value]
            while self._is("op", "."):
                self._take()
                part = self._take()
                if part.kind == "name" or (part.kind == "number" and isinstance(part.value, int)):
                    parts.append(part.value)
                else:
                    raise TemplateError(self.line, f"“.”后面应写子项的名称：{self.text}")
            return _Path(tuple(parts))
        if lexeme.kind == "end":
            raise TemplateError(self.line, f"“{self.text}”没有写完。")
        raise TemplateError(self.line, f"“{self.text}”中“{lexeme.value}”的位置不对，请检查写法。")


# ---- Statements --------------------------------------------------------------------------------


@dataclass
class _Text:
    text: str
    line: int


@dataclass
class _Output:
    expression: Any
    line: int


@dataclass
class _For:
    name: str
    iterable: Any
    line: int
    body: list[Any] = field(default_factory=list)
    otherwise: list[Any] | None = None


@dataclass
class _If:
    line: int
    branches: list[tuple[Any, list[Any]]] = field(default_factory=list)
    otherwise: list[Any] | None = None


_FOR = re.compile(r"for\s+([A-Za-z_][A-Za-z0-9_]*)\s+in\s+(.+)", re.S)
_TAG_NAMES = {
    "for": "{% for … in … %}",
    "if": "{% if … %}",
}


class _Parser:
    def __init__(self, tokens: list[_Token]) -> None:
        self.tokens = tokens

    def parse(self) -> list[Any]:
        root: list[Any] = []
        stack: list[tuple[Any, list[Any]]] = []  # open sections and where their body goes
        target = root
        for token in self.tokens:
            if token.kind == "text":
                if token.text:
                    target.append(_Text(token.text, token.line))
            elif token.kind == "comment":
                continue
            elif token.kind == "output":
                target.append(
                    _Output(_ExpressionParser(token.text, token.line).parse(), token.line)
                )
            else:
                target = self._block(token, stack, target, root)
        if stack:
            node = stack[-1][0]
            kind = "for" if isinstance(node, _For) else "if"
            ending = "{% endfor %}" if kind == "for" else "{% endif %}"
            raise TemplateError(node.line, f"{_TAG_NAMES[kind]} 没有对应的 {ending}。")
        return root

    def _block(
        self, token: _Token, stack: list[tuple[Any, list[Any]]], target: list[Any], root: list[Any]
    ) -> list[Any]:
        text = token.text.strip()
        word = text.split(None, 1)[0] if text else ""
        line = token.line
        if word == "for":
            match = _FOR.fullmatch(text)
            if match is None:
                raise TemplateError(line, "重复段落应写作 {% for 项 in 列表 %}。")
            node = _For(match.group(1), _ExpressionParser(match.group(2), line).parse(), line)
            return self._open(node, node.body, stack, target, line)
        if word == "if":
            condition = _ExpressionParser(text[2:], line).parse()
            node = _If(line)
            node.branches.append((condition, []))
            return self._open(node, node.branches[-1][1], stack, target, line)
        if word == "elif":
            node = self._innermost(stack, _If, line, "{% elif %} 前面应有 {% if … %}。")
            if node.otherwise is not None:
                raise TemplateError(line, "{% elif %} 不能写在 {% else %} 之后。")
            node.branches.append((_ExpressionParser(text[4:], line).parse(), []))
            stack[-1] = (node, node.branches[-1][1])
            return node.branches[-1][1]
        if word == "else" and text == "else":
            if not stack:
                raise TemplateError(line, "{% else %} 前面应有 {% if … %} 或 {% for … %}。")
            node = stack[-1][0]
            if node.otherwise is not None:
                raise TemplateError(line, "同一段中只能有一个 {% else %}。")
            node.otherwise = []
            stack[-1] = (node, node.otherwise)
            return node.otherwise
        if word in ("endfor", "endif") and text == word:
            kind = _For if word == "endfor" else _If
            opening = "{% for … %}" if word == "endfor" else "{% if … %}"
            self._innermost(stack, kind, line, f"{{% {word} %}} 前面没有对应的 {opening}。")
            stack.pop()
            return stack[-1][1] if stack else root
        known = "for、if、elif、else、endfor、endif"
        raise TemplateError(line, f"不认识的标记“{{% {text[:20]} %}}”，可用的有：{known}。")

    @staticmethod
    def _open(
        node: Any, body: list[Any], stack: list[tuple[Any, list[Any]]], target: list[Any], line: int
    ) -> list[Any]:
        if len(stack) >= MAX_NESTING:
            raise TemplateError(line, f"段落嵌套太深（最多 {MAX_NESTING} 层）。")
        target.append(node)
        stack.append((node, body))
        return body

    @staticmethod
    def _innermost(stack: list[tuple[Any, list[Any]]], kind: type, line: int, message: str) -> Any:
        if not stack:
            raise TemplateError(line, message)
        node = stack[-1][0]
        if not isinstance(node, kind):
            other = "{% endfor %}" if isinstance(node, _For) else "{% endif %}"
            raise TemplateError(
                line, f"{message[:-1]}；第 {node.line} 行开始的段落应先用 {other} 结束。"
            )
        return node


# ---- Rendering ---------------------------------------------------------------------------------


class _Budget:
    def __init__(self) -> None:
        self.iterations = 0
        self.output = 0

    def iterate(self, line: int) -> None:
        self.iterations += 1
        if self.iterations > MAX_ITERATIONS:
            raise TemplateError(line, f"重复次数太多（超过 {MAX_ITERATIONS} 次），请检查重复段落。")

    def emit(self, text: str, line: int) -> None:
        self.output += len(text)
        if self.output > MAX_OUTPUT_CHARS:
            raise TemplateError(line, f"生成的文字太长（超过 {MAX_OUTPUT_CHARS} 字）。")


class _Loop:
    """What ``loop`` gives inside a for section."""

    def __init__(self, index: int, length: int) -> None:
        self.values = {
            "index": index + 1,
            "index0": index,
            "first": index == 0,
            "last": index == length - 1,
            "length": length,
        }


class Template:
    def __init__(self, nodes: list[Any]) -> None:
        self.nodes = nodes

    def render(self, context: Mapping[str, Any]) -> list[Piece]:
        pieces: list[Piece] = []
        try:
            self._render(self.nodes, [dict(context)], pieces, _Budget())
        except RecursionError:  # a context nested deeper than anything drafting builds
            raise TemplateError(None, "数据层次太深，无法生成。") from None
        return pieces

    def _render(
        self, nodes: list[Any], scopes: list[dict[str, Any]], out: list[Piece], budget: _Budget
    ) -> None:
        for node in nodes:
            if isinstance(node, _Text):
                budget.emit(node.text, node.line)
                out.append(Piece(node.text, True, node.line))
            elif isinstance(node, _Output):
                value = _evaluate(node.expression, scopes, node.line)
                text = _as_text(value, node.expression, node.line)
                if text:
                    budget.emit(text, node.line)
                    out.append(Piece(text, False, node.line))
            elif isinstance(node, _For):
                items = _evaluate(node.iterable, scopes, node.line)
                if items is None:
                    items = []
                if (
                    isinstance(items, Mapping)
                    or not isinstance(items, Sequence)
                    or isinstance(items, str)
                ):
                    raise TemplateError(
                        node.line, f"“{_describe(node.iterable)}”不是一组数据，不能逐项重复。"
                    )
                if not items and node.otherwise is not None:
                    self._render(node.otherwise, scopes, out, budget)
                for index, item in enumerate(items):
                    budget.iterate(node.line)
                    scope = {node.name: item, "loop": _Loop(index, len(items)).values}
                    self._render(node.body, [*scopes, scope], out, budget)
            elif isinstance(node, _If):
                for condition, body in node.branches:
                    if _truth(_evaluate(condition, scopes, node.line)):
                        self._render(body, scopes, out, budget)
                        break
                else:
                    if node.otherwise is not None:
                        self._render(node.otherwise, scopes, out, budget)


def _describe(expression: Any) -> str:
    if isinstance(expression, _Path):
        return expression.label
    if isinstance(expression, _Filter):
        return f"{_describe(expression.subject)} | {expression.name}"
    if isinstance(expression, _Literal):
        return str(expression.value)
    return "表达式"


def _lookup(path: _Path, scopes: list[dict[str, Any]], line: int) -> Any:
    head = path.parts[0]
    for scope in reversed(scopes):
        if head in scope:
            value = scope[head]
            break
    else:
        names = sorted({name for scope in scopes for name in scope if isinstance(name, str)})
        raise TemplateError(line, f"没有名为“{head}”的数据。可用的有：{_listing(names)}。")
    for depth, part in enumerate(path.parts[1:], start=1):
        parent = ".".join(str(p) for p in path.parts[:depth])
        if isinstance(value, Mapping):
            if part not in value:
                keys = [key for key in value if isinstance(key, str)]
                raise TemplateError(
                    line, f"“{parent}”中没有“{part}”这一项。可用的有：{_listing(keys)}。"
                )
            value = value[part]
        elif _sequence(value):
            if not isinstance(part, int):
                raise TemplateError(line, f"“{parent}”是一组数据，请用 {{% for %}} 逐项取出。")
            # A list shorter than the template expects: nothing to write.
            value = value[part] if part < len(value) else None
        elif value is None:
            return None
        else:
            raise TemplateError(line, f"“{parent}”没有子项“{part}”。")
    return value


def _listing(names: list[str]) -> str:
    shown = names[:12]
    text = "、".join(shown) if shown else "（无）"
    return text + ("等" if len(names) > len(shown) else "")


def _evaluate(expression: Any, scopes: list[dict[str, Any]], line: int) -> Any:
    if isinstance(expression, _Literal):
        return expression.value
    if isinstance(expression, _Path):
        return _lookup(expression, scopes, line)
    if isinstance(expression, _Not):
        return not _truth(_evaluate(expression.operand, scopes, line))
    if isinstance(expression, _Logic):
        left = _truth(_evaluate(expression.left, scopes, line))
        if expression.op == "and":
            return left and _truth(_evaluate(expression.right, scopes, line))
        return left or _truth(_evaluate(expression.right, scopes, line))
    if isinstance(expression, _Compare):
        return _compare(
            _evaluate(expression.left, scopes, line),
            expression.op,
            _evaluate(expression.right, scopes, line),
            line,
        )
    if isinstance(expression, _Filter):
        subject = _evaluate(expression.subject, scopes, line)
        arguments = [_evaluate(argument, scopes, line) for argument in expression.arguments]
        return _apply_filter(expression.name, subject, arguments, line)
    raise TemplateError(line, "无法计算这个标记。")  # pragma: no cover - the parser makes no other


def _truth(value: Any) -> bool:
    if isinstance(value, Mapping | Sequence) and not isinstance(value, str):
        return len(value) > 0
    return bool(value)


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _compare(left: Any, op: str, right: Any, line: int) -> bool:
    if op == "==":
        return left == right
    if op == "!=":
        return left != right
    if (_is_number(left) and _is_number(right)) or (
        isinstance(left, str) and isinstance(right, str)
    ):
        pass
    else:
        raise TemplateError(line, f"“{op}”只能比较两个数或两段文字。")
    if op == "<":
        return left < right
    if op == ">":
        return left > right
    if op == "<=":
        return left <= right
    return left >= right


def _sequence(value: Any) -> bool:
    return isinstance(value, Sequence) and not isinstance(value, str)


def _apply_filter(name: str, subject: Any, arguments: list[Any], line: int) -> Any:
    expected = {"count": 0, "first": 0, "last": 0, "join": (0, 1), "map": 1, "default": 1}[name]
    allowed = expected if isinstance(expected, tuple) else (expected,)
    if len(arguments) not in allowed:
        counts = "或".join(str(n) for n in allowed)
        raise TemplateError(line, f"过滤器 {name} 需要 {counts} 个参数。")
    if name == "default":
        return subject if _truth(subject) else arguments[0]
    if subject is None:
        subject = []
    if name == "count":
        if isinstance(subject, Mapping) or _sequence(subject) or isinstance(subject, str):
            return len(subject)
        raise TemplateError(line, "过滤器 count 只能用于一组数据或一段文字。")
    if not _sequence(subject):
        raise TemplateError(line, f"过滤器 {name} 只能用于一组数据。")
    if name == "first":
        return subject[0] if subject else None
    if name == "last":
        return subject[-1] if subject else None
    if name == "map":
        key = arguments[0]
        if not isinstance(key, str):
            raise TemplateError(line, "过滤器 map 的参数应是子项名称，如 map(“name”)。")
        result = []
        for item in subject:
            if not isinstance(item, Mapping) or key not in item:
                raise TemplateError(line, f"这组数据的项中没有“{key}”。")
            result.append(item[key])
        return result
    separator = arguments[0] if arguments else "、"
    if not isinstance(separator, str):
        raise TemplateError(line, "过滤器 join 的参数应是文字，如 join(“、”)。")
    return separator.join(_as_text(item, None, line) for item in subject)


def _as_text(value: Any, expression: Any, line: int) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            return ""
        text = f"{value:.2f}".rstrip("0").rstrip(".")
        return "0" if text == "-0" else text
    if isinstance(value, str):
        return value
    what = f"“{_describe(expression)}”" if expression is not None else "这一项"
    if isinstance(value, Mapping):
        raise TemplateError(line, f"{what}包含多个子项，请写出其中一项，如 {{{{ 名称.子项 }}}}。")
    if _sequence(value):
        raise TemplateError(
            line, f"{what}是一组数据，请用 {{% for %}} 逐项写出，或写作 | join(“、”)。"
        )
    return str(value)
