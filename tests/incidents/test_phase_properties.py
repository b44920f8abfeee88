"""Random walks through the lifecycle never leave the transition table and
always leave a timeline that replays to the incident's state."""

from __future__ import annotations

from datetime import timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from warroom.clock import FrozenClock
from warroom.db import Actor, Database
from warroom.errors import Conflict
from warroom.incidents import service, timeline
from warroom.incidents.phases import MILESTONES, TRANSITIONS, Phase

ACTIONS = st.lists(st.one_of(st.sampled_from(list(Phase)).map(lambda p: ("go", p)),
                             st.just(("ack", None)), st.just(("error", None))),
                   max_size=25)


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(actions=ACTIONS)
def test_random_transitions_stay_inside_the_table(database: Database, actions):
    clock = FrozenClock()
    actor = Actor(name="prop", kind="user", role="admin")
    with database.unit_of_work(actor, clock=clock) as uow:
        incident = service.declare(uow, declaration=service.Declaration(
            type="service_outage", severity="sev2", title="property"))
        ref = incident.ref
    expected = Phase.detection
    for action, target in actions:
        clock.advance(timedelta(minutes=1))
        before = expected
        try:
            with database.unit_of_work(actor, clock=clock) as uow:
                incident = service.get_for_update(uow, ref=ref)
                if action == "go":
                    service.transition(uow, incident=incident, target=target)
                    expected = target
                elif action == "ack":
                    if service.acknowledge(uow, incident=incident) and expected == Phase.detection:
                        expected = Phase.triage
                else:
                    service.mark_declared_in_error(uow, incident=incident, reason="test")
                    expected = Phase.closed
        except Conflict:
            assert action != "ack"
            assert action == "error" or target not in TRANSITIONS[before]
            expected = before
        else:
            if action == "go":
                assert target in TRANSITIONS[before]

    with database.read() as session:
        incident = service.get_by_ref_or_raise(session, ref=ref)
        assert Phase(incident.phase) == expected
        events = timeline.get_all(session, incident_id=incident.id)
    replayed = Phase.detection
    for event in events:
        if event.kind == "phase":
            assert Phase(event.data["from"]) == replayed
            destination = Phase(event.data["to"])
            assert destination in TRANSITIONS[replayed] or event.data.get("declared_in_error")
            replayed = destination
    assert replayed == expected
    assert [e.id for e in events] == sorted(e.id for e in events)
    stamped = [getattr(incident, m) for m in MILESTONES if getattr(incident, m) is not None]
    assert stamped == sorted(stamped)
