"""Alert intake: receivers, routing rules, dedup, grouping, silences and the
monitoring switch. Alerts come in here and leave as incidents."""
