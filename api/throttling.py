"""Per-token rate limits: ``API_RATE_PER_MINUTE`` requests a minute per token (per address before authentication).

Answers carry ``RateLimit-Limit``/``RateLimit-Remaining``/``RateLimit-Reset`` (the IETF draft's fields), and a
429 carries ``Retry-After`` too (set by DRF from ``wait()``).
"""

import math

from django.conf import settings
from rest_framework.throttling import SimpleRateThrottle

from accounts.client_address import client_ip, counted_as


class TokenRateThrottle(SimpleRateThrottle):
    scope = "api"

    def get_rate(self):
        return f"{settings.API_RATE_PER_MINUTE}/min"

    def get_cache_key(self, request, view):
        token = request.auth
        ident = f"token-{token.pk}" if token is not None else f"addr-{counted_as(client_ip(request._request))}"
        return f"api-throttle:{ident}"

    def allow_request(self, request, view):
        allowed = super().allow_request(request, view)
        # ``history`` and ``now`` are set by the parent once a key exists (not for the unthrottled).
        if hasattr(self, "history"):
            remaining = max(self.num_requests - len(self.history), 0)
            reset = self.duration - (self.now - self.history[-1]) if self.history else self.duration
            request._request.api_rate_limit = {
                "RateLimit-Limit": str(self.num_requests),
                "RateLimit-Remaining": str(remaining),
                "RateLimit-Reset": str(max(math.ceil(reset), 0)),
            }
        return allowed
