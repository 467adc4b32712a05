"""The call model, apart from HTTP: legs in call trees on one virtual clock, the scripted far ends,
the store of calls and applications, and the notifier that calls applications back.

Controllers (conformance_emulator.controllers) drive legs; the backend never imports them.
"""
