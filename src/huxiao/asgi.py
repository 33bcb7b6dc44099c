"""The ASGI application uvicorn serves (``huxiao serve``). See ``core.asgi_handler`` for why it is not
Django's stock handler."""

import gc
import os

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "huxiao.settings")
django.setup(set_prefix=False)

from django.urls import get_resolver  # noqa: E402

from huxiao.core.asgi_handler import HuxiaoASGIHandler  # noqa: E402  (needs the apps loaded)

application = HuxiaoASGIHandler()

# What is loaded by now (Django, the apps, the URL conf and the views it imports) lives as long as the
# process: move it out of the cyclic collector's way. A full collection then scans what requests made,
# not the whole framework: measured under 200 releases/s, a worker's full collections took 80–105 ms
# before (the p99 of bench/gate.py at that rate, issue #4) and 4–5 ms after.
get_resolver().url_patterns  # noqa: B018  (imports every view now rather than at the first request)
gc.collect()
gc.freeze()
