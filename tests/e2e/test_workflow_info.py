"""A workflow's name and description (``GET /v1/workflows/{id}``) over real HTTP from the demo server."""

from __future__ import annotations

import pytest

from coze_desktop.api import CozeClient
from coze_desktop.api.errors import CozeAPIError, ErrorKind
from coze_desktop.demo.server import DEMO_TOKEN, DemoServer


def test_workflow_info_gives_name_and_description(demo_fast: DemoServer) -> None:
    with CozeClient(DEMO_TOKEN, demo_fast.url) as client:
        info = client.get_workflow_info("demo-weather")
        chatflow = client.get_workflow_info("demo-chatflow")
    assert info.workflow_id == "demo-weather"
    assert info.name == "天气查询 / Weather"
    assert "穿衣建议" in info.description
    assert info.app_id == ""
    assert chatflow.app_id == "demo-app"


def test_unknown_workflow_is_not_found(demo_fast: DemoServer) -> None:
    with CozeClient(DEMO_TOKEN, demo_fast.url) as client, pytest.raises(CozeAPIError) as caught:
        client.get_workflow_info("no-such-workflow")
    assert caught.value.code == 4200
    assert caught.value.kind is ErrorKind.NOT_FOUND


def test_blank_workflow_id_is_refused_before_a_request(demo_fast: DemoServer) -> None:
    with CozeClient(DEMO_TOKEN, demo_fast.url) as client, pytest.raises(ValueError):
        client.get_workflow_info("  ")
