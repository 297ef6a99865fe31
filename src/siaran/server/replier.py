"""The replier: one thread that sends the conversation's replies through the delivery engine, so a
slow provider (or a Fonnte/WAHA human-paced gap) never holds up the webhook listener or the inbox.
Replies recorded but not sent when the program stopped go first at the next start."""

from __future__ import annotations

import logging
import queue

from ..app import App
from ..delivery import eventloop
from ..delivery.replies import Reply, send_replies
from ..history import contacts
from .worker import QueueWorker

log = logging.getLogger(__name__)


class Replier(QueueWorker):
    thread_name = "siaran-replier"

    def __init__(self, app: App):
        self.root, self.settings, self.clock = app.root, app.settings, app.clock
        super().__init__()
        self.sent = 0

    def put(self, reply: Reply) -> None:
        self._q.put(reply)

    def _run(self) -> None:
        app = App(root=self.root, settings=self.settings, clock=self.clock)  # its own history connection
        try:
            left = [Reply.from_json(r) for r in contacts.unsent_replies(app.db)]
            if left:
                self._send(app, left)
            while True:
                items = [self._q.get()]
                while items[-1] is not None:
                    try:
                        items.append(self._q.get_nowait())
                    except queue.Empty:
                        break
                try:
                    replies = [r for r in items if r is not None]
                    if replies:
                        self._send(app, replies)
                finally:
                    for _ in items:
                        self._q.task_done()
                if items[-1] is None:
                    return
        finally:
            if "db" in app.__dict__:
                app.db.close()

    def _send(self, app: App, replies: list[Reply]) -> None:
        try:
            summary = eventloop.run(send_replies(app, replies))
            self.sent += summary.sent
        except Exception:  # the rows stay queued: sent at the next start
            log.exception("could not send %d auto-replies", len(replies))
