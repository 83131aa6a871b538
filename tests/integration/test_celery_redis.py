import pytest

from core.audit import log_action
from core.models import AuditEntry
from core.tasks import verify_audit_chain
from tests.integration.conftest import wait_until


@pytest.mark.redis
def test_a_real_worker_runs_a_task_sent_through_redis(celery_worker):
    log_action("tests.thing.viewed", actor=None, ref="before-the-task")
    worker = celery_worker()

    result = verify_audit_chain.delay()
    entry = wait_until(
        lambda: AuditEntry.objects.filter(action="core.audit.verified").first(),
        what="the worker's audit entry",
    )
    worker.stop()

    # The worker saw the entry this test committed, so it works on the same database.
    assert entry.details == {"ok": True, "checked": 1, "first_broken_id": None}
    assert result.id in worker.log()
