"""The network LP on small networks worked out by hand, and its answers on the real network.

Every expected number below is computed in the comment next to it from the objective

    minimise  sum cost·x − sum reward·s + sum penalty·u

so a test fails if the programme, its sign conventions or its bookkeeping change. A
capacity's dual is the change in that objective when the capacity grows by one unit.
"""

from __future__ import annotations

import itertools
import subprocess
import sys
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pytest

from corridors.model.lp import Commodity, LPSolution, Market, NetworkLP

ROOT = Path(__file__).resolve().parent.parent
INF = np.inf


def one_commodity(
    n_nodes: int, arcs: list[tuple[int, int]], supplies: list[tuple[int, float]], markets: list[tuple[tuple[int, ...], float]]
) -> NetworkLP:
    """A programme with one commodity: ``supplies`` are (node, reward), ``markets`` are (delivery nodes, penalty)."""
    tail, head = (np.array(ends) for ends in zip(*arcs))
    commodity = Commodity(
        "c",
        tuple(n for n, _ in supplies),
        tuple(r for _, r in supplies),
        tuple(Market(f"m{i}", nodes, penalty) for i, (nodes, penalty) in enumerate(markets)),
    )
    return NetworkLP(n_nodes, tail, head, [commodity])


def run(lp: NetworkLP, capacity, cost, supply_max, demand, arc_open=None, gain=None) -> LPSolution:
    arc_open = np.ones(lp.n_arcs, dtype=bool) if arc_open is None else np.asarray(arc_open, dtype=bool)
    return lp.solve(
        np.asarray(capacity, dtype=float),
        arc_open,
        np.asarray(cost, dtype=float),
        [np.asarray(s, dtype=float) for s in supply_max],
        [np.asarray(d, dtype=float) for d in demand],
        None if gain is None else np.asarray(gain, dtype=float),
    )


# -- hand-worked networks --------------------------------------------------------------


def test_single_path_with_binding_capacity():
    # 0 --(cost 2, capacity 5)--> 1; supply at 0 (reward 1, at most 10); market at 1 (demand 8, penalty 100).
    lp = one_commodity(2, [(0, 1)], [(0, 1.0)], [((1,), 100.0)])
    sol = run(lp, [5], [2], [[10]], [[8]])
    assert sol.flow[0] == pytest.approx([5.0])  # the capacity
    assert sol.supply_used[0] == pytest.approx([5.0])
    assert sol.delivered[0] == pytest.approx([5.0])
    assert sol.unmet[0] == pytest.approx([3.0])  # 8 − 5
    # One more unit of capacity: +1 flow (cost +2), +1 supply (−1), −1 unmet (−100): 2 − 1 − 100 = −99.
    assert sol.capacity_dual == pytest.approx([-99.0])
    assert sol.objective == pytest.approx(305.0)  # 2·5 − 1·5 + 100·3


def test_cheaper_of_two_parallel_paths_fills_first():
    # Arc 0: 0→1, cost 1, capacity 4.  Arc 1: 0→1, cost 3, capacity 10.  Demand 6, no reward.
    lp = one_commodity(2, [(0, 1), (0, 1)], [(0, 0.0)], [((1,), 100.0)])
    sol = run(lp, [4, 10], [1, 3], [[50]], [[6]])
    assert sol.flow[0] == pytest.approx([4.0, 2.0])  # cheap arc full, the other 6 − 4
    assert sol.unmet[0] == pytest.approx([0.0])
    # One more unit on the cheap arc moves a unit off the dear one: 1 − 3 = −2; the dear arc has room: 0.
    assert sol.capacity_dual == pytest.approx([-2.0, 0.0])
    assert sol.objective == pytest.approx(10.0)  # 1·4 + 3·2


