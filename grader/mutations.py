"""The automatic mutants of a lab's solution file, for `./grade mutate` (grader/mutate.py).

Only the code between `/* BEGIN SOLUTION ... */` and `/* END SOLUTION */` is mutated: the code a
student writes. A small C lexer and statement reader (enough for the solutions: declarations,
expression statements, blocks, if/else, for, while, do-while, return, break, continue) find:

  ror     a relational operator: < <= and > >= (boundary), < > and <= >= (direction), == !=
  lcr     && and || swapped
  aor     an arithmetic operator: + -, * /, % /, ++ --, += -=, | &, |= &=
  const   an off-by-one constant: an integer N as N+1 and N-1, a constant macro X as (X + 1);
          true/false and TRUE/FALSE flipped
  delete  a statement deleted (an expression statement, an if, a loop)
  call    a call that signals, releases or commits dropped (ws_dispatch_signal, ReleaseMutex,
          SetEvent...): deleted as a statement, replaced by 1 (success) inside an expression
  swap    two adjacent statements of a block swapped
  invert  a condition inverted: of an if, while, do-while, for or ?:

A mutant's id is a hash of its file, function, statement (its tokens, so whitespace and
comments do not count), operator and change: it survives edits elsewhere in the file.
"""

import hashlib
import re
from dataclasses import dataclass, field

DROPPED_CALLS = {"ws_dispatch_signal", "ws_thread_alert", "ws_dispatcher_lock", "ws_dispatcher_unlock",
                 "ReleaseMutex", "ReleaseSemaphore", "SetEvent", "ResetEvent", "PulseEvent", "CloseHandle",
                 "UnmapViewOfFile", "InterlockedExchange", "InterlockedExchange64", "close_handle"}
RELATIONAL = {"<": ("<=", ">"), "<=": ("<", ">="), ">": (">=", "<"), ">=": (">", "<="), "==": ("!=",),
              "!=": ("==",)}
LOGICAL = {"&&": "||", "||": "&&"}
ARITHMETIC = {"+": "-", "-": "+", "*": "/", "/": "*", "%": "/", "|": "&", "&": "|"}  # binary only
UPDATE = {"++": "--", "--": "++", "+=": "-=", "-=": "+=", "|=": "&=", "&=": "|="}
BOOLEANS = {"true": "false", "false": "true", "TRUE": "FALSE", "FALSE": "TRUE"}
NOT_CONSTANTS = {"NULL", "INVALID_HANDLE_VALUE"}
ASSIGNMENTS = {"=", "+=", "-=", "*=", "/=", "%=", "&=", "|=", "^=", "<<=", ">>="}
TYPE_WORDS = {"const", "volatile", "static", "struct", "union", "enum", "unsigned", "signed", "int",
              "char", "short", "long", "bool", "float", "double", "void"}
OPERATORS = ["...", "<<=", ">>=", "->", "++", "--", "<<", ">>", "<=", ">=", "==", "!=", "&&", "||", "+=",
             "-=", "*=", "/=", "%=", "&=", "|=", "^="]
TOKEN_RE = re.compile(r"""
    (?P<space>\s+)
  | (?P<comment>/\*.*?\*/|//[^\n]*)
  | (?P<string>"(?:\\.|[^"\\\n])*"|'(?:\\.|[^'\\\n])*')
  | (?P<number>0[xX][0-9a-fA-F]+[uUlL]*|\d+\.\d*(?:[eE][+-]?\d+)?[fFlL]?|\d+[uUlL]*)
  | (?P<name>[A-Za-z_]\w*)
  | (?P<op>""" + "|".join(re.escape(op) for op in OPERATORS) + r"""|[{}()\[\];,.?:~!<>=+\-*/%&|^#])
""", re.S | re.X)
BEGIN_RE = re.compile(r"/\* BEGIN SOLUTION\b.*?\*/", re.S)
END_RE = re.compile(r"/\* END SOLUTION \*/")
CLOSING = {"(": ")", "[": "]", "{": "}"}


class MutationError(Exception):
    """A solution file the mutant generator cannot read; the message names file and line."""


@dataclass(frozen=True)
class Token:
    kind: str  # name, number, string, op
    text: str
    start: int
    end: int


@dataclass(frozen=True)
class Mutant:
    id: str  # "<lab key>-<8 hex digits>"
    file: str  # the student file
    function: str
    line: int  # where the change starts in the solution (for the reader only)
    operator: str
    statement: str  # the normalized statement that holds the change
    change: str  # "`<` -> `<=`", "deleted", ...
    start: int  # the replaced span of the solution text, and what replaces it
    end: int
    replacement: str

    def apply(self, text):
        return text[:self.start] + self.replacement + text[self.end:]

    def describe(self):
        statement = self.statement if len(self.statement) <= 90 else self.statement[:87] + "..."
        return f"{self.function}:{self.line} {self.operator}: {self.change} in `{statement}`"


