"""Reading ``/metrics`` the way Prometheus does: the exposition parsed with prometheus-client's
own parser into ``{(sample name, frozenset(labels)): value}``."""

from __future__ import annotations

from prometheus_client.parser import text_string_to_metric_families


def parse(body: bytes | str) -> tuple[set[str], dict[tuple[str, frozenset], float]]:
    """(family names, samples) of an exposition."""
    text = body.decode() if isinstance(body, bytes) else body
    families: set[str] = set()
    samples: dict[tuple[str, frozenset], float] = {}
    for family in text_string_to_metric_families(text):
        families.add(family.name)
        for sample in family.samples:
            samples[(sample.name, frozenset(sample.labels.items()))] = sample.value
    return families, samples


def value(samples: dict, name: str, **labels: str) -> float:
    """A sample's value, 0 when the series does not exist (yet)."""
    return samples.get((name, frozenset(labels.items())), 0.0)


def scrape(client, **headers) -> tuple[set[str], dict]:
    response = client.get("/metrics", **headers)
    assert response.status_code == 200, response.content[:500]
    return parse(response.content)
