"""The embedding service (embedlab.service): its API contract, parity with in-process vectors, no mix-ups between
batched requests, and a runner that starts and stops it cleanly (no orphan, never another process)."""

from __future__ import annotations

import base64
import os
import signal
import socket
import subprocess
import sys
import textwrap
import time
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest

from embedlab.service import (MAX_ITEMS, ModelInfo, RequestError, encode_vectors, free_port, start_process,
                              start_service, validate_request)

MODEL = "all-MiniLM-L6-v2"
INFO = {MODEL: ModelInfo(MODEL, 384, 256), "e5": ModelInfo("e5", 384, 512, "query: ", "passage: ")}


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # a zombie (exited, not yet reaped by a parent that is not us) counts as gone
    try:
        with open(f"/proc/{pid}/stat", encoding="utf-8") as handle:
            return handle.read().split(") ")[1][0] != "Z"
    except OSError:
        return True


# ------------------------------------------------------------------------------------------ validation (no model)
BAD = [
    ({"model": MODEL, "input": []}, 400, "empty list"),
    ({"model": MODEL, "input": ""}, 400, "empty string"),
    ({"model": MODEL, "input": ["ok", "  "]}, 400, "item 1 is an empty string"),
    ({"model": MODEL, "input": ["a"] * (MAX_ITEMS + 1)}, 400, f"at most {MAX_ITEMS}"),
    ({"model": MODEL, "input": "x" * 30_000}, 400, "characters"),
    ({"model": MODEL, "input": [1, 2]}, 400, "token ids"),
    ({"model": MODEL, "input": ["ok", None]}, 400, "item 1 is null"),
    ({"model": MODEL, "input": 42}, 400, "string or a list of strings"),
    ({"model": MODEL, "input": {"text": "x"}}, 400, "not an object"),
    ({"model": "text-embedding-3-small", "input": "x"}, 404, "unknown model 'text-embedding-3-small'"),
    ({"model": 3, "input": "x"}, 400, "'model' must be a string"),
    ({"input": "x"}, 400, "missing field 'model'"),
    ({"model": MODEL}, 400, "missing field 'input'"),
    ({"model": MODEL, "input": "x", "dimensions": 0}, 400, "from 1 to 384"),
    ({"model": MODEL, "input": "x", "dimensions": 385}, 400, "from 1 to 384"),
    ({"model": MODEL, "input": "x", "dimensions": "64"}, 400, "whole number"),
    ({"model": MODEL, "input": "x", "dimensions": 64.0}, 400, "whole number"),
    ({"model": MODEL, "input": "x", "dimensions": True}, 400, "whole number"),
    ({"model": MODEL, "input": "x", "encoding_format": "int8"}, 400, "'float' or 'base64'"),
    ({"model": MODEL, "input": "x", "input_type": "question"}, 400, "'input_type'"),
    ({"model": MODEL, "input": "x", "dimension": 64}, 400, "unknown field 'dimension'"),
    ({"model": MODEL, "input": "x", "user": 7}, 400, "'user' must be a string"),
    (["x"], 400, "JSON object"),
]


@pytest.mark.parametrize("body, status, words", BAD, ids=[w for _, _, w in BAD])
def test_validate_rejects_with_a_message(body, status, words) -> None:
    with pytest.raises(RequestError) as caught:
        validate_request(body, INFO)
    assert caught.value.status == status
    assert words in caught.value.message, caught.value.message


def test_validate_accepts_and_adds_prompts() -> None:
    job = validate_request({"model": "e5", "input": ["a", "b"], "input_type": "query", "dimensions": 8,
                            "encoding_format": "base64", "user": "me"}, INFO)
    assert job.texts == ["query: a", "query: b"] and job.kind == "query"
    assert (job.dimensions, job.encoding_format) == (8, "base64")
    assert validate_request({"model": "e5", "input": "a", "input_type": "document"}, INFO).texts == ["passage: a"]
    assert validate_request({"model": "e5", "input": "a"}, INFO).texts == ["a"]          # as sent
    assert validate_request({"model": MODEL, "input": "a", "input_type": "query"}, INFO).texts == ["a"]  # no prompt


def test_encode_vectors_base64_and_dimensions() -> None:
    rng = np.random.default_rng(0)
    v = rng.normal(size=(3, 384)).astype(np.float32)
    v /= np.linalg.norm(v, axis=1, keepdims=True)
    decoded = np.stack([np.frombuffer(base64.b64decode(s), dtype="<f4") for s in encode_vectors(v, "base64", None)])
    assert np.array_equal(decoded, v)
    cut = np.asarray(encode_vectors(v, "float", 16))
    assert cut.shape == (3, 16)
    assert np.allclose(np.linalg.norm(cut, axis=1), 1, atol=1e-6)
    assert np.allclose(cut, v[:, :16] / np.linalg.norm(v[:, :16], axis=1, keepdims=True), atol=1e-6)