@dataclass
class Statement:
    kind: str  # block, if, while, do, for, return, jump, decl, expr
    first: int  # token indexes, both included
    last: int
    header: tuple = None  # (first, last) of an if/while/for/do-while's own tokens, or None
    cond: tuple = None  # (first, last) of its condition, or None
    lists: list = field(default_factory=list)  # its statement lists (a block's, an if's branches)
    name: str = None  # the name a declaration declares


def tokenize(text, where="<text>"):
    tokens, pos = [], 0
    while pos < len(text):
        match = TOKEN_RE.match(text, pos)
        if not match:
            raise MutationError(f"{where}:{text.count(chr(10), 0, pos) + 1}: cannot read {text[pos:pos + 20]!r}")
        if match.lastgroup not in ("space", "comment"):
            tokens.append(Token(match.lastgroup, match.group(), match.start(), match.end()))
        pos = match.end()
    return tokens


def regions(text, where="<text>"):
    """(start, end) character spans of the code of each marked region."""
    spans = []
    for begin in BEGIN_RE.finditer(text):
        end = END_RE.search(text, begin.end())
        if end is None:
            line = text.count(chr(10), 0, begin.start()) + 1
            raise MutationError(f"{where}:{line}: BEGIN SOLUTION without END SOLUTION")
        spans.append((begin.end(), end.start()))
    return spans


def _matching(tokens, where):
    """index of each bracket -> index of its partner."""
    partner, stack = {}, []
    for i, token in enumerate(tokens):
        if token.text in CLOSING:
            stack.append(i)
        elif token.text in CLOSING.values():
            if not stack or CLOSING[tokens[stack[-1]].text] != token.text:
                raise MutationError(f"{where}: unbalanced {token.text!r}")
            opening = stack.pop()
            partner[opening], partner[i] = i, opening
    if stack:
        raise MutationError(f"{where}: unbalanced {tokens[stack[-1]].text!r}")
    return partner


def _functions(tokens, partner):
    """[(name, first token, last token)] of each function body at file level."""
    found, i = [], 0
    while i < len(tokens):
        if tokens[i].text == "{":
            if i > 0 and tokens[i - 1].text == ")" and partner[i - 1] > 0:
                found.append((tokens[partner[i - 1] - 1].text, i, partner[i]))
            i = partner[i] + 1
        else:
            i += 1
    return found


class _Reader:
    """Reads the statements of one region (its tokens; brackets matched)."""

    def __init__(self, tokens, partner, where):
        self.tokens, self.partner, self.where = tokens, partner, where

    def fail(self, i, message):
        raise MutationError(f"{self.where}: {message} near {self.tokens[min(i, len(self.tokens) - 1)].text!r}")

    def statements(self, i, end):
        out = []
        while i <= end:
            statement = self.statement(i)
            out.append(statement)
            i = statement.last + 1
        return out

    def expect(self, i, text):
        if i >= len(self.tokens) or self.tokens[i].text != text:
            self.fail(i, f"expected {text!r}")

    def statement(self, i):
        word = self.tokens[i].text
        if word == "{":
            close = self.partner[i]
            return Statement("block", i, close, lists=[self.statements(i + 1, close - 1)])
        if word in ("if", "while", "for"):
            self.expect(i + 1, "(")
            close = self.partner[i + 1]
            cond = (i + 2, close - 1)
            if word == "for":
                semis = [j for j in range(i + 2, close) if self.tokens[j].text == ";" and self._depth(i + 1, j) == 1]
                if len(semis) != 2:
                    self.fail(i, "a for without two ';'")
                cond = (semis[0] + 1, semis[1] - 1) if semis[1] > semis[0] + 1 else None
            body = self.statement(close + 1)
            lists, last = [[body]], body.last
            if word == "if" and last + 1 < len(self.tokens) and self.tokens[last + 1].text == "else":
                other = self.statement(last + 2)
                lists.append([other])
                last = other.last
            return Statement(word, i, last, header=(i, close), cond=cond, lists=lists)
        if word == "do":
            body = self.statement(i + 1)
            self.expect(body.last + 1, "while")
            self.expect(body.last + 2, "(")
            close = self.partner[body.last + 2]
            self.expect(close + 1, ";")
            return Statement("do", i, close + 1, header=(body.last + 1, close + 1), cond=(body.last + 3, close - 1),
                             lists=[[body]])
        j = i
        while j < len(self.tokens) and self.tokens[j].text != ";":
            if self.tokens[j].text in CLOSING:
                j = self.partner[j]
            j += 1
        if j >= len(self.tokens):
            self.fail(i, "a statement without ';'")
        kind = {"return": "return", "break": "jump", "continue": "jump", "goto": "jump"}.get(word)
        if kind:
            return Statement(kind, i, j)
        name = self._declared_name(i, j)
        return Statement("decl" if name else "expr", i, j, name=name)

    def _depth(self, opening, j):
        return sum(1 for k, t in enumerate(self.tokens) if t.text == "(" and opening <= k < j
                   and self.partner[k] > j)

    def _declared_name(self, i, j):
        """The name a declaration from i to j declares, or None for an expression statement."""
        t = self.tokens
        starts_with_type = t[i].text in TYPE_WORDS
        k = i + 1
        while k < j and t[k].text == "*":
            k += 1
        typedef_then_name = t[i].kind == "name" and k < j and t[k].kind == "name" and t[k].text not in TYPE_WORDS
        if not (starts_with_type or typedef_then_name):
            return None
        names = [k for k in range(i, j) if t[k].kind == "name" and k + 1 <= j and t[k + 1].text in ("=", ";", "[", ",")]
        return t[names[0]].text if names else None


