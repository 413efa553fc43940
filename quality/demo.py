"""Demo quality reports for seed_demo: for each engagement under way, three fortnightly reports published (a pass
rate that climbs, defects that fall) and the current fortnight's as a draft. Idempotent: an engagement with reports
is left alone."""

from datetime import datetime, time, timedelta
from decimal import Decimal

from django.utils import timezone

from . import services
from .models import QualityReport

# (pass rate, critical, high, normal, low, comment), oldest first; the last is the draft.
PERIODS = [
    ("86.5", 2, 6, 14, 21, "The first full regression run: the label printing and the ERP import fail."),
    ("91.0", 1, 4, 11, 18, "Label printing fixed; the ERP import still drops orders with long customer names."),
    ("95.5", 0, 2, 8, 15, "ERP import fixed. Two high defects left in the invoice export."),
    ("96.0", 0, 1, 7, 12, "Draft: the night shift's test run is still going."),
]


def seed(world):
    for engagement in world.get("engagements", {}).values():
        if engagement.kickoff_on is None or engagement.pm is None:
            continue
        if QualityReport.objects.filter(engagement=engagement).exists():
            continue
        _reports(engagement)
    return world


def _reports(engagement):
    today = timezone.localdate()
    pm = engagement.pm
    for index, (rate, critical, high, normal, low, comment) in enumerate(PERIODS):
        end = today - timedelta(days=14 * (len(PERIODS) - 1 - index) + 1)
        start = end - timedelta(days=13)
        written = datetime.combine(end + timedelta(days=1), time(9, 0), tzinfo=timezone.get_current_timezone())
        report = services.report_create(
            by=pm,
            engagement=engagement,
            period_start=start,
            period_end=end,
            pass_rate=Decimal(rate),
            critical_defects=critical,
            high_defects=high,
            normal_defects=normal,
            low_defects=low,
            comment=comment,
            now=min(written, timezone.now()),
        )
        if index < len(PERIODS) - 1:
            services.report_publish(by=pm, report=report, now=min(written + timedelta(hours=2), timezone.now()))
