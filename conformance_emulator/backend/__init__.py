"""The call model, apart from HTTP: legs in call trees, on virtual time shared by the trees whose legs
meet (clock.py, meeting.py), the scripted far ends,
the store of calls and applications, the notifier that calls applications back, and the length of the
audio calls play (backend/audio.py).

Controllers (conformance_emulator.controllers) drive legs; the backend never imports them.
"""
