from datetime import timedelta
from decimal import Decimal

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from engagements.tests.factories import EngagementFactory
from quality.models import QualityReport, ReportStatus


class QualityReportFactory(DjangoModelFactory):
    class Meta:
        model = QualityReport

    engagement = factory.SubFactory(EngagementFactory)
    period_end = factory.Sequence(lambda n: timezone.localdate() - timedelta(days=14 * (30 - n % 30)))
    period_start = factory.LazyAttribute(lambda report: report.period_end - timedelta(days=13))
    pass_rate = Decimal("92.5")
    critical_defects = 0
    high_defects = 2
    normal_defects = 5
    low_defects = 9
    comment = "Regression suite green apart from the invoice export."
    created_by = factory.LazyAttribute(lambda report: report.engagement.pm or report.engagement.csm)

    class Params:
        published = factory.Trait(
            status=ReportStatus.PUBLISHED,
            published_at=factory.LazyFunction(timezone.now),
            published_by=factory.LazyAttribute(lambda report: report.created_by),
        )
