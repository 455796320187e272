"""A plain chat completion with the synchronous client."""

from _setup import model, endpoint

from tzafon import Lightcone, omit

base_url, api_key = endpoint()
with Lightcone(base_url=base_url, api_key=api_key) as client:
    completion = client.chat.create_completion(
        model=model() or omit,
        messages=[
            {"role": "system", "content": "You answer in one sentence."},
            {"role": "user", "content": "What is the capital of France?"},
        ],
        max_completion_tokens=64,
    )
    choice = completion.choices[0]
    print("reply:", choice.message.content)
    print("finish_reason:", choice.finish_reason, "| request id:", completion._request_id)
    if completion.usage:
        print("tokens:", completion.usage.prompt_tokens, "in,", completion.usage.completion_tokens, "out")