# ------------------------------------------------------------------------------------------ the real service
@pytest.fixture(scope="module")
def service():
    with start_service(MODEL, batching=True) as running:
        yield running
    assert not alive(running.pid)


@pytest.fixture(scope="module")
def reference():
    from sentence_transformers import SentenceTransformer

    from embedlab.models import model_path

    return SentenceTransformer(model_path(MODEL), device="cpu")


def test_health_and_models(service) -> None:
    import httpx

    health = httpx.get(f"{service.url}/health").json()
    assert health["status"] == "ok" and health["models"] == [MODEL] and health["pid"] == service.pid
    listed = httpx.get(f"{service.base_url}/models").json()["data"]
    assert [m["id"] for m in listed] == [MODEL] and listed[0]["dimensions"] == 384


@pytest.mark.parametrize("body, status, words", BAD + [
    ({"model": MODEL, "input": "embedding " * 300}, 400, "tokens long"),
], ids=[w for _, _, w in BAD] + ["over the token limit"])
def test_every_bad_request_gets_a_4xx_with_a_message(service, body, status, words) -> None:
    import httpx

    r = httpx.post(f"{service.base_url}/embeddings", json=body, timeout=60)
    assert r.status_code == status, r.text
    assert words in r.json()["error"]["message"]


@pytest.mark.parametrize("raw", [b"{input: x}", b"", "{\"input\": \"caf\xe9\"}".encode("latin-1")],
                         ids=["not-json", "empty-body", "not-utf8"])
def test_malformed_body_is_a_400(service, raw) -> None:
    import httpx

    r = httpx.post(f"{service.base_url}/embeddings", content=raw, headers={"Content-Type": "application/json"})
    assert r.status_code == 400 and "not valid JSON" in r.json()["error"]["message"]


def test_unknown_route_is_a_4xx(service) -> None:
    import httpx

    assert httpx.get(f"{service.url}/v2/nothing").status_code == 404
    r = httpx.get(f"{service.base_url}/embeddings")
    assert r.status_code == 405 and "POST /v1/embeddings" in r.json()["error"]["message"]


def test_parity_with_in_process_vectors(service, reference) -> None:
    from openai import OpenAI

    texts = ["Embeddings map text to vectors.", "向量数据库存储嵌入。", "a third, shorter one"]
    want = reference.encode(texts, normalize_embeddings=True)
    client = OpenAI(base_url=service.base_url, api_key="unused")
    b64 = np.asarray([d.embedding for d in client.embeddings.create(model=MODEL, input=texts).data])
    floats = np.asarray([d.embedding for d in client.embeddings.create(model=MODEL, input=texts,
                                                                       encoding_format="float").data])
    assert np.abs(b64 - want).max() < 1e-5 and np.abs(floats - want).max() < 1e-5
    cut = np.asarray([d.embedding for d in client.embeddings.create(model=MODEL, input=texts, dimensions=32,
                                                                    encoding_format="float").data])
    assert np.abs(cut - want[:, :32] / np.linalg.norm(want[:, :32], axis=1, keepdims=True)).max() < 1e-5
    single = client.embeddings.create(model=MODEL, input=texts[0]).data
    assert len(single) == 1 and np.abs(np.asarray(single[0].embedding) - want[0]).max() < 1e-5


def test_concurrent_requests_each_get_their_own_answer(service, reference) -> None:
    """64 clients at once, requests of 1 to 5 texts: every row of every answer is the vector of its own text."""
    import httpx

    rng = np.random.default_rng(1)
    words = "vector search model service batch latency token query passage cosine index memory".split()
    requests = [[f"request {i} text {j}: " + " ".join(rng.choice(words, size=6)) for j in range(1 + i % 5)]
                for i in range(96)]
    answers: dict[int, np.ndarray] = {}
    with httpx.Client(timeout=300, limits=httpx.Limits(max_connections=64)) as http:
        def one(i):
            r = http.post(f"{service.base_url}/embeddings", json={"model": MODEL, "input": requests[i]})
            assert r.status_code == 200, r.text
            data = r.json()["data"]
            assert [d["index"] for d in data] == list(range(len(requests[i])))
            answers[i] = np.asarray([d["embedding"] for d in data], dtype=np.float32)

        before = httpx.get(f"{service.url}/health").json()
        with ThreadPoolExecutor(64) as pool:
            list(pool.map(one, range(len(requests))))
        after = httpx.get(f"{service.url}/health").json()
    assert len(answers) == len(requests)
    flat = [t for texts in requests for t in texts]
    want = reference.encode(flat, normalize_embeddings=True)
    row = 0
    for i, texts in enumerate(requests):
        assert np.abs(answers[i] - want[row:row + len(texts)]).max() < 1e-5, f"request {i} got someone else's rows"
        row += len(texts)
    assert after["requests"] - before["requests"] == len(requests)
    assert after["texts"] - before["texts"] == len(flat)
    # requests were batched together (fewer forward passes than requests), never beyond max_batch texts
    assert after["forward_passes"] - before["forward_passes"] < len(requests)
    assert after["largest_batch"] <= 64


