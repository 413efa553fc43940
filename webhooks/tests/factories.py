import factory
from factory.django import DjangoModelFactory

from ..models import Endpoint


class EndpointFactory(DjangoModelFactory):
    class Meta:
        model = Endpoint

    url = "https://hooks.example.com/in"
    event_types = factory.LazyFunction(lambda: ["engagement.created"])
    description = factory.Sequence(lambda n: f"Endpoint {n}")
