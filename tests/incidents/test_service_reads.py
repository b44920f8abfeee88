"""The reads other domains use instead of the incidents table."""

from __future__ import annotations

from sqlalchemy import select

from warroom.incidents import service
from warroom.incidents.models import Incident
from warroom.incidents.phases import Phase


def _declare(uow, severity: str) -> Incident:
    return service.declare(uow, declaration=service.Declaration(
        type="service_outage", severity=severity, title=f"a {severity} outage"))


def test_many_states_and_ids_outside_phases_read_a_batch(work):
    with work() as uow:
        quiet, loud = _declare(uow, "sev3"), _declare(uow, "sev1")
        service.transition(uow, incident=loud, target=Phase.triage)
        quiet_id, loud_id = quiet.id, loud.id
    with work() as uow:
        found = service.many(uow.session, ids=[quiet_id, loud_id, 999_999])
        states = service.states(uow.session, ids=[loud_id, None, quiet_id, loud_id])
        untriaged = set(uow.session.scalars(select(Incident.id).where(
            Incident.id.in_(service.ids_outside_phases(["triage"])))))
    assert {i: f.title for i, f in found.items()} == {
        quiet_id: "a sev3 outage", loud_id: "a sev1 outage"}
    assert states == {quiet_id: ("detection", "sev3"), loud_id: ("triage", "sev1")}
    assert quiet_id in untriaged and loud_id not in untriaged


def test_reads_of_nothing_ask_nothing(work):
    with work() as uow:
        assert service.many(uow.session, ids=[]) == {}
        assert service.states(uow.session, ids=[None]) == {}
