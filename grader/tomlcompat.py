"""A small TOML reader for Pythons without tomllib (3.9 and 3.10: Debian bullseye, Ubuntu 22.04).

It reads the subset of TOML 1.0 the lab descriptions use, with tomllib's interface (`loads`,
`TOMLDecodeError`): tables and dotted tables, arrays of tables, bare, quoted and dotted keys,
basic and literal strings (one line or multi-line), integers (decimal, hex, octal, binary),
floats, booleans, arrays (over several lines, with comments) and inline tables. Dates and
times are refused with a clear message. tests/grader/test_gradescope.py compares it with
tomllib on every lab.toml of the repository.
"""

import re

__all__ = ["loads", "load", "TOMLDecodeError"]


class TOMLDecodeError(ValueError):
    """Raised for text this reader does not accept; the message gives the line and column."""


_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")
_INT = re.compile(r"[+-]?(0|[1-9](_?[0-9])*)")
_PREFIXED = re.compile(r"0x[0-9A-Fa-f](_?[0-9A-Fa-f])*|0o[0-7](_?[0-7])*|0b[01](_?[01])*")
_FLOAT = re.compile(r"[+-]?(0|[1-9](_?[0-9])*)(\.[0-9](_?[0-9])*)?([eE][+-]?[0-9](_?[0-9])*)?")
_SPECIAL_FLOAT = re.compile(r"[+-]?(inf|nan)")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}|\d{2}:\d{2}")
_ESCAPES = {"b": "\b", "t": "\t", "n": "\n", "f": "\f", "r": "\r", '"': '"', "\\": "\\"}


