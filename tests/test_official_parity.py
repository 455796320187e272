"""For the same arguments, our request body is byte for byte the one the official tzafon 2.44.1 client sends.

The official package is also imported as `tzafon`, so it runs in a subprocess with PYTHONPATH pointing at the
copy `scripts/install-official` puts in `.cache/official`. Each case is a Python expression giving the keyword
arguments; both sides evaluate it in the same namespace, so generators and tuples reach both clients unconsumed.
"""

from __future__ import annotations

import os
import sys
import json
import base64
import subprocess
from typing import Any, Dict, List
from pathlib import Path

import httpx
import pytest

from tzafon import Lightcone

from .test_wire_body import MESSAGES, COMPLETION, EVERY_FIELD, CONTENT_PARTS

pytestmark = pytest.mark.official

REPO = Path(__file__).resolve().parent.parent
OFFICIAL = REPO / ".cache" / "official"
OFFICIAL_VERSION = "2.44.1"

# JSON data both processes load into the namespace the case expressions are evaluated in.
SHARED: Dict[str, Any] = {"MESSAGES": MESSAGES, "CONTENT_PARTS": CONTENT_PARTS, "EVERY_FIELD": EVERY_FIELD}

USER = "{'role': 'user', 'content': 'Hi'}"

CASES: Dict[str, str] = {
    "minimal": f"dict(messages=[{USER}])",
    "every-field": "dict(EVERY_FIELD)",
    "every-field-not-streaming": (
        "{k: v for k, v in EVERY_FIELD.items() if k not in ('stream', 'stream_options')} | {'prompt_logprobs': 3}"
    ),
    "none-values": (
        f"dict(messages=[{USER}], model=None, stop=None, temperature=None, logprobs=None, seed=None,"
        " structured_outputs=None, tool_choice=None, tools=None, response_format=None, vllm_xargs=None)"
    ),
    "falsy-values": f"dict(messages=[{USER}], echo=False, temperature=0.0, user='', logit_bias={{}})",
    "tuples": (
        "dict(messages=({'role': 'user', 'content': ({'type': 'text', 'text': 'a'},)},),"
        " stop=('a', 'b'), bad_words=('x',), allowed_token_ids=(1, 2), stop_token_ids=(3,),"
        " documents=({'title': 't', 'text': 'x'},), logits_processors=('a.B',), vllm_xargs={'k': (1.5, 'y')},"
        " tools=({'type': 'function', 'function': {'name': 'f'}},))"
    ),
    "generators-and-ranges": (
        "dict(messages=(m for m in [{'role': 'user', 'content': (p for p in [{'type': 'text', 'text': 'a'}])},"
        " {'role': 'assistant', 'content': None, 'tool_calls': (c for c in [{'id': '1', 'type': 'function',"
        " 'function': {'name': 'f', 'arguments': '{}'}}])}]),"
        " allowed_token_ids=range(3), stop_token_ids=(i for i in [7, 8]),"
        " documents=(d for d in [{'title': 't', 'text': 'x'}]),"
        " tools=(t for t in [{'type': 'function', 'function': {'name': 'f'}}]))"
    ),
    "extra-body": (
        f"dict(messages=[{USER}], temperature=0.1, top_p=0.5,"
        " extra_body={'temperature': 0.9, 'session_id': 's', 'nested': {'a': [1, None]}})"
    ),
    "extra-body-only-new-keys": f"dict(messages=[{USER}], extra_body={{'thinking_token_budget': 10}})",
    "non-ascii": "dict(messages=[{'role': 'user', 'content': 'héllo 世界 שלום 🎉 \\u2028 \\x00'}], user='ñ')",
    "floats-and-big-ints": (
        f"dict(messages=[{USER}], temperature=1e-7, top_p=1.0, seed=9223372036854775807, priority=-5,"
        " logit_bias={'1': -100, '2': 0.30000000000000004})"
    ),
    "continue-final-message-explicit": (
        f"dict(messages=[{USER}, {{'role': 'assistant', 'content': 'Once'}}],"
        " continue_final_message=True, add_generation_prompt=False)"
    ),
    "all-messages": "dict(messages=list(MESSAGES.values()))",
    "user-parts": (
        "dict(messages=[{'role': 'user', 'content': [CONTENT_PARTS[k]"
        " for k in ('text', 'image_url', 'input_audio', 'file')]}])"
    ),
    "assistant-parts": (
        "dict(messages=[{'role': 'assistant', 'content': [CONTENT_PARTS['text'], CONTENT_PARTS['refusal']]}])"
    ),
}
CASES.update({f"message-{kind}": f"dict(messages=[MESSAGES[{kind!r}]])" for kind in MESSAGES})
CASES.update(
    {
        f"part-{kind}": f"dict(messages=[{{'role': 'reviewer', 'content': [CONTENT_PARTS[{kind!r}]]}}])"
        for kind in CONTENT_PARTS
    }
)

