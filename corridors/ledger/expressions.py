"""Small, safe formulas for the model's wiring: ``instc_total * (1 - india_share)``.

The wiring tables (``model_*.csv``) say how assumptions turn into supplies, demands,
costs and indicators as formulas. They are parsed with Python's own grammar and
then checked against a whitelist: numbers, names, ``+ - * /``, parentheses and the
calls a caller allows. Nothing is ever passed to ``eval``.
"""

from __future__ import annotations

import ast
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import cache
from typing import Any

_BINARY: dict[type, Callable[[float, float], float]] = {
    ast.Add: lambda a, b: a + b,
    ast.Sub: lambda a, b: a - b,
    ast.Mult: lambda a, b: a * b,
}


_ALLOWED_NODES = (
    ast.Expression,
    ast.BinOp,
    ast.UnaryOp,
    ast.Constant,
    ast.Name,
    ast.Load,
    ast.Call,
    ast.keyword,
    ast.Add,
    ast.Sub,
    ast.Mult,
    ast.Div,
    ast.USub,
    ast.UAdd,
)


#: Functions of numbers that every formula may call (``max(turkiye - offtake, 0)``); their arguments are formulas.
NUMERIC_FUNCTIONS: dict[str, Callable[..., float]] = {"min": min, "max": max}


class ExpressionError(ValueError):
    """A formula that cannot be read or used; the message says which part and why."""


@dataclass(frozen=True)
class Call:
    """One function call in a formula: its name, positional and keyword text arguments."""

    function: str
    args: tuple[str, ...]
    kwargs: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class Expression:
    """A parsed formula.

    Attributes
    ----------
    text
        The formula as written.
    names
        Every bare name it reads (assumptions, earlier indicators).
    calls
        Every function call, with its text arguments.
    """

    text: str
    tree: ast.expression
    names: frozenset[str]
    calls: tuple[Call, ...]
    compiled: _Compiled = field(repr=False, compare=False)

    def evaluate(
        self,
        values: Mapping[str, float],
        functions: Mapping[str, Callable[..., float]] | None = None,
        floor: float = 0.0,
    ) -> float:
        """The formula's value.

        Parameters
        ----------
        values
            Value of every name the formula reads.
        functions
            Implementation of every function it calls; each gets the call's text arguments.
        floor
            A division by a denominator whose size is at or below ``floor`` gives NaN
            (shown as "n/a"), never a huge or infinite ratio.
        """
        return float(self.compiled(values, functions or {}, floor))


@cache
def parse(text: str) -> Expression:
    """Parse and check a formula.

    Raises
    ------
    ExpressionError
        On anything but numbers, names, ``+ - * /``, unary minus, parentheses,
        ``min()``/``max()`` of formulas, and calls of plain names with text or name arguments.
    """
    source = str(text).strip()
    if not source:
        raise ExpressionError("the formula is empty")
    try:
        tree = ast.parse(source, mode="eval")
    except SyntaxError as err:
        raise ExpressionError(f"'{source}' is not a formula ({err.msg})") from None
    names: set[str] = set()
    calls: list[Call] = []
    for node in ast.walk(tree):
        if not isinstance(node, _ALLOWED_NODES):
            raise ExpressionError(f"'{source}' uses {type(node).__name__}, which formulas do not allow")
        if isinstance(node, ast.Constant) and (isinstance(node.value, bool) or not isinstance(node.value, int | float | str)):
            raise ExpressionError(f"'{source}' holds {node.value!r}; only numbers and quoted names are allowed")
        if isinstance(node, ast.Call) and _numeric(node):
            if len(node.args) < 2 or node.keywords:
                raise ExpressionError(f"'{source}': {node.func.id}() takes two or more formulas")  # type: ignore[attr-defined]
        elif isinstance(node, ast.Call):
            calls.append(_call(node, source))
        elif isinstance(node, ast.Name):
            names.add(node.id)
    call_names = {c.function for c in calls} | set(NUMERIC_FUNCTIONS)
    return Expression(source, tree, frozenset(names - call_names), tuple(calls), _compile(tree.body))


def _numeric(node: ast.Call) -> bool:
    return isinstance(node.func, ast.Name) and node.func.id in NUMERIC_FUNCTIONS


