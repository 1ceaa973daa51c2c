"""Bundles: search results with paging links, and the answer to a transaction."""

from __future__ import annotations

from cloud.fhir.resources.common import Json


def full_url(base_url: str, resource: Json) -> str:
    """The absolute URL of a resource on this server."""
    return f"{base_url}/{resource['resourceType']}/{resource['id']}"


def searchset(
    base_url: str,
    resources: list[Json],
    total: int,
    self_url: str,
    next_url: str | None = None,
) -> Json:
    """A searchset Bundle of `resources` (one page of `total`), linking to the next page."""
    links = [{"relation": "self", "url": self_url}]
    if next_url is not None:
        links.append({"relation": "next", "url": next_url})
    bundle: Json = {"resourceType": "Bundle", "type": "searchset", "total": total, "link": links}
    # FHIR JSON has no empty arrays: an empty page has no `entry`.
    if resources:
        bundle["entry"] = [
            {
                "fullUrl": full_url(base_url, resource),
                "resource": resource,
                "search": {"mode": "match"},
            }
            for resource in resources
        ]
    return bundle


def transaction_response(base_url: str, created: list[Json]) -> Json:
    """The answer to a transaction that created `created`."""
    return {
        "resourceType": "Bundle",
        "type": "transaction-response",
        "entry": [
            {
                "fullUrl": full_url(base_url, resource),
                "resource": resource,
                "response": {
                    "status": "201 Created",
                    "location": f"{resource['resourceType']}/{resource['id']}",
                },
            }
            for resource in created
        ],
    }