# ------------------------------------------------------------------------------------------ the runner
def http_server_command(port: int) -> list[str]:
    return [sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1"]


def test_runner_stops_the_process_also_when_the_block_fails(tmp_path) -> None:
    port = free_port()
    with pytest.raises(ZeroDivisionError):
        with start_process(http_server_command(port), name="test-http", port=port, health_path="/") as running:
            pid = running.pid
            assert alive(pid)
            1 / 0
    assert not alive(pid)
    assert running.process.returncode is not None


def test_runner_refuses_a_busy_port_and_leaves_its_owner_alone() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        port = sock.getsockname()[1]
        with pytest.raises(RuntimeError, match=f"port {port} .* already in use"):
            with start_service(MODEL, port=port):
                pass
        sock.settimeout(2)   # the listener (standing for a learner's own server) still accepts connections
        client = socket.create_connection(("127.0.0.1", port), timeout=2)
        conn, _ = sock.accept()
        conn.close()
        client.close()


def test_runner_reports_a_server_that_dies() -> None:
    port = free_port()
    with pytest.raises(RuntimeError, match="exited with code 3"):
        with start_process([sys.executable, "-c", "import sys; print('boom'); sys.exit(3)"], name="test-dies",
                           port=port):
            pass


@pytest.mark.parametrize("kwargs, error", [({"host": "0.0.0.0"}, "loopback"), ({"port": 80}, "1024 to 65535")])
def test_runner_rejects_bad_arguments(kwargs, error) -> None:
    args = {"name": "x", "port": free_port(), **kwargs}
    with pytest.raises(ValueError, match=error):
        with start_process(http_server_command(args["port"]), **args):
            pass


def test_no_orphan_when_the_starting_process_is_killed(tmp_path) -> None:
    """A kernel that dies (SIGKILL: no atexit, no finally) takes its server with it."""
    pid_file = tmp_path / "pid"
    script = textwrap.dedent(f"""
        import os, sys, time
        from embedlab.service import start_process, free_port
        port = free_port()
        cm = start_process([sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1"],
                           name="test-orphan", port=port, health_path="/")
        server = cm.__enter__()
        open({str(pid_file)!r}, "w").write(str(server.pid))
        time.sleep(600)
    """)
    parent = subprocess.Popen([sys.executable, "-c", script])
    try:
        deadline = time.monotonic() + 120
        while not (pid_file.exists() and pid_file.read_text()) and time.monotonic() < deadline:
            time.sleep(0.2)
        child = int(pid_file.read_text())
        assert alive(child)
        os.kill(parent.pid, signal.SIGKILL)
        parent.wait(10)
        deadline = time.monotonic() + 20
        while alive(child) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert not alive(child), f"server {child} outlived the process that started it"
    finally:
        if parent.poll() is None:
            parent.kill()


def test_token_counting_never_shares_a_tokenizer_with_the_forward_thread() -> None:
    """Regression: counting tokens on the event loop while the forward thread padded a batch with the same fast
    tokenizer raised "expected sequence of length ..." (a 500) under load. Hammer both at once."""
    import threading

    from embedlab.service import Embedder

    embedder = Embedder([MODEL])
    assert embedder.counting_tokenizers[MODEL] is not embedder.models[MODEL].tokenizer
    texts = [("short " * (i % 7 + 1)).strip() for i in range(16)]
    errors: list[BaseException] = []
    stop = threading.Event()

    def count() -> None:
        while not stop.is_set():
            try:
                embedder.token_counts(MODEL, texts[:3])
            except BaseException as err:  # noqa: BLE001 - collected and reported below
                errors.append(err)

    counter = threading.Thread(target=count)
    counter.start()
    try:
        for _ in range(40):
            assert embedder._forward(MODEL, texts).shape == (16, 384)
    finally:
        stop.set()
        counter.join()
    assert not errors, f"token counting failed while a forward pass ran: {errors[0]!r}"
