"""Instagram: the queue (history table ``instagram_queue``), its two publishers (Graph API and the
hand-off to the operator's phone), caption rules for ``siaran check``, and the instaloader sync.

Importing this package registers the caption rules with ``siaran.project.EXTRA_CHECKS``.
"""

from . import captions  # noqa: F401 - registers the caption check
