"""Thin Starlette routers, one per API, over the backend and its controllers."""
