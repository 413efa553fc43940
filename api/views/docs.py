"""The API reference page (Swagger UI from drf-spectacular-sidecar's vendored files, served as our static files).

Under the Content-Security-Policy: the page's set-up script is a separate file (``SpectacularSwaggerSplitView``'s
``?script``) and its inline ``<style>`` is replaced by a stylesheet of ours (``templates/api/swagger_ui.html``)."""

from drf_spectacular.views import SpectacularSwaggerSplitView
from rest_framework.authentication import SessionAuthentication
from rest_framework.permissions import IsAuthenticated


class Reference(SpectacularSwaggerSplitView):
    authentication_classes = [SessionAuthentication]
    permission_classes = [IsAuthenticated]
    template_name = "api/swagger_ui.html"
