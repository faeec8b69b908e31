"""The service layer: every money movement, each in one database transaction.

Functions take the running ``Platform`` and validated values, and return a ``Reply``
(status and contract JSON) or raise ``ApiError``. The HTTP layer only parses and routes.
"""
