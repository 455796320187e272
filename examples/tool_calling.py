"""A tool-calling round trip: the model asks for a tool, we run it, and send the result back."""

import json
from typing import Any, Dict, List

from _setup import model, script, endpoint

from tzafon import Lightcone, omit
from tzafon.types import ChatCompletionToolParam, ChatCompletionMessageParam
from tzafon.testing import Reply, ToolCall


def get_weather(city: str) -> Dict[str, Any]:
    return {"city": city, "temperature_c": 18, "sky": "clear"}


TOOLS: List[ChatCompletionToolParam] = [
    {
        "type": "function",
        "function": {
            "name": "get_weather",
            "description": "Current weather for a city.",
            "parameters": {
                "type": "object",
                "properties": {"city": {"type": "string"}},
                "required": ["city"],
            },
        },
    }
]

base_url, api_key = endpoint()
script(
    Reply(tool_calls=[ToolCall(name="get_weather", arguments={"city": "Paris"})]),
    Reply(content="It is 18 °C and clear in Paris."),
)
messages: List[ChatCompletionMessageParam] = [{"role": "user", "content": "What's the weather in Paris?"}]
with Lightcone(base_url=base_url, api_key=api_key) as client:
    first = client.chat.create_completion(model=model() or omit, messages=messages, tools=TOOLS)
    message = first.choices[0].message
    calls = message.tool_calls or []
    print("model asked for:", [(c.function.name, c.function.arguments) for c in calls if c.type == "function"])
    messages.append(
        {
            "role": "assistant",
            "content": message.content,
            "tool_calls": [
                {
                    "id": c.id,
                    "type": "function",
                    "function": {"name": c.function.name, "arguments": c.function.arguments},
                }
                for c in calls
                if c.type == "function"
            ],
        }
    )
    for call in calls:
        if call.type == "function":
            result = get_weather(**json.loads(call.function.arguments))
            print("tool result:", result)
            messages.append({"role": "tool", "tool_call_id": call.id, "content": json.dumps(result)})
    final = client.chat.create_completion(model=model() or omit, messages=messages, tools=TOOLS)
    print("final answer:", final.choices[0].message.content)
