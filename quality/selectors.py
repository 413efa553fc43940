"""Reading quality reports: the engagement's list for staff, the client's published reports and their trend."""

from dataclasses import dataclass, field

from django.db.models import Prefetch

from engagements.models import Engagement

from .models import QualityReport, QualityReportCorrection


def _reports(user):
    return (
        QualityReport.objects.visible_to(user)
        .select_related("engagement", "attachment", "published_by", "created_by")
        .prefetch_related(
            Prefetch("corrections", queryset=QualityReportCorrection.objects.select_related("corrected_by"))
        )
    )


def report_detail(*, user):
    """The queryset a report page fetches its report from (``object_for_user_or_404``)."""
    return _reports(user)


def reports_for_engagement(*, user, engagement: Engagement) -> list[QualityReport]:
    """Every report of the engagement ``user`` sees (drafts included for staff), newest period first."""
    return list(_reports(user).filter(engagement=engagement).order_by("-period_end", "-pk"))


def client_reports(*, user) -> list[QualityReport]:
    """The published reports of the client user's engagements, by engagement, newest period first."""
    return list(_reports(user).published().order_by("engagement__name", "engagement_id", "-period_end", "-pk"))


# --- The pass-rate trend, drawn on the server ---------------------------------------------------------------------

WIDTH, HEIGHT, PAD = 320, 90, 8


@dataclass
class Trend:
    """The pass rate over an engagement's periods, oldest first, with the points of a small SVG line chart."""

    engagement: Engagement
    reports: list = field(default_factory=list)
    points: list = field(default_factory=list)  # (x, y, report)

    @property
    def polyline(self) -> str:
        return " ".join(f"{x},{y}" for x, y, _report in self.points)

    @property
    def latest(self):
        return self.reports[-1] if self.reports else None

    @property
    def change(self):
        """The last period's pass rate minus the one before (``None`` with a single period)."""
        if len(self.reports) < 2:
            return None
        return self.reports[-1].pass_rate - self.reports[-2].pass_rate


def pass_rate_trends(reports: list[QualityReport], *, periods: int = 12) -> list[Trend]:
    """One trend per engagement, from reports already fetched (no query): the last ``periods`` periods."""
    by_engagement: dict[int, Trend] = {}
    for report in reports:
        trend = by_engagement.setdefault(report.engagement_id, Trend(engagement=report.engagement))
        trend.reports.append(report)
    for trend in by_engagement.values():
        trend.reports = sorted(trend.reports, key=lambda r: (r.period_end, r.pk))[-periods:]
        steps = max(len(trend.reports) - 1, 1)
        for index, report in enumerate(trend.reports):
            x = PAD + round(index * (WIDTH - 2 * PAD) / steps) if len(trend.reports) > 1 else WIDTH // 2
            y = PAD + round((100 - float(report.pass_rate)) * (HEIGHT - 2 * PAD) / 100)
            trend.points.append((x, y, report))
    return list(by_engagement.values())
