"""Each named rule of ``escalations.permissions`` and ``governance.permissions``, for every persona of the root
``conftest.py``, on the persona's own client's object and on another client's. The rules are built from
``engagements.policy`` only, so what is checked here is that each says what its docstring says; the URL matrix
(``url_access.GUARDS``) checks the pages ask them."""

from datetime import timedelta

import pytest
from django.utils import timezone

from escalations import permissions as flag_rules
from escalations import services as escalation_services
from escalations.models import StepSide
from escalations.tests.factories import raise_flag
from governance import permissions as meeting_rules
from governance.models import MinutesVersion
from governance.tests.factories import AgendaItemFactory, MeetingFactory, MeetingSeriesFactory, OutcomeFactory
from tests.url_access import ROLES

pytestmark = pytest.mark.django_db

PERSONAS = tuple(role for role in ROLES if role != "anonymous")
OVERSEE = {"vendor_admin", "director"}
TEAM = {"csm", "pm", "deputy_pm", "team_member"}
MANAGERS = {"csm", "pm", "deputy_pm"}


@pytest.fixture
def people(request):
    return {name: request.getfixturevalue(name) for name in PERSONAS}


@pytest.fixture
def flags(engagement, other_engagement, client_key_user, other_client_user):
    return raise_flag(engagement, client_key_user), raise_flag(other_engagement, other_client_user)


def _meeting(engagement, *, internal=False, shared=True):
    meeting = MeetingFactory(
        series=MeetingSeriesFactory(engagement=engagement, is_internal=internal),
        past=True,
        status="held",
        minutes_version=1 if shared else 0,
        agenda_prepared_at=timezone.now(),
    )
    if shared:
        MinutesVersion.objects.create(meeting=meeting, number=1, content={"sections": []}, published_by=engagement.pm)
    return meeting


@pytest.fixture
def meetings(engagement, other_engagement):
    return _meeting(engagement), _meeting(other_engagement)


def _answers(check, people, own, other):
    """The personas the rule allows on the own client's object, and on the other client's."""
    return (
        {name for name, user in people.items() if check(user, own)},
        {name for name, user in people.items() if check(user, other)},
    )


def test_the_team_handles_a_flag_executives_watch(people, flags):
    assert _answers(flag_rules.may_handle_flag, people, *flags) == (OVERSEE | TEAM, OVERSEE | {"other_csm"})


def test_client_people_raise_on_their_own_engagements_the_team_on_the_clients_behalf(
    people, engagement, other_engagement
):
    assert _answers(flag_rules.may_raise_flag, people, engagement, other_engagement) == (
        OVERSEE | TEAM | {"client_key_user", "client_member"},
        OVERSEE | {"other_csm", "other_client_user"},
    )


def _step(flag, *, side, owner):
    return escalation_services.step_add(
        flag=flag,
        by=flag.engagement.pm,
        title="Send the list of lost orders",
        owner_side=side,
        owner=owner,
        due_on=timezone.localdate() + timedelta(days=2),
        risk="Orders stay lost",
    )


def test_the_team_updates_any_step_the_clients_people_those_on_their_side(
    people, flags, client_key_user, other_client_user, team_member
):
    own, other = flags
    own_step = _step(own, side=StepSide.CLIENT, owner=client_key_user)
    other_step = _step(other, side=StepSide.CLIENT, owner=other_client_user)
    assert _answers(flag_rules.may_update_step, people, own_step, other_step) == (
        OVERSEE | TEAM | {"client_key_user", "client_member"},
        OVERSEE | {"other_csm", "other_client_user"},
    )
    vendor_step = _step(own, side=StepSide.VENDOR, owner=team_member)
    assert {name for name, user in people.items() if flag_rules.may_update_step(user, vendor_step)} == OVERSEE | TEAM


def test_the_owner_and_those_who_manage_escalate_a_flag(people, flags, team_member):
    own, other = flags
    owner = own.owner
    expected = OVERSEE | MANAGERS | ({name for name, user in people.items() if user == owner} if owner else set())
    assert _answers(flag_rules.may_escalate_flag, people, own, other) == (expected, OVERSEE | {"other_csm"})
    # Owning the flag is enough, without managing the engagement.
    own.owner = team_member
    assert flag_rules.may_escalate_flag(team_member, own)


