"""The staff search box: clients, engagements, checklist items and people, each as the person may see them.

On PostgreSQL it is full-text search (the ``simple`` configuration, so names and product words are not stemmed
into other words, with each word matched as a prefix: "ware roll" finds "Warehouse rollout"); the items' titles
have a GIN index for it (``checklists`` migration 0005). Elsewhere (SQLite, for a first look) every word must
appear in one of the fields. Each kind is one query, capped at ``LIMIT`` results."""

import re
from dataclasses import dataclass, field
from functools import reduce
from operator import or_

from django.contrib.postgres.search import SearchQuery, SearchVector
from django.db import connection
from django.db.models import Q

from accounts.models import VENDOR_ROLES, User
from checklists.models import ChecklistItem
from engagements import policy
from engagements.models import ClientProfile, Engagement

LIMIT = 20
MAX_WORDS = 8


@dataclass
class SearchResults:
    query: str
    clients: list = field(default_factory=list)
    engagements: list = field(default_factory=list)
    items: list = field(default_factory=list)
    people: list = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.clients) + len(self.engagements) + len(self.items) + len(self.people)


def words_of(query: str) -> list[str]:
    """The words of a query, letters and digits only (so nothing in it can act as search syntax)."""
    return re.findall(r"\w+", query or "")[:MAX_WORDS]


def matching(queryset, fields: list[str], words: list[str]):
    if not words:
        return queryset.none()
    if connection.vendor == "postgresql":
        tsquery = SearchQuery(" & ".join(f"{word}:*" for word in words), search_type="raw", config="simple")
        return queryset.annotate(search=SearchVector(*fields, config="simple")).filter(search=tsquery)
    every_word = [reduce(or_, [Q(**{f"{name}__icontains": word}) for name in fields]) for word in words]
    return queryset.filter(reduce(lambda a, b: a & b, every_word))


def search(*, user, query: str) -> SearchResults:
    words = words_of(query)
    results = SearchResults(query=query)
    if not words or not policy.is_staff(user):
        return results
    results.clients = list(
        matching(ClientProfile.objects.visible_to(user), ["organization__name", "industry"], words)
        .select_related("organization")
        .order_by("organization__name")[:LIMIT]
    )
    results.engagements = list(
        matching(Engagement.objects.visible_to(user), ["name", "client__name"], words)
        .select_related("client")
        .order_by("client__name", "name")[:LIMIT]
    )
    results.items = list(
        matching(ChecklistItem.objects.visible_to(user), ["title"], words)
        .select_related("stage__engagement__client")
        .order_by("due_on", "pk")[:LIMIT]
    )
    people = User.objects.filter(is_active=True).filter(
        Q(role__in=VENDOR_ROLES) | Q(organization__in=policy.clients_seen_by(user))
    )
    results.people = list(
        matching(people, ["full_name", "email"], words).select_related("organization").order_by("full_name")[:LIMIT]
    )
    return results
