"""The load benchmark's baseline (``bench/load_bench.py``): a signed-in page that does one query of its own, behind
every middleware the real pages have (session, authentication, CSP, no-store, locale, axes...). A page's throughput
is measured against it, so the ratios say what the page itself costs, not what any request costs."""

from django.http import HttpResponse
from django.views.decorators.http import require_GET

from accounts.models import User


@require_GET
def baseline(request):
    exists = User.objects.filter(pk=request.user.pk).exists()
    return HttpResponse("ok" if exists else "gone", content_type="text/plain; charset=utf-8")
