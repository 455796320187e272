"""Typed errors and automatic retries (the local server fails twice with 503 before answering)."""

import logging

from _setup import model, script, endpoint

import tzafon
from tzafon import Lightcone, omit
from tzafon.testing import Fail

logging.basicConfig(format="  log: %(message)s")
logging.getLogger("tzafon").setLevel(logging.INFO)  # or LIGHTCONE_LOG=info

base_url, api_key = endpoint()
script(Fail(status=503, retry_after_ms=200), Fail(status=503, retry_after_ms=200))
with Lightcone(base_url=base_url, api_key=api_key, max_retries=3) as client:
    completion = client.chat.create_completion(
        model=model() or omit, messages=[{"role": "user", "content": "Are you there?"}]
    )
    print("after retries:", completion.choices[0].message.content)

    script(Fail(status=404, message="The model `no-such-model` does not exist."))
    try:
        client.chat.create_completion(model="no-such-model", messages=[{"role": "user", "content": "Hi"}])
    except tzafon.NotFoundError as err:
        print(f"NotFoundError: status={err.status_code} message={err.message!r} request_id={err.request_id}")

    try:
        client.chat.create_completion(messages=[{"role": "user", "content": "Hi"}], top_logprobs=5)
    except ValueError as err:
        print("caught before sending:", err)

unreachable = Lightcone(base_url="http://127.0.0.1:9", api_key="k", max_retries=0)
try:
    unreachable.chat.create_completion(messages=[{"role": "user", "content": "Hi"}])
except tzafon.APIConnectionError as err:
    print("APIConnectionError:", err)