def test_both_directions_of_a_link_share_one_capacity():
    # Arc 0: 0→1 and arc 1: 1→0 count against one capacity group of 10 (a freight link run both ways).
    # Commodity A goes 0→1 (demand 6, penalty 100); B goes 1→0 (demand 7, penalty 50); every arc costs 1.
    a = Commodity("A", (0,), (0.0,), (Market("a", (1,), 100.0),))
    b = Commodity("B", (1,), (0.0,), (Market("b", (0,), 50.0),))
    lp = NetworkLP(2, np.array([0, 1]), np.array([1, 0]), [a, b], capacity_group=np.array([0, 0]))
    sol = lp.solve(np.array([10.0]), np.ones(2, dtype=bool), np.ones(2), [np.array([100.0])] * 2, [np.array([6.0]), np.array([7.0])])
    # 6 + 7 = 13 asked of 10: A's higher penalty wins, so A gets 6 and B the remaining 10 − 6 = 4.
    assert sol.flow[0] == pytest.approx([6.0, 0.0])
    assert sol.flow[1] == pytest.approx([0.0, 4.0])
    assert sol.flow.sum() == pytest.approx(10.0)  # one capacity for both directions, not 10 each way
    assert np.concatenate(sol.unmet) == pytest.approx([0.0, 3.0])
    # One more unit serves one more unit of B: +1 cost, −50 penalty = −49. One group, one dual.
    assert sol.capacity_dual == pytest.approx([-49.0])
    assert sol.objective == pytest.approx(160.0)  # 6 + 4 + 50·3


def test_lossy_arc_delivers_gain_times_flow():
    # 0 --(cost 1, gain 0.9: a 10% swap fee)--> 1; supply reward 1 (at most 20); demand 9, penalty 100.
    lp = one_commodity(2, [(0, 1)], [(0, 1.0)], [((1,), 100.0)])
    free = run(lp, [INF], [1], [[20]], [[9]], gain=[0.9])
    assert free.flow[0] == pytest.approx([10.0])  # 9 / 0.9 must enter to deliver 9
    assert free.supply_used[0] == pytest.approx([10.0])
    assert free.delivered[0] == pytest.approx([9.0])
    assert free.unmet[0] == pytest.approx([0.0])
    assert free.objective == pytest.approx(0.0)  # 1·10 − 1·10
    tight = run(lp, [5], [1], [[20]], [[9]], gain=[0.9])
    assert tight.flow[0] == pytest.approx([5.0])
    assert tight.delivered[0] == pytest.approx([4.5])  # 0.9 · 5
    assert tight.unmet[0] == pytest.approx([4.5])  # 9 − 4.5
    # One more unit in: +1 cost, −1 reward, 0.9 more delivered (−0.9·100): 1 − 1 − 90 = −90.
    assert tight.capacity_dual == pytest.approx([-90.0])
    assert tight.objective == pytest.approx(450.0)  # 1·5 − 1·5 + 100·4.5


def test_no_gain_means_lossless_even_after_a_lossy_solve():
    lp = one_commodity(2, [(0, 1)], [(0, 0.0)], [((1,), 100.0)])
    run(lp, [INF], [1], [[20]], [[9]], gain=[0.5])
    sol = run(lp, [INF], [1], [[20]], [[9]])
    assert sol.flow[0] == pytest.approx([9.0])  # not 18: the 0.5 of the previous solve is gone
    assert sol.delivered[0] == pytest.approx([9.0])


def test_imports_are_used_before_production():
    # Node 0 imports (reward 2, at most 5) over an arc costing 0.5; node 1 produces (reward 1, at most 10)
    # over an arc costing 0.1; both reach the market at node 2 (demand 8, penalty 100).
    lp = one_commodity(3, [(0, 2), (1, 2)], [(0, 2.0), (1, 1.0)], [((2,), 100.0)])
    sol = run(lp, [INF, INF], [0.5, 0.1], [[5, 10]], [[8]])
    # Import nets 2 − 0.5 = 1.5 a unit, production 1 − 0.1 = 0.9: all 5 imported, 8 − 5 = 3 produced.
    assert sol.supply_used[0] == pytest.approx([5.0, 3.0])
    assert sol.flow[0] == pytest.approx([5.0, 3.0])
    assert sol.unmet[0] == pytest.approx([0.0])
    assert sol.capacity_dual == pytest.approx([0.0, 0.0])  # no capacity is limited
    assert sol.objective == pytest.approx(-10.2)  # 0.5·5 + 0.1·3 − 2·5 − 1·3
    # Limit the import arc to 4: one more unit of it replaces a unit of production: −1.5 + 0.9 = −0.6.
    tight = run(lp, [4, INF], [0.5, 0.1], [[5, 10]], [[8]])
    assert tight.supply_used[0] == pytest.approx([4.0, 4.0])
    assert tight.capacity_dual == pytest.approx([-0.6, 0.0])
    assert tight.objective == pytest.approx(-9.6)  # 0.5·4 + 0.1·4 − 2·4 − 1·4


