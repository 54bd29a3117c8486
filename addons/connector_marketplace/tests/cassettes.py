"""What every channel's cassette tests share (vcrpy, a test requirement):
the recorder, the scrubbing of secrets out of recorded answers, and the
check that a replay made every recorded request again.

Each channel's test base adds its own checks of what the code sends (its
marketplace's signature, tokens and codes).
"""

import json
import logging
from unittest import mock

import vcr
from vcr.matchers import requests_match

from odoo.modules.registry import Registry

VOLATILE_HEADERS = ("date", "server", "set-cookie", "content-length")

# vcrpy logs every recorded body at INFO: far too much for the test log.
logging.getLogger("vcr").setLevel(logging.WARNING)


def scrubber(secret_keys):
    """A ``before_record_response`` that replaces the values of
    ``secret_keys`` in a JSON answer's top level by placeholders."""

    def scrub(response):
        for header in list(response["headers"]):
            if header.lower() in VOLATILE_HEADERS:
                del response["headers"][header]
        body = response["body"].get("string")
        if not body:
            return response
        try:
            data = json.loads(body)
        except ValueError:
            return response
        if isinstance(data, dict) and any(key in data for key in secret_keys):
            for key in secret_keys:
                if data.get(key):
                    data[key] = key.upper()
            response["body"]["string"] = json.dumps(data).encode()
        return response

    return scrub


def recorder(cassette_dir, record_mode, query_filters, post_filters, secret_keys):
    """A vcrpy recorder matching on method, path, query and body once the
    volatile and secret parameters are replaced by placeholders."""
    return vcr.VCR(
        cassette_library_dir=str(cassette_dir),
        path_transformer=vcr.VCR.ensure_suffix(".yaml"),
        record_mode=record_mode,
        match_on=["method", "path", "query", "body"],
        filter_query_parameters=[(name, name.upper()) for name in query_filters],
        filter_post_data_parameters=[(name, name.upper()) for name in post_filters],
        before_record_response=scrubber(secret_keys),
        decode_compressed_response=True,
        # Odoo's own test server (HttpCase) is on 127.0.0.1.
        ignore_hosts=["127.0.0.1"],
    )


def unplayed_requests(cassette):
    """Recorded requests the replay did not make (as often as recorded).

    Without repeats, vcrpy plays each recorded interaction once. With
    repeats (replay blocks) it always plays the first of identical
    interactions: that one must then have been played at least as many
    times as the cassette holds identical requests.
    """
    if not cassette.allow_playback_repeats:
        return [
            f"{request.method} {request.path}"
            for index, request in enumerate(cassette.requests)
            if not cassette.play_counts[index]
        ]
    requests_ = cassette.requests
    groups = {}
    for index, request in enumerate(requests_):
        first = next(
            earlier
            for earlier in range(index + 1)
            if requests_match(request, requests_[earlier], cassette._match_on)
        )
        groups.setdefault(first, []).append(index)
    return [
        f"{requests_[first].method} {requests_[first].path} "
        f"(recorded {len(indexes)}, made {cassette.play_counts[first]})"
        for first, indexes in groups.items()
        if cassette.play_counts[first] < len(indexes)
    ]


def registry_without_loading_lock():
    """Let threads of a test reach the loaded registry.

    While tests run, the test runner holds the lock that ``Registry()``
    takes, so a thread creating an environment would wait for the end of the
    test run. The registry is loaded: hand it out directly.
    """
    return mock.patch.object(
        Registry, "__new__", lambda cls, db_name: cls.registries[db_name]
    )
