"""The ASGI application uvicorn serves (``huxiao serve``). See ``core.asgi_handler`` for why it is not
Django's stock handler."""

import os

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "huxiao.settings")
django.setup(set_prefix=False)

from huxiao.core.asgi_handler import HuxiaoASGIHandler  # noqa: E402  (needs the apps loaded)

application = HuxiaoASGIHandler()
