"""The fault-injecting reliability suite (issue 5): scripted loopback faults against every codec.

``fault_server.py`` is the protocol-agnostic scripted server, ``wire.py`` holds one
``WireProtocol`` per codec (a new codec joins by adding one to ``PROTOCOLS``), ``conftest.py``
the callers (sync over httpx, async over aiohttp, httpx-async) and ``test_faults.py`` the scenarios.
"""