def test_swap_gas_is_imported_before_production_despite_the_fee():
    # Turkmen gas by swap: node 0 (reward 2, at most 2) over a 15% fee arc (gain 0.85) to the market at 2;
    # production at node 1 (reward 1, at most 10) over a lossless arc. Demand 8.5, costs 0.
    lp = one_commodity(3, [(0, 2), (1, 2)], [(0, 2.0), (1, 1.0)], [((2,), 100.0)])
    sol = run(lp, [INF, INF], [0, 0], [[2, 10]], [[8.5]], gain=[0.85, 1.0])
    # A unit of swap gas earns 2 and delivers 0.85, displacing 0.85 of production (0.85): 2 − 0.85 > 0.
    # So all 2 are swapped, delivering 0.85·2 = 1.7, and production covers 8.5 − 1.7 = 6.8.
    assert sol.supply_used[0] == pytest.approx([2.0, 6.8])
    assert sol.flow[0] == pytest.approx([2.0, 6.8])
    assert sol.delivered[0] == pytest.approx([8.5])
    # What went in minus what arrived is the fee: 2 + 6.8 − 8.5 = 0.3 = 0.15·2.
    assert sol.supply_used[0].sum() - sol.delivered[0].sum() == pytest.approx(0.3)
    assert sol.objective == pytest.approx(-10.8)  # −2·2 − 1·6.8


def test_own_use_is_served_before_exports():
    # Supply at 0 (reward 1, at most 100) feeds a trunk 0→1 of capacity 10, then 1→2 (exports: demand 7,
    # penalty 1e4) and 1→3 (own use: demand 6, penalty 1e5). Exports are listed first on purpose.
    lp = one_commodity(4, [(0, 1), (1, 2), (1, 3)], [(0, 1.0)], [((2,), 1e4), ((3,), 1e5)])
    sol = run(lp, [10, INF, INF], [0, 0, 0], [[100]], [[7, 6]])
    # 13 asked of 10: own use gets all 6, exports the remaining 10 − 6 = 4.
    assert sol.delivered[0] == pytest.approx([4.0, 6.0])
    assert sol.unmet[0] == pytest.approx([3.0, 0.0])
    assert sol.flow[0] == pytest.approx([10.0, 4.0, 6.0])
    # One more trunk unit serves exports (the marginal market): −1 reward − 1e4 penalty = −10001.
    assert sol.capacity_dual == pytest.approx([-10001.0, 0.0, 0.0])
    assert sol.objective == pytest.approx(29990.0)  # −1·10 + 1e4·3


def test_market_with_several_delivery_nodes_sums_them():
    # One market delivered at nodes 1 and 2 (like Europe's offtakes): arcs 0→1 (capacity 3), 0→2 (capacity 4).
    lp = one_commodity(3, [(0, 1), (0, 2)], [(0, 0.0)], [((1, 2), 10.0)])
    sol = run(lp, [3, 4], [0, 0], [[100]], [[10]])
    assert sol.delivered[0] == pytest.approx([7.0])  # 3 + 4
    assert sol.unmet[0] == pytest.approx([3.0])  # 10 − 7
    assert sol.capacity_dual == pytest.approx([-10.0, -10.0])  # each extra unit saves the penalty of 10


def test_closed_arc_carries_nothing():
    # Arc 0: 0→1 cost 1, unlimited but closed.  Arc 1: 0→1 cost 5, capacity 3.  Demand 5, penalty 100.
    lp = one_commodity(2, [(0, 1), (0, 1)], [(0, 0.0)], [((1,), 100.0)])
    closed = run(lp, [INF, 3], [1, 5], [[10]], [[5]], arc_open=[False, True])
    assert closed.flow[0] == pytest.approx([0.0, 3.0])
    assert closed.unmet[0] == pytest.approx([2.0])  # 5 − 3
    assert closed.capacity_dual == pytest.approx([0.0, -95.0])  # 5 − 100 on the open arc
    opened = run(lp, [INF, 3], [1, 5], [[10]], [[5]])
    assert opened.flow[0] == pytest.approx([5.0, 0.0])  # reopened, the cheap arc takes it all
    assert opened.unmet[0] == pytest.approx([0.0])


