from ventanilla.tickets.workflow import (
    COMPLETED,
    FINAL,
    OPEN,
    TRANSITIONS,
    Actor,
    Status,
    can_transition,
    targets,
)


def test_the_nine_statuses_are_split_into_open_and_completed():
    assert len(Status) == 9
    assert set(OPEN) | set(COMPLETED) == set(Status)
    assert not set(OPEN) & set(COMPLETED)


def test_customer_can_cancel_only_while_waiting_for_support():
    cancellable = {src for src in Status if can_transition(Actor.CUSTOMER, src, Status.CANCELLED)}
    assert cancellable == {Status.WAITING_FOR_SUPPORT}


def test_nobody_but_a_supervisor_leaves_a_final_status():
    for actor in (Actor.CUSTOMER, Actor.AGENT, Actor.SYSTEM):
        assert not any(src in FINAL for src, _dst in TRANSITIONS[actor])
    assert can_transition(Actor.SUPERVISOR, Status.CANCELLED, Status.IN_PROGRESS)


def test_nobody_moves_a_ticket_back_to_waiting_for_support():
    for pairs in TRANSITIONS.values():
        assert all(dst != Status.WAITING_FOR_SUPPORT for _src, dst in pairs)


def test_agent_targets_from_new_ticket_include_work_statuses_in_display_order():
    options = targets(Actor.AGENT, Status.WAITING_FOR_SUPPORT)
    assert Status.IN_PROGRESS in options and Status.SCHEDULED in options
    assert Status.WAITING_FOR_SUPPORT not in options
    assert options == [s for s in Status if s in options]


def test_supervisor_can_do_everything_an_agent_can():
    assert TRANSITIONS[Actor.AGENT] <= TRANSITIONS[Actor.SUPERVISOR]


def test_no_transition_goes_to_the_same_status():
    for pairs in TRANSITIONS.values():
        assert all(src != dst for src, dst in pairs)
