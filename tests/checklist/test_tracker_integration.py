"""The derived checklist item "Perdes diundangkan" follows the real adoption tracker."""

from datetime import timedelta

from perdes.checklist import views
from perdes.checklist.models import ChecklistVillageTotal, ItemStatus, Verification
from perdes.tracking import services as tracking
from perdes.tracking import standing
from perdes.tracking.deadlines import local_today
from perdes.tracking.stages import Stage
from tests.checklist.conftest import SLUG
from tests.factories import LONTAR
from tests.tracking.helpers import step_data

PERDES = "perdes-diundangkan"


def perdes_item(db, people):
    db.commit()  # the end of the tracker's transaction: derived items are settled
    view = views.assessment_view(
        db, actor=people["admin"], village_code=LONTAR, framework_slug=SLUG
    )
    return view.item(PERDES)


def test_promulgation_in_the_tracker_meets_the_item_and_cancellation_removes_it(
    db, framework, people
):
    operator = people["operator"]
    adoption = tracking.start_adoption(db, actor=operator, village_code=LONTAR)
    on = local_today() - timedelta(days=60)
    for stage in list(Stage)[: list(Stage).index(Stage.DITETAPKAN) + 1]:
        tracking.record_step(db, actor=operator, adoption_id=adoption.id, data=step_data(stage, on))
        on += timedelta(days=2)
    item = perdes_item(db, people)
    assert item.answer is None or item.answer.status is not ItemStatus.TERPENUHI
    tracking.record_step(
        db, actor=operator, adoption_id=adoption.id, data=step_data(Stage.DIUNDANGKAN, on)
    )
    item = perdes_item(db, people)
    assert (item.answer.status, item.answer.verification) == (
        ItemStatus.TERPENUHI,
        Verification.DIVERIFIKASI,
    )
    total = db.get(ChecklistVillageTotal, (LONTAR, SLUG))
    assert total is not None and total.verified_count >= 1
    for stage in (Stage.DILAPORKAN,):
        on += timedelta(days=2)
        tracking.record_step(db, actor=operator, adoption_id=adoption.id, data=step_data(stage, on))
    on += timedelta(days=2)
    cancelled = {
        **step_data(Stage.KLARIFIKASI, on),
        "clarification_result": "dibatalkan",
        "decision_number": "188/12/2026",
    }
    tracking.record_step(db, actor=operator, adoption_id=adoption.id, data=cancelled)
    assert standing.village_stage(db, village_code=LONTAR) is Stage.PENYUSUNAN
    item = perdes_item(db, people)
    assert item.answer.status is not ItemStatus.TERPENUHI