def test_arc_closed_to_one_commodity_only():
    # Two commodities 0→1 (demand 2 each). The cheap arc (cost 1) is closed to the second; the dear one (cost 5) is open to both.
    coms = [Commodity(f"c{k}", (0,), (0.0,), (Market(f"m{k}", (1,), 100.0),)) for k in range(2)]
    lp = NetworkLP(2, np.array([0, 0]), np.array([1, 1]), coms)
    arc_open = np.array([[True, True], [False, True]])
    sol = lp.solve(np.array([INF, INF]), arc_open, np.array([1.0, 5.0]), [np.array([10.0])] * 2, [np.array([2.0])] * 2)
    assert sol.flow[0] == pytest.approx([2.0, 0.0])
    assert sol.flow[1] == pytest.approx([0.0, 2.0])
    assert sol.objective == pytest.approx(12.0)  # 1·2 + 5·2


def test_a_commodity_limited_to_some_arcs_has_no_column_on_the_others():
    # As above, but the cheap arc is left out of the second commodity's columns altogether (its route class).
    coms = [
        Commodity("c0", (0,), (0.0,), (Market("m0", (1,), 100.0),)),
        Commodity("c1", (0,), (0.0,), (Market("m1", (1,), 100.0),), arcs=(1,)),
    ]
    lp = NetworkLP(2, np.array([0, 0]), np.array([1, 1]), coms)
    assert lp.n_vars == (2 + 1 + 1 + 1) + (1 + 1 + 1 + 1)  # flows on both arcs, then on one; a supply, a delivery, an unmet each
    numbers = (np.array([INF, INF]), np.ones(2, dtype=bool), np.array([1.0, 5.0]), [np.array([10.0])] * 2, [np.array([2.0])] * 2)
    sol = lp.solve(*numbers)
    assert sol.flow[0] == pytest.approx([2.0, 0.0])
    assert sol.flow[1] == pytest.approx([0.0, 2.0])  # reported per arc: nothing on the arc it has no column for
    assert sol.objective == pytest.approx(12.0)
    lossy = lp.solve(*numbers, np.array([0.5, 1.0]))
    # Half is lost on the cheap arc: 4 sent for 2 delivered costs 4, still under 5·2. The gain reaches only c0's column.
    assert lossy.flow[0] == pytest.approx([4.0, 0.0])
    assert lossy.flow[1] == pytest.approx([0.0, 2.0])


def test_one_origin_with_two_markets_keeps_each_markets_unmet():
    # From 0: market a at node 1 (demand 3, penalty 100) and market b at node 2 (demand 4, penalty 50), over one arc each;
    # arc 0→2 holds 1. Supply 7, exactly the two demands. b is short by 3 and a is served in full.
    com = Commodity("o", (0,), (0.0,), (Market("a", (1,), 100.0), Market("b", (2,), 50.0)))
    lp = NetworkLP(3, np.array([0, 0]), np.array([1, 2]), [com])
    sol = lp.solve(np.array([INF, 1.0]), np.ones(2, dtype=bool), np.array([1.0, 1.0]), [np.array([7.0])], [np.array([3.0, 4.0])])
    assert sol.delivered[0] == pytest.approx([3.0, 1.0])
    assert sol.unmet[0] == pytest.approx([0.0, 3.0])
    assert sol.supply_used[0] == pytest.approx([4.0])


def test_supply_limit_leaves_demand_unmet():
    # 0→1 without capacity (NaN means unconstrained, like inf); supply at most 4; demand 10, penalty 100.
    lp = one_commodity(2, [(0, 1)], [(0, 1.0)], [((1,), 100.0)])
    sol = run(lp, [np.nan], [2], [[4]], [[10]])
    assert sol.supply_used[0] == pytest.approx([4.0])
    assert sol.delivered[0] == pytest.approx([4.0])
    assert sol.unmet[0] == pytest.approx([6.0])  # 10 − 4
    assert sol.capacity_dual == pytest.approx([0.0])  # the supply binds, not the arc
    assert sol.objective == pytest.approx(604.0)  # 2·4 − 1·4 + 100·6 = 8 − 4 + 600


def test_building_and_solving_prints_nothing():
    # The command line writes JSON on stdout; HiGHS must not write its banner or log there.
    code = (
        "import numpy as np\n"
        "from corridors.model.lp import Commodity, Market, NetworkLP\n"
        "lp = NetworkLP(2, np.array([0]), np.array([1]), [Commodity('c', (0,), (1.0,), (Market('m', (1,), 100.0),))])\n"
        "s = lp.solve(np.array([5.0]), np.array([True]), np.array([2.0]), [np.array([10.0])], [np.array([8.0])])\n"
        "assert abs(s.unmet[0][0] - 3.0) < 1e-9\n"
    )
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout == ""


