"""One versioning rule for every cache (siaran.content.cache): the key covers the data and the code that
computed it, found by following imports (no hand-kept list can miss content/rows.py or openpyxl)."""

from __future__ import annotations

import pytest

from siaran.content import cache

LISTS = ("siaran.content.lists", "siaran.content.list_store")


@pytest.fixture(autouse=True)
def fresh():
    cache.version.cache_clear()
    yield
    cache.version.cache_clear()


def test_the_list_cache_covers_its_whole_reader():
    own, others = cache._closure(LISTS)
    assert {"siaran.content.rows", "siaran.content.phones", "siaran.content.list_store"} <= own  # late imports too
    assert {"openpyxl", "phonenumbers"} <= others and not {"csv", "zipfile", "json"} & others  # stdlib is Python's


def test_the_version_moves_with_any_module_or_package_it_covers(monkeypatch):
    before = cache.version(*LISTS)
    source = cache._source
    monkeypatch.setattr(cache, "_source", lambda m: source(m) + b"#" if m == "siaran.content.rows" else source(m))
    cache.version.cache_clear()
    edited = cache.version(*LISTS)
    monkeypatch.setattr(cache, "_source", source)
    stamp = cache.installed_stamp
    monkeypatch.setattr(cache, "installed_stamp", lambda p, *a: "new" if p == "openpyxl" else stamp(p, *a))
    cache.version.cache_clear()
    upgraded = cache.version(*LISTS)
    assert len({before, edited, upgraded}) == 3


def test_keys_cover_the_data_and_the_code():
    assert cache.key("v1", "ID", b"data") == cache.key("v1", "ID", b"data")
    assert len({cache.key("v1", "ID", b"data"), cache.key("v2", "ID", b"data"), cache.key("v1", "ID", b"datb")}) == 3
    assert cache.installed_stamp("no_such_package_anywhere") == ""
