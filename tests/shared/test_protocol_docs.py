"""The committed JSON Schemas under docs/protocol/ are the ones the models generate today."""

from __future__ import annotations

import json

from shared.envelope import json_schemas
from tests.support.paths import REPO_ROOT

DOCS = REPO_ROOT / "docs" / "protocol"


def test_committed_schemas_are_current() -> None:
    generated = json_schemas()
    committed = {path.stem: json.loads(path.read_text()) for path in DOCS.glob("*.json")}
    assert set(committed) == set(generated), "docs/protocol/ must hold one schema per kind"
    stale = sorted(kind for kind, schema in generated.items() if committed[kind] != schema)
    assert not stale, f"docs/protocol/ is stale for {stale}: run `make schemas`"


def test_every_kind_is_documented_in_the_protocol_page() -> None:
    page = (DOCS.parent / "protocol.md").read_text()
    missing = [kind for kind in json_schemas() if f"`{kind}`" not in page]
    assert not missing, f"docs/protocol.md does not describe {missing}"
