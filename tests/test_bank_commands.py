import json

import pytest
from django.core.management import CommandError, call_command

from bank.models import BankVersion
from tests.factories import make_bank_version

pytestmark = pytest.mark.django_db


def test_load_default_bank_publishes_each_shipped_version_once(capsys):
    call_command("load_default_bank")
    versions = list(BankVersion.objects.order_by("published_at"))
    assert [(v.label, v.is_published) for v in versions] == [("2026.1", True), ("2026.2", True)]
    assert BankVersion.objects.current().label == "2026.2"
    call_command("load_default_bank")
    assert BankVersion.objects.count() == 2
    assert "loaded already" in capsys.readouterr().out


def test_a_database_with_2026_1_gets_2026_2_and_keeps_what_it_had():
    from bank.exchange import import_bank
    from bank.services import DEFAULT_BANKS, load_default_bank, publish

    older = publish(version=import_bank(DEFAULT_BANKS[0].read_bytes()))
    [loaded] = load_default_bank()
    assert loaded.label == "2026.2" and BankVersion.objects.get(pk=older.pk).is_published


def test_export_then_import_round_trips_through_files(tmp_path):
    make_bank_version(label="2026.5", publish=True)
    first, second = tmp_path / "first.json", tmp_path / "second.json"
    call_command("export_bank", "--output", str(first))
    call_command("import_bank", str(first), "--label", "2026.6")
    call_command("export_bank", "--label", "2026.6", "--output", str(second))

    exported = json.loads(first.read_text())
    again = json.loads(second.read_text())
    assert again == {**exported, "label": "2026.6"}
    assert second.read_text() == first.read_text().replace('"2026.5"', '"2026.6"', 1)


def test_import_can_publish_a_complete_file(tmp_path):
    make_bank_version(label="source")
    path = tmp_path / "bank.json"
    call_command("export_bank", "--label", "source", "--output", str(path))
    call_command(
        "import_bank", str(path), "--label", "live", "--publish", "--changelog", "Imported."
    )
    live = BankVersion.objects.get(label="live")
    assert live.is_published and live.changelog == "Imported."


def test_import_lists_every_problem_and_saves_nothing(tmp_path):
    path = tmp_path / "broken.json"
    path.write_text(json.dumps({"schema": "relay.question_bank/1", "label": "x"}))
    with pytest.raises(CommandError) as refused:
        call_command("import_bank", str(path))
    message = str(refused.value)
    assert "file: dimensions: missing" in message and "file: questions: missing" in message
    assert BankVersion.objects.count() == 0


def test_an_incomplete_file_is_not_published_and_nothing_is_kept(tmp_path):
    draft = make_bank_version(label="source")
    draft.questions.first().descriptors.all().delete()
    path = tmp_path / "bank.json"
    call_command("export_bank", "--label", "source", "--output", str(path))
    with pytest.raises(CommandError, match="not complete enough to publish"):
        call_command("import_bank", str(path), "--label", "live", "--publish")
    assert not BankVersion.objects.filter(label="live").exists()


def test_a_missing_file_or_version_is_a_clear_error(tmp_path):
    with pytest.raises(CommandError, match="Cannot read"):
        call_command("import_bank", str(tmp_path / "nope.json"))
    with pytest.raises(CommandError, match="No published bank version yet"):
        call_command("export_bank")
    with pytest.raises(CommandError, match="No bank version is labelled 'zzz'"):
        call_command("export_bank", "--label", "zzz")


def test_diff_bank_prints_what_the_newer_version_changes(capsys):
    call_command("load_default_bank")
    capsys.readouterr()
    call_command("diff_bank", "2026.1", "2026.2")
    out = capsys.readouterr().out
    assert out.startswith("Question bank 2026.1 -> 2026.2\n")
    assert (
        "  split: people.handoff_practice -> people.gtm_to_demand_handoff, "
        "people.demand_to_lead_handoff, people.lead_to_sales_handoff"
    ) in out
    assert "  split: process.lead_definition -> process.lead_definition, " in out
    assert "Removed" not in out  # every key 2026.1 loses is replaced in 2026.2


def test_diff_bank_writes_json_with_json(capsys):
    before = make_bank_version(label="2026.1")
    after = make_bank_version(label="2026.2")
    after.questions.filter(key="people.q1").update(text="Who owns people.q1?")
    before.questions.filter(key="people.q2").update(help="Count the owners.")
    call_command("diff_bank", "2026.1", "2026.2", "--json")
    data = json.loads(capsys.readouterr().out)
    assert (data["before"], data["after"]) == ("2026.1", "2026.2")
    assert data["summary"]["changed"] == 2 and data["summary"]["unchanged"] == 22
    assert [c["key"] for c in data["changed"]] == ["people.q1", "people.q2"]


def test_diff_bank_names_an_unknown_label():
    make_bank_version(label="2026.1")
    with pytest.raises(CommandError, match=r"No bank version is labelled '2026\.9'"):
        call_command("diff_bank", "2026.1", "2026.9")
