"""The registry of the client portal's sections: the navigation a client user sees, per engagement.

The portal layout shows every registered section, in order; it knows none of them. Each app adds its own from its
``AppConfig.ready()``, as it adds "My work" lists (``work.py``)::

    portal.register_section(
        PortalSection("governance", _("Governance"), url_name="portal:meetings", position=40,
                      active_on=("meetings", "meeting", "action_items", "promises"))
    )

``url_name`` is reversed with the current engagement's pk when ``per_engagement`` is set (the page of one
engagement, e.g. ``portal:project``), without arguments otherwise (a page listing all of the client's
engagements). ``active_on`` names the portal URL names (without the namespace) that belong to the section, so the
entry is marked current on every page of it. The current engagement is the one in the URL when the page is one
engagement's, else the client's most recent one (see ``portfolio.context_processors``).

Registration is idempotent by name (a ``ready()`` that runs again replaces the section with itself).
"""

from dataclasses import dataclass

from django.urls import reverse


@dataclass(frozen=True)
class PortalSection:
    name: str
    label: str
    url_name: str
    position: int = 100
    per_engagement: bool = False
    active_on: tuple[str, ...] = ()

    def url(self, engagement_pk: int | None) -> str | None:
        """The section's address for the current engagement; ``None`` for a per-engagement section while the
        client has no engagement yet (the layout leaves it out)."""
        if not self.per_engagement:
            return reverse(self.url_name)
        if engagement_pk is None:
            return None
        return reverse(self.url_name, args=[engagement_pk])

    def is_active(self, url_name: str | None) -> bool:
        return url_name is not None and (url_name in self.active_on or f"portal:{url_name}" == self.url_name)


_sections: dict[str, PortalSection] = {}


def register_section(section: PortalSection) -> PortalSection:
    _sections[section.name] = section
    return section


def sections() -> list[PortalSection]:
    return sorted(_sections.values(), key=lambda s: (s.position, s.name))


def per_engagement_url_names() -> frozenset[str]:
    """The portal URL names (without the namespace) whose ``pk`` is an engagement's: their pages name the current
    engagement."""
    return frozenset(s.url_name.removeprefix("portal:") for s in _sections.values() if s.per_engagement)
