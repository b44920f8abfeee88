"""ChatOps: work an incident from a chat tool (Slack first) as from the console."""