def _normalized(tokens, first, last):
    """The tokens with a space only between two words: the same text whatever the layout."""
    out = []
    for before, token in zip((None,) + tuple(tokens[first:last + 1]), tokens[first:last + 1]):
        if before is not None and before.kind != "op" and token.kind != "op":
            out.append(" ")
        out.append(token.text)
    return "".join(out)


def _all_statements(statements):
    for statement in statements:
        yield statement
        for inner in statement.lists:
            yield from _all_statements(inner)


def _all_lists(statements):
    yield statements
    for statement in statements:
        for inner in statement.lists:
            yield from _all_lists(inner)


def _is_binary(tokens, i, first):
    """Whether tokens[i] (an operator that may also be unary) is binary here."""
    if i <= first:
        return False
    before = tokens[i - 1]
    after = tokens[i + 1] if i + 1 < len(tokens) else None
    if after is not None and after.text == ")" and tokens[i].text == "*":
        return False  # a pointer type in a cast: (BYTE *)
    return before.kind in ("name", "number", "string") or before.text in (")", "]")


def _ternary_condition(tokens, question, first):
    """(first, last) of the condition of the ?: whose '?' is at `question`."""
    depth, j = 0, question - 1
    while j >= first:
        text = tokens[j].text
        if text in (")", "]"):
            depth += 1
        elif text in ("(", "["):
            if depth == 0:
                break
            depth -= 1
        elif depth == 0 and (text in ASSIGNMENTS or text in (",", "return", ";", "{", "}", "?", ":")):
            break
        j -= 1
    return (j + 1, question - 1) if j + 1 <= question - 1 else None


def mutants(text, file_name, prefix):
    """Every mutant of `text` (a solution file named file_name); ids start with `prefix`-."""
    tokens = tokenize(text, file_name)
    partner = _matching(tokens, file_name)
    functions = _functions(tokens, partner)
    found, seen_texts, seen_ids = [], set(), set()
    occurrences = {}  # (function, normalized context) -> how many were met

    def add(function, context, operator, change, start, end, replacement):
        key = "\0".join([file_name, function, context, operator, change])
        mutant_id = f"{prefix}-{hashlib.sha1(key.encode()).hexdigest()[:8]}"
        mutated = text[:start] + replacement + text[end:]
        if mutated in seen_texts or mutant_id in seen_ids or mutated == text:
            return
        seen_texts.add(mutated)
        seen_ids.add(mutant_id)
        found.append(Mutant(mutant_id, file_name, function, text.count("\n", 0, start) + 1, operator,
                            context.split("\0")[0], change, start, end, replacement))

    for region_start, region_end in regions(text, file_name):
        indexes = [i for i, t in enumerate(tokens) if region_start <= t.start and t.end <= region_end]
        if not indexes:
            continue
        line = text.count("\n", 0, region_start) + 1
        where = f"{file_name}:{line}"
        enclosing = [f for f in functions if f[1] < indexes[0] and indexes[-1] < f[2]]
        if not enclosing:
            raise MutationError(f"{where}: a solution region outside any function")
        function = enclosing[0][0]
        local = tokens[indexes[0]:indexes[-1] + 1]
        reader = _Reader(local, _matching(local, where), where)
        top = reader.statements(0, len(local) - 1)

        def context_of(normalized):
            """The statement text that names a change, with its rank among equal ones."""
            rank = occurrences.get((function, normalized), 0)
            occurrences[(function, normalized)] = rank + 1
            return normalized + (f"\0#{rank}" if rank else "")

        for statement in _all_statements(top):
            if statement.kind == "block":
                continue
            first, last = statement.header or (statement.first, statement.last)
            context = context_of(_normalized(local, first, last))
            _token_mutants(text, local, statement, first, last, context, function, add)
            if statement.cond:
                a, b = statement.cond
                add(function, context, "invert", "condition inverted", local[a].start, local[b].end,
                    f"!({text[local[a].start:local[b].end]})")
        for statements in _all_lists(top):
            _statement_mutants(text, local, statements, function, context_of, add)
    return found


