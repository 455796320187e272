"""Stream a reply token by token; the text appears as it is generated."""

from _setup import model, script, endpoint

from tzafon import Lightcone, omit
from tzafon.testing import Reply

base_url, api_key = endpoint()
script(
    Reply(
        reasoning="The user wants a short poem about the sea.",
        content="Waves fold the light, salt in the wind, the tide keeps time.",
    )
)
with Lightcone(base_url=base_url, api_key=api_key) as client:
    stream = client.chat.create_completion(
        model=model() or omit,
        messages=[{"role": "user", "content": "Write a one-line poem about the sea."}],
        stream=True,
        stream_options={"include_usage": True},
    )
    with stream:
        for chunk in stream:
            for choice in chunk.choices:
                if choice.delta.reasoning:
                    print(f"\x1b[2m{choice.delta.reasoning}\x1b[0m", end="", flush=True)
                if choice.delta.content:
                    print(choice.delta.content, end="", flush=True)
            if chunk.usage:
                print(f"\n[{chunk.usage.completion_tokens} tokens, request id {stream.request_id}]")
