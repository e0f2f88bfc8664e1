"""The Network page's multiselect filters through Streamlit's AppTest: readable labels, codes in the URL."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

from tests.conftest import ROOT

APP = str(ROOT / "app.py")


def network_page(**params: str | list[str]) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    for key, value in params.items():
        at.query_params[key] = value
    at.run()
    assert not at.exception, at.exception
    return at


def url_values(at: AppTest, key: str) -> list[str]:
    """A URL parameter's values (AppTest keeps a single value as a plain string)."""
    value = at.query_params[key]
    return [value] if isinstance(value, str) else list(value)


def test_branch_options_show_the_ledger_names(ledger):
    at = network_page()
    branch = at.multiselect(key="net_branches")
    names = dict(zip(ledger.branches["branch"], ledger.branches["label"]))
    used = set(ledger.links["branch"])
    assert set(branch.value) == used
    assert sorted(branch.options) == sorted(names[code] for code in used), "the reader sees names, not codes"


def test_a_changed_filter_writes_codes_to_the_url(ledger):
    at = network_page()
    at.multiselect(key="net_branches").set_value(["trans_caspian", "iran_mainland"]).run()
    assert not at.exception
    assert sorted(url_values(at, "net_branches")) == ["iran_mainland", "trans_caspian"]
    assert set(at.dataframe[0].value["branch"]) == {"iran_mainland", "trans_caspian"}
    # Everything chosen again: the default leaves the URL.
    at.multiselect(key="net_branches").set_value(sorted(set(ledger.links["branch"]))).run()
    assert "net_branches" not in at.query_params


def test_links_shared_before_keep_working(ledger):
    """Links from when the URL carried labels ('trans caspian') open the same view; '?key=' means none."""
    at = network_page(net_branches="trans caspian", net_statuses="")
    assert not at.warning
    assert at.multiselect(key="net_branches").value == ["trans_caspian"]
    assert at.multiselect(key="net_statuses").value == []
    assert at.dataframe[0].value.empty


def test_refused_branch_is_named_and_the_good_one_kept(ledger):
    at = network_page(net_branches=["western", "narnia"])
    warnings = " ".join(w.value for w in at.warning)
    assert "'net_branches'" in warnings and "narnia" in warnings
    assert at.multiselect(key="net_branches").value == ["western"]
    assert set(at.dataframe[0].value["branch"]) == {"western"}
    assert url_values(at, "net_branches") == ["western"]
