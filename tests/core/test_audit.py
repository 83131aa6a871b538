import pytest
from django.core.management import call_command
from django.db import connection, transaction

from core.audit import GENESIS, log_action, verify_chain
from core.models import AuditEntry


@pytest.mark.django_db
def test_entries_chain_onto_each_other(coordinator):
    first = log_action(
        "tests.thing.viewed", actor=coordinator, ref="abc", object_type="tests.thing"
    )
    second = log_action(
        "tests.thing.changed", actor=coordinator, ref="abc", object_type="tests.thing"
    )

    assert first.prev_hash == GENESIS or AuditEntry.objects.filter(hash=first.prev_hash).exists()
    assert second.prev_hash == first.hash
    assert verify_chain().ok


@pytest.mark.django_db
def test_verify_audit_names_the_first_tampered_entry(coordinator, capsys):
    entries = [
        log_action("tests.thing.viewed", actor=coordinator, ref=str(n), object_type="tests.thing")
        for n in range(5)
    ]
    tampered = entries[2]
    if connection.vendor == "postgresql":
        # The table refuses UPDATE; an attacker with owner rights would switch the trigger off.
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute("ALTER TABLE core_auditentry DISABLE TRIGGER USER")
    AuditEntry.objects.filter(pk=tampered.pk).update(object_ref="someone-else")

    report = verify_chain()

    assert not report.ok
    assert report.first_broken_id == tampered.pk
    with pytest.raises(SystemExit) as exit_info:
        call_command("verify_audit")
    assert exit_info.value.code == 1
    assert f"entry {tampered.pk}" in capsys.readouterr().err


@pytest.mark.django_db
def test_verify_audit_reports_a_whole_chain(coordinator, capsys):
    for n in range(3):
        log_action("tests.thing.viewed", actor=coordinator, ref=str(n), object_type="tests.thing")

    call_command("verify_audit")

    assert "intact" in capsys.readouterr().out


@pytest.mark.django_db
def test_model_refuses_to_change_or_delete_an_entry(coordinator):
    entry = log_action("tests.thing.viewed", actor=coordinator)
    entry.action = "tests.thing.hidden"
    with pytest.raises(RuntimeError):
        entry.save()
    with pytest.raises(RuntimeError):
        entry.delete()


@pytest.mark.postgres
@pytest.mark.django_db
@pytest.mark.parametrize(
    "statement",
    ["UPDATE core_auditentry SET action = 'x'", "DELETE FROM core_auditentry"],
)
def test_postgres_refuses_update_and_delete(coordinator, statement):
    from django.db.utils import DatabaseError

    log_action("tests.thing.viewed", actor=coordinator)
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(statement)
    assert AuditEntry.objects.filter(action="tests.thing.viewed").count() == 1
