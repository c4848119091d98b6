"""Run-time machinery: guards, input specs, assumptions, events, the call policy."""
