"""Stream a reply with the async client, and stop early: closing the stream cancels generation."""

import asyncio

from _setup import model, endpoint

from tzafon import AsyncLightcone, omit


async def main() -> None:
    base_url, api_key = endpoint()
    async with AsyncLightcone(base_url=base_url, api_key=api_key) as client:
        stream = await client.chat.create_completion(
            model=model() or omit,
            messages=[{"role": "user", "content": "Count from one to twenty in words, please."}],
            stream=True,
        )
        received = 0
        async with stream:
            async for chunk in stream:
                for choice in chunk.choices:
                    text = choice.delta.content or ""
                    print(text, end="", flush=True)
                    received += len(text)
                if received > 40:
                    print("\n[enough: leaving the loop closes the stream and the server stops generating]")
                    break


asyncio.run(main())
