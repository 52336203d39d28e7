"""The coordination endpoints in the OpenAPI document: every path, a unique operation id, the page
shape of the lists and the problem responses, so that generated clients and schemathesis see what
the endpoints answer."""

from __future__ import annotations

from drf_spectacular.generators import SchemaGenerator

PATHS = {
    "/api/v1/episodes/{episode_id}/meetings/": {"get", "post"},
    "/api/v1/episodes/{episode_id}/meetings/{meeting_id}/": {"get", "patch"},
    "/api/v1/episodes/{episode_id}/entries/": {"get", "post"},
    "/api/v1/episodes/{episode_id}/referrals/": {"get"},
    "/api/v1/episodes/{episode_id}/referrals/{referral_id}/": {"get"},
    "/api/v1/referrals/received/": {"get"},
    "/api/v1/referrals/received/{referral_id}/": {"get"},
    "/api/v1/handovers/": {"get"},
    "/api/v1/handovers/{handover_id}/": {"get"},
    "/api/v1/needs/": {"get"},
    "/api/v1/needs/{need_id}/": {"get"},
    "/api/v1/needs/sent/": {"get"},
    "/api/v1/needs/sent/{need_id}/": {"get"},
}


def test_schema__every_coordination_endpoint_is_described():
    schema = SchemaGenerator().get_schema(request=None, public=True)
    paths = schema["paths"]
    ids = [op["operationId"] for path in paths.values() for op in path.values()]

    assert len(ids) == len(set(ids))
    for path, methods in PATHS.items():
        assert set(paths[path]) >= methods, path
        for method in methods:
            responses = paths[path][method]["responses"]
            assert {"401", "403", "404"} <= set(responses), (path, method)
    page = paths["/api/v1/episodes/{episode_id}/meetings/"]["get"]
    assert {p["name"] for p in page["parameters"]} >= {"cursor", "page_size", "status"}
    assert "If-Match" in {
        p["name"] for p in paths["/api/v1/episodes/{episode_id}/meetings/{meeting_id}/"]["patch"]["parameters"]
    }
    assert "412" in paths["/api/v1/episodes/{episode_id}/meetings/{meeting_id}/"]["patch"]["responses"]
