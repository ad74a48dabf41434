"""The command line: parses, dispatches and renders. The work happens in scanner/ and rotator/."""
