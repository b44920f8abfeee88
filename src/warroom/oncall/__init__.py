"""On-call: people and how to reach them, teams, schedules, escalation
policies, and the durable escalation timers that page until someone answers."""