class _Parser:
    def __init__(self, text):
        self.text = text
        self.pos = 0
        self.root = {}
        self.defined = set()  # ids of tables opened by a [header] (cannot be opened twice)
        self.frozen = set()  # ids of inline tables and arrays (cannot be extended)

    # --- positions and errors -------------------------------------------------------------
    def error(self, message, pos=None):
        pos = self.pos if pos is None else pos
        line = self.text.count("\n", 0, pos) + 1
        column = pos - (self.text.rfind("\n", 0, pos) + 1) + 1
        return TOMLDecodeError(f"{message} (at line {line}, column {column})")

    def peek(self, count=1):
        return self.text[self.pos:self.pos + count]

    def skip_spaces(self):
        while self.peek() in (" ", "\t"):
            self.pos += 1

    def skip_comment(self):
        if self.peek() == "#":
            end = self.text.find("\n", self.pos)
            self.pos = len(self.text) if end < 0 else end

    def skip_blank(self):
        """Spaces, newlines and comments (inside arrays)."""
        while True:
            self.skip_spaces()
            self.skip_comment()
            if self.peek() == "\n":
                self.pos += 1
            elif self.peek(2) == "\r\n":
                self.pos += 2
            else:
                return

    def end_of_line(self):
        self.skip_spaces()
        self.skip_comment()
        if self.pos >= len(self.text):
            return
        if self.peek() == "\n":
            self.pos += 1
        elif self.peek(2) == "\r\n":
            self.pos += 2
        else:
            raise self.error(f"expected the end of the line, found {self.peek()!r}")

    # --- document ---------------------------------------------------------------------------
    def parse(self):
        current = self.root
        while True:
            self.skip_blank()
            if self.pos >= len(self.text):
                return self.root
            if self.peek(2) == "[[":
                self.pos += 2
                keys = self.key()
                self.expect("]]")
                current = self.array_table(keys)
            elif self.peek() == "[":
                self.pos += 1
                keys = self.key()
                self.expect("]")
                current = self.table(keys)
            else:
                self.key_value(current)
            self.end_of_line()

    def expect(self, token):
        self.skip_spaces()
        if self.peek(len(token)) != token:
            raise self.error(f"expected {token!r}")
        self.pos += len(token)

    def descend(self, table, key, where):
        """The sub-table `key` of `table`, created if missing (for headers and dotted keys)."""
        if key not in table:
            table[key] = {}
        value = table[key]
        if isinstance(value, list) and value and isinstance(value[-1], dict) and id(value) not in self.frozen:
            return value[-1]  # [[a]] then [a.b]: the last element of the array
        if not isinstance(value, dict) or id(value) in self.frozen:
            raise self.error(f"{where}: key {key!r} is already a value, not a table")
        return value

    def table(self, keys):
        table = self.root
        for key in keys[:-1]:
            table = self.descend(table, key, "table header")
        last = keys[-1]
        if last in table:
            value = table[last]
            if not isinstance(value, dict) or id(value) in self.defined or id(value) in self.frozen:
                raise self.error(f"table [{'.'.join(keys)}] is defined twice")
        else:
            table[last] = {}
        self.defined.add(id(table[last]))
        return table[last]

    def array_table(self, keys):
        table = self.root
        for key in keys[:-1]:
            table = self.descend(table, key, "array of tables header")
        array = table.setdefault(keys[-1], [])
        if not isinstance(array, list) or id(array) in self.frozen:
            raise self.error(f"[[{'.'.join(keys)}]]: {keys[-1]!r} is already a value, not an array of tables")
        array.append({})
        return array[-1]

    def key_value(self, table):
        keys = self.key()
        self.expect("=")
        self.skip_spaces()
        value = self.value()
        for key in keys[:-1]:
            table = self.descend(table, key, "dotted key")
        if keys[-1] in table:
            raise self.error(f"key {'.'.join(keys)!r} is defined twice")
        table[keys[-1]] = value

    # --- keys -----------------------------------------------------------------------------------
    def key(self):
        keys = []
        while True:
            self.skip_spaces()
            char = self.peek()
            if char == '"':
                keys.append(self.basic_string())
            elif char == "'":
                keys.append(self.literal_string())
            else:
                match = _BARE_KEY.match(self.text, self.pos)
                if not match:
                    raise self.error("expected a key")
                keys.append(match.group())
                self.pos = match.end()
            self.skip_spaces()
            if self.peek() != ".":
                return keys
            self.pos += 1

    # --- values ---------------------------------------------------------------------------------
    def value(self):
        char = self.peek()
        if self.peek(3) == '"""':
            return self.multiline_basic_string()
        if self.peek(3) == "'''":
            return self.multiline_literal_string()
        if char == '"':
            return self.basic_string()
        if char == "'":
            return self.literal_string()
        if char == "[":
            return self.array()
        if char == "{":
            return self.inline_table()
        for word, value in (("true", True), ("false", False)):
            if self.text.startswith(word, self.pos) and not _BARE_KEY.match(self.text, self.pos + len(word)):
                self.pos += len(word)
                return value
        return self.number()

    def number(self):
        start = self.pos
        if _DATE.match(self.text, start):
            raise self.error("dates and times are not supported by this reader (grader/tomlcompat.py); "
                             "use a string")
        for pattern, convert in ((_PREFIXED, lambda s: int(s, 0)), (_SPECIAL_FLOAT, float)):
            match = pattern.match(self.text, start)
            if match:
                self.pos = match.end()
                return convert(match.group().replace("_", ""))
        match = _FLOAT.match(self.text, start)
        if not match or not match.group():
            raise self.error("expected a value (a string, number, boolean, array or inline table)")
        self.pos = match.end()
        if _BARE_KEY.match(self.text, self.pos) or self.peek() == ".":
            raise self.error(f"invalid value starting {self.text[start:self.pos + 1]!r}")
        text = match.group().replace("_", "")
        if _INT.fullmatch(match.group()):
            return int(text)
        return float(text)

    def basic_string(self):
        self.pos += 1
        out = []
        while True:
            char = self.peek()
            if not char or char == "\n":
                raise self.error("unterminated string")
            self.pos += 1
            if char == '"':
                return "".join(out)
            if char == "\\":
                out.append(self.escape())
            elif char < " " and char != "\t" or char == "\x7f":
                raise self.error("control characters must be escaped in strings")
            else:
                out.append(char)

    def escape(self):
        char = self.peek()
        self.pos += 1
        if char in _ESCAPES:
            return _ESCAPES[char]
        if char in ("u", "U"):
            size = 4 if char == "u" else 8
            digits = self.peek(size)
            if not re.fullmatch(r"[0-9A-Fa-f]{%d}" % size, digits):
                raise self.error(f"\\{char} needs {size} hexadecimal digits")
            self.pos += size
            code = int(digits, 16)
            if code > 0x10FFFF or 0xD800 <= code <= 0xDFFF:
                raise self.error(f"\\{char}{digits} is not a Unicode scalar value")
            return chr(code)
        raise self.error(f"invalid escape \\{char}")

    def literal_string(self):
        self.pos += 1
        end = self.text.find("'", self.pos)
        newline = self.text.find("\n", self.pos)
        if end < 0 or 0 <= newline < end:
            raise self.error("unterminated literal string")
        value = self.text[self.pos:end]
        self.pos = end + 1
        return value

    def multiline_basic_string(self):
        self.pos += 3
        if self.peek() == "\n":
            self.pos += 1
        elif self.peek(2) == "\r\n":
            self.pos += 2
        out = []
        while True:
            if self.pos >= len(self.text):
                raise self.error("unterminated multi-line string")
            if self.peek(3) == '"""':
                out.append('"' * self.closing('"'))
                return "".join(out)
            char = self.peek()
            self.pos += 1
            if char == "\\":
                if re.match(r"[ \t]*\r?\n", self.text[self.pos:]):  # line-ending backslash
                    while self.peek() in (" ", "\t", "\n", "\r"):
                        self.pos += 1
                else:
                    out.append(self.escape())
            else:
                out.append(char)

    def multiline_literal_string(self):
        self.pos += 3
        if self.peek() == "\n":
            self.pos += 1
        elif self.peek(2) == "\r\n":
            self.pos += 2
        end = self.text.find("'''", self.pos)
        if end < 0:
            raise self.error("unterminated multi-line literal string")
        value = self.text[self.pos:end]
        self.pos = end
        return value + "'" * self.closing("'")

    def closing(self, quote):
        """At a run of 3 to 5 quotes that ends a multi-line string: skip it and return how many
        of them (0 to 2) belong to the string."""
        count = 0
        while self.peek() == quote:
            count += 1
            self.pos += 1
        if count > 5:
            raise self.error("too many quotes at the end of a multi-line string")
        return count - 3

    def array(self):
        self.pos += 1
        items = []
        while True:
            self.skip_blank()
            if self.peek() == "]":
                self.pos += 1
                self.frozen.add(id(items))
                return items
            items.append(self.value())
            self.skip_blank()
            if self.peek() == ",":
                self.pos += 1
            elif self.peek() != "]":
                raise self.error("expected ',' or ']' in an array")

    def inline_table(self):
        self.pos += 1
        table = {}
        self.skip_spaces()
        if self.peek() == "}":
            self.pos += 1
            self.frozen.add(id(table))
            return table
        while True:
            self.key_value(table)
            self.skip_spaces()
            if self.peek() == "}":
                self.pos += 1
                self.frozen.add(id(table))
                return table
            if self.peek() != ",":
                raise self.error("expected ',' or '}' in an inline table")
            self.pos += 1


def loads(text):
    """The TOML document `text` as a dict, like tomllib.loads."""
    if not isinstance(text, str):
        raise TypeError("loads() needs a str; decode bytes first")
    return _Parser(text.replace("\r\n", "\n")).parse()


def load(file):
    """Like tomllib.load: `file` is opened in binary mode."""
    return loads(file.read().decode("utf-8"))
