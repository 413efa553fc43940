"""The engagement's timeline as a picture: stages, milestones, the client's decisions and the go-live, with the first
30 days after the kickoff marked. Drawn on the server as SVG (``portfolio/partials/timeline.html``), from what the
engagement page has already loaded (no query of its own), so it works without a script or a library and the same
for staff and the portal (each sees what their page loaded: a client only their early wins).

This module only does the geometry: dates become x positions in a fixed coordinate space (``WIDTH``), which the
SVG scales to its container. Every mark also goes into ``events``, the same timeline as a list in words, for
screen readers and for reading on a phone.
"""

from dataclasses import dataclass, field
from datetime import date, timedelta

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from checklists.models import Decision

WIDTH = 800
LEFT, RIGHT = 8, 8
LANE = 34
FIRST_LANE_Y = 58
# The first days after the kickoff that the onboarding promise is about.
FIRST_DAYS = 30
TITLE_LENGTH = 38


@dataclass
class Marker:
    x: float
    kind: str  # "accepted", "rejected", "milestone", "milestone-reached"
    title: str


@dataclass
class Lane:
    y: float
    label: str
    state: str = ""  # css modifier of the bar: accepted, reopened, awaiting, done, open
    x1: float | None = None
    x2: float | None = None
    done_x: float | None = None  # where the bar's "done" part ends
    markers: list = field(default_factory=list)
    # Where the label is drawn, set by ``lay_out_labels``.
    label_x: float = LEFT
    label_anchor: str = "start"

    @property
    def width(self):
        return max((self.x2 or 0) - (self.x1 or 0), 2)

    @property
    def done_width(self):
        return max((self.done_x or 0) - (self.x1 or 0), 0)


@dataclass
class Line:
    x: float
    kind: str  # "kickoff", "go-live", "today"
    label: str
    # Where the label is drawn, set by ``lay_out_labels``.
    label_y: int = 26
    label_x: float = 0
    anchor: str = "start"


@dataclass
class Timeline:
    start: date
    end: date
    height: float
    lanes: list
    lines: list
    ticks: list  # (x, label)
    first_days: tuple | None  # (x1, x2)
    events: list  # (date, text), in order
    width: int = WIDTH

    @property
    def first_days_width(self):
        return self.first_days[1] - self.first_days[0] if self.first_days else 0


# The labels' rows above the lanes (a lane's own label sits just above its bar).
LINE_LABEL_ROWS = (26, 40)
# A generous width of one character at the SVG's 11px font: labels are laid out so they never touch a line or
# each other, and an estimate on the wide side keeps that true for wide letters too.
CHAR_WIDTH = 6.5
# Space kept between a label and a vertical line or another label.
GAP = 4


def label_extent(x: float, anchor: str, text: str) -> tuple[float, float]:
    """The horizontal span a label drawn at ``x`` with ``text-anchor`` ``anchor`` covers."""
    width = len(text) * CHAR_WIDTH
    return (x - width, x) if anchor == "end" else (x, x + width)


def _fits(span, *, avoid, taken) -> bool:
    left, right = span
    return (
        left >= LEFT
        and right <= WIDTH - RIGHT
        and not any(left - GAP <= line_x <= right + GAP for line_x in avoid)
        and not any(left < other_right + GAP and other_left < right + GAP for other_left, other_right in taken)
    )


def _place(text: str, candidates, *, avoid, must_avoid, taken=()) -> tuple[float, str]:
    """The first of ``candidates`` ((x, anchor), in order of preference) where the label clears every line in
    ``avoid`` and the labels ``taken``; else the first that clears ``must_avoid`` (the Today line), beside which
    a label always fits, the plot being wider than two of the longest labels."""
    candidates = list(candidates)
    for lines in (avoid, must_avoid):
        for x, anchor in candidates:
            if _fits(label_extent(x, anchor, text), avoid=lines, taken=taken):
                return x, anchor
    return candidates[0]


def lay_out_labels(lanes: list, lines: list) -> None:
    """Place every label so it neither crosses a vertical line (the Today line above all) nor another label:
    a lane's label next to its bar, a line's label beside its line, each moved to the other side of a line it
    would cross (a stage's title once sat over the Today line, unreadable)."""
    line_xs = [line.x for line in lines]
    must_avoid = [line.x for line in lines if line.kind == "today"]
    for lane in lanes:
        if lane.x1 is None:
            preferred = [(LEFT, "start")]
        else:
            preferred = [(lane.x1, "start"), (lane.x2, "end"), (lane.x2, "start"), (lane.x1, "end")]
        # Beside each line, for a bar that a line crosses; nearest to the bar first. Twice the gap away, as a label
        # within the gap of a line counts as touching it.
        beside = [(x - 2 * GAP, "end") for x in line_xs] + [(x + 2 * GAP, "start") for x in line_xs]
        beside.sort(key=lambda spot: abs(spot[0] - (lane.x1 if lane.x1 is not None else LEFT)))
        edges = [(LEFT, "start"), (WIDTH - RIGHT, "end")]
        lane.label_x, lane.label_anchor = _place(
            lane.label, preferred + beside + edges, avoid=line_xs, must_avoid=must_avoid
        )
    taken = {row: [] for row in LINE_LABEL_ROWS}
    # Today first: it is the line people look for.
    for line in sorted(lines, key=lambda line: line.kind != "today"):
        rows = sorted(LINE_LABEL_ROWS, key=lambda row: row != line.label_y)
        others = [x for x in line_xs if x != line.x]
        spots = [(row, line.x + 3, "start") for row in rows] + [(row, line.x - 3, "end") for row in rows]
        spots.sort(key=lambda spot: spot[0] != line.label_y)
        # Near the right edge a label reads leftwards, so it is never cut off.
        fallback = spots[0] if line.x + 3 + len(line.label) * CHAR_WIDTH <= WIDTH - RIGHT else spots[1]
        clear_of = (others, [x for x in others if x in must_avoid], [])
        row, x, anchor = next(
            (
                spot
                for avoid in clear_of
                for spot in spots
                if _fits(label_extent(spot[1], spot[2], line.label), avoid=avoid, taken=taken[spot[0]])
            ),
            fallback,
        )
        line.label_y, line.label_x, line.anchor = row, x, anchor
        taken[row].append(label_extent(x, anchor, line.label))


