"""The whole pipeline on emulators: signed webhook -> Firestore (dedupe) -> Cloud Tasks
emulator -> worker functions over HTTP -> real LINE/Telegram SDKs -> fake platforms.

Auth runs the production path: each task carries an ID token of the invoker account
for its worker's URL (minted by a local key, as Cloud Tasks would attach it), the
functions host checks it and strips its signature as Cloud Run does, and the workers
run with WORKER_AUTH=oidc."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from infra.local.functions_host import FunctionsHost
from infra.local.platforms import PlatformServer, PlatformState
from shared.adapters.local_identity import LocalIdentity
from shared.bootstrap import Container, using
from tests.support import test_settings

INVOKER = "medbot-tasks-invoker@medbot-test.iam.gserviceaccount.com"


class Stack:
    def __init__(self, platform: PlatformServer, container: Container) -> None:
        self.platform = platform
        self.state: PlatformState = platform.state
        self.container = container

    def wait_for(self, check: Callable[[], Any], timeout: float = 30.0) -> Any:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            value = check()
            if value:
                return value
            time.sleep(0.1)
        raise AssertionError("the bot did not answer in time")

    def bot_texts(self, channel: str, user: str) -> list[str]:
        return self.state.bot_texts(channel, user)  # type: ignore[arg-type]


@pytest.fixture
def stack(firestore_project: str, tasks_emulator: Any) -> Iterator[Stack]:
    functions = FunctionsHost()
    state = PlatformState(
        line_webhook_url=f"{functions.url}/line_webhook",
        telegram_webhook_url=f"{functions.url}/telegram_webhook",
    )
    platform = PlatformServer(state).start()
    settings = test_settings(
        gcp_project=firestore_project, store_backend="firestore",
        tasks_backend="cloudtasks", cloud_tasks_emulator_host=tasks_emulator.host,
        worker_base_url=functions.url, worker_auth="oidc", tasks_invoker_sa=INVOKER,
        local_identity_key=LocalIdentity.generate().private_key_pem, movable_clock=True,
        line_channel_secret=state.line_channel_secret,
        line_channel_access_token=state.line_access_token,
        line_api_base_url=platform.url, line_data_api_base_url=platform.url,
        telegram_bot_token=state.telegram_token, telegram_webhook_secret=state.telegram_secret,
        telegram_api_base_url=platform.telegram_base_url,
        telegram_file_base_url=platform.telegram_file_url,
    )
    # The tasks emulator's queues live in its own project; point the queue there.
    container = Container(settings)
    from shared.adapters.cloud_tasks_queue import CloudTasksQueue

    container.__dict__["tasks"] = CloudTasksQueue(
        tasks_emulator.project, tasks_emulator.location, functions.url,
        oidc_service_account=INVOKER, emulator_host=tasks_emulator.host,
        emulator_id_token=lambda audience: container.local_identity.mint(INVOKER, audience))
    # The platforms fetch the audio the bot links to (voice note size and format).
    state.media = lambda url: getattr(container.blobs, "open_signed_url", lambda _: None)(url)
    functions.start()
    with using(container):
        yield Stack(platform, container)
    platform.stop()
    functions.stop()
