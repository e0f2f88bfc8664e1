"""A multi-commodity network flow linear programme, built once and re-solved fast.

The structure (which arc joins which nodes, where each commodity enters and where
its markets are) is fixed when the programme is built and handed to HiGHS once.
Each solve only changes numbers: capacities, which arcs a commodity may use,
supplies, demands, arc costs and gains. Each solve starts from scratch, or from a
basis the caller names (never from the previous solve's), so a scenario's answer
never depends on what was solved before it, even where the programme has several
optima.

For each commodity k, arc a, node n and market m the programme is::

    minimise   sum cost[a] x[k,a] - sum reward[j] s[k,j] + sum penalty[m] u[k,m]
    subject to sum_in gain[a] x[k,a] - sum_out x[k,a] + supply - deliveries = 0   (every node it touches)
               sum deliveries[k,m] + u[k,m] = demand[k,m]                          (every market)
               sum_k sum_(a in group g) x[k,a] <= capacity[g]                     (every capacity group)
               0 <= s[k,j] <= supply_max[k,j];  x, deliveries, u >= 0

Unmet demand ``u`` is what the network cannot deliver; the capacity rows' duals
(shadow prices) name the capacities that bind. A capacity group is usually one
arc; both directions of a freight link share one group.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

import highspy
import numpy as np
import scipy.sparse as sp

INF = highspy.kHighsInf
PRESOLVE_FROM_COLUMNS = 10_000  # smaller programmes solve faster without HiGHS's presolve


@dataclass(frozen=True)
class Market:
    """Demand that may be delivered at any of several nodes."""

    name: str
    nodes: tuple[int, ...]
    penalty: float


@dataclass(frozen=True)
class Commodity:
    """A flow that enters at supply nodes and leaves at its markets."""

    name: str
    supply_nodes: tuple[int, ...]
    supply_reward: tuple[float, ...]
    markets: tuple[Market, ...]
    arcs: tuple[int, ...] | None = None  # the only arcs it may ever use (a route class); None: every arc


@dataclass(frozen=True)
class LPSolution:
    """One solve's answer, in the units of the numbers passed to :meth:`NetworkLP.solve`.

    ``flow`` is what enters each arc; an arc with gain g delivers g times that at its head.
    ``capacity_dual`` is the change in the objective per extra unit of each capacity group's limit.
    """

    flow: np.ndarray  # (K, A)
    supply_used: list[np.ndarray]  # per commodity, per supply node
    delivered: list[np.ndarray]  # per commodity, per market
    unmet: list[np.ndarray]  # per commodity, per market
    capacity_dual: np.ndarray  # (G,), <= 0; non-zero where a capacity binds
    objective: float
    basis: highspy.HighsBasis | None = None  # the optimal basis, when asked for (a start for related solves)


class SolverError(RuntimeError):
    """HiGHS did not reach an optimum (unmet demand makes every scenario feasible, so this is a bug)."""


class _SilentHighs(highspy.Highs):
    """A HiGHS instance that never writes to stdout, banner included.

    HiGHS prints its banner on the first call that logs while ``output_flag`` is on,
    and ``highspy.Highs.__init__`` makes such a call (``enableCallbacks``) before a
    caller can set any option. Overriding that hook turns output off first, so the
    command line's JSON on stdout stays clean without redirecting the process's
    file descriptors. ``tests/test_lp.py`` checks that nothing is printed.
    """

    def enableCallbacks(self) -> None:
        self.setOptionValue("output_flag", False)
        super().enableCallbacks()


def _joined(parts: list[np.ndarray], dtype: type = np.int64) -> np.ndarray:
    """The parts end to end (an empty array when there are none)."""
    return np.concatenate(parts).astype(dtype, copy=False) if parts else np.empty(0, dtype=dtype)


def _slices(sizes: list[int]) -> list[slice]:
    """Consecutive slices of the given sizes."""
    ends = np.cumsum(sizes, dtype=np.int64)
    return [slice(int(end - size), int(end)) for size, end in zip(sizes, ends)]


class NetworkLP:
    """The programme's fixed structure, loaded into a HiGHS instance.

    Parameters
    ----------
    n_nodes
        Number of nodes; nodes are 0..n_nodes-1.
    tail, head
        Arc end points, arrays of length A.
    commodities
        Commodities with their supply nodes and markets.
    capacity_group
        For each arc, the capacity row it counts against (default: one row per arc).
    """

    def __init__(
        self, n_nodes: int, tail: np.ndarray, head: np.ndarray, commodities: list[Commodity], capacity_group: np.ndarray | None = None
    ):
        self.n_nodes = n_nodes
        self.tail = np.asarray(tail, dtype=np.int64)
        self.head = np.asarray(head, dtype=np.int64)
        self.n_arcs = len(self.tail)
        self.group = np.arange(self.n_arcs) if capacity_group is None else np.asarray(capacity_group, dtype=np.int64)
        self.n_groups = int(self.group.max()) + 1 if self.n_arcs else 0
        self.commodities = commodities
        self._lock = threading.Lock()
        self._layout()
        self._build()

    def _layout(self) -> None:
        offset = 0
        self.blocks = []
        for com in self.commodities:
            arcs = np.arange(self.n_arcs) if com.arcs is None else np.asarray(com.arcs, dtype=np.int64)
            block = {"x": offset, "arcs": arcs}
            offset += len(arcs)
            block["s"] = offset
            offset += len(com.supply_nodes)
            block["y"] = offset
            block["y_sizes"] = [len(m.nodes) for m in com.markets]
            offset += sum(block["y_sizes"])
            block["u"] = offset
            offset += len(com.markets)
            self.blocks.append(block)
        self.n_vars = offset
        pairs = list(zip(self.commodities, self.blocks))
        # Flow columns: which commodity and arc each one is (a commodity has columns only for the arcs it may use).
        self._x_cols = _joined([b["x"] + np.arange(len(b["arcs"])) for b in self.blocks])
        self._x_com = _joined([np.full(len(b["arcs"]), k) for k, b in enumerate(self.blocks)])
        self._x_arc = _joined([b["arcs"] for b in self.blocks])
        self._s_cols = _joined([b["s"] + np.arange(len(c.supply_nodes)) for c, b in pairs])
        self._u_cols = _joined([b["u"] + np.arange(len(c.markets)) for c, b in pairs])
        self._y_cols = _joined([b["y"] + np.arange(sum(b["y_sizes"])) for b in self.blocks])
        # Each delivery column's market, counted over all commodities: deliveries summed per market with one bincount.
        self._y_market = np.repeat(np.arange(len(self._u_cols)), [n for b in self.blocks for n in b["y_sizes"]])
        self._reward = _joined([np.asarray(c.supply_reward, dtype=float) for c in self.commodities], float)
        self._penalty = np.array([m.penalty for c in self.commodities for m in c.markets], dtype=float)
        self._supply_slices = _slices([len(c.supply_nodes) for c in self.commodities])
        self._market_slices = _slices([len(c.markets) for c in self.commodities])

    def _build(self) -> None:
        rows: list[np.ndarray] = []
        cols: list[np.ndarray] = []
        vals: list[np.ndarray] = []
        row = 0
        self.market_rows: list[np.ndarray] = []
        # Per commodity and arc: the row and column of the arc's inflow entry (its gain), -1 where it has no column.
        self.head_rows = np.full((len(self.commodities), self.n_arcs), -1, dtype=np.int64)
        self.arc_cols = np.full((len(self.commodities), self.n_arcs), -1, dtype=np.int64)
        local = np.full(self.n_nodes, -1, dtype=np.int64)
        for k, (com, block) in enumerate(zip(self.commodities, self.blocks)):
            base = row
            arcs = block["arcs"]
            y_nodes = np.asarray([n for m in com.markets for n in m.nodes], dtype=np.int64)
            supply_nodes = np.asarray(com.supply_nodes, dtype=np.int64)
            # Conservation rows only for the nodes this commodity touches: other nodes (another network's, or off
            # its route class) would be empty rows that the simplex still carries (presolve, which drops them, is off).
            touched = np.unique(np.concatenate([self.tail[arcs], self.head[arcs], supply_nodes, y_nodes]))
            local[touched] = np.arange(len(touched))
            head, tail = local[self.head[arcs]], local[self.tail[arcs]]
            x_cols = block["x"] + np.arange(len(arcs))
            rows += [base + head, base + tail]
            cols += [x_cols, x_cols]
            vals += [np.ones(len(arcs)), -np.ones(len(arcs))]
            self.head_rows[k, arcs] = base + head
            self.arc_cols[k, arcs] = x_cols
            rows.append(base + local[supply_nodes])
            cols.append(block["s"] + np.arange(len(com.supply_nodes)))
            vals.append(np.ones(len(com.supply_nodes)))
            y_cols = block["y"] + np.arange(len(y_nodes))
            rows.append(base + local[y_nodes])
            cols.append(y_cols)
            vals.append(-np.ones(len(y_nodes)))
            row += len(touched)
            y_market = np.repeat(np.arange(len(com.markets)), block["y_sizes"]) if com.markets else np.empty(0, dtype=np.int64)
            rows += [row + y_market, row + np.arange(len(com.markets))]
            cols += [y_cols, block["u"] + np.arange(len(com.markets))]
            vals += [np.ones(len(y_nodes)), np.ones(len(com.markets))]
            self.market_rows.append(row + np.arange(len(com.markets)))
            row += len(com.markets)
        self.n_eq = row
        self._market_row_index = _joined(self.market_rows)
        for block in self.blocks:
            rows.append(self.n_eq + self.group[block["arcs"]])
            cols.append(block["x"] + np.arange(len(block["arcs"])))
            vals.append(np.ones(len(block["arcs"])))
        self.n_rows = self.n_eq + self.n_groups
        matrix = sp.csc_array((np.concatenate(vals), (np.concatenate(rows), np.concatenate(cols))), shape=(self.n_rows, self.n_vars))
        matrix.sort_indices()
        lp = highspy.HighsLp()
        lp.num_col_ = self.n_vars
        lp.num_row_ = self.n_rows
        lp.col_cost_ = np.zeros(self.n_vars)
        lp.col_lower_ = np.zeros(self.n_vars)
        lp.col_upper_ = np.full(self.n_vars, INF)
        lp.row_lower_ = np.concatenate([np.zeros(self.n_eq), np.full(self.n_groups, -INF)])
        lp.row_upper_ = np.concatenate([np.zeros(self.n_eq), np.full(self.n_groups, INF)])
        lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
        lp.a_matrix_.start_ = matrix.indptr.astype(np.int32)
        lp.a_matrix_.index_ = matrix.indices.astype(np.int32)
        lp.a_matrix_.value_ = matrix.data.astype(np.float64)
        self.highs = _SilentHighs()
        # Every solve starts cold (see solve). Measured: presolve costs more than it saves on the shipped
        # network (~1,000 columns) and saves about half the time on a 10,000-node one (~45,000 columns).
        self.highs.setOptionValue("presolve", "off" if self.n_vars < PRESOLVE_FROM_COLUMNS else "choose")
        self.highs.passModel(lp)
        self._all_cols = np.arange(self.n_vars, dtype=np.int32)
        self._all_rows = np.arange(self.n_rows, dtype=np.int32)
        self._gain = np.ones(self.n_arcs)

    def solve(
        self,
        capacity: np.ndarray,
        arc_open: np.ndarray,
        cost: np.ndarray,
        supply_max: list[np.ndarray],
        demand: list[np.ndarray],
        gain: np.ndarray | None = None,
        start: highspy.HighsBasis | None = None,
        keep_basis: bool = False,
    ) -> LPSolution:
        """Solve with the given numbers.

        Parameters
        ----------
        capacity
            Per capacity group; ``np.inf`` or NaN where unconstrained.
        arc_open
            Boolean per arc (A,), or per commodity and arc (K, A): closed arcs carry nothing.
        cost
            Per-arc cost per unit of flow.
        supply_max, demand
            Per commodity: the most each supply node can give, and each market's demand.
        gain
            Per-arc share of flow that arrives (1 − fee); all ones when None.
        start
            A basis to start the simplex from (one that :attr:`LPSolution.basis` gave); from scratch when None.
            The answer then depends only on these numbers and ``start``, never on an earlier solve.
        keep_basis
            Return the optimal basis in the solution, as a start for related solves.
        """
        n_com = len(self.commodities)
        open_by_commodity = np.broadcast_to(np.asarray(arc_open, dtype=bool), (n_com, self.n_arcs))
        c = np.zeros(self.n_vars)
        upper = np.full(self.n_vars, INF)
        c[self._x_cols] = np.asarray(cost, dtype=float)[self._x_arc]
        upper[self._x_cols] = np.where(open_by_commodity[self._x_com, self._x_arc], INF, 0.0)
        c[self._s_cols] = -self._reward
        upper[self._s_cols] = _joined(supply_max, float)
        c[self._u_cols] = self._penalty
        row_lower = np.zeros(self.n_rows)
        row_upper = np.zeros(self.n_rows)
        wanted = _joined(demand, float)
        row_lower[self._market_row_index] = wanted
        row_upper[self._market_row_index] = wanted
        capacity = np.asarray(capacity, dtype=float)
        row_lower[self.n_eq :] = -INF
        row_upper[self.n_eq :] = np.where(np.isfinite(capacity), capacity, INF)
        with self._lock:
            h = self.highs
            # No gain means lossless arcs, whatever the previous solve used.
            gain = np.ones(self.n_arcs) if gain is None else np.asarray(gain, dtype=float)
            if not np.array_equal(gain, self._gain):
                for arc in np.flatnonzero(gain != self._gain):
                    for k in np.flatnonzero(self.arc_cols[:, arc] >= 0):
                        h.changeCoeff(int(self.head_rows[k, arc]), int(self.arc_cols[k, arc]), float(gain[arc]))
                self._gain = np.array(gain, dtype=float)
            h.changeColsCost(self.n_vars, self._all_cols, c)
            h.changeColsBounds(self.n_vars, self._all_cols, np.zeros(self.n_vars), upper)
            h.changeRowsBounds(self.n_rows, self._all_rows, row_lower, row_upper)
            # Where several flows or shadow prices are optimal (freight markets share one penalty), a warm
            # start from the previous basis picks one that depends on what was solved before: start cold,
            # or from the basis the caller names.
            h.clearSolver()
            if start is not None:
                h.setBasis(start)
            h.run()
            status = h.getModelStatus()
            if status != highspy.HighsModelStatus.kOptimal:
                raise SolverError(f"the flow programme was not solved: {h.modelStatusToString(status)}")
            solution = h.getSolution()
            x = np.asarray(solution.col_value)
            duals = np.asarray(solution.row_dual)[self.n_eq :]
            objective = h.getInfo().objective_function_value
            basis = h.getBasis() if keep_basis else None
        flow = np.zeros((n_com, self.n_arcs))
        flow[self._x_com, self._x_arc] = x[self._x_cols]
        delivered_all = np.bincount(self._y_market, weights=x[self._y_cols], minlength=len(self._u_cols))
        supplied, unmet_all = x[self._s_cols], x[self._u_cols]
        supply_used = [supplied[part] for part in self._supply_slices]
        delivered = [delivered_all[part] for part in self._market_slices]
        unmet = [unmet_all[part] for part in self._market_slices]
        return LPSolution(flow, supply_used, delivered, unmet, duals, float(objective), basis)