def _token_mutants(text, local, statement, first, last, context, function, add):
    """ror, lcr, aor, const, call (in an expression) and ?: inversions inside one statement."""
    begin = first
    if statement.kind == "decl":  # only the initializer: the declarator is not an expression
        assigned = [k for k in range(first, last + 1) if local[k].text == "="]
        if not assigned:
            return
        begin = assigned[0] + 1
    ranks = {}

    def rank(k):
        number = ranks.get(local[k].text, 0)
        ranks[local[k].text] = number + 1
        return f" #{number}" if number else ""

    for k in range(first, last + 1):
        token = local[k]
        r = rank(k)
        if k < begin:
            continue
        swaps = []
        if token.text in RELATIONAL:
            swaps = [("ror", new) for new in RELATIONAL[token.text]]
        elif token.text in LOGICAL:
            swaps = [("lcr", LOGICAL[token.text])]
        elif token.text in UPDATE:
            swaps = [("aor", UPDATE[token.text])]
        elif token.text in ARITHMETIC and _is_binary(local, k, begin):
            swaps = [("aor", ARITHMETIC[token.text])]
        elif token.text in BOOLEANS:
            swaps = [("const", BOOLEANS[token.text])]
        elif token.kind == "number" and re.fullmatch(r"(0[xX][0-9a-fA-F]+|\d+)[uUlL]*", token.text):
            value = int(token.text.rstrip("uUlL"), 0)
            swaps = [("const", str(value + 1)), ("const", str(value - 1))]
        elif token.kind == "name" and re.fullmatch(r"[A-Z][A-Z0-9_]*", token.text) and token.text not in NOT_CONSTANTS:
            cast = k > 0 and local[k - 1].text == "(" and k + 1 < len(local) and local[k + 1].text in (")", "*")
            used = k + 1 < len(local) and (local[k + 1].text == "(" or local[k + 1].kind == "name")
            if not cast and not used:  # not a macro call, nor a type that declares a name
                swaps = [("const", f"({token.text} + 1)")]
        elif token.kind == "name" and token.text in DROPPED_CALLS and k + 1 <= last and local[k + 1].text == "(":
            close = k + 1
            depth = 0
            for close in range(k + 1, last + 1):
                depth += {"(": 1, ")": -1}.get(local[close].text, 0)
                if depth == 0:
                    break
            whole = statement.kind == "expr" and k == first and close + 1 == last
            if not whole:
                add(function, context, "call", f"`{token.text}(...)` -> `1`{r}", token.start, local[close].end, "1")
        elif token.text == "?":
            cond = _ternary_condition(local, k, begin)
            if cond:
                a, b = cond
                start, end = local[a].start, local[b].end
                add(function, context, "invert", f"?: condition inverted{r}", start, end, f"!({text[start:end]})")
        for operator, new in swaps:
            add(function, context, operator, f"`{token.text}` -> `{new}`{r}", token.start, token.end, new)


def _statement_mutants(text, local, statements, function, context_of, add):
    """delete, call (as a statement) and swap, over one list of statements."""
    for statement in statements:
        if statement.kind not in ("expr", "if", "while", "for", "do"):
            continue
        if statement.kind == "expr" and local[statement.first].text == "(" and \
                local[statement.first + 1].text == "void":
            continue  # (void)x; does nothing: deleting it changes nothing
        context = context_of(_normalized(local, statement.first, statement.last))
        call = statement.kind == "expr" and local[statement.first].text in DROPPED_CALLS
        operator = "call" if call else "delete"
        add(function, context, operator, "deleted", local[statement.first].start, local[statement.last].end, ";")
    for a, b in zip(statements, statements[1:]):
        if {a.kind, b.kind} & {"return", "jump", "block"}:
            continue
        names_b = {t.text for t in local[b.first:b.last + 1] if t.kind == "name"}
        names_a = {t.text for t in local[a.first:a.last + 1] if t.kind == "name"}
        if (a.name and a.name in names_b) or (b.name and b.name in names_a):
            continue  # would not compile
        start, middle, end = local[a.first].start, (local[a.last].end, local[b.first].start), local[b.last].end
        first_text, second_text = text[start:middle[0]], text[middle[1]:end]
        if first_text == second_text:
            continue
        context = context_of(_normalized(local, a.first, a.last) + " | " + _normalized(local, b.first, b.last))
        add(function, context, "swap", "swapped with the next statement", start, end,
            second_text + text[middle[0]:middle[1]] + first_text)
