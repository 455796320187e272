"""A plain chat completion with the async client."""

import asyncio

from _setup import model, endpoint

from tzafon import AsyncLightcone, omit


async def main() -> None:
    base_url, api_key = endpoint()
    async with AsyncLightcone(base_url=base_url, api_key=api_key) as client:
        completion = await client.chat.create_completion(
            model=model() or omit,
            messages=[{"role": "user", "content": "Name three primary colours."}],
        )
        print("reply:", completion.choices[0].message.content)


asyncio.run(main())
