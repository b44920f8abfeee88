"""Playbooks as code: versioned files that attach to incidents, tell each role
what is due, run the safe steps, and gate resolution on recovery checks."""
