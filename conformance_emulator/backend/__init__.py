"""The call model, apart from HTTP: the shared leg core (backend.py: legs in call trees, on virtual time
shared by the trees whose legs meet (clock.py, meeting.py), the scripted far ends, the notifier that calls
applications back, the length of the audio calls play in audio.py) and one backend per API over it
(texml.py, callcontrol.py), each keeping that API's calls and applications, so no API reaches another's
by accident.

Controllers (conformance_emulator.controllers) drive legs; the backend never imports them.
"""
