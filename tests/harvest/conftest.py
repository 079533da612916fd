"""Fixtures for the harvester's tests: a scripted OAI-PMH provider that reports a script it was not asked to
follow, unless the test failed already (then the test's own failure is the one to read)."""

from collections.abc import Generator, Iterator

import pytest

from tests.harvest.provider import Provider

CALL_FAILED = pytest.StashKey[bool]()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    report = yield
    if report.when == "call":
        item.stash[CALL_FAILED] = report.failed
    return report


@pytest.fixture
def provider(request: pytest.FixtureRequest) -> Iterator[Provider]:
    """A scripted provider, open for the test: add its steps with `provider.add`."""
    opened = Provider().__enter__()
    yield opened
    opened.close(check_unused=not request.node.stash.get(CALL_FAILED, True))
