"""Many requests at once from one async client, with a bound on how many are in flight."""

import time
import asyncio

from _setup import model, endpoint

from tzafon import AsyncLightcone, omit

QUESTIONS = [f"What is {n} squared?" for n in range(1, 21)]
MAX_IN_FLIGHT = 5


async def main() -> None:
    base_url, api_key = endpoint()
    limit = asyncio.Semaphore(MAX_IN_FLIGHT)
    async with AsyncLightcone(base_url=base_url, api_key=api_key) as client:

        async def ask(question: str) -> str:
            async with limit:
                completion = await client.chat.create_completion(
                    model=model() or omit, messages=[{"role": "user", "content": question}]
                )
                return completion.choices[0].message.content or ""

        started = time.perf_counter()
        answers = await asyncio.gather(*(ask(q) for q in QUESTIONS))
        elapsed = time.perf_counter() - started
    for question, answer in list(zip(QUESTIONS, answers))[:3]:
        print(f"{question} -> {answer}")
    print(f"... {len(answers)} answers, at most {MAX_IN_FLIGHT} in flight, in {elapsed:.2f} s")


asyncio.run(main())
