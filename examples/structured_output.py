"""Constrain the output to a JSON schema, with `response_format` or vLLM's `structured_outputs`."""

import json

from _setup import model, script, endpoint

from tzafon import Lightcone, omit
from tzafon.testing import Reply

SCHEMA = {
    "type": "object",
    "properties": {"name": {"type": "string"}, "population_millions": {"type": "number"}},
    "required": ["name", "population_millions"],
}

base_url, api_key = endpoint()
script(
    Reply(content='{"name": "Tokyo", "population_millions": 37.4}'),
    Reply(content="positive"),
)
with Lightcone(base_url=base_url, api_key=api_key) as client:
    completion = client.chat.create_completion(
        model=model() or omit,
        messages=[{"role": "user", "content": "Give me the largest city in the world as JSON."}],
        response_format={"type": "json_schema", "json_schema": {"name": "city", "schema": SCHEMA}},
    )
    city = json.loads(completion.choices[0].message.content or "{}")
    print("response_format json_schema ->", city)

    sentiment = client.chat.create_completion(
        model=model() or omit,
        messages=[{"role": "user", "content": "Sentiment of: 'I love this SDK!'"}],
        structured_outputs={"choice": ["positive", "negative", "neutral"]},
    )
    print("structured_outputs choice ->", sentiment.choices[0].message.content)
