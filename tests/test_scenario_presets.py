"""Scenario presets: loaded from their file (scaled for the demo), edited in the admin, and
every change in the catalogue's audit trail, without recomputing any indicator value."""

from __future__ import annotations

import json
import time
from io import StringIO
from pathlib import Path

import pytest
import time_machine
from django.contrib.auth.models import Group, User
from django.core.management import CommandError, call_command
from django.test import Client

from accounts.access import ADMINISTRATOR
from chain.models import CatalogueChange, DirtyRange
from devtools.management.commands.demo import DEMO_USER
from devtools.management.commands.demo import Command as DemoCommand
from scenarios.models import Preset, SavedScenario
from scenarios.presets import load_presets, scale_inputs
from tests.scenario_web import TODAY, build_history

pytestmark = pytest.mark.django_db


def test_the_file_has_the_mpp_scenarios_and_a_baseline_per_chain() -> None:
    load_presets()
    annual = {p.name: p.inputs["inflow"].get("annual") for p in Preset.objects.filter(chain="NL")}
    assert annual == {"MPP minimum": 49000, "MPP medio": 67000, "MPP maximum": 77000,
                      "Baseline": None}  # fmt: skip
    assert Preset.objects.filter(chain="BE", name="Baseline").exists()


def test_a_scale_multiplies_the_counts_of_cases_and_staff() -> None:
    inputs = {
        "inflow": {"annual": 67000}, "capacity": {"fte": 850, "productivity": 3.1,
        "hires": [{"month": "2027-03", "fte": 100, "ramp_months": 9}]},
        "fast_track": {"nationalities": ["SYR"], "extra_decisions_per_month": 1000},
        "policy": {"kind": "over_term_share", "share": 0.7},
    }  # fmt: skip
    scaled = scale_inputs(inputs, scale=0.1)
    assert scaled["inflow"] == {"annual": 6700}
    hire = {"month": "2027-03", "fte": 10, "ramp_months": 9}
    assert scaled["capacity"] == {"fte": 85, "productivity": 3.1, "hires": [hire]}
    assert scaled["fast_track"]["extra_decisions_per_month"] == 100
    assert scaled["policy"] == inputs["policy"]
    assert scale_inputs({"inflow": {"monthly": [1234, 5]}}, scale=0.1)["inflow"] == {
        "monthly": [123.4, 0.5]
    }


def test_each_loaded_preset_is_audited_and_a_second_load_changes_nothing() -> None:
    out = StringIO()
    call_command("load_scenario_presets", "--scale", "0.1", stdout=out)
    assert json.loads(out.getvalue()) == {"added": 5, "changed": 0, "unchanged": 0}
    assert Preset.objects.get(chain="NL", name="MPP medio").inputs["inflow"]["annual"] == 6700
    changes = CatalogueChange.objects.filter(object_type="Preset")
    assert changes.count() == 5 and {c.action for c in changes} == {"add"}
    assert {c.user for c in changes} == {"manage.py load_scenario_presets"}
    call_command("load_scenario_presets", "--scale", "0.1", stdout=StringIO())
    assert CatalogueChange.objects.filter(object_type="Preset").count() == 5
    call_command("load_scenario_presets", stdout=StringIO())
    change = CatalogueChange.objects.filter(object_type="Preset", action="change").get(
        object_repr="NL MPP medio"
    )
    assert change.old is not None and change.old["inputs"]["inflow"]["annual"] == 6700
    assert change.new is not None and change.new["inputs"]["inflow"]["annual"] == 67000


def test_a_container_start_loads_presets_only_into_an_empty_table() -> None:
    load_presets()
    Preset.objects.filter(name="MPP minimum").update(description_en="edited")
    out = StringIO()
    call_command("load_scenario_presets", "--if-empty", stdout=out)
    assert "nothing loaded" in out.getvalue()
    assert Preset.objects.get(chain="NL", name="MPP minimum").description_en == "edited"


def test_a_bad_presets_file_is_refused_naming_the_entry(tmp_path: Path) -> None:
    path = tmp_path / "presets.json"
    path.write_text(json.dumps({"presets": [{"chain": "NL", "name": "x", "inputs": {}},
                                            {"chain": "XX", "name": "y"}]}))  # fmt: skip
    with pytest.raises(CommandError, match=r"presets\[1\]\.chain"):
        call_command("load_scenario_presets", str(path))
    assert not Preset.objects.exists()


def test_an_administrator_edits_a_preset_in_the_admin_audited_without_a_recompute() -> None:
    load_presets()
    admin = User.objects.create_user("admin", is_staff=True)
    admin.groups.add(Group.objects.get(name=ADMINISTRATOR))
    client = Client()
    client.force_login(admin)
    preset = Preset.objects.get(chain="NL", name="MPP medio")
    dirty_before = DirtyRange.objects.count()
    response = client.post(
        f"/admin/scenarios/preset/{preset.pk}/change/",
        {"name": "MPP medio", "chain": "NL", "inputs": json.dumps({"inflow": {"annual": 70000}}),
         "description_nl": "Midden", "description_en": "Medium", "position": 1},
    )  # fmt: skip
    assert response.status_code == 302, response.content.decode()[:3000]
    change = CatalogueChange.objects.get(object_type="Preset", user="admin")
    assert change.action == "change"
    assert change.old is not None and change.new is not None
    assert change.old["inputs"] == {"horizon": 24, "inflow": {"annual": 67000}}
    assert change.new["inputs"] == {"inflow": {"annual": 70000}}
    assert DirtyRange.objects.count() == dirty_before
    refused = client.post(
        f"/admin/scenarios/preset/{preset.pk}/change/",
        {"name": "MPP medio", "chain": "NL", "inputs": json.dumps({"horizon": 99}),
         "position": 1},
    )  # fmt: skip
    assert (
        refused.status_code == 200 and "horizon: must be from 1 to 36" in refused.content.decode()
    )
    client.post(f"/admin/scenarios/preset/{preset.pk}/delete/", {"post": "yes"})
    assert CatalogueChange.objects.filter(object_type="Preset", action="delete").count() == 1


def test_the_demo_loads_scaled_presets_and_saves_a_baseline_per_chain(catalogue: None) -> None:
    with time_machine.travel(TODAY, tick=True):
        build_history(compute=True)
        User.objects.create_user(DEMO_USER)
        for _ in range(2):
            command = DemoCommand(stdout=StringIO())
            command._started = time.monotonic()
            command._scenarios(0.1)
    assert Preset.objects.get(chain="NL", name="MPP medio").inputs["inflow"]["annual"] == 6700
    saved = SavedScenario.objects.order_by("chain")
    assert [(s.chain_id, s.name, s.author.get_username()) for s in saved if s.author] == [
        ("BE", "Baseline BE", DEMO_USER), ("NL", "Baseline NL", DEMO_USER),
    ]  # fmt: skip
