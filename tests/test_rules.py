"""Rule packs: every shipped pack loads, and broken packs fail with the pack and key named."""
from __future__ import annotations

from pathlib import Path

import pytest

from evaluator.issues import RulePackError
from evaluator.rules import available_packs, load_rule_pack

SRC = Path(__file__).resolve().parent.parent / "scoring_rules" / "national-2020.toml"


def test_shipped_packs_load() -> None:
    names = available_packs()
    assert {"national-2020", "hubei-2020", "guangdong-cap"} <= set(names)
    for name in names:
        pack = load_rule_pack(name)
        assert pack.name == name and pack.version and pack.source
        assert sum(pack.weights.values()) == 100


def test_hubei_numbers() -> None:
    pack = load_rule_pack("hubei-2020")
    assert pack.weights["execution"] == 20
    assert pack.tier("部分达成").low == 0.5 and pack.tier("达成").low == 0.8


def test_load_by_path() -> None:
    assert load_rule_pack(str(SRC)).name == "national-2020"


def _broken(tmp_path: Path, old: str, new: str) -> Path:
    text = SRC.read_text(encoding="utf-8")
    assert old in text
    p = tmp_path / "broken.toml"
    p.write_text(text.replace(old, new, 1), encoding="utf-8")
    return p


@pytest.mark.parametrize("old,new,key", [
    ("output = 50", "output = 40", "weights"),                       # weights sum to 90
    ("output = 50", "outptu = 50", "weights.outptu"),                # typo: unknown key
    ("satisfaction = 10\ncost = 0", "cost = 0", "weights.satisfaction"),  # missing weight
    ('multi_clause = "mean"', 'multi_clause = "avg"', "switches.multi_clause"),
    ('default = 0.7', 'default = 0.9', "qualitative.tiers[1].default"),  # default outside its tier
    ("digits = 2", 'digits = "2"', "rounding.digits"),
    ('flat_tier = "部分达成"', 'flat_tier = "基本达成"', "trend.flat_tier"),
    ("[rounding]", "[rounding]\nbonus = 1", "rounding.bonus"),
])
def test_invalid_pack(tmp_path: Path, old: str, new: str, key: str) -> None:
    with pytest.raises(RulePackError) as exc:
        load_rule_pack(str(_broken(tmp_path, old, new)))
    assert exc.value.key == key
    assert exc.value.pack == "broken"


def test_switches_left_out_take_their_defaults(tmp_path: Path) -> None:
    """A pack need not list a switch (a new one is added with a schema default, not to every pack)."""
    text = SRC.read_text(encoding="utf-8")
    start, end = text.index("[switches]"), text.index("\n[", text.index("[switches]") + 1)
    without_one = tmp_path / "one.toml"
    without_one.write_text(text.replace('reverse_rule = "ratio"\n', ""), encoding="utf-8")
    without_all = tmp_path / "all.toml"
    without_all.write_text(text[:start] + text[end + 1:], encoding="utf-8")
    full = load_rule_pack(str(SRC)).switches
    assert load_rule_pack(str(without_one)).switches == full
    assert load_rule_pack(str(without_all)).switches == full == {
        "category_trust": "reader", "not_applicable": "respread", "multi_clause": "mean", "reverse_rule": "ratio",
        "done_no_ratio": 0.0}


def test_unknown_name() -> None:
    with pytest.raises(RulePackError, match="没有名为"):
        load_rule_pack("no-such-pack")


def test_bad_toml(tmp_path: Path) -> None:
    p = tmp_path / "x.toml"
    p.write_text("[pack\nname=", encoding="utf-8")
    with pytest.raises(RulePackError, match="TOML"):
        load_rule_pack(str(p))