# Where we send something else on purpose (CONTRACT.md, "Bad input"): vLLM rejects continue_final_message with its
# default add_generation_prompt=true, so we send add_generation_prompt=false along.
CONTINUE_ALONE = f"dict(messages=[{USER}, {{'role': 'assistant', 'content': 'Once'}}], continue_final_message=True)"

# Runs in the subprocess against the official client: prints {case: base64 of the body it sent}.
RUNNER = """
import sys, json, base64
import httpx, tzafon

assert tzafon.__version__ == sys.argv[1], tzafon.__version__
data = json.loads(sys.stdin.read())
sent = []

def handler(request):
    sent.append(request.content)
    return httpx.Response(200, json={})

client = tzafon.Lightcone(
    api_key="k", base_url="http://testserver", max_retries=0,
    http_client=httpx.Client(transport=httpx.MockTransport(handler)),
)
bodies = {}
for name, source in data["cases"].items():
    sent.clear()
    client.chat.create_completion(**eval(source, dict(data["shared"])))
    bodies[name] = base64.b64encode(sent[0]).decode()
print(json.dumps({"file": tzafon.__file__, "bodies": bodies}))
"""


@pytest.fixture(scope="module")
def official_bodies() -> Dict[str, bytes]:
    if not (OFFICIAL / "tzafon" / "__init__.py").exists():
        pytest.skip(f"official tzafon {OFFICIAL_VERSION} is not installed: run ./scripts/install-official")
    env = {**os.environ, "PYTHONPATH": str(OFFICIAL)}
    completed = subprocess.run(
        [sys.executable, "-c", RUNNER, OFFICIAL_VERSION],
        input=json.dumps({"cases": {**CASES, "continue-alone": CONTINUE_ALONE}, "shared": SHARED}),
        capture_output=True,
        text=True,
        env=env,
        cwd=str(OFFICIAL),
        timeout=120,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr
    result = json.loads(completed.stdout)
    assert Path(result["file"]).resolve().is_relative_to(OFFICIAL.resolve()), result["file"]
    return {name: base64.b64decode(body) for name, body in result["bodies"].items()}


def our_body(source: str) -> bytes:
    sent: List[bytes] = []

    def handler(request: httpx.Request) -> httpx.Response:
        sent.append(request.content)
        if json.loads(request.content).get("stream") is True:
            return httpx.Response(200, content=b"data: [DONE]\n\n", headers={"content-type": "text/event-stream"})
        return httpx.Response(200, json=COMPLETION)

    with Lightcone(
        api_key="k",
        base_url="http://testserver",
        max_retries=0,
        http_client=httpx.Client(transport=httpx.MockTransport(handler)),
    ) as client:
        result: Any = client.chat.create_completion(**eval(source, json.loads(json.dumps(SHARED))))
        if hasattr(result, "close"):
            result.close()
    assert len(sent) == 1
    return sent[0]


@pytest.mark.parametrize("name", list(CASES))
def test_body_is_byte_for_byte_the_official_clients(official_bodies: Dict[str, bytes], name: str) -> None:
    ours = our_body(CASES[name])
    theirs = official_bodies[name]
    assert ours == theirs, f"\nours:   {ours.decode()}\ntheirs: {theirs.decode()}"


def test_continue_final_message_alone_differs_only_by_add_generation_prompt_false(
    official_bodies: Dict[str, bytes],
) -> None:
    theirs = official_bodies["continue-alone"]
    expected = theirs.replace(
        b'],"continue_final_message"', b'],"add_generation_prompt":false,"continue_final_message"'
    )
    assert expected != theirs
    assert our_body(CONTINUE_ALONE) == expected