# -- the real network ------------------------------------------------------------------


def scenarios(ledger) -> dict:
    from corridors.model.assumptions import baseline

    base = baseline(ledger, 2025).assumptions
    found = {
        "baseline 2025": base,
        "europe 20 through TAP 20": base.model_copy(update={"europe": 20.0, "tap_capacity": 20.0}),
        "baseline 2021": baseline(ledger, 2021).assumptions,
        "rasht-astara from 2026, in 2030": baseline(ledger, 2030).assumptions.model_copy(update={"rasht_astara_opens": 2026}),
    }
    assert tuple(found) == SCENARIOS
    return found


def answer(result) -> tuple[np.ndarray, np.ndarray, set[str]]:
    return (result.links["flow"].to_numpy(), result.markets["unmet"].to_numpy(), set(result.bottlenecks["link_id"]))


def assert_same_answer(first, again, what: str) -> None:
    np.testing.assert_allclose(again[0], first[0], atol=1e-9, err_msg=f"{what}: flows differ")
    np.testing.assert_allclose(again[1], first[1], atol=1e-9, err_msg=f"{what}: unmet demand differs")
    assert again[2] == first[2], f"{what}: bottlenecks differ"


SCENARIOS = ("baseline 2025", "europe 20 through TAP 20", "baseline 2021", "rasht-astara from 2026, in 2030")


@pytest.mark.parametrize(("name_a", "name_b"), [pytest.param(a, b, id=f"{a} then {b}") for a, b in itertools.permutations(SCENARIOS, 2)])
def test_answer_does_not_depend_on_what_was_solved_before(graph, ledger, name_a, name_b):
    from corridors.model import solve

    every = scenarios(ledger)
    first = answer(solve(graph, every[name_a]))
    solve(graph, every[name_b])
    assert_same_answer(first, answer(solve(graph, every[name_a])), f"{name_a} after {name_b}")


def test_answer_on_a_used_model_equals_a_fresh_one(ledger):
    from corridors import build_graph
    from corridors.model import solve

    used = build_graph(ledger)
    every = list(scenarios(ledger).items())
    for _, s in every:
        solve(used, s)
    for name, s in every:
        assert_same_answer(answer(solve(build_graph(ledger), s)), answer(solve(used, s)), f"{name} on a used model")


def test_a_solve_from_a_start_does_not_depend_on_what_was_solved_before(ledger):
    # Monte Carlo draws start from their central scenario's basis: each draw's answer must be the same bits whatever
    # was solved before it (draws in another order, other scenarios), or a run would depend on how it was split up.
    from corridors import build_graph
    from corridors.ledger.expressions import variables
    from corridors.model.flows import FlowModel

    every = [variables(s.model_dump()) for s in scenarios(ledger).values()]
    model = FlowModel(build_graph(ledger), ledger.wiring)
    starts = model.warm_starts(every[0])
    rng = np.random.default_rng(3)
    draws = [{**every[0], "instc_total": float(rng.uniform(10, 40)), "europe": float(rng.uniform(8, 20))} for _ in range(30)]
    first = [model.draw(d, starts=starts) for d in draws]
    for other in every[1:]:
        model.draw(other)
    again = [model.draw(d, starts=starts) for d in reversed(draws)][::-1]
    for k, (one, two) in enumerate(zip(first, again)):
        assert one[0] == two[0], f"draw {k}: indicators differ"
        assert np.array_equal(one[1], two[1]), f"draw {k}: binding links differ"
        # From a start or from scratch: the same optimum, to solver precision.
        assert model.draw(draws[k])[0] == pytest.approx(one[0], abs=1e-7, nan_ok=True)


def test_threads_sharing_one_model_get_the_serial_answers(graph, ledger):
    from corridors.model import solve

    every = list(scenarios(ledger).values())
    serial = [answer(solve(graph, s)) for s in every]
    start = threading.Barrier(4)

    def worker(offset: int) -> list[tuple[int, tuple]]:
        start.wait()
        got = []
        for i in range(20):
            k = (offset + i) % len(every)  # each thread walks the scenarios in its own order
            got.append((k, answer(solve(graph, every[k]))))
        return got

    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(worker, range(4)))
    for thread, got in enumerate(results):
        for k, ans in got:
            assert_same_answer(serial[k], ans, f"thread {thread}, scenario {k}")
