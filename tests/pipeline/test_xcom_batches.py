"""How batches travel in XCom: compressed JSON that any JSON reader gets back exactly."""

from __future__ import annotations

import base64
import json
import re
import zlib

import pytest
from airflow.sdk.exceptions import AirflowException
from hypothesis import given
from hypothesis import strategies as st

from alibaba_jupiterone.operators.batches import FORMAT, decode_batch, encode_batch

JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.text(),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(), children, max_size=4),
    max_leaves=20,
)


@given(st.lists(JSON_VALUES, max_size=20))
def test_a_batch_comes_back_exactly(items):
    value = encode_batch(items)

    assert decode_batch(json.loads(json.dumps(value))) == items
    assert (value["format"], value["count"]) == (FORMAT, len(items))


def test_the_data_is_plain_json_once_decompressed():
    items = [{"_key": "i-1234567890", "name": "数据库", "cpu": 2, "tags": ["a", "b"], "ratio": 0.5}]

    data = zlib.decompress(base64.b64decode(encode_batch(items)["data"]))

    assert json.loads(data) == items


@pytest.mark.parametrize("value", [None, [{"_key": "x"}], {"format": "json", "data": ""}])
def test_anything_else_is_refused_naming_the_format(value):
    with pytest.raises(AirflowException, match=re.escape(FORMAT)):
        decode_batch(value)
