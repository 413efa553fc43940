"""Hand-worked rescheduling cases: the plan's arithmetic over working days (pure functions, no database).

January 2027: Friday the 1st and Wednesday the 6th are Polish public holidays; the 2nd/3rd, 9th/10th and
16th/17th are weekends.
"""

from datetime import date

import pytest
from django.core.exceptions import ValidationError

from checklists.schedule import START_TO_START, Edge, PlanItem, find_cycle, holds_by, reschedule
from engagements.working_days import WorkCalendar

POLAND = WorkCalendar(country="PL")
MONDAY = date(2027, 1, 11)


def plan(items, edges, *, today=date(2027, 1, 4), calendar=POLAND):
    return reschedule(items, edges, calendar=calendar, today=today)


def test_a_dependent_after_a_friday_starts_on_monday():
    result = plan([PlanItem(1, "Network contact", date(2027, 1, 8)), PlanItem(2, "Environment", None)], [Edge(1, 2)])
    assert result.slots[2].planned == MONDAY
    assert result.moves == {2: (None, MONDAY)}


def test_a_public_holiday_is_skipped():
    # Tuesday the 5th, then Epiphany on Wednesday the 6th: the dependent is due on Thursday the 7th.
    result = plan([PlanItem(1, "A", date(2027, 1, 5)), PlanItem(2, "B", date(2027, 1, 6))], [Edge(1, 2)])
    assert result.moves[2] == (date(2027, 1, 6), date(2027, 1, 7))


def test_without_the_country_the_holiday_is_a_working_day():
    result = plan([PlanItem(1, "A", date(2027, 1, 5)), PlanItem(2, "B", None)], [Edge(1, 2)], calendar=WorkCalendar())
    assert result.slots[2].planned == date(2027, 1, 6)


def test_a_lag_counts_working_days_and_a_duration_too():
    # Finished Monday the 11th; two working days of lag (Tue, Wed), starts Thursday the 14th; three days long:
    # Thursday, Friday and Monday the 18th.
    items = [PlanItem(1, "A", MONDAY), PlanItem(2, "B", None, duration_days=3)]
    result = plan(items, [Edge(1, 2, lag_days=2)])
    assert result.slots[2].start == date(2027, 1, 14)
    assert result.slots[2].planned == date(2027, 1, 18)


def test_start_to_start_follows_the_start():
    # A runs a working week, Monday 11th to Friday 15th; B may start a day after A starts.
    items = [PlanItem(1, "A", date(2027, 1, 15), duration_days=5), PlanItem(2, "B", None)]
    result = plan(items, [Edge(1, 2, kind=START_TO_START, lag_days=1)])
    assert result.slots[1].start == MONDAY
    assert result.slots[2].planned == date(2027, 1, 12)


def test_a_pinned_date_stays_and_shows_the_conflict():
    items = [PlanItem(1, "A", MONDAY), PlanItem(2, "B", date(2027, 1, 8), pinned=True)]
    result = plan(items, [Edge(1, 2)])
    assert result.moves == {}
    assert result.slots[2].planned == date(2027, 1, 8)
    assert result.conflicts == {2: 1}


def test_a_pinned_date_that_leaves_room_is_no_conflict():
    items = [PlanItem(1, "A", date(2027, 1, 7)), PlanItem(2, "B", MONDAY, pinned=True)]
    assert plan(items, [Edge(1, 2)]).conflicts == {}


def test_a_late_predecessor_moves_its_dependents_and_the_forecast():
    # A was due Monday the 11th and is still open on Thursday the 14th: it cannot finish before Thursday, so
    # B (due Tuesday) moves to Friday the 15th, three working days later, and the go-live with it.
    items = [PlanItem(1, "Network contact", MONDAY, owner_side="client"), PlanItem(2, "Environment", date(2027, 1, 12))]
    result = plan(items, [Edge(1, 2)], today=date(2027, 1, 14))
    assert result.moves == {2: (date(2027, 1, 12), date(2027, 1, 15))}
    assert result.forecast_on == date(2027, 1, 15)
    assert result.critical == [1, 2]
    behind = POLAND.between(date(2027, 1, 12), result.forecast_on)
    assert behind == 3
    assert holds_by(result, 1, behind_days=behind, calendar=POLAND) == 3
    assert holds_by(result, 2, behind_days=behind, calendar=POLAND) == 0


def test_finishing_early_pulls_the_dependents_in():
    items = [
        PlanItem(1, "A", date(2027, 1, 15), closed=True, done_on=MONDAY),
        PlanItem(2, "B", date(2027, 1, 18)),
    ]
    assert plan(items, [Edge(1, 2)], today=MONDAY).moves == {2: (date(2027, 1, 18), date(2027, 1, 12))}


def test_a_chain_moves_through_and_the_latest_predecessor_wins():
    items = [
        PlanItem(1, "A", date(2027, 1, 7)),
        PlanItem(2, "B", date(2027, 1, 13)),
        PlanItem(3, "C", None),
        PlanItem(4, "D", None),
    ]
    result = plan(items, [Edge(1, 3), Edge(2, 3), Edge(3, 4, lag_days=1)])
    assert result.slots[3].planned == date(2027, 1, 14)
    assert result.slots[4].planned == date(2027, 1, 18)
    assert result.critical == [2, 3, 4]


def test_a_cycle_is_refused_in_words():
    items = [PlanItem(1, "Environment", MONDAY), PlanItem(2, "QA", MONDAY), PlanItem(3, "Go-live", MONDAY)]
    with pytest.raises(ValidationError) as refused:
        plan(items, [Edge(1, 2), Edge(2, 3), Edge(3, 1)])
    assert "«Environment»" in str(refused.value) and "circle" in str(refused.value)
    assert find_cycle([Edge(1, 2), Edge(2, 3)]) is None
    assert find_cycle([Edge(1, 2), Edge(2, 1)]) == [1, 2, 1]


def test_working_days_between_count_in_both_directions():
    assert POLAND.between(date(2027, 1, 5), date(2027, 1, 8)) == 2  # Thursday, Friday (Wednesday a holiday)
    assert POLAND.between(date(2027, 1, 8), date(2027, 1, 5)) == -2
    assert POLAND.add(MONDAY, -1) == date(2027, 1, 8)
