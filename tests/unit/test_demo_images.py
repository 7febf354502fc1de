"""The demo's pictures: /demo/images/ over HTTP, and the files bot's answer that links to one."""

from __future__ import annotations

import json

import pytest
import requests

from coze_desktop.demo import DEMO_TOKEN, DemoServer
from coze_desktop.demo.images import demo_image, image_info


def _chat(server: DemoServer, question: str, bot_id: str = "demo-files") -> str:
    """A bot's whole answer to ``question`` (streamed)."""
    body = {
        "bot_id": bot_id,
        "user_id": "u1",
        "stream": True,
        "additional_messages": [
            {"role": "user", "content": question, "content_type": "text", "type": "question"}
        ],
    }
    response = requests.post(
        f"{server.url}/v3/chat", json=body, headers={"Authorization": f"Bearer {DEMO_TOKEN}"}, timeout=10
    )
    raw = response.content.decode()
    for block in raw.split("\n\n"):
        lines = dict(line.split(":", 1) for line in block.splitlines() if ":" in line)
        if lines.get("event") == "conversation.message.completed":
            data = json.loads(lines["data"])
            if data.get("type") == "answer":
                return str(data["content"])
    raise AssertionError(f"no answer in {raw[:300]}")


def test_the_demo_serves_its_chart_without_a_token(demo_fast: DemoServer) -> None:
    response = requests.get(f"{demo_fast.url}/demo/images/chart.png", timeout=10)
    assert response.status_code == 200 and response.headers["Content-Type"] == "image/png"
    assert response.content == demo_image("chart.png") and image_info(response.content) == ("PNG", 480, 300)
    assert requests.get(f"{demo_fast.url}/demo/images/missing.png", timeout=10).status_code == 404


@pytest.mark.parametrize(
    ("question", "name"),
    [
        ("Show me a picture", "chart.png"),
        ("给我看一张图片", "chart.png"),
        ("Show me a slow picture", "slow.png"),
        ("Show me a broken image", "missing.png"),
    ],
)
def test_the_files_bot_answers_with_a_picture_of_the_server_it_was_asked(
    demo_fast: DemoServer, question: str, name: str
) -> None:
    answer = _chat(demo_fast, question)
    assert f"]({demo_fast.url}/demo/images/{name})" in answer


def test_the_general_assistant_shows_the_chart_too(demo_fast: DemoServer) -> None:
    assert f"]({demo_fast.url}/demo/images/chart.png)" in _chat(
        demo_fast, "Show me a picture", "demo-general"
    )
    assert "/demo/images/" not in _chat(demo_fast, "Show me a Markdown table", "demo-general")


def test_other_questions_still_get_the_hint(demo_fast: DemoServer) -> None:
    assert "Attach an image" in _chat(demo_fast, "hello")
    assert "请附上图片或文件" in _chat(demo_fast, "看看这张图")  # a suggested question: still the hint
