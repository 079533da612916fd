"""`isas-catalog harvest add|list|run|remove` against a scripted provider on a real port."""

import json
from datetime import timedelta
from pathlib import Path

from catalog.store import open_store
from catalog.timeutil import utcnow
from catalog.vocab import Visibility
from tests.harvest.provider import REPOSITORY, Provider, error, identify, list_records, public_payloads
from tests.server.test_cli import run

PREFIX = "oai_datacite"


def test_add_list_run_and_remove_a_source(tmp_path: Path, provider: Provider) -> None:
    env = {"CATALOG_DATABASE_URL": f"sqlite:///{tmp_path / 'catalog.sqlite'}"}
    now = utcnow().replace(microsecond=0)
    first, second = public_payloads(PREFIX)[:2]
    listing = {"verb": "ListRecords", "metadataPrefix": PREFIX}
    provider.add(
        identify(response_date=now),
        list_records([first.item(now - timedelta(days=1))], request=listing, response_date=now, token="next"),
        list_records(
            [second.item(now - timedelta(days=1))],
            request={"verb": "ListRecords", "resumptionToken": "next"},
            response_date=now,
            token="",
        ),
    )

    code, out, err = run(env, "harvest", "add", "partner", provider.url, "--prefix", PREFIX)
    assert code == 0, err
    assert out.strip() == f"added partner: {provider.url} ({PREFIX})"
    code, _, err = run(env, "harvest", "add", "partner", provider.url)
    assert code == 1
    assert "there is a harvest source named 'partner' already" in err
    code, _, err = run(env, "harvest", "add", "Bad Name", provider.url)
    assert code == 1
    assert "source name 'Bad Name'" in err
    code, _, err = run(env, "harvest", "add", "other", "ftp://example.org/oai")
    assert code == 1
    assert "give the provider's OAI-PMH base URL" in err

    code, out, err = run(env, "harvest", "run", "--json")
    assert code == 0, err
    [summary] = [json.loads(line) for line in out.splitlines()]
    assert (summary["source"], summary["status"], summary["added"], summary["pages"]) == ("partner", "ok", 2, 2)

    code, out, _ = run(env, "harvest", "list", "--json")
    assert code == 0
    [listed] = [json.loads(line) for line in out.splitlines()]
    assert listed["name"] == "partner"
    assert listed["in_progress"] is False
    assert listed["last_run"]["added"] == 2

    provider.add(
        identify(response_date=now + timedelta(seconds=5)),
        error("noRecordsMatch", request=listing, response_date=now + timedelta(seconds=5)),
    )
    code, out, _ = run(env, "harvest", "run", "partner")
    assert code == 0
    assert out.startswith(f"partner: ok, changes from {now:%Y-%m-%dT%H:%M:%SZ}: 1 pages")
    assert "0 added, 0 updated, 0 unchanged, 0 deleted, 0 failed" in out
    assert provider.requests[-1]["from"] == f"{now:%Y-%m-%dT%H:%M:%SZ}"

    code, _, err = run(env, "harvest", "run", "nobody")
    assert code == 1
    assert "no harvest source named 'nobody'" in err

    code, out, _ = run(env, "harvest", "remove", "partner")
    assert code == 0
    assert out.strip() == "removed partner: 2 datasets withdrawn"
    store = open_store(env["CATALOG_DATABASE_URL"])
    try:
        assert store.harvest_sources() == []
        for payload in (first, second):
            stored = store.dataset(f"partner.{REPOSITORY}.{payload.dataset.id}")
            assert stored is not None
            assert stored.visibility(utcnow() + timedelta(seconds=1)) is Visibility.DELETED
    finally:
        store.dispose()


def test_a_failing_source_makes_the_exit_status_1_and_says_why(tmp_path: Path, provider: Provider) -> None:
    env = {"CATALOG_DATABASE_URL": f"sqlite:///{tmp_path / 'catalog.sqlite'}"}
    now = utcnow()
    provider.add(
        identify(response_date=now),
        error(
            "cannotDisseminateFormat",
            "no such format",
            request={"verb": "ListRecords", "metadataPrefix": "oai_dc"},
            response_date=now,
        ),
    )
    assert run(env, "harvest", "add", "partner", provider.url, "--prefix", "oai_dc")[0] == 0
    code, out, err = run(env, "harvest", "run")
    assert code == 1
    assert out.startswith("partner: failed, everything: 0 pages")
    assert "the provider answered cannotDisseminateFormat: no such format" in err