def _short(text: str) -> str:
    return text if len(text) <= TITLE_LENGTH else text[: TITLE_LENGTH - 1] + "…"


def _months(start: date, end: date):
    day = date(start.year, start.month, 1)
    while day <= end:
        if day >= start:
            yield day
        day = date(day.year + (day.month == 12), day.month % 12 + 1, 1)


def build(*, engagement, stages, milestones, acceptances, today: date) -> Timeline | None:
    """The timeline of ``engagement`` from its page's data: ``stages`` (checklist StageViews with their items),
    ``milestones`` and ``acceptances`` (the decisions the page shows). None when there is nothing dated yet."""
    dated = [i.due_on for view in stages for i in view.items if i.due_on]
    anchors = [engagement.contract_signed_on, engagement.kickoff_on, engagement.target_go_live_on]
    points = [d for d in anchors if d] + dated + [m.due_on for m in milestones]
    points += [timezone.localdate(a.decided_at) for a in acceptances]
    if not points:
        return None
    if engagement.kickoff_on:
        points.append(engagement.kickoff_on + timedelta(days=FIRST_DAYS))
    start = min(points + [today]) - timedelta(days=3)
    end = max(points + [today]) + timedelta(days=3)
    span = max((end - start).days, 1)

    def x(day: date) -> float:
        return round(LEFT + (day - start).days / span * (WIDTH - LEFT - RIGHT), 1)

    events = []
    lanes = []
    y = FIRST_LANE_Y
    by_stage = {}
    for view in stages:
        stage = view.stage
        dues = [i.due_on for i in view.items if i.due_on]
        lane = Lane(y=y, label=_short(stage.title))
        if dues:
            lane.x1, lane.x2 = x(min(dues)), x(max(dues) + timedelta(days=1))
            lane.done_x = lane.x1 + (lane.x2 - lane.x1) * (view.done / view.total if view.total else 0)
        if stage.acceptance_required and stage.accepted_at:
            lane.state = "accepted"
        elif stage.reopened_at:
            lane.state = "reopened"
        elif view.total and view.done == view.total:
            lane.state = "awaiting" if stage.acceptance_required else "done"
        else:
            lane.state = "open"
        if dues:
            events.append(
                (
                    min(dues),
                    _("Stage “%(title)s”: %(done)s of %(total)s done, due %(first)s to %(last)s")
                    % {
                        "title": stage.title,
                        "done": view.done,
                        "total": view.total,
                        "first": date_format(min(dues), "SHORT_DATE_FORMAT"),
                        "last": date_format(max(dues), "SHORT_DATE_FORMAT"),
                    },
                )
            )
        by_stage[stage.pk] = lane
        lanes.append(lane)
        y += LANE
    plan_lane = Lane(y=y, label=_("Milestones and the work plan"))
    for milestone in milestones:
        reached = milestone.reached_on is not None
        when = milestone.reached_on or milestone.due_on
        text = (_("Milestone “%(title)s” reached") if reached else _("Milestone “%(title)s” due")) % {
            "title": milestone.title
        }
        plan_lane.markers.append(Marker(x(when), "milestone-reached" if reached else "milestone", text))
        events.append((when, text))
    for acceptance in acceptances:
        day = timezone.localdate(acceptance.decided_at)
        accepted = acceptance.decision == Decision.ACCEPTED
        what = acceptance.stage.title if acceptance.stage_id else _("the work plan")
        text = (_("%(who)s accepted %(what)s") if accepted else _("%(who)s rejected %(what)s")) % {
            "who": acceptance.decided_by,
            "what": what,
        }
        lane = by_stage.get(acceptance.stage_id, plan_lane)
        lane.markers.append(Marker(x(day), "accepted" if accepted else "rejected", text))
        events.append((day, text))
    if plan_lane.markers:
        lanes.append(plan_lane)
        y += LANE
    lines = []
    if engagement.kickoff_on:
        lines.append(Line(x(engagement.kickoff_on), "kickoff", _("Kickoff")))
        events.append((engagement.kickoff_on, _("Kickoff")))
        first_days = (x(engagement.kickoff_on), x(engagement.kickoff_on + timedelta(days=FIRST_DAYS)))
        events.append(
            (
                engagement.kickoff_on + timedelta(days=FIRST_DAYS),
                _("End of the first %(days)s days") % {"days": FIRST_DAYS},
            )
        )
    else:
        first_days = None
    if engagement.target_go_live_on:
        lines.append(Line(x(engagement.target_go_live_on), "go-live", _("Go-live")))
        events.append((engagement.target_go_live_on, _("Target go-live")))
    if engagement.contract_signed_on:
        events.append((engagement.contract_signed_on, _("Contract signed")))
    lines.append(Line(x(today), "today", _("Today"), label_y=40))
    lay_out_labels(lanes, lines)
    ticks = [(x(month), date_format(month, "M Y")) for month in _months(start, end)]
    events.sort(key=lambda event: event[0])
    return Timeline(
        start=start,
        end=end,
        height=y + 6,
        lanes=lanes,
        lines=lines,
        ticks=ticks,
        first_days=first_days,
        events=events,
    )