def _call(node: ast.Call, source: str) -> Call:
    if not isinstance(node.func, ast.Name):
        raise ExpressionError(f"'{source}': only plain function names can be called")

    def text(arg: ast.expr) -> str:
        if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
            return arg.value
        if isinstance(arg, ast.Name):
            return arg.id
        raise ExpressionError(f"'{source}': the arguments of {node.func.id}() must be quoted names")

    kwargs = []
    for kw in node.keywords:
        if kw.arg is None:
            raise ExpressionError(f"'{source}': ** arguments are not allowed")
        kwargs.append((kw.arg, text(kw.value)))
    return Call(node.func.id, tuple(text(a) for a in node.args), tuple(kwargs))


#: A formula turned into nested closures: called with the values, the functions and the division floor.
_Compiled = Callable[[Mapping[str, float], Mapping[str, Callable[..., float]], float], float]


def _compile(node: ast.expr) -> _Compiled:
    """The closure that computes ``node``: the tree is walked once here, not on every evaluation (draws evaluate often)."""
    if isinstance(node, ast.Constant):
        constant = float(node.value)
        return lambda values, functions, floor: constant
    if isinstance(node, ast.Name):
        name = node.id

        def read(values: Mapping[str, float], functions: Mapping[str, Callable[..., float]], floor: float) -> float:
            try:
                return float(values[name])
            except KeyError:
                raise ExpressionError(f"unknown name '{name}'") from None

        return read
    if isinstance(node, ast.UnaryOp):
        operand = _compile(node.operand)
        if isinstance(node.op, ast.USub):
            return lambda values, functions, floor: -operand(values, functions, floor)
        return operand
    if isinstance(node, ast.BinOp):
        left, right = _compile(node.left), _compile(node.right)
        if isinstance(node.op, ast.Div):

            def divide(values: Mapping[str, float], functions: Mapping[str, Callable[..., float]], floor: float) -> float:
                numerator, denominator = left(values, functions, floor), right(values, functions, floor)
                return numerator / denominator if abs(denominator) > floor and not math.isnan(denominator) else math.nan

            return divide
        operator = _BINARY[type(node.op)]
        return lambda values, functions, floor: operator(left(values, functions, floor), right(values, functions, floor))
    if isinstance(node, ast.Call) and _numeric(node):
        function = NUMERIC_FUNCTIONS[node.func.id]  # type: ignore[attr-defined]
        arguments = [_compile(a) for a in node.args]
        return lambda values, functions, floor: float(function(*(a(values, functions, floor) for a in arguments)))
    if isinstance(node, ast.Call):
        call = _call(node, "")
        kwargs = dict(call.kwargs)

        def invoke(values: Mapping[str, float], functions: Mapping[str, Callable[..., float]], floor: float) -> float:
            if call.function not in functions:
                raise ExpressionError(f"unknown function '{call.function}()'")
            return float(functions[call.function](*call.args, **kwargs))

        return invoke
    raise ExpressionError(f"cannot evaluate {type(node).__name__}")


def check(text: str, names: set[str] | frozenset[str], functions: Mapping[str, Callable[[Call], str | None]] | None = None) -> list[str]:
    """Every problem of a formula against the names and functions it may use (empty when fine).

    ``functions`` maps each allowed function to a checker of one call that returns a
    message, or None when the call is fine.
    """
    try:
        expression = parse(text)
    except ExpressionError as err:
        return [str(err)]
    problems = [f"unknown name '{n}'" for n in sorted(expression.names - set(names))]
    allowed = functions or {}
    for call in expression.calls:
        if call.function not in allowed:
            known = ", ".join(f"{f}()" for f in sorted(allowed)) or "none"
            problems.append(f"unknown function '{call.function}()' (known: {known})")
            continue
        message = allowed[call.function](call)
        if message:
            problems.append(message)
    return problems


def signed_terms(text: str) -> dict[str, int]:
    """The names a sum adds (+1) or subtracts (−1): ``a + b - c`` gives ``{a: 1, b: 1, c: -1}``.

    Only sums and differences of plain names count; anything else is left out.
    """
    signs: dict[str, int] = {}

    def walk(node: ast.expr, sign: int) -> None:
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add | ast.Sub):
            walk(node.left, sign)
            walk(node.right, -sign if isinstance(node.op, ast.Sub) else sign)
        elif isinstance(node, ast.Name):
            signs[node.id] = sign

    walk(parse(text).tree.body, 1)
    return signs


def variables(values: Mapping[str, Any]) -> dict[str, float]:
    """The numeric entries of a mapping (an assumptions dump), as floats for evaluation."""
    return {k: float(v) for k, v in values.items() if isinstance(v, int | float) and not isinstance(v, bool)}
