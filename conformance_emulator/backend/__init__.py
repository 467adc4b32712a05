"""The call model, apart from HTTP: the shared leg core (backend.py: legs in call trees, on virtual time
shared by the trees whose legs meet (clock.py, meeting.py), the scripted far ends, the notifier that calls
applications back, the length of the audio calls play in audio.py), the resources where legs meet, each
with its own state and events and one time for its members (bridges.py, queues.py, conferences.py; a
member whose leg ends leaves: membership.py), and one backend per API over the core (texml.py,
callcontrol.py), each keeping that API's calls, applications, queues and (TeXML) conferences, so no API
reaches another's by accident. Bridges link legs of any API and are the core's.

Controllers (conformance_emulator.controllers) drive legs and keep no more than each leg's own
state: they take what an API asks and call this backend (the Call Control driver bridges and queues
its legs through these resources; the TeXML interpreter holds its backend for the verbs that will).
The backend never imports them.
"""