def test_a_flag_with_no_owner_is_escalated_by_no_anonymous_visitor(flags):
    from django.contrib.auth.models import AnonymousUser

    own, _other = flags
    own.owner = None
    assert not flag_rules.may_escalate_flag(AnonymousUser(), own)


def test_the_clients_people_reply_on_their_flags(people, flags):
    assert _answers(flag_rules.may_reply_to_flag, people, *flags) == (
        {"client_key_user", "client_member"},
        {"other_client_user"},
    )


def test_only_the_key_user_who_decides_answers_for_the_client(people, flags):
    assert _answers(flag_rules.may_answer_for_client, people, *flags) == ({"client_key_user"}, {"other_client_user"})


def test_staff_and_the_clients_decider_reopen_a_flag(people, flags):
    staff = OVERSEE | TEAM | {"executive", "other_csm"}
    # The lock of the service refuses staff who may not handle the flag (``may_handle_flag``) before this is asked.
    assert _answers(flag_rules.may_reopen_flag, people, *flags) == (
        staff | {"client_key_user"},
        staff | {"other_client_user"},
    )


def test_those_who_manage_run_a_meeting(people, meetings):
    assert _answers(meeting_rules.may_run_meeting, people, *meetings) == (
        OVERSEE | MANAGERS,
        OVERSEE | {"other_csm"},
    )


def test_action_items_are_updated_by_managers_their_owner_and_the_clients_people(people, meetings, team_member):
    own_meeting, other_meeting = meetings
    own = OutcomeFactory(agenda_item=AgendaItemFactory(meeting=own_meeting), client_action=True, shared=True)
    other = OutcomeFactory(agenda_item=AgendaItemFactory(meeting=other_meeting), client_action=True, shared=True)
    assert _answers(meeting_rules.may_update_action_item, people, own, other) == (
        OVERSEE | MANAGERS | {"client_key_user", "client_member"},
        OVERSEE | {"other_csm", "other_client_user"},
    )
    # A vendor item: its owner (a team member who does not manage) updates it, the client does not.
    vendor_item = OutcomeFactory(agenda_item=AgendaItemFactory(meeting=own_meeting), action=True, owner=team_member)
    assert {name for name, user in people.items() if meeting_rules.may_update_action_item(user, vendor_item)} == (
        OVERSEE | MANAGERS | {"team_member"}
    )
    # Not shared yet: the client cannot read it, so cannot update it.
    unshared = OutcomeFactory(agenda_item=AgendaItemFactory(meeting=own_meeting), client_action=True)
    assert not meeting_rules.may_update_action_item(people["client_key_user"], unshared)


def test_a_decision_or_a_note_is_no_action_item(people, meetings):
    outcome = OutcomeFactory(agenda_item=AgendaItemFactory(meeting=meetings[0]))
    assert not outcome.is_action
    assert not any(meeting_rules.may_update_action_item(user, outcome) for user in people.values())


def test_the_key_user_acknowledges_shared_minutes_of_a_client_meeting(people, meetings, engagement):
    assert _answers(meeting_rules.may_acknowledge_minutes, people, *meetings) == (
        {"client_key_user"},
        {"other_client_user"},
    )
    internal = _meeting(engagement, internal=True)
    assert not any(meeting_rules.may_acknowledge_minutes(user, internal) for user in people.values())


def test_the_key_user_and_the_team_comment_on_shared_minutes(people, meetings, engagement):
    assert _answers(meeting_rules.may_comment_minutes, people, *meetings) == (
        OVERSEE | TEAM | {"client_key_user"},
        OVERSEE | {"other_csm", "other_client_user"},
    )
    for meeting in (_meeting(engagement, internal=True), _meeting(engagement, shared=False)):
        assert not any(meeting_rules.may_comment_minutes(user, meeting) for user in people.values())
