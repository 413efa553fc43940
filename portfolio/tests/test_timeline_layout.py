"""The timeline's labels never sit on the Today line nor on each other (issue 11's browser review: a stage's title
was drawn across the Today line)."""

from hypothesis import given
from hypothesis import strategies as st

from portfolio.timeline import GAP, LEFT, RIGHT, WIDTH, Lane, Line, label_extent, lay_out_labels


def _crosses(span, x) -> bool:
    return span[0] - GAP <= x <= span[1] + GAP


def _overlap(a, b) -> bool:
    return a[0] < b[1] and b[0] < a[1]


def test_a_stage_label_that_would_cross_the_today_line_moves_beside_it():
    # The bar starts just left of today: its title, read from the bar's start, ran over the Today line.
    lane = Lane(y=58, label="Environments and access for the team", x1=380, x2=600)
    today = Line(400, "today", "Today")
    lay_out_labels([lane], [today])
    span = label_extent(lane.label_x, lane.label_anchor, lane.label)
    assert not _crosses(span, today.x)
    assert span[0] >= LEFT and span[1] <= WIDTH - RIGHT


def test_a_lane_without_a_bar_puts_its_label_just_beside_the_today_line():
    # The left edge is blocked by the Today line: the label goes right next to it, not to the far edge.
    lane = Lane(y=92, label="Milestones and the work plan")
    lay_out_labels([lane], [Line(188, "today", "Today")])
    assert (lane.label_x, lane.label_anchor) == (188 + 2 * GAP, "start")


def test_a_label_clear_of_every_line_stays_at_its_bar():
    lane = Lane(y=58, label="Scope", x1=100, x2=300)
    lay_out_labels([lane], [Line(600, "today", "Today")])
    assert (lane.label_x, lane.label_anchor) == (100, "start")


def test_the_line_labels_do_not_overlap_when_the_lines_are_close():
    lines = [Line(300, "kickoff", "Kickoff"), Line(310, "today", "Today", label_y=40), Line(330, "go-live", "Go-live")]
    lay_out_labels([], lines)
    spans = [(line.label_y, label_extent(line.label_x, line.anchor, line.label)) for line in lines]
    for i, (row, span) in enumerate(spans):
        assert span[0] >= LEFT and span[1] <= WIDTH - RIGHT
        for other_row, other in spans[i + 1 :]:
            assert row != other_row or not _overlap(span, other)
    today = lines[1]
    for line in lines:
        if line is not today:
            assert not _crosses(label_extent(line.label_x, line.anchor, line.label), today.x)


def test_a_line_near_the_right_edge_reads_leftwards():
    line = Line(WIDTH - 10, "go-live", "Go-live")
    lay_out_labels([], [line])
    assert line.anchor == "end" and label_extent(line.label_x, line.anchor, line.label)[1] <= WIDTH - RIGHT


positions = st.floats(min_value=LEFT, max_value=WIDTH - RIGHT, allow_nan=False)


@given(
    bars=st.lists(st.tuples(positions, positions, st.integers(min_value=1, max_value=38)), max_size=8),
    today=positions,
    kickoff=st.none() | positions,
    go_live=st.none() | positions,
)
def test_no_label_ever_sits_on_the_today_line_or_on_another_label(bars, today, kickoff, go_live):
    lanes = [
        Lane(y=58 + 34 * i, label="W" * length, x1=min(a, b), x2=max(a, b)) for i, (a, b, length) in enumerate(bars)
    ]
    lines = [Line(today, "today", "Today", label_y=40)]
    lines += [
        Line(x, kind, label)
        for x, kind, label in ((kickoff, "kickoff", "Kickoff"), (go_live, "go-live", "Go-live"))
        if x is not None
    ]
    lay_out_labels(lanes, lines)
    for lane in lanes:
        span = label_extent(lane.label_x, lane.label_anchor, lane.label)
        assert not _crosses(span, today)
        assert span[0] >= LEFT and span[1] <= WIDTH - RIGHT
    today_label = label_extent(lines[0].label_x, lines[0].anchor, lines[0].label)
    for line in lines[1:]:
        if line.label_y == lines[0].label_y:
            assert not _overlap(today_label, label_extent(line.label_x, line.anchor, line.label))
