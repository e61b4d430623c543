"""Job workers (Cloud Tasks targets), one entry point per job kind and queue."""

from __future__ import annotations

import flask
import functions_framework

from functions._http import run_worker
from shared.bootstrap import container
from shared.jobs import WORKERS, Job


def _job(job: Job, request: flask.Request) -> tuple[str, int]:
    name = WORKERS[job]
    return run_worker(request, name, lambda task: container().handler(name)(task))


@functions_framework.http
def generate_worker(request: flask.Request) -> tuple[str, int]:
    return _job(Job.GENERATE, request)


@functions_framework.http
def translate_worker(request: flask.Request) -> tuple[str, int]:
    return _job(Job.TRANSLATE, request)


@functions_framework.http
def tts_worker(request: flask.Request) -> tuple[str, int]:
    return _job(Job.TTS, request)


@functions_framework.http
def stt_worker(request: flask.Request) -> tuple[str, int]:
    return _job(Job.STT, request)


@functions_framework.http
def email_worker(request: flask.Request) -> tuple[str, int]:
    return _job(Job.EMAIL, request)


@functions_framework.http
def taigi_worker(request: flask.Request) -> tuple[str, int]:
    return _job(Job.TAIGI, request)


@functions_framework.http
def care_worker(request: flask.Request) -> tuple[str, int]:
    return _job(Job.CARE, request)


@functions_framework.http
def report_worker(request: flask.Request) -> tuple[str, int]:
    return _job(Job.REPORT, request)
